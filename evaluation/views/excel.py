"""Workbooks in and out, and keying in paper ballots: pages for the evaluation group."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from departments.models import PROGRAMME_CODE_PATTERN, WORKSTYLE, Programme, UnitKind, workstyle
from departments.workbook import WorkbookInvalid
from evaluation.converters import QuarterCodeConverter
from evaluation.criteria_templates import level_display
from evaluation.exports import export_annual, export_quarter, export_quarter_template, quarter_filename
from evaluation.forms.excel import EntryGrid, EntryPickForm, QuarterImportForm
from evaluation.imports import quarter_import
from evaluation.models import Ballot, Origin, Quarter, Source, quarter_lookup
from evaluation.selectors.quarters import BY_PROGRAMME
from evaluation.services.ballots import BallotRefused, ballot_submit, ballot_targets
from evaluation.views.access import annual_programme, managed_quarter, manager_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(write: Callable[[io.BytesIO], None], filename: str) -> FileResponse:
    buffer = io.BytesIO()
    write(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX)


# --- downloads -----------------------------------------------------------------------------------------------------


@require_GET
@manager_required
def export_quarter_view(request: HttpRequest, code: str) -> FileResponse:
    """The quarter's results workbook, headers in the visitor's language."""
    quarter = managed_quarter(code)
    # The request's language is active (LocaleMiddleware), so the headers follow the visitor's choice.
    return xlsx_response(lambda out: export_quarter(quarter, out), quarter_filename(quarter))


@require_GET
@manager_required
def export_annual_view(request: HttpRequest, year: str) -> FileResponse:
    programme, number = annual_programme(year)
    return xlsx_response(lambda out: export_annual(number, out, programme), f"results-{year}.xlsx")


@require_GET
@manager_required
def quarter_template_view(request: HttpRequest) -> FileResponse:
    """An empty quarter workbook with today's targets, and a quarter's settings (?quarter=) or the defaults of a
    programme (?programme=, work style by default)."""
    code = request.GET.get("quarter", "")
    quarter = _template_quarter(code) if code else None
    programme = None if quarter else _template_programme(request.GET.get("programme", ""))
    if quarter is not None:
        filename = f"quarter-{quarter.key}.xlsx"
    else:
        filename = "quarter-template.xlsx" if programme.is_workstyle else f"quarter-{programme.code}-template.xlsx"
    return xlsx_response(lambda out: export_quarter_template(out, quarter=quarter, programme=programme), filename)


def _template_programme(code: str) -> Programme:
    """The programme named by `?programme=` (work style when empty); a 404 when there is none."""
    if not code:
        return workstyle()
    if not re.fullmatch(PROGRAMME_CODE_PATTERN, code):
        raise Http404
    return get_object_or_404(Programme, code=code)


def _template_quarter(code: str) -> Quarter:
    """The quarter named by `?quarter=`: a 404 when there is none, or the text is no quarter code (e.g. holds NUL)."""
    if not re.fullmatch(QuarterCodeConverter.regex, code):
        raise Http404
    return get_object_or_404(Quarter, **quarter_lookup(code))


# --- upload --------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@manager_required
def import_quarter_view(request: HttpRequest) -> HttpResponse:
    """Upload a quarter workbook; every problem is listed and nothing is imported unless there is none."""
    form = QuarterImportForm(request.POST, request.FILES) if request.method == "POST" else QuarterImportForm()
    issues: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = quarter_import(
                source=form.cleaned_data["file"], actor=request.user, replace=form.cleaned_data["replace"]
            )
        except WorkbookInvalid as refused:
            issues = [str(issue) for issue in refused.issues]
        else:
            messages.success(request, result.summary())
            return redirect("evaluation:import_quarter")
    quarters = Quarter.objects.select_related("programme").order_by(*BY_PROGRAMME)
    return render(
        request,
        "evaluation/excel/import.html",
        {"form": form, "issues": issues, "quarters": quarters, "programmes": Programme.objects.exclude(code=WORKSTYLE)},
        status=400 if issues else 200,
    )


# --- data entry ----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@manager_required
def entry_view(request: HttpRequest) -> HttpResponse:
    """Key in paper ballots one after another: pick source and rater, fill the grid, save, repeat."""
    pick = _pick_form(request)
    if not pick.is_bound or not pick.is_valid():
        return render(request, "evaluation/excel/entry.html", {"pick": pick, "grid": None})
    chosen = pick.cleaned_data
    quarter, source = chosen["quarter"], chosen["source"]
    grid = _grid(quarter, source=source, unit=chosen["unit"], rater=chosen["rater"])
    label = ""
    if request.method == "POST":
        label = request.POST.get("label", "").strip()[:64]
        values, comments = grid.read(request.POST)
        if not grid.errors:
            try:
                ballot_submit(
                    quarter=quarter,
                    source=source,
                    values=values,
                    comments=comments,
                    rater=chosen["rater"],
                    rater_unit=chosen["unit"],
                    origin=Origin.KEYED,
                    label=label,
                    actor=request.user,
                )
            except BallotRefused as refused:
                messages.error(request, " ".join(refused.messages))
            else:
                messages.success(request, _("Ballot saved. The grid is clear for the next one."))
                return redirect(f"{reverse('evaluation:entry')}?{urlencode(request.GET)}")
        else:
            messages.error(request, _("Some cells are not valid; nothing was saved. Correct the marked cells."))
    context = {
        "pick": pick,
        "grid": grid,
        "quarter": quarter,
        "source": Source(source),
        "label": label,
        "keyed": Ballot.objects.filter(quarter=quarter, source=source, origin=Origin.KEYED).count(),
        "levels_data": [
            {"key": str(n), "label": level_display(level.label)} for n, level in enumerate(grid.levels, start=1)
        ],
    }
    return render(request, "evaluation/excel/entry.html", context, status=200 if not grid.errors else 400)


def _pick_form(request: HttpRequest) -> EntryPickForm:
    """The pick form, bound once a source is chosen; a link naming only the quarter (the console's) preselects it."""
    if "source" in request.GET:
        pick = EntryPickForm(request.GET)
    else:
        quarter = request.GET.get("quarter", "")
        pick = EntryPickForm(initial={"quarter": quarter} if quarter else None)
    _group_units_by_kind(pick.fields["unit"])
    return pick


def _group_units_by_kind(field: Any) -> None:
    """Departments and grassroots units in separate <optgroup>s, so a peer rater is not picked for a grassroots one."""
    groups: dict[UnitKind, list[tuple[str, str]]] = {kind: [] for kind in UnitKind}
    for unit in field.queryset:
        groups[UnitKind(unit.kind)].append((unit.code, unit.name))
    field.choices = [("", field.empty_label), *((kind.label, units) for kind, units in groups.items() if units)]


def _grid(quarter: Quarter, *, source: str, unit: Any, rater: Any) -> EntryGrid:
    """The paper ballot's grid: the targets in its rater's scope (docs/design.md, "Rater scopes")."""
    departments = ballot_targets(
        quarter, source=source, rater_unit=None if source == Source.LEADERSHIP else unit, rater=rater
    )
    return EntryGrid(
        quarter=quarter,
        departments=departments,
        criteria=list(quarter.criteria.order_by("order", "code")),
        levels=sorted(quarter.levels.all(), key=lambda level: -level.points),
    )
