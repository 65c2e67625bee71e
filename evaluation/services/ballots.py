"""Submitting ballots: every check a ballot must pass, and its storage in one transaction.

The same rules hold for every way in: the browser (origin `online`), a paper
ballot keyed in by an evaluator (`keyed`) and a workbook import (`imported`).
A grassroots ballot is stored with its quarter, source and unit only; the code
that opened it is marked used in the same transaction and never linked to it.
One cast online waits in the inbox and reaches the ballot tables in a shuffled
batch of its own (evaluation.services.inbox).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from config import statements
from departments.models import Programme, RaterScope, Unit, UnitKind
from evaluation import ballot_rules as rules
from evaluation.ballot_rules import BallotRefused, ValueScale
from evaluation.models import (
    COMMENT_MAX_LENGTH,
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
    counting_flags,
)
from evaluation.prepared import PreparedRead
from evaluation.services.codes import normalise_code
from evaluation.services.inbox import inbox_move_when_full, inbox_payload, inbox_store
from evaluation.services.results import results_changing, results_version_bump
from evaluation.sql import NOTHING, Statement, code_ballot_into_inbox, compiled, quarter_status_for_share

__all__ = ["BallotRefused", "CheckedBallot", "PaperBallot", "ballot_check", "ballot_store", "ballot_submit"]
# Statuses in which an evaluator may still enter ballots collected on paper.
PAPER_STATUSES = {
    Origin.KEYED: {QuarterStatus.OPEN, QuarterStatus.CLOSED},
    Origin.IMPORTED: {QuarterStatus.DRAFT, QuarterStatus.OPEN, QuarterStatus.CLOSED},
}


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
    top_level_cap: int | None = None

    @property
    def criterion_ids(self) -> frozenset[int]:
        return frozenset(criterion.pk for criterion in self.criteria)

    @property
    def scale(self) -> ValueScale:
        return ValueScale(uses_levels=self.uses_levels, levels={level.label: level.points for level in self.levels})


# Every ballot page and every submit reads the sheet: its criteria and levels by queries compiled once per
# process (evaluation.prepared).
_SHEET_CRITERIA = PreparedRead(
    lambda quarter_id: Criterion.objects.filter(quarter_id=quarter_id).order_by("order", "code"),
    integers=("quarter_id",),
)
_SHEET_LEVELS = PreparedRead(
    lambda quarter_id: Level.objects.filter(quarter_id=quarter_id).order_by("order", "-points"),
    integers=("quarter_id",),
)


# Its evaluated departments' names, too: for each set of kinds a programme evaluates (a few in all), the SQL of
# the queryset compiled once per process, its rows read as they come (no instances built: 0.2 ms a submit).
_SHEET_DEPARTMENTS: dict[tuple[str, tuple[str, ...]], Statement] = {}


def _sheet_department_names(programme: Programme) -> dict[int, str]:
    key = (connection.vendor, programme.kinds)
    statement = _SHEET_DEPARTMENTS.get(key)
    if statement is None:
        evaluated = Unit.objects.evaluated(programme).order_by("order", "code").values_list("pk", "name")
        statement = _SHEET_DEPARTMENTS.setdefault(key, compiled(evaluated))
    if statement is NOTHING:
        return {}
    with connection.cursor() as cursor:
        statements.execute(cursor, statement.sql, statement.params, label="sheet_departments")
        return dict(cursor.fetchall())


def ballot_sheet(quarter: Quarter, *, departments: list[Unit] | None = None) -> BallotSheet:
    """Load the sheet of `quarter` (three queries), or two when the evaluated `departments` are already loaded."""
    if departments is None:
        names = _sheet_department_names(quarter.programme)
    else:
        names = {unit.pk: unit.name for unit in departments}
    uses_levels = quarter.scale == Scale.LEVELS
    return BallotSheet(
        quarter_id=quarter.pk,
        departments=names,
        criteria=_SHEET_CRITERIA.all(quarter_id=quarter.pk),
        levels=_SHEET_LEVELS.all(quarter_id=quarter.pk) if uses_levels else [],
        uses_levels=uses_levels,
        top_level_cap=quarter.top_level_cap,
    )


def sheet_top_level_allowance(
    sheet: BallotSheet, *, source: str, own_unit_id: int | None, scope: AbstractSet[int] | None = None
) -> int | None:
    """How many departments one criterion of this ballot may rate at the top level (rule 10), within the rater's
    `scope` (None: every target); None: no cap."""
    if sheet.top_level_cap is None or not sheet.uses_levels:
        return None
    targets = rules.offered_targets(sheet.departments, source=source, own_unit_id=own_unit_id, scope=scope)
    return rules.top_level_allowance(cap=sheet.top_level_cap, targets=targets)


def _check_cap(
    sheet: BallotSheet,
    rows: list[tuple[int, int, int]],
    *,
    source: str,
    own_unit_id: int | None,
    scope: AbstractSet[int] | None,
) -> None:
    """docs/scoring.md rule 10 on a ballot's cleaned (department, criterion id, hundredths) rows; T counts the
    targets in the rater's `scope` (None: every target)."""
    rules.check_top_level_cap(
        ((criterion, centi) for _department, criterion, centi in rows),
        cap=sheet.top_level_cap,
        targets=rules.offered_targets(sheet.departments, source=source, own_unit_id=own_unit_id, scope=scope),
        scale=sheet.scale,
        criteria={criterion.pk: criterion.name for criterion in sheet.criteria},
    )


