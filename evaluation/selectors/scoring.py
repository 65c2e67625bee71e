"""The one read that feeds the scoring module: a quarter's aggregates, computed by the database.

A fixed number of queries whatever the number of departments or ballots (pinned by a test).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
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
    Source,
)
from evaluation.scoring import (
    SOURCES,
    CellAggregate,
    CriterionInput,
    DepartmentInput,
    ScoringInput,
    ScoringSettings,
)
from evaluation.selectors.inbox import consistent_reads, merged_cells, merged_counts, pending_aggregates


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


Cells = dict[tuple[str, int, str], CellAggregate]
BallotCounts = dict[tuple[str, int], int]


def _cell(n: int, total: int, low: int, high: int) -> CellAggregate:
    return CellAggregate(n=n, total_centi=int(total), min_centi=int(low), max_centi=int(high))


def _cell_aggregates(quarter: Quarter, criterion_codes: dict[int, str]) -> Cells:
    rows = (
        _counted_values(quarter)
        .values("ballot__source", "department_id", "criterion_id")
        .annotate(n=Count("value_centi"), total=Sum("value_centi"), low=Min("value_centi"), high=Max("value_centi"))
        .order_by()
    )
    return {
        (row["ballot__source"], row["department_id"], criterion_codes[row["criterion_id"]]): _cell(
            row["n"], row["total"], row["low"], row["high"]
        )
        for row in rows
        if row["criterion_id"] in criterion_codes
    }


def _ballot_counts(quarter: Quarter) -> BallotCounts:
    """Per source and department: counted ballots giving it at least one non-abstention value."""
    rows = (
        _counted_values(quarter)
        .values("ballot__source", "department_id")
        .annotate(ballots=Count("ballot_id", distinct=True))
        .order_by()
    )
    return {(row["ballot__source"], row["department_id"]): row["ballots"] for row in rows}


def _grouping_sets_sql() -> str:
    value_table = connection.ops.quote_name(BallotValue._meta.db_table)
    ballot_table = connection.ops.quote_name(Ballot._meta.db_table)
    return (
        "SELECT b.source, v.department_id, v.criterion_id, GROUPING(v.criterion_id), "  # noqa: S608
        "COUNT(*), SUM(v.value_centi), MIN(v.value_centi), MAX(v.value_centi), COUNT(DISTINCT v.ballot_id) "
        f"FROM {value_table} v INNER JOIN {ballot_table} b ON b.id = v.ballot_id "
        "WHERE b.quarter_id = %s AND b.voided_at IS NULL "
        "GROUP BY GROUPING SETS ((b.source, v.department_id, v.criterion_id), (b.source, v.department_id))"
    )


def _value_aggregates_in_one_scan(quarter: Quarter, criterion_codes: dict[int, str]) -> tuple[Cells, BallotCounts]:
    """PostgreSQL: the cells and the ballot counts from one pass over the quarter's values.

    The (source, department) grouping set is a prefix of the cell grouping, so one sort feeds both;
    the distinct-ballot count of the cell rows is not used (a ballot has at most one value per cell).
    """
    cells: Cells = {}
    ballot_counts: BallotCounts = {}
    with connection.cursor() as cursor:
        cursor.execute(_grouping_sets_sql(), [quarter.pk])
        for source, department_id, criterion_id, per_department, n, total, low, high, ballots in cursor.fetchall():
            if per_department:
                ballot_counts[(source, department_id)] = ballots
            elif criterion_id in criterion_codes:
                cells[(source, department_id, criterion_codes[criterion_id])] = _cell(n, total, low, high)
    return cells, ballot_counts


def _value_aggregates(quarter: Quarter, criterion_codes: dict[int, str]) -> tuple[Cells, BallotCounts]:
    """The cell aggregates and the per-(source, department) ballot counts of the quarter's counted values.

    One scan where the database has GROUPING SETS (PostgreSQL), two queries elsewhere (SQLite).
    """
    if connection.vendor == "postgresql":
        return _value_aggregates_in_one_scan(quarter, criterion_codes)
    return _cell_aggregates(quarter, criterion_codes), _ballot_counts(quarter)


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
    """Everything needed to score `quarter` and explain its numbers, in a fixed number of queries.

    Seven on PostgreSQL, eight on SQLite (see `_value_aggregates`); an open quarter's ballots still
    waiting in the inbox are counted too (one more query, and the snapshot is set on PostgreSQL).
    """
    with consistent_reads():
        return _scoring_data(quarter)


def _scoring_data(quarter: Quarter) -> QuarterScoringData:
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
    criterion_codes = {c.id: c.code for c in criteria}
    cells, ballot_counts = _value_aggregates(quarter, criterion_codes)
    waiting_cells, waiting_counts, waiting = pending_aggregates(quarter, criterion_codes)
    counted_ballots = _counted_ballots(quarter)
    counted_ballots[Source.GRASSROOTS.value] += waiting
    scoring_input = ScoringInput(
        settings=quarter_settings(quarter),
        criteria=tuple(CriterionInput(code=c.code, weight=c.weight) for c in criteria),
        departments=departments,
        cells=merged_cells(cells, waiting_cells),
        ballot_counts=merged_counts(ballot_counts, waiting_counts),
        adjustments=dict(sums),
        previous_ranks=_previous_ranks(quarter),
    )
    return QuarterScoringData(
        scoring_input=scoring_input,
        criteria=tuple(CriterionInfo(code=c.code, name=c.name, weight=c.weight) for c in criteria),
        levels=tuple((label, points) for label, points in levels),
        adjustments=adjustments,
        counted_ballots=counted_ballots,
    )
