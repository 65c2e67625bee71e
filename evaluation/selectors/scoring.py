"""The one read that feeds the scoring module: a quarter's aggregates, computed by the database.

A fixed number of queries whatever the number of departments or ballots (pinned by a test).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Min, QuerySet, Sum

from departments.models import Unit
from evaluation.models import (
    Adjustment,
    Ballot,
    BallotValue,
    Criterion,
    DepartmentResult,
    Level,
    Quarter,
    QuarterStatus,
)
from evaluation.scoring import (
    SOURCES,
    CellAggregate,
    CriterionInput,
    DepartmentInput,
    ScoringInput,
    ScoringSettings,
)


@dataclass(frozen=True)
class CriterionInfo:
    code: str
    name: str
    weight: Decimal


@dataclass(frozen=True)
class AdjustmentInfo:
    department_id: int
    points: Decimal
    reason: str


@dataclass(frozen=True)
class QuarterScoringData:
    """The scoring input plus what the results dict shows beside the numbers."""

    scoring_input: ScoringInput
    criteria: tuple[CriterionInfo, ...]
    levels: tuple[tuple[str, Decimal], ...]
    adjustments: tuple[AdjustmentInfo, ...]
    counted_ballots: dict[str, int]


def quarter_settings(quarter: Quarter) -> ScoringSettings:
    return ScoringSettings(
        weights={source: quarter.weight(source) for source in SOURCES},
        trim=quarter.trim,
        trim_min_n=quarter.trim_min_n,
        min_ballots={source: quarter.min_ballots(source) for source in SOURCES},
    )


def _counted_values(quarter: Quarter) -> QuerySet[BallotValue]:
    """Values of the quarter's counted ballots: submitted (every stored ballot is) and not voided."""
    return BallotValue.objects.filter(ballot__quarter=quarter, ballot__voided_at__isnull=True)


def _cell_aggregates(quarter: Quarter, criterion_codes: dict[int, str]) -> dict[tuple[str, int, str], CellAggregate]:
    rows = (
        _counted_values(quarter)
        .values("ballot__source", "department_id", "criterion_id")
        .annotate(n=Count("value_centi"), total=Sum("value_centi"), low=Min("value_centi"), high=Max("value_centi"))
        .order_by()
    )
    return {
        (row["ballot__source"], row["department_id"], criterion_codes[row["criterion_id"]]): CellAggregate(
            n=row["n"], total_centi=int(row["total"]), min_centi=int(row["low"]), max_centi=int(row["high"])
        )
        for row in rows
        if row["criterion_id"] in criterion_codes
    }


def _ballot_counts(quarter: Quarter) -> dict[tuple[str, int], int]:
    """Per source and department: counted ballots giving it at least one non-abstention value."""
    rows = (
        _counted_values(quarter)
        .values("ballot__source", "department_id")
        .annotate(ballots=Count("ballot_id", distinct=True))
        .order_by()
    )
    return {(row["ballot__source"], row["department_id"]): row["ballots"] for row in rows}


def _previous_ranks(quarter: Quarter) -> dict[tuple[int, str], int]:
    """Rule 7: per (department, group), the rank of the latest earlier published quarter where it was ranked."""
    rows = (
        DepartmentResult.objects.filter(
            quarter__status=QuarterStatus.PUBLISHED, quarter__code__lt=quarter.code, rank__isnull=False
        )
        .order_by("quarter__code")
        .values_list("department_id", "group", "rank")
    )
    # Later quarters overwrite earlier ones, leaving the latest.
    return {(department_id, group): rank for department_id, group, rank in rows}


def _counted_ballots(quarter: Quarter) -> dict[str, int]:
    rows = (
        Ballot.objects.filter(quarter=quarter, voided_at__isnull=True)
        .values("source")
        .annotate(ballots=Count("id"))
        .order_by()
    )
    found = {row["source"]: row["ballots"] for row in rows}
    return {source: found.get(source, 0) for source in SOURCES}


def _departments() -> tuple[DepartmentInput, ...]:
    return tuple(
        DepartmentInput(id=u.id, code=u.code, name=u.name, group=u.group, order=u.order)
        for u in Unit.objects.evaluated()
        .order_by("order", "code")
        .only("id", "code", "name", "kind", "ranking_group", "order")
    )


def quarter_scoring_data(quarter: Quarter) -> QuarterScoringData:
    """Everything needed to score `quarter` and explain its numbers, in a fixed number of queries (8)."""
    criteria = tuple(Criterion.objects.filter(quarter=quarter).order_by("order", "code"))
    levels = tuple(Level.objects.filter(quarter=quarter).order_by("order", "-points").values_list("label", "points"))
    departments = _departments()
    adjustments = tuple(
        AdjustmentInfo(department_id=row[0], points=row[1], reason=row[2])
        for row in Adjustment.objects.filter(quarter=quarter)
        .order_by("created_at", "id")
        .values_list("department_id", "points", "reason")
    )
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for adjustment in adjustments:
        sums[adjustment.department_id] += adjustment.points
    scoring_input = ScoringInput(
        settings=quarter_settings(quarter),
        criteria=tuple(CriterionInput(code=c.code, weight=c.weight) for c in criteria),
        departments=departments,
        cells=_cell_aggregates(quarter, {c.id: c.code for c in criteria}),
        ballot_counts=_ballot_counts(quarter),
        adjustments=dict(sums),
        previous_ranks=_previous_ranks(quarter),
    )
    return QuarterScoringData(
        scoring_input=scoring_input,
        criteria=tuple(CriterionInfo(code=c.code, name=c.name, weight=c.weight) for c in criteria),
        levels=tuple((label, points) for label, points in levels),
        adjustments=adjustments,
        counted_ballots=_counted_ballots(quarter),
    )
