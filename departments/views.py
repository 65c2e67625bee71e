from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from departments.forms import LoginForm, OrgImportForm
from departments.imports import org_import, org_workbook
from departments.models import Unit, UnitKind, User
from departments.throttle import login_failed, login_refused, login_succeeded
from departments.usernames import fold_username
from departments.workbook import ImportIssue, WorkbookInvalid

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without a valid CSRF token: explain instead of Django's technical page."""
    return render(request, "403_csrf.html", status=403)


@login_required
@permission_required("departments.import_org", raise_exception=True)
def import_org(request: HttpRequest) -> HttpResponse:
    """Upload an organisation workbook; show every problem, or apply it and say what changed."""
    issues: list[ImportIssue] = []
    form = OrgImportForm(request.POST, request.FILES) if request.method == "POST" else OrgImportForm()
    if form.is_bound and form.is_valid():
        try:
            result = org_import(source=form.cleaned_data["file"], actor=request.user)
        except WorkbookInvalid as refused:
            issues = refused.issues
        else:
            messages.success(request, _("The organisation was imported. %(summary)s") % {"summary": result.summary()})
            return redirect("departments:import")
    context = {"form": form, "issues": issues, "counts": _organisation_counts()}
    return render(request, "departments/import.html", context, status=400 if issues else 200)


def _organisation_counts() -> dict:
    by_kind = dict(Unit.objects.filter(active=True).values_list("kind").annotate(n=Count("id")))
    return {
        "kinds": [(label, by_kind.get(value, 0)) for value, label in UnitKind.choices],
        "people": User.objects.filter(is_active=True).count(),
    }


@login_required
@permission_required("departments.import_org", raise_exception=True)
def org_template(request: HttpRequest) -> HttpResponse:
    """The current organisation as a workbook to edit and import again."""
    response = HttpResponse(org_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="organisation.xlsx"'
    return response


class ThrottledLoginView(auth_views.LoginView):
    """The login form, refusing an address that keeps guessing one account's password, or many accounts'."""

    authentication_form = LoginForm

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = fold_username(request.POST.get("username", ""))[:150]
        if login_refused(request, username):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed logins. Wait 15 minutes and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            login_succeeded(request, username)
        else:
            login_failed(request, username)
        return response
