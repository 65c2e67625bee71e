"""The one read that feeds the scoring module: a quarter's aggregates, computed by the database.

A fixed number of queries whatever the number of departments or ballots (pinned by a test).
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from departments.models import Unit
from evaluation.grades import GradeSpec, grade_rules
from evaluation.models import (
    Adjustment,
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
from evaluation.selectors.inbox import (
    consistent_reads,
    merged_cells,
    merged_counts,
    waiting_aggregates,
    waiting_payloads,
)
from evaluation.sql import Statement, compiled, is_postgresql, read_together, value_reads, values_from_rows


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


def _department_inputs(rows: list[tuple]) -> tuple[DepartmentInput, ...]:
    return tuple(
        DepartmentInput(id=pk, code=code, name=name, group=Unit.group_of(ranking_group, kind), order=order)
        for pk, code, name, ranking_group, kind, order in rows
    )


def _quarter_reads(quarter: Quarter) -> list[QuerySet]:
    """The quarter's criteria, levels, evaluated departments, adjustments, grades and earlier ranks."""
    return [
        Criterion.objects.filter(quarter=quarter).order_by("order", "code").values_list("id", "code", "name", "weight"),
        Level.objects.filter(quarter=quarter).order_by("order", "-points").values_list("label", "points"),
        Unit.objects.evaluated(quarter.programme)
        .order_by("order", "code")
        .values_list("id", "code", "name", "ranking_group", "kind", "order"),
        Adjustment.objects.filter(quarter=quarter)
        .order_by("created_at", "id")
        .values_list("department_id", "points", "reason"),
        Grade.objects.filter(quarter=quarter).order_by("order").values_list("label", "quota", "min_score"),
        published_before(quarter)
        .order_by("quarter__code")
        .values_list("quarter__code", "department_id", "group", "rank"),
    ]


# The quarter's reads compiled once per process (Django compiles a queryset afresh each time: about 3 ms for
# these six, against a few for the whole statement): their SQL and parameters depend on nothing but the values
# in the key, which must name everything `_quarter_reads` reads of the quarter and its programme.
_COMPILED_READS: dict[tuple, list[Statement]] = {}
COMPILED_READS_KEPT = 64


def _compiled_quarter_reads(quarter: Quarter) -> list[Statement]:
    key = (connection.vendor, quarter.pk, quarter.code, quarter.programme_id, quarter.programme.kinds)
    found = _COMPILED_READS.get(key)
    if found is None:
        if len(_COMPILED_READS) >= COMPILED_READS_KEPT:
            _COMPILED_READS.clear()
        found = _COMPILED_READS[key] = [compiled(read) for read in _quarter_reads(quarter)]
    return found


def quarter_scoring_data(quarter: Quarter, *, portable: bool = False) -> QuarterScoringData:
    """Everything needed to score `quarter` and explain its numbers, in a fixed number of queries.

    On PostgreSQL one statement (`evaluation.sql.read_together`), whose one snapshot sees the stored ballots
    and those still waiting in the inbox of an open quarter together; elsewhere nine queries, ten with the
    inbox, in one transaction.
    """
    waiting = waiting_payloads(quarter)
    value_querysets, values_alongside = value_reads(quarter.pk, portable=portable)
    native = is_postgresql() and not portable
    quarter_reads = _compiled_quarter_reads(quarter) if native else _quarter_reads(quarter)
    reads: list[QuerySet | Statement] = [*quarter_reads, *value_querysets]
    if waiting is not None:
        reads.append(waiting)
    # One statement is its own snapshot; separate queries share one in a transaction.
    with nullcontext() if native else consistent_reads():
        rows, alongside = read_together(reads, values_alongside, portable=portable)
    waiting_rows = rows.pop() if waiting is not None else []
    criterion_rows, level_rows, department_rows, adjustment_rows, grade_rows, earlier = rows[:6]
    criterion_codes = {pk: code for pk, code, _name, _weight in criterion_rows}
    criteria = tuple(CriterionUsed(code, name, weight) for _pk, code, name, weight in criterion_rows)
    adjustments = tuple(DepartmentAdjustment(*row) for row in adjustment_rows)
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for adjustment in adjustments:
        sums[adjustment.department_id] += adjustment.points
    grades = tuple(GradeSpec(*row) for row in grade_rows)
    cells, ballot_counts, counted_ballots = values_from_rows(rows[6:], alongside, criterion_codes, portable=portable)
    waiting_cells, waiting_counts, waiting_ballots = waiting_aggregates(waiting_rows, criterion_codes)
    counted_ballots[Source.GRASSROOTS.value] += waiting_ballots
    scoring_input = ScoringInput(
        settings=quarter_settings(quarter),
        criteria=tuple(CriterionInput(code=c.code, weight=c.weight) for c in criteria),
        departments=_department_inputs(department_rows),
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
        levels=tuple((label, points) for label, points in level_rows),
        adjustments=adjustments,
        counted_ballots=counted_ballots,
        grades=grades,
    )