def ballot_targets(quarter: Quarter, *, source: str, rater_unit: Unit | None, rater: Any = None) -> list[Unit]:
    """The targets a ballot of `source` offers, in display order: those in the rater's scope (the rating unit's,
    or the leader `rater`'s; see ballot_rules.scope_target_ids), never the rater's own for peer. This is the
    "T" of a ballot: the targets it offers."""
    units = Unit.objects.evaluated(quarter.programme).order_by("order", "code")
    if source == Source.PEER and rater_unit is not None:
        units = units.exclude(pk=rater_unit.pk)
    scope = rules.scope_target_ids(quarter, source=source, rater_unit=rater_unit, rater=rater)
    if scope is not None:
        units = units.filter(pk__in=scope)
    return list(units)


@dataclass
class CheckedBallot:
    """A ballot that passed every rule and is ready to be stored by ballot_store."""

    source: str
    origin: str
    label: str
    who: _Rater
    rows: list[tuple[int, int, int]]
    notes: dict[int, str]
    actor: Any = None


@dataclass
class PaperBallot:
    """A ballot of a quarter workbook, read and checked row by row by the import (see ballots_import)."""

    source: str
    label: str
    rater: Any = None
    rater_unit: Unit | None = None
    rows: list[tuple[int, int, int]] = field(default_factory=list)  # department id, criterion id, hundredths
    notes: dict[int, str] = field(default_factory=dict)


def ballot_submit(
    *,
    quarter: Quarter,
    source: str,
    values: Mapping[tuple[int, int], Any],
    comments: Mapping[int, str] | None = None,
    rater: Any = None,
    rater_unit: Unit | None = None,
    code: str | BallotCode | None = None,
    origin: str = Origin.ONLINE,
    label: str = "",
    actor: Any = None,
    sheet: BallotSheet | None = None,
) -> Ballot | None:
    """Validate and store one ballot, or raise BallotRefused and store nothing (ballot_check, then ballot_store).

    Returns the stored ballot, or None for an online grassroots ballot: that one is accepted into the
    inbox and becomes a ballot with the next move of its unit's batch (evaluation.services.inbox).
    """
    checked = ballot_check(
        quarter=quarter,
        source=source,
        values=values,
        comments=comments,
        rater=rater,
        rater_unit=rater_unit,
        code=code,
        origin=origin,
        label=label,
        actor=actor,
        sheet=sheet,
    )
    return ballot_store(quarter=quarter, checked=checked)


