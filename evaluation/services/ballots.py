"""Submitting ballots: every check a ballot must pass, and its storage in one transaction.

The same rules hold for every way in: the browser (origin `online`), a paper
ballot keyed in by an evaluator (`keyed`) and a workbook import (`imported`).
A grassroots ballot is stored with its quarter, source and unit only; the code
that opened it is marked used in the same transaction and never linked to it.
One cast online waits in the inbox and reaches the ballot tables in a shuffled
batch of its own (evaluation.services.inbox).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Unit, UnitKind
from departments.roles import Role
from evaluation.models import (
    AuditAction,
    Ballot,
    BallotCode,
    BallotComment,
    BallotValue,
    Criterion,
    GrassrootsParticipation,
    Level,
    Origin,
    Quarter,
    QuarterStatus,
    Scale,
    Source,
)
from evaluation.services.audit import audit_record
from evaluation.services.codes import normalise_code
from evaluation.services.inbox import inbox_move_when_full, inbox_store

COMMENT_MAX_LENGTH = 1000
# Statuses in which an evaluator may still enter ballots collected on paper.
PAPER_STATUSES = {
    Origin.KEYED: {QuarterStatus.OPEN, QuarterStatus.CLOSED},
    Origin.IMPORTED: {QuarterStatus.DRAFT, QuarterStatus.OPEN, QuarterStatus.CLOSED},
}


class BallotRefused(ValidationError):
    """A ballot that cannot be stored. The message is translated and safe to show to the rater."""


@dataclass
class _Rater:
    """Who a ballot is stored under, once the rules of its source have been applied."""

    user: Any
    unit: Unit | None
    code: BallotCode | None = None
    participation: bool = False


@dataclass(frozen=True)
class BallotSheet:
    """What any ballot of a quarter may hold: loaded once per request and shared by the page and the service.

    `departments` maps every evaluated department's id to its name, in display order (the rules of a
    source, such as a peer's own department, are applied on top); `levels` is empty on the points scale.
    """

    quarter_id: int
    departments: dict[int, str]
    criteria: list[Criterion]
    levels: list[Level]
    uses_levels: bool

    @property
    def criterion_ids(self) -> frozenset[int]:
        return frozenset(criterion.pk for criterion in self.criteria)

    @property
    def allowed_points(self) -> set[Decimal] | None:
        """The level points a value must be one of, or None on the points scale."""
        return {level.points for level in self.levels} if self.uses_levels else None


def ballot_sheet(quarter: Quarter, *, departments: list[Unit] | None = None) -> BallotSheet:
    """Load the sheet of `quarter` (three queries), or two when the evaluated `departments` are already loaded."""
    if departments is None:
        names = dict(Unit.objects.evaluated().order_by("order", "code").values_list("pk", "name"))
    else:
        names = {unit.pk: unit.name for unit in departments}
    uses_levels = quarter.scale == Scale.LEVELS
    return BallotSheet(
        quarter_id=quarter.pk,
        departments=names,
        criteria=list(Criterion.objects.filter(quarter_id=quarter.pk).order_by("order", "code")),
        levels=list(Level.objects.filter(quarter_id=quarter.pk).order_by("order", "-points")) if uses_levels else [],
        uses_levels=uses_levels,
    )


def ballot_targets(quarter: Quarter, *, source: str, rater_unit: Unit | None) -> list[Unit]:
    """The departments a ballot of `source` rates, in display order (never the rater's own for peer)."""
    units = Unit.objects.evaluated().order_by("order", "code")
    if source == Source.PEER and rater_unit is not None:
        units = units.exclude(pk=rater_unit.pk)
    return list(units)


def ballot_submit(
    *,
    quarter: Quarter,
    source: str,
    values: Mapping[tuple[int, int], Decimal],
    comments: Mapping[int, str] | None = None,
    rater: Any = None,
    rater_unit: Unit | None = None,
    code: str | BallotCode | None = None,
    origin: str = Origin.ONLINE,
    label: str = "",
    actor: Any = None,
    sheet: BallotSheet | None = None,
) -> Ballot | None:
    """Validate and store one ballot, or raise BallotRefused and store nothing.

    Returns the stored ballot, or None for an online grassroots ballot: that one is accepted into the
    inbox and becomes a ballot with the next move of its unit's batch (evaluation.services.inbox).

    `values` maps (department id, criterion id) to points in [0, 100]; a missing
    key is an abstention. Online ballots need the rater's account (peer: a
    department_rep, leadership: a leader, grassroots: a grassroots_rater) or,
    for grassroots, an unused `code` (its text, or the BallotCode row the caller has
    just read, with its unit). Keyed (paper) ballots name `rater_unit` (grassroots,
    peer) or `rater` (leadership) and are audited with `actor`.

    A caller that has already loaded the quarter's `sheet` (see ballot_sheet) passes
    it to save reading it twice; every rule is still checked here against it.
    The quarter's status is read again under a share lock when the ballot is
    stored, so a ballot never lands after a close or publish has committed.
    """
    _check_quarter_accepts(quarter, source=source, origin=origin)
    who = _resolve_rater(quarter, source=source, origin=origin, rater=rater, rater_unit=rater_unit, code=code)
    if sheet is None or sheet.quarter_id != quarter.pk:
        sheet = ballot_sheet(quarter)
    rows = _clean_values(quarter, source=source, values=values, sheet=sheet, own_unit=who.unit)
    notes = _clean_comments(comments or {}, source=source, targets=sheet.departments, own_unit=who.unit)
    if "\x00" in label:
        raise BallotRefused(_("The paper ballot number contains a null character, which is not allowed."), code="label")
    try:
        with transaction.atomic():
            _lock_quarter_accepting(quarter, origin=origin)
            ballot = _store(quarter, source=source, origin=origin, label=label, who=who, rows=rows, notes=notes)
            if origin == Origin.KEYED:
                _audit_keyed(ballot, actor=actor)
    except IntegrityError as error:
        raise BallotRefused(_duplicate_message(source, label), code="duplicate") from error
    if ballot is None:
        inbox_move_when_full(quarter=quarter, unit=who.unit)
    return ballot


# --- the quarter --------------------------------------------------------------------------------


def _check_quarter_accepts(quarter: Quarter, *, source: str, origin: str) -> None:
    if source not in Source.values:
        raise BallotRefused(_("Unknown rating source."), code="source")
    if origin not in Origin.values:
        raise BallotRefused(_("Unknown ballot origin."), code="origin")
    if quarter.weight(source) <= 0:
        raise BallotRefused(
            _("%(source)s is not collected in %(quarter)s (its weight is 0).")
            % {"source": Source(source).label, "quarter": quarter.code},
            code="source_off",
        )
    if origin in PAPER_STATUSES:
        _check_paper_status(quarter, origin=origin)
        return
    _check_voting_window(quarter)


def _check_paper_status(quarter: Quarter, *, origin: str) -> None:
    if quarter.status not in PAPER_STATUSES[origin]:
        raise BallotRefused(
            _("Quarter %(quarter)s is %(status)s: paper ballots can no longer be entered.")
            % {"quarter": quarter.code, "status": quarter.get_status_display()},
            code="closed",
        )


def _lock_quarter_accepting(quarter: Quarter, *, origin: str) -> None:
    """Re-read the quarter's status inside the storing transaction and refuse if it no longer accepts ballots.

    On PostgreSQL the row is read FOR SHARE: submits do not wait for each other, but a transition or a
    void (which lock it FOR UPDATE) waits until they commit, and a submit arriving after a transition
    has committed sees the new status. SQLite runs one writer at a time, so a plain read suffices there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Quarter._meta.db_table)
            cursor.execute(f"SELECT status FROM {table} WHERE id = %s FOR SHARE", [quarter.pk])  # noqa: S608
            row = cursor.fetchone()
        status = row[0] if row else None
    else:
        status = Quarter.objects.filter(pk=quarter.pk).values_list("status", flat=True).first()
    if status == quarter.status:
        return
    current = Quarter(pk=quarter.pk, code=quarter.code, status=status or QuarterStatus.DRAFT)
    if origin in PAPER_STATUSES:
        _check_paper_status(current, origin=origin)
    elif current.status != QuarterStatus.OPEN:
        raise BallotRefused(_("Voting for %(quarter)s is not open.") % {"quarter": quarter.code}, code="closed")


def ballot_window_refusal(quarter: Quarter) -> str | None:
    """Why online ballots cannot be submitted in `quarter` right now, or None when they can."""
    try:
        _check_voting_window(quarter)
    except BallotRefused as refusal:
        return refusal.messages[0]
    return None


def _check_voting_window(quarter: Quarter) -> None:
    if quarter.status != QuarterStatus.OPEN:
        raise BallotRefused(
            _("Voting for %(quarter)s is not open.") % {"quarter": quarter.code},
            code="closed",
        )
    now = timezone.now()
    if quarter.opens_at and now < quarter.opens_at:
        raise BallotRefused(
            _("Voting for %(quarter)s opens at %(when)s.")
            % {"quarter": quarter.code, "when": _local(quarter.opens_at)},
            code="not_yet",
        )
    if quarter.closes_at and now > quarter.closes_at:
        raise BallotRefused(
            _("Voting for %(quarter)s closed at %(when)s.")
            % {"quarter": quarter.code, "when": _local(quarter.closes_at)},
            code="closed",
        )


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- the rater ----------------------------------------------------------------------------------


def _resolve_rater(
    quarter: Quarter,
    *,
    source: str,
    origin: str,
    rater: Any,
    rater_unit: Unit | None,
    code: str | BallotCode | None,
) -> _Rater:
    if origin != Origin.ONLINE:
        return _paper_rater(source=source, rater=rater, rater_unit=rater_unit)
    if source == Source.LEADERSHIP:
        return _leadership_rater(quarter, rater=rater)
    if source == Source.PEER:
        return _peer_rater(quarter, rater=rater, rater_unit=rater_unit)
    if code:
        return _code_rater(quarter, code=code)
    return _grassroots_account_rater(quarter, rater=rater)


def _is_account(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _leadership_rater(quarter: Quarter, *, rater: Any) -> _Rater:
    if not _is_account(rater) or not rater.has_role(Role.LEADER):
        raise BallotRefused(_("Only a group leader's account can submit a leadership ballot."), code="role")
    if Ballot.objects.filter(quarter=quarter, source=Source.LEADERSHIP, rater=rater, voided_at__isnull=True).exists():
        raise BallotRefused(_duplicate_message(Source.LEADERSHIP, ""), code="duplicate")
    return _Rater(user=rater, unit=None)


def _peer_rater(quarter: Quarter, *, rater: Any, rater_unit: Unit | None) -> _Rater:
    if not _is_account(rater) or not rater.has_role(Role.DEPARTMENT_REP):
        raise BallotRefused(_("Only a department representative can submit a peer ballot."), code="role")
    unit = rater.unit
    if unit is None or not unit.active or not unit.is_evaluated:
        raise BallotRefused(
            _("Your account does not belong to an evaluated department, so it cannot submit a peer ballot."),
            code="role",
        )
    if rater_unit is not None and rater_unit.pk != unit.pk:
        raise BallotRefused(_("You can submit the peer ballot of your own department only."), code="role")
    if Ballot.objects.filter(quarter=quarter, source=Source.PEER, rater_unit=unit, voided_at__isnull=True).exists():
        raise BallotRefused(_duplicate_message(Source.PEER, ""), code="duplicate")
    return _Rater(user=rater, unit=unit)


def _code_rater(quarter: Quarter, *, code: str | BallotCode) -> _Rater:
    if isinstance(code, BallotCode) and code.pk is not None:
        # Read by the caller in this request; whether it is still unused is settled when it is consumed.
        found = code if code.quarter_id == quarter.pk else None
    else:
        found = BallotCode.objects.select_related("unit").filter(code=normalise_code(code), quarter=quarter).first()
    if found is None:
        raise BallotRefused(
            _("This ballot code is not valid for %(quarter)s.") % {"quarter": quarter.code}, code="code"
        )
    if found.used:
        raise BallotRefused(_("This ballot code has already been used."), code="code_used")
    if not found.unit.active or found.unit.kind != UnitKind.GRASSROOTS:
        raise BallotRefused(_("The unit of this ballot code no longer takes part."), code="code")
    # The rater's account, if any, is deliberately not recorded: a code ballot is anonymous.
    return _Rater(user=None, unit=found.unit, code=found)


def _grassroots_account_rater(quarter: Quarter, *, rater: Any) -> _Rater:
    if not _is_account(rater):
        raise BallotRefused(_("A grassroots ballot needs a ballot code or a grassroots rater's account."), code="role")
    if not rater.has_role(Role.GRASSROOTS_RATER):
        raise BallotRefused(_("Only a grassroots rater's account can submit a grassroots ballot."), code="role")
    unit = rater.unit
    if unit is None or not unit.active or unit.kind != UnitKind.GRASSROOTS:
        raise BallotRefused(_("Your account does not belong to a grassroots unit."), code="role")
    if GrassrootsParticipation.objects.filter(quarter=quarter, user=rater).exists():
        raise BallotRefused(_duplicate_message(Source.GRASSROOTS, ""), code="duplicate")
    return _Rater(user=rater, unit=unit, participation=True)


def _paper_rater(*, source: str, rater: Any, rater_unit: Unit | None) -> _Rater:
    if source == Source.LEADERSHIP:
        if rater is None or not rater.is_active or not rater.has_role(Role.LEADER):
            raise BallotRefused(_("A leadership ballot must name a group leader's account."), code="role")
        return _Rater(user=rater, unit=None)
    if rater_unit is None or not rater_unit.active:
        raise BallotRefused(_("The ballot must name an active rating unit."), code="role")
    if source == Source.GRASSROOTS and rater_unit.kind != UnitKind.GRASSROOTS:
        raise BallotRefused(_("A grassroots ballot must come from a grassroots unit."), code="role")
    if source == Source.PEER and not rater_unit.is_evaluated:
        raise BallotRefused(_("A peer ballot must come from an evaluated department."), code="role")
    return _Rater(user=None, unit=rater_unit)


def _duplicate_message(source: str, label: str) -> str:
    if label:
        return _("A ballot labelled %(label)s already exists for this source.") % {"label": label}
    if source == Source.PEER:
        return _("Your department has already submitted its peer ballot for this quarter.")
    if source == Source.LEADERSHIP:
        return _("You have already submitted your leadership ballot for this quarter.")
    return _("You have already submitted your grassroots ballot for this quarter.")


# --- values and comments ------------------------------------------------------------------------


def _clean_values(
    quarter: Quarter,
    *,
    source: str,
    values: Mapping[tuple[int, int], Any],
    sheet: BallotSheet,
    own_unit: Unit | None,
) -> list[tuple[int, int, int]]:
    """(department id, criterion id, value in hundredths) for every non-abstention cell."""
    targets = sheet.departments
    criteria = sheet.criterion_ids
    allowed = sheet.allowed_points
    rows = []
    for (department_id, criterion_id), raw in values.items():
        _check_target(department_id, source=source, targets=targets, own_unit=own_unit)
        if criterion_id not in criteria:
            raise BallotRefused(
                _("A criterion of this ballot does not belong to %(quarter)s.") % {"quarter": quarter.code},
                code="criterion",
            )
        rows.append((department_id, criterion_id, _centi(raw, allowed=allowed, department=targets[department_id])))
    if not rows:
        raise BallotRefused(_("The ballot is empty: rate at least one department."), code="empty")
    return rows


def _check_target(department_id: Any, *, source: str, targets: dict[int, str], own_unit: Unit | None) -> None:
    if source == Source.PEER and own_unit is not None and department_id == own_unit.pk:
        raise BallotRefused(_("A department cannot rate itself in the peer review."), code="own_department")
    if department_id not in targets:
        raise BallotRefused(_("The ballot rates a department that is not evaluated."), code="department")


def _centi(raw: Any, *, allowed: set[Decimal] | None, department: str) -> int:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise BallotRefused(
            _("A value for %(department)s is not a number from 0 to 100.") % {"department": department},
            code="value",
        )
    if allowed is not None and value not in allowed:
        raise BallotRefused(
            _("A value for %(department)s is not one of this quarter's levels.") % {"department": department},
            code="value",
        )
    if allowed is None and value != value.to_integral_value():
        raise BallotRefused(
            _("A value for %(department)s must be a whole number from 0 to 100.") % {"department": department},
            code="value",
        )
    return int(value * 100)


def _clean_comments(
    comments: Mapping[int, str], *, source: str, targets: dict[int, str], own_unit: Unit | None
) -> dict[int, str]:
    cleaned = {}
    for department_id, text in comments.items():
        _check_target(department_id, source=source, targets=targets, own_unit=own_unit)
        text = (text or "").strip()
        if "\x00" in text:
            raise BallotRefused(
                _("The comment for %(department)s contains a null character, which is not allowed.")
                % {"department": targets[department_id]},
                code="comment",
            )
        if len(text) > COMMENT_MAX_LENGTH:
            raise BallotRefused(
                _("The comment for %(department)s is longer than %(max)d characters.")
                % {"department": targets[department_id], "max": COMMENT_MAX_LENGTH},
                code="comment",
            )
        if text:
            cleaned[department_id] = text
    return cleaned


# --- storage ------------------------------------------------------------------------------------


def _store(
    quarter: Quarter,
    *,
    source: str,
    origin: str,
    label: str,
    who: _Rater,
    rows: list[tuple[int, int, int]],
    notes: dict[int, str],
) -> Ballot | None:
    # The conditional UPDATE is the lock: of two simultaneous submits of one code, one sees 0 rows.
    if who.code is not None and BallotCode.objects.filter(pk=who.code.pk, used=False).update(used=True) != 1:
        raise BallotRefused(_("This ballot code has already been used."), code="code_used")
    if who.participation:
        GrassrootsParticipation.objects.create(quarter=quarter, user=who.user, unit=who.unit)
    anonymous = source == Source.GRASSROOTS
    if anonymous and origin == Origin.ONLINE:
        inbox_store(quarter=quarter, unit=who.unit, rows=rows, notes=notes)
        return None
    ballot = Ballot(
        quarter=quarter,
        source=source,
        rater=None if anonymous else who.user,
        rater_unit=who.unit,
        origin=origin,
        label=label,
        submitted_on=timezone.localdate(),
    )
    # The quarter, unit and account were read from the database in this request and checked above, so
    # their existence queries are skipped; the unique rules are the database's (IntegrityError below).
    ballot.full_clean(exclude=["quarter", "rater_unit", "rater"], validate_unique=False, validate_constraints=False)
    ballot.save(force_insert=True)
    _insert_values(ballot, rows)
    if notes:
        BallotComment.objects.bulk_create(
            BallotComment(ballot=ballot, department_id=d, text=t) for d, t in notes.items()
        )
    return ballot


def _insert_values(ballot: Ballot, rows: list[tuple[int, int, int]]) -> None:
    """Insert the cleaned cells with multi-row INSERTs.

    The rows are plain integers checked by _clean_values; building a model instance for each of a
    ballot's hundreds of cells cost more than the database write itself.
    """
    table = connection.ops.quote_name(BallotValue._meta.db_table)
    ballot_id = Ballot._meta.pk.get_db_prep_value(ballot.pk, connection)
    fields = [BallotValue._meta.get_field(name) for name in ("ballot", "department", "criterion", "value_centi")]
    batch = max(1, connection.ops.bulk_batch_size(fields, rows))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            params = [value for d, c, v in chunk for value in (ballot_id, d, c, v)]
            cursor.execute(
                # Names from model metadata; every value is a parameter.
                f"INSERT INTO {table} (ballot_id, department_id, criterion_id, value_centi) VALUES {placeholders}",  # noqa: S608
                params,
            )


def _audit_keyed(ballot: Ballot, *, actor: Any) -> None:
    audit_record(
        action=AuditAction.BALLOT_KEYED,
        summary=lambda: (
            _("Paper ballot keyed in: %(source)s %(label)s")
            % {"source": ballot.get_source_display(), "label": ballot.label or str(ballot.pk)[:8]}
        ),
        actor=actor,
        quarter=ballot.quarter,
        details={"source": ballot.source, "ballot": str(ballot.pk)},
    )
