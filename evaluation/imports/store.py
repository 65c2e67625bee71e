"""Writing an accepted workbook: the quarter and its settings, ballots, values, comments, adjustments."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from departments.models import Programme
from departments.workbook import ImportIssue
from evaluation.criteria_templates import LevelSpec
from evaluation.imports.adjustments import ParsedAdjustment
from evaluation.imports.checks import check_existing, check_settings_locked
from evaluation.imports.common import (
    BALLOTS_SHEET,
    IDENTITY_KEYS,
    SETTING_DEFAULTS,
    SETTINGS_SHEET,
    ImportContext,
    ParsedSettings,
    QuarterImportResult,
    Refused,
    SheetBallot,
)
from evaluation.imports.settings import check_quarter
from evaluation.models import Adjustment, Assignment, Ballot, BallotComment, BallotValue, Origin, Quarter, QuarterStatus
from evaluation.services.ballots import BallotRefused, PaperBallot, ballots_import
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create, quarter_update_settings

# --- writing -------------------------------------------------------------------------------------------------------


@transaction.atomic
def apply_import(
    quarter: Quarter | None,
    parsed: ParsedSettings,
    context: ImportContext,
    ballots: list[SheetBallot],
    adjustments: list[ParsedAdjustment],
    *,
    actor: Any,
) -> QuarterImportResult:
    created = quarter is None
    if quarter is not None:
        quarter = _locked_and_checked(quarter, parsed, context, ballots, adjustments)
    replaced = (0, 0)
    if quarter is not None and context.replace:
        replaced = _remove_imported(quarter)
    quarter = _quarter_with_settings(quarter, parsed, context, actor=actor)
    if context.pairs is not None:  # the file's assignments replace the quarter's
        Assignment.objects.filter(quarter=quarter).delete()
        Assignment.objects.bulk_create(
            Assignment(quarter=quarter, rater_unit_id=unit, rater_id=user, target_id=target)
            for unit, user, target in context.pairs
        )
    if created:
        _close_new_quarter(quarter, actor=actor)
    criteria = {criterion.code: criterion.pk for criterion in quarter.criteria.all()}
    criterion_ids = [criteria[spec.code] for spec in context.criteria]
    values, comments = _store_ballots(quarter, ballots, criterion_ids)
    Adjustment.objects.bulk_create(
        Adjustment(
            quarter=quarter,
            department=item.department,
            points=item.points,
            reason=item.reason,
            origin=Origin.IMPORTED,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for item in adjustments
    )
    result = QuarterImportResult(
        quarter=quarter,
        created=created,
        ballots=dict(Counter(ballot.source for ballot in ballots)),
        values=values,
        comments=comments,
        adjustments=len(adjustments),
        replaced_ballots=replaced[0],
        replaced_adjustments=replaced[1],
    )
    audit_record(
        action=AuditAction.BALLOTS_IMPORTED,
        summary=result.summary,
        actor=actor,
        quarter=quarter,
        details=result.details() | ({} if context.pairs is None else {"assignments": len(context.pairs)}),
    )
    return result


def _locked_and_checked(
    quarter: Quarter,
    parsed: ParsedSettings,
    context: ImportContext,
    ballots: list[SheetBallot],
    adjustments: list[ParsedAdjustment],
) -> Quarter:
    """The quarter locked until the import commits, checked again against what happened while the file was read.

    Reading a large workbook takes seconds; a publish, a browser ballot or another import may have landed meanwhile.
    The lock makes transitions, voids and browser ballots wait for this import, as they wait for each other.
    """
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    issues: list[ImportIssue] = []
    check_quarter(quarter, parsed, issues)
    if not issues:
        check_existing(quarter, ballots, adjustments, context, issues)
        check_settings_locked(quarter, parsed, context, issues)
    if issues:
        raise Refused(issues)
    return quarter


def _remove_imported(quarter: Quarter) -> tuple[int, int]:
    imported = Ballot.objects.filter(quarter=quarter, origin=Origin.IMPORTED)
    ballot_count = imported.count()
    BallotValue.objects.filter(ballot__in=imported).delete()
    BallotComment.objects.filter(ballot__in=imported).delete()
    imported.delete()
    adjustment_count, _deleted = Adjustment.objects.filter(quarter=quarter, origin=Origin.IMPORTED).delete()
    return ballot_count, adjustment_count


def _quarter_with_settings(
    quarter: Quarter | None, parsed: ParsedSettings, context: ImportContext, *, actor: Any
) -> Quarter:
    fields = {key: parsed.values[key] for key in SETTING_DEFAULTS if key not in IDENTITY_KEYS}
    levels = [LevelSpec(label, points) for label, points in context.levels.items()]
    try:
        if quarter is None:
            return quarter_create(
                code=parsed.values["quarter"],
                programme=Programme.objects.get(code=parsed.values["programme"]),
                actor=actor,
                criteria=context.criteria,
                levels=levels,
                grades=parsed.grades or (),
                **fields,
            )
        return quarter_update_settings(
            quarter=quarter,
            actor=actor,
            criteria=context.criteria if parsed.criteria is not None else None,
            levels=levels if parsed.levels is not None else None,
            grades=parsed.grades,
            **fields,
        )
    except ValidationError as error:
        row = parsed.rows.get("quarter")
        raise Refused([row.issue("value", message) for message in error.messages]) from None
    except IntegrityError:  # created by another import or in the browser while this file was read
        row = parsed.rows.get("quarter")
        message = _("Quarter %(code)s already exists.") % {"code": parsed.values["quarter"]}
        raise Refused([row.issue("value", message)]) from None


def _close_new_quarter(quarter: Quarter, *, actor: Any) -> None:
    """A quarter created by an import starts closed (docs/workbooks.md): its ballots are in, and evaluators review.

    It gets there by the lifecycle's own audited steps (draft → open → closed), inside the import's transaction,
    so nobody ever sees it open.
    """
    reason = _("Created by a quarter workbook import.")
    try:
        for status in (QuarterStatus.OPEN, QuarterStatus.CLOSED):
            quarter_transition(quarter=quarter, to=status, actor=actor, reason=reason)
    except ValidationError as error:
        raise Refused([ImportIssue(SETTINGS_SHEET.key, None, None, message) for message in error.messages]) from None


def _store_ballots(quarter: Quarter, ballots: list[SheetBallot], criterion_ids: list[int]) -> tuple[int, int]:
    """Store the file's ballots through the ballot service, as every other ballot is stored."""
    papers = (
        PaperBallot(
            source=ballot.source,
            label=ballot.label,
            rater=ballot.rater,
            rater_unit=ballot.rater_unit,
            rows=[(department, criterion_ids[index], centi) for department, index, centi in ballot.cells()],
            notes=ballot.comments,
        )
        for ballot in ballots
    )
    try:
        ballots_import(quarter=quarter, ballots=papers)
    except BallotRefused as refused:
        raise Refused([ImportIssue(BALLOTS_SHEET.key, None, None, message) for message in refused.messages]) from None
    return sum(ballot.value_count for ballot in ballots), sum(len(ballot.comments) for ballot in ballots)