def ballot_check(
    *,
    quarter: Quarter,
    source: str,
    values: Mapping[tuple[int, int], Any],
    comments: Mapping[int, str] | None = None,
    rater: Any = None,
    rater_unit: Unit | None = None,
    code: str | BallotCode | None = None,
    origin: str = Origin.ONLINE,
    label: str = "",
    actor: Any = None,
    sheet: BallotSheet | None = None,
    scope: rules.ScopeRead | None = None,
) -> CheckedBallot:
    """Apply every rule of evaluation.ballot_rules to one ballot; raise BallotRefused, or return it checked.

    `values` maps (department id, criterion id) to a cell as the rater gave it (a level's label or points,
    points, or an abstention: blank, 不了解, n/a); a missing key is an abstention. A ballot without values
    but with a comment is accepted and counts for no score. Online ballots need the rater's account
    (peer: a department_rep, leadership: a leader, grassroots: a grassroots_rater) or, for grassroots, an
    unused `code` (its text, or the BallotCode row the caller has just read, with its unit). Keyed (paper)
    ballots name `rater_unit` (grassroots, peer) or `rater` (leadership) and are audited with `actor`.

    A caller that has already loaded the quarter's `sheet` (see ballot_sheet) passes it to save reading it
    twice, and so the rater's `scope` (ballot_rules.scope_read), used only if it is this rater's; every rule is
    still checked here against them.
    """
    _check_quarter_accepts(quarter, source=source, origin=origin)
    who = _resolve_rater(quarter, source=source, origin=origin, rater=rater, rater_unit=rater_unit, code=code)
    if sheet is None or sheet.quarter_id != quarter.pk:
        sheet = ballot_sheet(quarter)
    own_unit_id = who.unit.pk if who.unit is not None else None
    if scope is not None and scope.belongs_to(quarter, source=source, rater_unit=who.unit, rater=who.user):
        scope_ids = scope.ids
    else:
        scope_ids = rules.scope_target_ids(quarter, source=source, rater_unit=who.unit, rater=who.user)
    rows = _clean_values(quarter, source=source, values=values, sheet=sheet, own_unit_id=own_unit_id, scope=scope_ids)
    _check_cap(sheet, rows, source=source, own_unit_id=own_unit_id, scope=scope_ids)
    notes = _clean_comments(
        comments or {}, source=source, targets=sheet.departments, own_unit_id=own_unit_id, scope=scope_ids
    )
    rules.check_not_empty(values=len(rows), comments=len(notes))
    if "\x00" in label:
        raise BallotRefused(_("The paper ballot number contains a null character, which is not allowed."), code="label")
    return CheckedBallot(source=source, origin=origin, label=label, who=who, rows=rows, notes=notes, actor=actor)


def ballot_store(*, quarter: Quarter, checked: CheckedBallot) -> Ballot | None:
    """Store a ballot that ballot_check accepted, or raise BallotRefused and store nothing.

    The quarter's status is read again under a share lock when the ballot is stored, so a ballot never
    lands after a close or publish has committed.
    """
    source, origin, who = checked.source, checked.origin, checked.who
    if who.code is not None:
        return _store_by_code(quarter, checked)
    try:
        with transaction.atomic():
            _lock_quarter_accepting(quarter, origin=origin)
            _check_still_assigned(quarter, checked)
            results_version_bump(quarter_id=quarter.pk)
            ballot = _store(
                quarter,
                source=source,
                origin=origin,
                label=checked.label,
                who=who,
                rows=checked.rows,
                notes=checked.notes,
            )
            if origin == Origin.KEYED:
                _audit_keyed(ballot, actor=checked.actor)
    except IntegrityError as error:
        raise _write_refusal(error, quarter, source, checked.label, who) from error
    if ballot is None:
        inbox_move_when_full(quarter=quarter, unit=who.unit)
    return ballot


