"""The one read that feeds the scoring module: a quarter's aggregates, computed by the database.

A fixed number of queries whatever the number of departments or ballots (pinned by a test).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet

from departments.models import Unit
from evaluation.grades import GradeSpec, grade_rules
from evaluation.models import (
    Adjustment,
    Ballot,
    BallotValue,
    Criterion,
    DepartmentResult,
    Grade,
    Level,
    Quarter,
    QuarterStatus,
    Source,
)
from evaluation.results_model import CriterionUsed
from evaluation.scoring import (
    SOURCES,
    CriterionInput,
    DepartmentInput,
    PlaceKey,
    ScoringInput,
    ScoringSettings,
    last_in_groups,
)
from evaluation.selectors.inbox import consistent_reads, merged_cells, merged_counts, pending_aggregates
from evaluation.sql import value_aggregates


@dataclass(frozen=True)
class DepartmentAdjustment:
    department_id: int
    points: Decimal
    reason: str


@dataclass(frozen=True)
class QuarterScoringData:
    """The scoring input plus what the results show beside the numbers."""

    scoring_input: ScoringInput
    criteria: tuple[CriterionUsed, ...]
    levels: tuple[tuple[str, Decimal], ...]
    adjustments: tuple[DepartmentAdjustment, ...]
    counted_ballots: dict[str, int]
    grades: tuple[GradeSpec, ...] = ()


def quarter_settings(quarter: Quarter) -> ScoringSettings:
    return ScoringSettings(
        weights={source: quarter.weight(source) for source in SOURCES},
        trim=quarter.trim,
        trim_min_n=quarter.trim_min_n,
        min_ballots={source: quarter.min_ballots(source) for source in SOURCES},
    )


def published_before(quarter: Quarter) -> QuerySet[DepartmentResult]:
    """The ranked results of the programme's published quarters before `quarter`: what rules 7 and 11 look
    back on."""
    return DepartmentResult.objects.filter(
        quarter__status=QuarterStatus.PUBLISHED,
        quarter__programme_id=quarter.programme_id,
        quarter__code__lt=quarter.code,
        rank__isnull=False,
    )


RankRow = tuple[str, int, str, int]  # (quarter code, department id, group, rank)


def _earlier_ranks(quarter: Quarter) -> list[RankRow]:
    return list(
        published_before(quarter)
        .order_by("quarter__code")
        .values_list("quarter__code", "department_id", "group", "rank")
    )


def _previous_ranks(rows: list[RankRow]) -> dict[tuple[int, str], int]:
    """Rule 7: per (department, group), the rank of the latest earlier published quarter where it was ranked."""
    # Later quarters overwrite earlier ones, leaving the latest.
    return {(department_id, group): rank for _code, department_id, group, rank in rows}


def _earlier_last_places(rows: list[RankRow]) -> tuple[frozenset[PlaceKey], ...]:
    """Rule 11: the last places of each earlier published quarter, newest first."""
    by_quarter: dict[str, list[tuple[PlaceKey, str, int]]] = defaultdict(list)
    for code, department_id, group, rank in rows:
        by_quarter[code].append(((department_id, group), group, rank))
    return tuple(frozenset(last_in_groups(by_quarter[code])) for code in sorted(by_quarter, reverse=True))


def _counted_ballots(quarter: Quarter) -> dict[str, int]:
    """Per source: counted ballots that give at least one value (a comment-only ballot counts for no score)."""
    rows = (
        Ballot.objects.filter(quarter=quarter, voided_at__isnull=True)
        .filter(Exists(BallotValue.objects.filter(ballot=OuterRef("pk"))))
        .values("source")
        .annotate(ballots=Count("id"))
        .order_by()
    )
    found = {row["source"]: row["ballots"] for row in rows}
    return {source: found.get(source, 0) for source in SOURCES}


def _departments(quarter: Quarter) -> tuple[DepartmentInput, ...]:
    rows = (
        Unit.objects.evaluated(quarter.programme)
        .order_by("order", "code")
        .values_list("id", "code", "name", "ranking_group", "kind", "order")
    )
    return tuple(
        DepartmentInput(id=pk, code=code, name=name, group=Unit.group_of(ranking_group, kind), order=order)
        for pk, code, name, ranking_group, kind, order in rows
    )


def quarter_scoring_data(quarter: Quarter) -> QuarterScoringData:
    """Everything needed to score `quarter` and explain its numbers, in a fixed number of queries.

    Eight on PostgreSQL, nine on SQLite (see `evaluation.sql.value_aggregates`); an open quarter's ballots
    still waiting in the inbox are counted too (one more query, and the snapshot is set on PostgreSQL).
    """
    with consistent_reads():
        return _scoring_data(quarter)


def _scoring_data(quarter: Quarter) -> QuarterScoringData:
    criterion_rows = list(
        Criterion.objects.filter(quarter=quarter).order_by("order", "code").values_list("id", "code", "name", "weight")
    )
    criterion_codes = {pk: code for pk, code, _name, _weight in criterion_rows}
    criteria = tuple(CriterionUsed(code, name, weight) for _pk, code, name, weight in criterion_rows)
    levels = tuple(Level.objects.filter(quarter=quarter).order_by("order", "-points").values_list("label", "points"))
    departments = _departments(quarter)
    adjustments = tuple(
        DepartmentAdjustment(department_id=row[0], points=row[1], reason=row[2])
        for row in Adjustment.objects.filter(quarter=quarter)
        .order_by("created_at", "id")
        .values_list("department_id", "points", "reason")
    )
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for adjustment in adjustments:
        sums[adjustment.department_id] += adjustment.points
    grades = tuple(
        GradeSpec(*row)
        for row in Grade.objects.filter(quarter=quarter).order_by("order").values_list("label", "quota", "min_score")
    )
    earlier = _earlier_ranks(quarter)
    cells, ballot_counts = value_aggregates(quarter.pk, criterion_codes)
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
        previous_ranks=_previous_ranks(earlier),
        grades=grade_rules(grades),
        earlier_last_places=_earlier_last_places(earlier),
    )
    return QuarterScoringData(
        scoring_input=scoring_input,
        criteria=criteria,
        levels=tuple((label, points) for label, points in levels),
        adjustments=adjustments,
        counted_ballots=counted_ballots,
        grades=grades,
    )
