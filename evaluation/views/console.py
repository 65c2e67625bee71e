"""The quarter console for the evaluation group: settings, lifecycle, codes, participation, voids, audit log."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from departments.cells import keep_as_text
from departments.models import Unit, UnitKind
from evaluation.forms.audit import AuditFilterForm
from evaluation.forms.quarters import (
    COPY_PREVIOUS,
    CodesIssueForm,
    QuarterCreateForm,
    QuarterRenameForm,
    QuarterSettingsForm,
    TransitionForm,
    UnvoidForm,
    VoidForm,
)
from evaluation.models import Ballot, Quarter, QuarterStatus
from evaluation.selectors.participation import participation_warning_percent, quarter_participation, source_turnout
from evaluation.selectors.quarters import (
    audit_log,
    ballot_contents,
    code_counts,
    quarter_audit,
    quarter_ballots,
    quarter_list,
    unused_codes,
)
from evaluation.services.codes import codes_issue, format_code
from evaluation.services.lifecycle import (
    FINALISE,
    finalise_blockers,
    needs_reason,
    quarter_transition,
    transitions_for,
)
from evaluation.services.quarters import (
    quarter_create,
    quarter_create_from_previous,
    quarter_delete,
    quarter_delete_refusal,
    quarter_rename,
    quarter_update_settings,
    settings_locked_reason,
    window_locked_reason,
)
from evaluation.services.reminders import reminders_send
from evaluation.services.voids import ballot_correction_refusal, ballot_description, ballot_unvoid, ballot_void
from evaluation.views.access import managed_quarter, manager_required

SLIPS_PER_PAGE = 8
AUDIT_PAGE_SIZE = 100


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _show_form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


# --- quarters ---------------------------------------------------------------------------------------


@require_GET
@manager_required
def quarter_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/console/quarter_list.html", {"quarters": quarter_list()})


@require_http_methods(["GET", "POST"])
@manager_required
def quarter_create_view(request: HttpRequest) -> HttpResponse:
    form = QuarterCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quarter = _create(form.cleaned_data, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Quarter %(code)s created as a draft.") % {"code": quarter.code})
            return redirect("evaluation:console", code=quarter.key)
    return render(request, "evaluation/console/quarter_create.html", {"form": form})


def _create(data: dict[str, Any], *, actor: Any) -> Quarter:
    programme = data["programme"]
    if data["start_from"] == COPY_PREVIOUS:
        return quarter_create_from_previous(code=data["code"], programme=programme, actor=actor)
    return quarter_create(code=data["code"], programme=programme, template=data["start_from"], actor=actor)


@require_http_methods(["GET", "POST"])
@manager_required
def console_view(request: HttpRequest, code: str) -> HttpResponse:
    """The quarter's console; a POST saves its settings."""
    quarter = managed_quarter(code)
    scoring_reason, window_reason = settings_locked_reason(quarter), window_locked_reason(quarter)
    form_kwargs = {"instance": quarter, "scoring_locked": bool(scoring_reason), "window_locked": bool(window_reason)}
    if request.method == "POST":
        form = QuarterSettingsForm(request.POST, **form_kwargs)
        if form.is_valid() and _save_settings(request, quarter, form):
            return redirect("evaluation:console", code=quarter.key)
    else:
        form = QuarterSettingsForm(**form_kwargs)
    return render(request, "evaluation/console/console.html", _console_context(request, quarter, form))


def _save_settings(request: HttpRequest, quarter: Quarter, form: QuarterSettingsForm) -> bool:
    try:
        quarter_update_settings(quarter=quarter, actor=request.user, **form.changes())
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return False
    messages.success(request, _("Settings saved."))
    return True


def _console_context(request: HttpRequest, quarter: Quarter, form: QuarterSettingsForm) -> dict[str, Any]:
    transitions = [
        {
            "to": to,
            "label": QuarterStatus(to).label,
            "reason_required": needs_reason(quarter, to),
            "blockers": finalise_blockers(quarter) if (quarter.status, to) == FINALISE else [],
            "form": TransitionForm(initial={"to": to}),
        }
        for to in transitions_for(quarter, request.user)
    ]
    participation = quarter_participation(quarter)
    turnout = source_turnout(quarter, participation)
    return {
        "quarter": quarter,
        "form": form,
        "scoring_reason": settings_locked_reason(quarter),
        "window_reason": window_locked_reason(quarter),
        "transitions": transitions,
        "codes_form": CodesIssueForm(quarter=quarter),
        "code_counts": code_counts(quarter),
        "can_issue_codes": quarter.status in (QuarterStatus.DRAFT, QuarterStatus.OPEN),
        "participation": participation,
        # What publishing would rest on, shown in its confirmation (docs/design.md, "Participation console").
        "turnout": turnout,
        "turnout_low": any(t.low for t in turnout),
        "warning_percent": participation_warning_percent(),
        "rename_form": QuarterRenameForm(initial={"title": quarter.title}),
        "delete_refusal": quarter_delete_refusal(quarter) if quarter.status == QuarterStatus.DRAFT else None,
        "criteria": quarter.criteria.all(),
        "levels": quarter.levels.all(),
    }