def _store_by_code(quarter: Quarter, checked: CheckedBallot) -> None:
    """Store an online code ballot: into the inbox, with its code used, in one write (evaluation.sql)."""
    who = checked.who
    under_lock = None
    if quarter.programme.scope == RaterScope.ASSIGNED:
        under_lock = partial(_check_still_assigned, quarter, checked)
    try:
        with results_changing(quarter_id=quarter.pk):
            written = code_ballot_into_inbox(
                quarter_id=quarter.pk,
                code_id=who.code.pk,
                unit_id=who.unit.pk,
                day=timezone.localdate(),
                payload=inbox_payload(checked.rows, checked.notes),
                under_lock=under_lock,
            )
    except IntegrityError as error:
        raise _write_refusal(error, quarter, checked.source, checked.label, who) from error
    _refuse_unless_accepting(quarter, written.status, origin=checked.origin)
    if not written.stored:
        raise _code_used()
    inbox_move_when_full(quarter=quarter, unit=who.unit, waiting=written.waiting)


def _check_still_assigned(quarter: Quarter, checked: CheckedBallot) -> None:
    """Under the quarter's share lock: the pairs of an `assigned` programme may have changed since the ballot was
    checked (evaluation.services.assignments locks the quarter to change them), so its targets are read again."""
    if quarter.programme.scope != RaterScope.ASSIGNED:
        return
    scope = rules.scope_target_ids(quarter, source=checked.source, rater_unit=checked.who.unit, rater=checked.who.user)
    rated = {department for department, _criterion, _centi in checked.rows} | set(checked.notes)
    if outside := sorted(rated - scope):
        raise rules.out_of_scope(Unit.objects.filter(pk=outside[0]).values_list("name", flat=True).first() or "")


IMPORT_BATCH = 500  # ballots per multi-row insert of an import


def ballots_import(*, quarter: Quarter, ballots: Iterable[PaperBallot]) -> int:
    """Store the ballots of a quarter workbook in the caller's transaction; the number stored.

    The import has applied the rules of evaluation.ballot_rules to every row (so it can name each row's
    problem); the rater and emptiness are checked again here, and each ballot is built and cleaned as
    `_store` builds any other. They are written in batches (one insert of ballots, of values, of comments),
    since a workbook holds thousands; a batch the database refuses is written again one ballot at a time,
    so the message names the same first duplicate as storing them one by one would. The caller holds the
    quarter locked; its status is checked once.
    """
    _lock_quarter_accepting(quarter, origin=Origin.IMPORTED)
    results_version_bump(quarter_id=quarter.pk)
    sheet = ballot_sheet(quarter)
    capped = sheet.top_level_cap is not None and sheet.uses_levels
    scopes: dict[tuple[str, Any, Any], AbstractSet[int] | None] = {}
    count = 0
    pending: list[tuple[PaperBallot, _Rater]] = []
    for paper in ballots:
        refusal = rules.paper_rater_refusal(
            paper.source, rater=paper.rater, rater_unit=paper.rater_unit, kinds=quarter.programme.kinds
        )
        empty = not paper.rows and not paper.notes
        if refusal or empty:
            _import_batch(quarter, pending)  # an earlier ballot's duplicate is reported first, as before
            if refusal:
                raise BallotRefused(refusal, code="role")
            rules.check_not_empty(values=len(paper.rows), comments=len(paper.notes))
        own_unit_id = paper.rater_unit.pk if paper.rater_unit is not None else None
        if capped:  # T of the cap counts the rater's scope, read once per rater
            key = (paper.source, own_unit_id, getattr(paper.rater, "pk", None))
            if key not in scopes:
                scopes[key] = rules.scope_target_ids(
                    quarter, source=paper.source, rater_unit=paper.rater_unit, rater=paper.rater
                )
            _check_cap(sheet, paper.rows, source=paper.source, own_unit_id=own_unit_id, scope=scopes[key])
        user = None if paper.source == Source.GRASSROOTS else paper.rater
        pending.append((paper, _Rater(user=user, unit=None if paper.source == Source.LEADERSHIP else paper.rater_unit)))
        count += 1
        if len(pending) >= IMPORT_BATCH:
            _import_batch(quarter, pending)
    _import_batch(quarter, pending)
    return count


