"""Checks of a readable workbook against what is already stored (existing ballots, locked settings)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.utils.translation import gettext as _

from departments.workbook import (
    ImportIssue,
    SheetSpec,
)
from evaluation import ballot_rules as rules
from evaluation.criteria_templates import CriterionSpec, LevelSpec
from evaluation.grades import GradeSpec
from evaluation.imports.adjustments import ParsedAdjustment
from evaluation.imports.ballots import stored_criteria, stored_levels
from evaluation.imports.common import (
    ASSIGNMENTS_SHEET,
    CRITERIA_SHEET,
    GRADES_SHEET,
    IDENTITY_KEYS,
    LEVELS_SHEET,
    REPLACE_LABEL,
    ImportContext,
    ParsedSettings,
    SheetBallot,
)
from evaluation.models import (
    Adjustment,
    Ballot,
    Origin,
    Quarter,
    Source,
)
from evaluation.services.assignments import assignments_held_refusals
from evaluation.services.quarters import grade_specs

# --- against what is stored ----------------------------------------------------------------------------------------


def check_existing(
    quarter: Quarter | None,
    ballots: list[SheetBallot],
    adjustments: list[ParsedAdjustment],
    context: ImportContext,
    issues: list,
) -> None:
    """Labels, peer departments and leaders already used in the quarter (apart from what --replace removes), and
    the rater relations its ballots rely on, which a file's assignments sheet must keep."""
    if quarter is None:
        return
    if context.pairs is not None:
        for message in assignments_held_refusals(quarter, context.pairs, but_imported=context.replace):
            issues.append(ImportIssue(ASSIGNMENTS_SHEET.key, None, None, message))
    stored = Ballot.objects.filter(quarter=quarter)
    if context.replace:
        stored = stored.exclude(origin=Origin.IMPORTED)
    labels = set(stored.exclude(label="").values_list("source", "label"))
    for ballot in ballots:
        row = ballot.first_row
        if (ballot.source, ballot.label) in labels:
            issues.append(row.issue("ballot", _already_message(ballot.label, context.replace)))
        elif ballot.source != Source.GRASSROOTS and (ballot.rater_unit or ballot.rater):
            _check_not_voted(quarter, ballot, context, issues)
    if not context.replace:
        _check_adjustments_again(quarter, adjustments, issues)


def _check_not_voted(quarter: Quarter, ballot: SheetBallot, context: ImportContext, issues: list) -> None:
    """A peer ballot per department, a leadership ballot per leader, counting those already in the quarter."""
    who = {"user": ballot.rater, "unit": ballot.rater_unit}
    if rules.has_voted(quarter, ballot.source, **who, but_imported=context.replace):
        message = rules.already_voted_message(ballot.source, quarter_code=quarter.code, **who)
        issues.append(ballot.first_row.issue("rater" if ballot.source == Source.LEADERSHIP else "rater_unit", message))


def check_settings_locked(
    quarter: Quarter | None, parsed: ParsedSettings, context: ImportContext, issues: list
) -> None:
    """Once a quarter holds ballots (other than those --replace removes), its settings stay as they are."""
    if quarter is None:
        return
    stored = Ballot.objects.filter(quarter=quarter)
    if context.replace:
        stored = stored.exclude(origin=Origin.IMPORTED)
    if not stored.exists():
        return
    # What is already reported as wrong is not reported again as a change.
    reported_rows = {(issue.sheet, issue.row) for issue in issues}
    for key in sorted(parsed.given - IDENTITY_KEYS):
        row = parsed.rows[key]
        if (row.sheet, row.number) not in reported_rows and getattr(quarter, key) != parsed.values[key]:
            issues.append(row.issue("value", _locked_message(quarter, key)))
    criteria_read = parsed.criteria is not None and not _reported(CRITERIA_SHEET, issues)
    if criteria_read and _criteria_key(parsed.criteria) != _criteria_key(stored_criteria(quarter)):
        issues.append(ImportIssue(CRITERIA_SHEET.key, None, None, _locked_message(quarter, "criteria")))
    levels_read = parsed.levels is not None and not _reported(LEVELS_SHEET, issues)
    if levels_read and _levels_key(parsed.levels) != _levels_key(stored_levels(quarter)):
        issues.append(ImportIssue(LEVELS_SHEET.key, None, None, _locked_message(quarter, "levels")))
    grades_read = parsed.grades is not None and not _reported(GRADES_SHEET, issues)
    if grades_read and _grades_key(parsed.grades) != _grades_key(grade_specs(quarter)):
        issues.append(ImportIssue(GRADES_SHEET.key, None, None, _locked_message(quarter, "grades")))


def _reported(spec: SheetSpec, issues: list[ImportIssue]) -> bool:
    return any(spec.key == issue.sheet or spec.matches(issue.sheet) for issue in issues)


def _locked_message(quarter: Quarter, what: str) -> str:
    return _("Quarter %(code)s holds ballots, so its %(what)s can no longer change; this file differs.") % {
        "code": quarter.code,
        "what": what,
    }


def _criteria_key(specs: list[CriterionSpec]) -> list[tuple[str, str, Decimal]]:
    return [(spec.code, spec.name, Decimal(spec.weight).normalize()) for spec in specs]


def _grades_key(specs: list[GradeSpec]) -> list[tuple[str, int | None, Decimal | None]]:
    return [(s.label, s.quota, None if s.min_score is None else s.min_score.normalize()) for s in specs]


def _levels_key(specs: list[LevelSpec]) -> list[tuple[str, Decimal]]:
    return [(spec.label.strip(), Decimal(spec.points).normalize()) for spec in specs]


def _already_message(label: str, replace: bool) -> str:
    if replace:
        return _(
            "A ballot labelled %(label)s was entered in the browser; it is kept, so the label cannot be reused."
        ) % {"label": label}
    return _("The ballot %(label)s has already been imported. %(again)s") % {"label": label, "again": _again()}


def _again() -> str:
    # The command's --replace help says the same words as the upload page's box.
    return _("To import the file again, choose “%(replace)s”.") % {"replace": REPLACE_LABEL}


def _check_adjustments_again(quarter: Quarter, adjustments: list[ParsedAdjustment], issues: list[ImportIssue]) -> None:
    stored = Counter(
        (department, points, reason)
        for department, points, reason in Adjustment.objects.filter(
            quarter=quarter, origin=Origin.IMPORTED
        ).values_list("department", "points", "reason")
    )
    for item in adjustments:
        key = (item.department.pk, item.points, item.reason)
        if stored[key]:
            message = _("This adjustment has already been imported. %(again)s") % {"again": _again()}
            issues.append(item.row.issue("reason", message))
