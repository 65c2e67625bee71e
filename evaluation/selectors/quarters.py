"""Reads for the quarter console."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from audit.models import AuditEntry
from departments.models import Unit, User
from evaluation.models import Ballot, BallotCode, BallotComment, BallotValue, Criterion, Quarter, Scale
from evaluation.prepared import PreparedRead

# A quarter named by its programme's code and its own, with its programme: what every results page and every
# command naming a quarter reads first (the ranking page also with its snapshot). Compiled once per process
# (evaluation.prepared).
_QUARTER_WITH_PROGRAMME = PreparedRead(
    lambda **lookup: Quarter.objects.select_related("programme").filter(**lookup), "programme__code", "code"
)


def quarter_with_programme(programme_code: str, code: str) -> Quarter | None:
    """The quarter `code` of the programme `programme_code`, its programme read with it; None when there is none."""
    return _QUARTER_WITH_PROGRAMME.first(programme__code=programme_code, code=code)


_QUARTER_WITH_SNAPSHOT = PreparedRead(
    lambda **lookup: (
        Quarter.objects.select_related("snapshot", "programme").defer("snapshot__payload").filter(**lookup)
    ),
    "programme__code",
    "code",
)


def quarter_with_snapshot(programme_code: str, code: str) -> Quarter | None:
    """As quarter_with_programme, and its snapshot (without the payload) read with it when it has one."""
    return _QUARTER_WITH_SNAPSHOT.first(programme__code=programme_code, code=code)


# Quarters listed programme by programme (work style first), newest first within each.
BY_PROGRAMME = ("programme__order", "programme__code", "-code")


def quarter_list() -> QuerySet[Quarter]:
    """Every quarter, newest first, with its counted and voided ballot numbers."""
    return (
        Quarter.objects.annotate(
            ballots_counted=Count("ballots", filter=Q(ballots__voided_at__isnull=True)),
            ballots_voided=Count("ballots", filter=Q(ballots__voided_at__isnull=False)),
        )
        .select_related("programme")
        .order_by(*BY_PROGRAMME)
    )


def quarter_ballots(quarter: Quarter, *, voided: bool) -> QuerySet[Ballot]:
    """The quarter's counted (or voided) ballots, grouped by source; never ordered by submission."""
    return (
        Ballot.objects.filter(quarter=quarter, voided_at__isnull=not voided)
        .select_related("rater_unit", "rater", "voided_by")
        .annotate(cells=Count("values"))
        .order_by("source", "rater_unit__order", "rater_unit__code", "rater__username", "submitted_on", "id")
    )


def unused_codes(quarter: Quarter, unit_id: int) -> QuerySet[BallotCode]:
    return BallotCode.objects.filter(quarter=quarter, unit_id=unit_id, used=False).order_by("created_at", "code")


def code_counts(quarter: Quarter) -> list[dict[str, Any]]:
    """Per unit that holds codes: issued, used, unused."""
    rows = (
        BallotCode.objects.filter(quarter=quarter)
        .values("unit", "unit__code", "unit__name")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used=True)))
        .order_by("unit__code")
    )
    return [{**row, "unused": row["issued"] - row["used"]} for row in rows]


def quarter_audit(quarter: Quarter) -> QuerySet[AuditEntry]:
    return audit_log(quarter=quarter)


def audit_log(*, actor: Any = None, action: str = "", quarter: Quarter | None = None) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, narrowed to an actor, an action and a quarter when given."""
    entries = AuditEntry.objects.select_related("actor", "quarter__programme")
    if actor is not None:
        entries = entries.filter(actor=actor)
    if action:
        entries = entries.filter(action=action)
    if quarter is not None:
        entries = entries.filter(quarter=quarter)
    return entries.order_by("-at", "-id")


def audit_actors() -> QuerySet[User]:
    """The accounts that appear in the audit log, by username."""
    return User.objects.filter(pk__in=AuditEntry.objects.filter(actor__isnull=False).values("actor")).order_by(
        "username"
    )


@dataclass(frozen=True)
class BallotCell:
    value: Decimal | None  # None: not familiar (the ballot abstained)
    level: str = ""  # the level label matching the value, on the levels scale


@dataclass(frozen=True)
class BallotRow:
    department: Unit
    cells: list[BallotCell]
    comment: str


@dataclass(frozen=True)
class BallotContents:
    criteria: list[Criterion]
    rows: list[BallotRow]


def ballot_contents(ballot: Ballot) -> BallotContents:
    """What a ballot says: per department it rated or commented on, a cell per criterion and the comment.

    Departments the ballot left wholly unrated and uncommented are not listed. Four queries, whatever its size.
    """
    criteria = list(Criterion.objects.filter(quarter_id=ballot.quarter_id).order_by("order", "code"))
    quarter = ballot.quarter
    levels = {level.points: level.label for level in quarter.levels.all()} if quarter.scale == Scale.LEVELS else {}
    values: dict[tuple[int, int], Decimal] = {}
    units: dict[int, Unit] = {}
    for row in BallotValue.objects.filter(ballot=ballot).select_related("department"):
        values[(row.department_id, row.criterion_id)] = row.value
        units[row.department_id] = row.department
    comments: dict[int, str] = {}
    for comment in BallotComment.objects.filter(ballot=ballot).select_related("department"):
        comments[comment.department_id] = comment.text
        units[comment.department_id] = comment.department
    rows = []
    for unit in sorted(units.values(), key=lambda unit: (unit.order, unit.code)):
        cells = []
        for criterion in criteria:
            value = values.get((unit.pk, criterion.pk))
            cells.append(BallotCell(value, levels.get(value, "") if value is not None else ""))
        rows.append(BallotRow(unit, cells, comments.get(unit.pk, "")))
    return BallotContents(criteria, rows)
