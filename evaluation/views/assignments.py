"""The rater relations page (测评关系) of a quarter whose programme's scope is `assigned`: list, upload, download,
add and remove pairs (docs/design.md, "Rater scopes")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from departments.models import RaterScope, Unit, UnitKind
from departments.roles import Role
from departments.workbook import WorkbookInvalid
from evaluation.exports.assignments import assignments_filename, export_assignments
from evaluation.forms.assignments import AssignmentAddForm, AssignmentsUploadForm
from evaluation.models import Assignment, Quarter
from evaluation.selectors.assignments import rater_pairs
from evaluation.selectors.participation import role_members
from evaluation.services.assignments import (
    assignment_add,
    assignment_remove,
    assignments_refusal,
    assignments_replace,
)
from evaluation.views.access import managed_quarter, manager_required
from evaluation.views.excel import xlsx_response


def assigned_quarter(code: str) -> Quarter:
    """The quarter for the page: a 404 unless its programme assigns raters their targets."""
    quarter = managed_quarter(code)
    if quarter.programme.scope != RaterScope.ASSIGNED:
        raise Http404
    return quarter


def _page(
    request: HttpRequest,
    quarter: Quarter,
    *,
    add_form: AssignmentAddForm | None = None,
    upload_form: AssignmentsUploadForm | None = None,
    issues: list[str] | None = None,
) -> HttpResponse:
    groups = rater_pairs(quarter)
    programme = quarter.programme
    context: dict[str, Any] = {
        "quarter": quarter,
        "groups": groups,
        "pair_count": sum(len(group.pairs) for group in groups),
        "refusal": assignments_refusal(quarter),
        "add_form": add_form or AssignmentAddForm(programme=programme),
        "upload_form": upload_form or AssignmentsUploadForm(),
        "issues": issues or [],
        # Suggestions for the add form's fields (datalists): who may rate, and what.
        "rating_units": Unit.objects.filter(active=True, kind__in=[UnitKind.GRASSROOTS, *programme.kinds]),
        "leaders": role_members(Role.LEADER),
        "targets": Unit.objects.evaluated(programme),
    }
    failed = bool(issues) or (add_form is not None and add_form.errors)
    return render(request, "evaluation/console/assignments.html", context, status=400 if failed else 200)


@require_GET
@manager_required
def assignments_view(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, assigned_quarter(code))


@require_GET
@manager_required
def assignments_download_view(request: HttpRequest, code: str) -> FileResponse:
    """The quarter's pairs as a workbook with an assignments sheet, to edit and upload again."""
    quarter = assigned_quarter(code)
    return xlsx_response(lambda out: export_assignments(quarter, out), assignments_filename(quarter))


@require_POST
@manager_required
def assignments_upload_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = assigned_quarter(code)
    form = AssignmentsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, quarter, upload_form=form, issues=[m for ms in form.errors.values() for m in ms])
    try:
        added, removed = assignments_replace(quarter=quarter, source=form.cleaned_data["file"], actor=request.user)
    except WorkbookInvalid as refused:
        return _page(request, quarter, upload_form=form, issues=[str(issue) for issue in refused.issues])
    counts = {"added": added, "removed": removed}
    messages.success(request, _("Rater relations replaced: %(added)d pairs added, %(removed)d removed.") % counts)
    return redirect("evaluation:assignments", code=quarter.key)


@require_POST
@manager_required
def assignment_add_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = assigned_quarter(code)
    form = AssignmentAddForm(request.POST, programme=quarter.programme)
    if form.is_valid():
        try:
            assignment_add(quarter=quarter, pair=form.cleaned_data["pair"], actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The pair was added."))
            return redirect("evaluation:assignments", code=quarter.key)
    return _page(request, quarter, add_form=form)


@require_POST
@manager_required
def assignment_remove_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    quarter = assigned_quarter(code)
    assignment = get_object_or_404(Assignment, quarter=quarter, pk=pk)
    try:
        assignment_remove(assignment=assignment, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The pair was removed."))
    return redirect("evaluation:assignments", code=quarter.key)