def _import_batch(quarter: Quarter, pending: list[tuple[PaperBallot, _Rater]]) -> None:
    """Write and empty `pending`: in one go, or (refused by a unique rule) one by one for the exact message."""
    if not pending:
        return
    try:
        with transaction.atomic():
            _write_batch(quarter, pending)
    except IntegrityError:
        for paper, who in pending:
            try:
                with transaction.atomic():
                    _write_batch(quarter, [(paper, who)])
            except IntegrityError as error:  # the whole import is rolled back by the caller's transaction
                raise _write_refusal(error, quarter, paper.source, paper.label, who) from error
    pending.clear()


def _write_batch(quarter: Quarter, pending: list[tuple[PaperBallot, _Rater]]) -> None:
    built = [
        _new_ballot(quarter, source=paper.source, origin=Origin.IMPORTED, label=paper.label, who=who)
        for paper, who in pending
    ]
    Ballot.objects.bulk_create(built)
    _insert_values((ballot.pk, paper.rows) for ballot, (paper, _who) in zip(built, pending, strict=True))
    BallotComment.objects.bulk_create(
        BallotComment(ballot=ballot, department_id=d, text=t)
        for ballot, (paper, _who) in zip(built, pending, strict=True)
        for d, t in paper.notes.items()
    )


# --- the quarter --------------------------------------------------------------------------------


def _check_quarter_accepts(quarter: Quarter, *, source: str, origin: str) -> None:
    if refusal := rules.quarter_source_refusal(quarter, source):
        raise BallotRefused(refusal, code="source" if source not in Source.values else "source_off")
    if origin not in Origin.values:
        raise BallotRefused(_("Unknown ballot origin."), code="origin")
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
    """Re-read the quarter's status inside the storing transaction (under a shared lock, see
    `evaluation.sql.quarter_status_for_share`) and refuse if it no longer accepts ballots."""
    _refuse_unless_accepting(quarter, quarter_status_for_share(quarter.pk), origin=origin)


def _refuse_unless_accepting(quarter: Quarter, status: str | None, *, origin: str) -> None:
    """Refuse a ballot of `origin` if the quarter's status as just read (None: gone) no longer accepts it."""
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
        return _paper_rater(quarter, source=source, rater=rater, rater_unit=rater_unit)
    if source == Source.GRASSROOTS and code:
        return _code_rater(quarter, code=code)
    if refusal := rules.account_refusal(source, rater, quarter.programme.kinds):
        raise BallotRefused(refusal, code="role")
    unit = None if source == Source.LEADERSHIP else rater.unit
    if source == Source.PEER and rater_unit is not None and rater_unit.pk != unit.pk:
        raise BallotRefused(_("You can submit the peer ballot of your own department only."), code="role")
    rules.check_not_voted(quarter, source, user=rater, unit=unit)
    return _Rater(user=rater, unit=unit, participation=source == Source.GRASSROOTS)


def _code_used() -> BallotRefused:
    return BallotRefused(_("This ballot code has already been used."), code="code_used")


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
        raise _code_used()
    if not found.unit.active or found.unit.kind != UnitKind.GRASSROOTS:
        raise BallotRefused(_("The unit of this ballot code no longer takes part."), code="code")
    # The rater's account, if any, is deliberately not recorded: a code ballot is anonymous.
    return _Rater(user=None, unit=found.unit, code=found)


def _paper_rater(quarter: Quarter, *, source: str, rater: Any, rater_unit: Unit | None) -> _Rater:
    if refusal := rules.paper_rater_refusal(source, rater=rater, rater_unit=rater_unit, kinds=quarter.programme.kinds):
        raise BallotRefused(refusal, code="role")
    if source == Source.LEADERSHIP:
        rules.check_not_voted(quarter, source, user=rater)
        return _Rater(user=rater, unit=None)
    if source == Source.PEER:
        rules.check_not_voted(quarter, source, unit=rater_unit)
    return _Rater(user=None, unit=rater_unit)


def _write_refusal(error: IntegrityError, quarter: Quarter, source: str, label: str, who: _Rater) -> BallotRefused:
    """The refusal of a ballot the database did not take: a second one under a unique rule, or one naming a
    department or criterion removed meanwhile."""
    if not _is_duplicate(error):
        return BallotRefused(_gone_message(), code="gone")
    return BallotRefused(_duplicate_message(quarter, source, label, who), code="duplicate")