@require_POST
@manager_required
def quarter_rename_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    form = QuarterRenameForm(request.POST)
    if not form.is_valid():
        _show_form_errors(request, form)
        return redirect("evaluation:console", code=quarter.key)
    try:
        quarter_rename(quarter=quarter, actor=request.user, title=form.cleaned_data["title"])
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Title saved."))
    return redirect("evaluation:console", code=quarter.key)


@require_POST
@manager_required
def quarter_delete_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    try:
        quarter_delete(quarter=quarter, actor=request.user)
    except ValidationError as error:
        _show_errors(request, error)
        return redirect("evaluation:console", code=quarter.key)
    messages.success(request, _("Draft quarter %(code)s deleted.") % {"code": code})
    return redirect("evaluation:quarter_list")


# --- lifecycle ----------------------------------------------------------------------------------------


@require_POST
@manager_required
def transition_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("evaluation:console", code=quarter.key)
    try:
        quarter_transition(
            quarter=quarter, to=form.cleaned_data["to"], actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(
            request,
            _("%(code)s is now %(status)s.") % {"code": quarter.code, "status": quarter.get_status_display()},
        )
    return redirect("evaluation:console", code=quarter.key)


# --- codes --------------------------------------------------------------------------------------------


@require_POST
@manager_required
def codes_issue_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    form = CodesIssueForm(request.POST)
    if not form.is_valid():
        _show_form_errors(request, form)
        return redirect(reverse("evaluation:console", args=[quarter.key]) + "#codes")
    unit, count = form.cleaned_data["unit"], form.cleaned_data["count"]
    try:
        codes_issue(quarter=quarter, unit=unit, count=count, actor=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("%(count)s codes issued for %(unit)s.") % {"count": count, "unit": unit.name})
    return redirect(reverse("evaluation:console", args=[quarter.key]) + "#codes")


def _public_link(request: HttpRequest, url_name: str, code: str) -> str:
    """An absolute address carrying a slip's code; PUBLIC_BASE_URL wins over the requesting host.

    The code travels in the fragment, which browsers never send: no access log or Referer holds it
    (static/js/code_link.js hands it to the page's form, which POSTs it).
    """
    path = f"{reverse(url_name)}#{urlencode({'code': code})}"
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    if base:
        return base.rstrip("/") + path
    return request.build_absolute_uri(path)


def _ballot_link(request: HttpRequest, code: str) -> str:
    """The address a slip's QR code opens."""
    return _public_link(request, "evaluation:ballot_code", code)


def _get_code_unit(quarter: Quarter, unit_code: str) -> Unit:
    return get_object_or_404(Unit, code=unit_code, kind=UnitKind.GRASSROOTS)


@require_GET
@manager_required
def codes_print_view(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    unit = _get_code_unit(quarter, unit_code)
    slips = []
    for item in unused_codes(quarter, unit.pk):
        link = _ballot_link(request, item.code)
        # segno draws only rectangles from the data; nothing user-supplied reaches the markup.
        svg = segno.make(link, error="m").svg_inline(scale=3, border=2)
        problems_link = _public_link(request, "evaluation:unit_problems", item.code)
        slips.append(
            {"code": format_code(item.code), "link": link, "qr": mark_safe(svg), "problems_link": problems_link}
        )
    pages = [slips[i : i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
    return render(request, "evaluation/console/codes_print.html", {"quarter": quarter, "unit": unit, "pages": pages})


@require_GET
@manager_required
def codes_xlsx_view(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    """The unit's unused codes (those still to hand out) with their links, as a workbook."""
    quarter = managed_quarter(code)
    unit = _get_code_unit(quarter, unit_code)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Codes"))
    sheet.append([_text(sheet, h) for h in (_("Quarter"), _("Unit code"), _("Unit"), _("Code"), _("Link"))])
    for item in unused_codes(quarter, unit.pk):
        row = (quarter.code, unit.code, unit.name, format_code(item.code), _ballot_link(request, item.code))
        sheet.append([_text(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="codes-{quarter.code}-{unit.code}.xlsx"'
    return response


def _text(sheet: Any, value: str) -> WriteOnlyCell:
    return keep_as_text(WriteOnlyCell(sheet, value=str(value)))


# --- participation and reminders ----------------------------------------------------------------------


@require_GET
@manager_required
def participation_json_view(request: HttpRequest, code: str) -> JsonResponse:
    quarter = managed_quarter(code)
    response = JsonResponse(quarter_participation(quarter))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@manager_required
def remind_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    try:
        result = reminders_send(quarter=quarter, actor=request.user, link=request.build_absolute_uri(reverse("home")))
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(
            request,
            _(
                "Reminders sent: %(sent)s. Raters without an e-mail address: %(missing)s. "
                "Raters whose account cannot log in (no password yet, or disabled): %(locked)s."
            )
            % {"sent": result.sent, "missing": result.without_email, "locked": result.cannot_log_in},
        )
    return redirect(reverse("evaluation:console", args=[quarter.key]) + "#participation")


# --- voids --------------------------------------------------------------------------------------------


@require_GET
@manager_required
def ballots_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    context = {
        "quarter": quarter,
        "counted": quarter_ballots(quarter, voided=False),
        "voided": quarter_ballots(quarter, voided=True),
        "correction_refusal": ballot_correction_refusal(quarter),
    }
    return render(request, "evaluation/console/ballots.html", context)


def _get_ballot_for_user(request: HttpRequest, quarter: Quarter, ballot_id: Any) -> Ballot:
    return get_object_or_404(
        Ballot.objects.select_related("quarter", "rater_unit", "rater", "voided_by"), pk=ballot_id, quarter=quarter
    )


def _ballot_page(
    request: HttpRequest, quarter: Quarter, ballot: Ballot, *, form: VoidForm | UnvoidForm | None = None
) -> HttpResponse:
    """One ballot as the evaluation group reads it, with the form that voids it or undoes its void."""
    if form is None:
        form = UnvoidForm() if ballot.is_void else VoidForm()
    context = {
        "quarter": quarter,
        "ballot": ballot,
        "description": ballot_description(ballot),
        "contents": ballot_contents(ballot),
        "correction_refusal": ballot_correction_refusal(quarter),
        "form": form,
    }
    return render(request, "evaluation/console/ballot.html", context)


@require_GET
@manager_required
def ballot_view(request: HttpRequest, code: str, ballot_id: Any) -> HttpResponse:
    quarter = managed_quarter(code)
    return _ballot_page(request, quarter, _get_ballot_for_user(request, quarter, ballot_id))


@require_http_methods(["GET", "POST"])
@manager_required
def void_view(request: HttpRequest, code: str, ballot_id: Any) -> HttpResponse:
    quarter = managed_quarter(code)
    ballot = _get_ballot_for_user(request, quarter, ballot_id)
    if request.method != "POST":
        return _ballot_page(request, quarter, ballot)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            ballot_void(ballot=ballot, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Voided the %(ballot)s.") % {"ballot": ballot_description(ballot)})
            return redirect("evaluation:ballots", code=quarter.key)
    return _ballot_page(request, quarter, ballot, form=form)


@require_POST
@manager_required
def unvoid_view(request: HttpRequest, code: str, ballot_id: Any) -> HttpResponse:
    quarter = managed_quarter(code)
    ballot = _get_ballot_for_user(request, quarter, ballot_id)
    form = UnvoidForm(request.POST)
    if form.is_valid():
        try:
            ballot_unvoid(ballot=ballot, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, _("Restored the %(ballot)s: it counts again.") % {"ballot": ballot_description(ballot)}
            )
            return redirect("evaluation:ballots", code=quarter.key)
    return _ballot_page(request, quarter, ballot, form=form)


# --- audit log ----------------------------------------------------------------------------------------


@require_GET
@manager_required
def audit_view(request: HttpRequest, code: str) -> HttpResponse:
    quarter = managed_quarter(code)
    return render(request, "evaluation/console/audit.html", {"quarter": quarter, "entries": quarter_audit(quarter)})


@require_GET
@manager_required
def audit_log_view(request: HttpRequest) -> HttpResponse:
    """The whole audit log, every quarter and what belongs to none (organisation imports), with filters."""
    form = AuditFilterForm(request.GET or None)
    # A filter that names nobody known lists nothing (and says why), rather than everything.
    entries = audit_log(**form.filters()) if not form.is_bound or form.is_valid() else []
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "evaluation/console/audit_log.html", context, status=400 if form.errors else 200)
