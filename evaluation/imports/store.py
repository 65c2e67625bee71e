"""Writing an accepted workbook: the quarter and its settings, ballots, values, comments, adjustments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from departments.workbook import ImportIssue
from evaluation.criteria_templates import LevelSpec
from evaluation.imports.adjustments import ParsedAdjustment
from evaluation.imports.checks import check_existing, check_settings_locked
from evaluation.imports.common import (
    BULK_BATCH,
    SETTING_DEFAULTS,
    ImportContext,
    ParsedBallot,
    ParsedSettings,
    QuarterImportResult,
    Refused,
)
from evaluation.imports.settings import check_quarter
from evaluation.models import Adjustment, Ballot, BallotComment, BallotValue, Origin, Quarter, QuarterStatus, Source
from evaluation.services.quarters import quarter_create, quarter_update_settings

# --- writing -------------------------------------------------------------------------------------------------------


@transaction.atomic
def apply_import(
    quarter: Quarter | None,
    parsed: ParsedSettings,
    context: ImportContext,
    ballots: list[ParsedBallot],
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
        details=result.details(),
    )
    return result


def _locked_and_checked(
    quarter: Quarter,
    parsed: ParsedSettings,
    context: ImportContext,
    ballots: list[ParsedBallot],
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
    fields = {key: parsed.values[key] for key in SETTING_DEFAULTS if key != "quarter"}
    levels = [LevelSpec(label, points) for label, points in context.levels.items()]
    try:
        if quarter is None:
            quarter = quarter_create(
                code=parsed.values["quarter"], actor=actor, criteria=context.criteria, levels=levels, **fields
            )
            quarter.status = QuarterStatus.CLOSED
            quarter.save(update_fields=["status"])
            return quarter
        return quarter_update_settings(
            quarter=quarter,
            actor=actor,
            criteria=context.criteria if parsed.criteria is not None else None,
            levels=levels if parsed.levels is not None else None,
            **fields,
        )
    except ValidationError as error:
        row = parsed.rows.get("quarter")
        raise Refused([row.issue("value", message) for message in error.messages]) from None
    except IntegrityError:  # created by another import or in the browser while this file was read
        row = parsed.rows.get("quarter")
        message = _("Quarter %(code)s already exists.") % {"code": parsed.values["quarter"]}
        raise Refused([row.issue("value", message)]) from None


def _store_ballots(quarter: Quarter, ballots: list[ParsedBallot], criterion_ids: list[int]) -> tuple[int, int]:
    today = timezone.localdate()
    rows = [
        Ballot(
            quarter=quarter,
            source=ballot.source,
            rater_unit=ballot.rater_unit,
            rater=None if ballot.source == Source.GRASSROOTS else ballot.rater,
            origin=Origin.IMPORTED,
            label=ballot.label,
            submitted_on=today,
        )
        for ballot in ballots
    ]
    Ballot.objects.bulk_create(rows, batch_size=BULK_BATCH)
    values = _insert_values(
        (stored.pk, department, criterion_ids[index], centi)
        for stored, ballot in zip(rows, ballots, strict=True)
        for department, index, centi in ballot.values
    )
    comments = _bulk(
        BallotComment,
        (
            BallotComment(ballot=stored, department_id=department, text=text)
            for stored, ballot in zip(rows, ballots, strict=True)
            for department, text in ballot.comments.items()
        ),
    )
    return values, comments


def _insert_values(rows: Iterable[tuple[Any, int, int, int]]) -> int:
    """Insert BallotValue rows with multi-row INSERTs.

    A Benxi-scale file holds some 400,000 values; building a model instance for each
    (as bulk_create does) costs more than everything else in the import together.
    The values have been validated already; the table's constraints still apply.
    """
    meta = BallotValue._meta
    ballot_field = meta.get_field("ballot").target_field
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column)
        for name in ("ballot", "department", "criterion", "value_centi")
    )
    limit = connection.features.max_query_params or 32000
    batch_rows = max(1, min(2000, limit // 4))
    prepared: dict[Any, Any] = {}
    total = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, batch_rows):
            params: list[Any] = []
            for ballot_id, department, criterion, centi in chunk:
                if ballot_id not in prepared:
                    prepared[ballot_id] = ballot_field.get_db_prep_value(ballot_id, connection)
                params += [prepared[ballot_id], department, criterion, centi]
            placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES {placeholders}"  # noqa: S608
            cursor.execute(sql, params)
            total += len(chunk)
    return total


def _chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk(model: Any, objects: Iterable[Any]) -> int:
    """bulk_create in batches from a generator, so a large file never holds every row object at once."""
    total, batch = 0, []
    for item in objects:
        batch.append(item)
        if len(batch) >= BULK_BATCH:
            model.objects.bulk_create(batch)
            total, batch = total + len(batch), []
    if batch:
        model.objects.bulk_create(batch)
        total += len(batch)
    return total