def _is_duplicate(error: IntegrityError) -> bool:
    """Whether the database refused a row as a second one under a unique rule (one ballot per rater, a label
    per source), rather than for naming a unit, criterion or ballot that is gone (evaluation.references)."""
    cause = error.__cause__
    if (code := getattr(cause, "pgcode", None)) is not None:
        return code == "23505"  # unique_violation
    if name := getattr(cause, "sqlite_errorname", None):
        return name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")
    return True  # a database that does not say: a unique rule, as every refusal was read before


def _gone_message() -> str:
    return _(
        "A department or criterion this ballot rates was removed while it was being stored; nothing was stored. "
        "Please try again."
    )


def _duplicate_message(quarter: Quarter, source: str, label: str, who: _Rater) -> str:
    if label:
        return _("A ballot labelled %(label)s already exists for this source.") % {"label": label}
    return rules.already_voted_message(source, quarter_code=quarter.code, user=who.user, unit=who.unit)


# --- values and comments ------------------------------------------------------------------------


def _clean_values(
    quarter: Quarter,
    *,
    source: str,
    values: Mapping[tuple[int, int], Any],
    sheet: BallotSheet,
    own_unit_id: int | None,
    scope: frozenset[int] | None,
) -> list[tuple[int, int, int]]:
    """(department id, criterion id, value in hundredths) for every non-abstention cell."""
    targets = sheet.departments
    criteria = {criterion.pk: criterion.name for criterion in sheet.criteria}
    scale = sheet.scale
    rows = []
    # A ballot's cells hold a few texts over and over (a level's points, 不了解): each is read once. Only texts
    # read without a refusal are kept, so a bad cell is refused with its own department and criterion.
    known: dict[Any, int | None] = {}
    for (department_id, criterion_id), raw in values.items():
        rules.check_target(department_id, source=source, targets=targets, own_unit_id=own_unit_id, scope=scope)
        rules.check_criterion(criterion_id, criteria=criteria, quarter_code=quarter.code)
        if isinstance(raw, str) and raw in known:
            centi = known[raw]
        else:
            centi = rules.cell_centi(
                raw, scale=scale, department=targets[department_id], criterion=criteria[criterion_id]
            )
            if isinstance(raw, str):
                known[raw] = centi
        if centi is not None:
            rows.append((department_id, criterion_id, centi))
    return rows


def _clean_comments(
    comments: Mapping[int, str],
    *,
    source: str,
    targets: dict[int, str],
    own_unit_id: int | None,
    scope: frozenset[int] | None,
) -> dict[int, str]:
    cleaned = {}
    for department_id, text in comments.items():
        rules.check_target(department_id, source=source, targets=targets, own_unit_id=own_unit_id, scope=scope)
        text = text or ""
        if refusal := rules.comment_refusal(text, department=targets[department_id], max_length=COMMENT_MAX_LENGTH):
            raise BallotRefused(refusal, code="comment")
        if text.strip():
            cleaned[department_id] = text.strip()
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
    if who.participation:
        GrassrootsParticipation.objects.create(quarter=quarter, user=who.user, unit=who.unit)
    anonymous = source == Source.GRASSROOTS
    if anonymous and origin == Origin.ONLINE:
        inbox_store(quarter=quarter, unit=who.unit, rows=rows, notes=notes)
        return None
    ballot = _new_ballot(quarter, source=source, origin=origin, label=label, who=who)
    ballot.save(force_insert=True)
    _insert_values([(ballot.pk, rows)])
    if notes:
        BallotComment.objects.bulk_create(
            BallotComment(ballot=ballot, department_id=d, text=t) for d, t in notes.items()
        )
    return ballot


def _new_ballot(quarter: Quarter, *, source: str, origin: str, label: str, who: _Rater) -> Ballot:
    """A ballot row to insert, cleaned; an anonymous (grassroots) ballot names no account."""
    ballot = Ballot(
        quarter=quarter,
        source=source,
        rater=None if source == Source.GRASSROOTS else who.user,
        rater_unit=who.unit,
        origin=origin,
        label=label,
        submitted_on=timezone.localdate(),
    )
    # The quarter, unit and account were read from the database in this request and checked above, so
    # their existence queries are skipped; the unique rules are the database's (IntegrityError below).
    ballot.full_clean(exclude=["quarter", "rater_unit", "rater"], validate_unique=False, validate_constraints=False)
    return ballot


