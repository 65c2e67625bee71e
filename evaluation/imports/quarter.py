"""The entry point: read and check the whole quarter workbook, then apply it in one transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings as django_settings

from departments.workbook import (
    ImportIssue,
    WorkbookInvalid,
    iter_sheet,
    open_workbook,
    read_sheet,
)
from evaluation.imports.adjustments import read_adjustments
from evaluation.imports.assignments import read_assignments
from evaluation.imports.ballots import load_context, read_ballots
from evaluation.imports.checks import check_existing, check_settings_locked
from evaluation.imports.common import BALLOTS_SHEET, SPECS, QuarterImportResult, Refused
from evaluation.imports.settings import check_quarter, read_settings
from evaluation.imports.store import apply_import
from evaluation.models import (
    Quarter,
)

# --- entry point ---------------------------------------------------------------------------------------------------


def quarter_import(*, source: Any, actor: Any = None, replace: bool = False) -> QuarterImportResult:
    """Import a quarter workbook (a path or an uploaded file): all of it, or nothing.

    Raises WorkbookInvalid with every problem found; nothing is changed then.
    """
    workbook = open_workbook(source, max_bytes=django_settings.IMPORT_MAX_BYTES)
    try:
        issues: list[ImportIssue] = []
        # The ballots sheet, by far the largest, is checked a row at a time as it is read (read_ballots).
        sheets = {
            spec.key: iter_sheet(workbook, spec, issues)
            if spec is BALLOTS_SHEET
            else read_sheet(workbook, spec, issues)
            for spec in SPECS
        }
        parsed = read_settings(sheets, issues)
        if parsed is None:
            for _row in sheets["ballots"] or ():  # its cells' own problems are listed too, as for every sheet
                pass
            raise WorkbookInvalid(issues)
        quarter = Quarter.objects.filter(
            code=parsed.values["quarter"], programme__code=parsed.values["programme"]
        ).first()
        check_quarter(quarter, parsed, issues)
        context = load_context(quarter, parsed, replace=replace)
        read_assignments(sheets["assignments"], context, issues)
        ballots = read_ballots(sheets["ballots"] or [], context, issues)
    finally:
        workbook.close()
    adjustments = read_adjustments(sheets["adjustments"] or [], context, issues)
    # Checked again under the quarter's lock when the file is applied; here so that every problem shows at once.
    check_existing(quarter, ballots, adjustments, context, issues)
    check_settings_locked(quarter, parsed, context, issues)
    if issues:
        raise WorkbookInvalid(issues)
    try:
        return apply_import(quarter, parsed, context, ballots, adjustments, actor=actor)
    except Refused as refused:
        raise WorkbookInvalid(refused.issues) from None


def group_issues_by_sheet(issues: Iterable[ImportIssue]) -> dict[str, list[ImportIssue]]:
    grouped: dict[str, list[ImportIssue]] = defaultdict(list)
    for issue in issues:
        grouped[issue.sheet].append(issue)
    return dict(grouped)