# COPY's text is made a chunk at a time as psycopg2 sends it, never a batch's several megabytes at once: the
# Benxi import's peak fell from 137 to 125 MB (three alternating runs each); its time did not move.
_COPY_CHUNK = 1 << 16


class _CopyText(io.TextIOBase):
    """A text stream over `lines`, for COPY FROM STDIN: `read(size)` joins lines until it holds `size` characters."""

    def __init__(self, lines: Iterable[str]) -> None:
        super().__init__()
        self._lines = iter(lines)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            return "".join(self._lines)
        taken, length = [], 0
        for line in self._lines:
            taken.append(line)
            length += len(line)
            if length >= size:
                break
        return "".join(taken)


# COPY's text for a row's two counting flags.
_COPY_FLAGS = {(True, True): "t\tt", (True, False): "t\tf", (False, True): "f\tt", (False, False): "f\tf"}


def _insert_values(ballots: Iterable[tuple[Any, Sequence[Sequence[int]]]]) -> None:
    """Insert cleaned cells of whole ballots: each ballot's id once, with all its cells (department id,
    criterion id, hundredths). With COPY on PostgreSQL, with multi-row INSERTs elsewhere.

    The cells are plain integers checked by _clean_values; building a model instance for each of a
    ballot's hundreds of cells cost more than the database write itself, and on PostgreSQL a workbook's
    hundreds of thousands of values go in several times faster by COPY than as INSERT parameters. Cells
    come grouped by ballot so that the counting flags are found per ballot, and each id written as text
    once: hashing a UUID is a Python call, and keying the flags on it cost a Benxi import 0.3 s.
    """
    table = connection.ops.quote_name(BallotValue._meta.db_table)
    names = ("ballot", "department", "criterion", "value_centi", "counts_ballot", "counts_giving_ballot")
    fields = [BallotValue._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    flagged = (
        (ballot_id, rows, counting_flags((0, department, criterion) for department, criterion, _v in rows))
        for ballot_id, rows in ballots  # every row of one ballot, so the ballot's key can be a constant
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy_expert"):
            lines = (
                f"{prefix}{int(d)}\t{int(c)}\t{int(v)}\t{_COPY_FLAGS[flag]}\n"
                for ballot_id, rows, flags in flagged
                for prefix in (f"{ballot_id}\t",)
                for (d, c, v), flag in zip(rows, flags, strict=True)
            )
            # Names from model metadata; the values are integers and ballot ids, nothing COPY would read as syntax.
            # The driver's own cursor: its errors become Django's (an IntegrityError) as the wrapper's would.
            with connection.wrap_database_errors:
                raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN", _CopyText(lines), size=_COPY_CHUNK)
            return
        prepare = Ballot._meta.pk.get_db_prep_value
        params = [
            (key, d, c, v, *flag)
            for ballot_id, rows, flags in flagged
            for key in (prepare(ballot_id, connection),)
            for (d, c, v), flag in zip(rows, flags, strict=True)
        ]
        batch = max(1, connection.ops.bulk_batch_size(fields, params))
        for start in range(0, len(params), batch):
            chunk = params[start : start + batch]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            # Names from model metadata; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders}",  # noqa: S608
                [value for row in chunk for value in row],
            )


def _audit_keyed(ballot: Ballot, *, actor: Any) -> None:
    audit_record(
        action=AuditAction.BALLOT_KEYED,
        summary=lambda: (
            _("Paper ballot keyed in: %(source)s %(label)s")
            % {"source": ballot.quarter.source_label(ballot.source), "label": ballot.label or str(ballot.pk)[:8]}
        ),
        actor=actor,
        quarter=ballot.quarter,
        details={"source": ballot.source, "ballot": str(ballot.pk)},
    )
