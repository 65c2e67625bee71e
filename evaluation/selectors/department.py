"""One department's results for one quarter, cut down to what the reader may see.

Who may open which detail is decided in `evaluation.views.access`; what they see of it is decided here, by the
k-rule (docs/design.md, "Anonymity and trust"): for a source that fewer than `quarter.anonymity_k` counted ballots
of that source rated the department with, the reader under the rule gets neither the source's score nor its
breakdown (cell means per criterion) nor its comments; the composite and final score stay. Evaluators and admins
read everything. Hidden numbers and comments are never put into the result, so no template can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from departments.models import Unit
from evaluation.labels import group_label
from evaluation.models import BallotComment, DepartmentResult, Quarter, QuarterStatus
from evaluation.results_model import AdjustmentInfo, CriterionUsed, DepartmentRow, QuarterResults
from evaluation.selectors.problems import department_problem_figures
from evaluation.selectors.results import quarter_results


def openable_for_scope(scope: str, results: QuarterResults) -> set[str]:
    """The department codes of `results` that a reader with this link scope may open.

    The scope ("all", "own:<unit id>" or "none") is `evaluation.views.access.department_link_scope`.
    """
    codes = {row.code for row in results.departments}
    if scope == "all":
        return codes
    if not scope.startswith("own:"):
        return set()
    own_id = int(scope.removeprefix("own:"))
    return {row.code for row in results.departments if row.id == own_id}


@dataclass(frozen=True)
class SourceDetail:
    source: str
    label: str
    weight: int
    ballots: int
    # False when the k-rule hides this source's score, breakdown and comments from the reader.
    breakdown_visible: bool
    score: Decimal | None  # None when empty, or hidden
    # criterion code -> rounded cell mean (absent = empty cell); empty when hidden.
    cells: dict[str, Decimal] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CellRow:
    criterion: CriterionUsed
    # One per source: the cell mean, None for an empty cell; `hidden` marks a source hidden by the k-rule.
    values: list[tuple[Decimal | None, bool]]


@dataclass(frozen=True)
class TrendPoint:
    quarter: str
    score: Decimal | None
    rank: int | None


@dataclass(frozen=True)
class DepartmentDetail:
    quarter: Quarter
    department: Unit
    name: str  # as the results name it (frozen once published)
    provisional: bool
    k_rule_applies: bool
    k: int
    group: str
    group_label: str
    group_size: int
    rank: int | None
    rank_change: int | None
    score: Decimal | None
    composite: Decimal | None
    adjustment: Decimal | None
    criteria: tuple[CriterionUsed, ...]
    sources: list[SourceDetail]
    cell_rows: list[CellRow]
    adjustments: tuple[AdjustmentInfo, ...]
    problems: dict[str, Any] | None
    trend: list[TrendPoint]
    grade: str | None = None
    last_place: bool = False
    last_place_streak: int = 0

    @property
    def trend_chart(self) -> dict[str, Any]:
        """Data for the trend chart: final score and rank over the published quarters."""
        return {
            "kind": "trend",
            "quarters": [point.quarter for point in self.trend],
            "scores": [None if point.score is None else float(point.score) for point in self.trend],
            "ranks": [point.rank for point in self.trend],
            "score_title": _("Final score"),
            "rank_title": _("Rank"),
            "x_title": _("Quarter"),
            # The chart marks the quarters between two published ones that have no published results.
            "gap_title": _("Not published"),
        }


def _comments(quarter: Quarter, department: Unit, sources: list[str]) -> dict[str, list[str]]:
    """Comment texts of counted ballots of the given sources only; never who or which unit wrote them.

    Ordered by text so that the order reveals nothing about when or by whom a comment was written.
    """
    if not sources:
        return {}
    rows = (
        BallotComment.objects.filter(
            ballot__quarter=quarter,
            ballot__voided_at__isnull=True,
            ballot__source__in=sources,
            department=department,
        )
        .order_by("ballot__source", "text")
        .values_list("ballot__source", "text")
    )
    comments: dict[str, list[str]] = {}
    for source, text in rows:
        comments.setdefault(source, []).append(text)
    return comments


def _sources(
    results: QuarterResults, row: DepartmentRow, quarter: Quarter, department: Unit, k: int | None
) -> list[SourceDetail]:
    visible = results.sources_shown(row, k)
    comments = _comments(quarter, department, visible)
    return [
        SourceDetail(
            source=source,
            label=quarter.source_label(source),
            weight=results.weights[source],
            ballots=row.sources[source].ballots,
            breakdown_visible=source in visible,
            score=row.sources[source].score if source in visible else None,
            cells=dict(row.sources[source].cells) if source in visible else {},
            comments=comments.get(source, []),
        )
        for source in results.active_sources
    ]


def _cell_rows(criteria: tuple[CriterionUsed, ...], sources: list[SourceDetail]) -> list[CellRow]:
    return [
        CellRow(
            criterion=criterion,
            values=[(source.cells.get(criterion.code), not source.breakdown_visible) for source in sources],
        )
        for criterion in criteria
    ]


def _problems(quarter: Quarter, department: Unit) -> dict[str, Any] | None:
    figures = department_problem_figures(quarter=quarter).get(department.pk)
    return dict(figures) if figures is not None else None


def department_trend(department: Unit, programme_id: int) -> list[TrendPoint]:
    """The department's stored final score and rank in every published quarter of one programme, oldest first."""
    rows = (
        DepartmentResult.objects.filter(
            department=department, quarter__status=QuarterStatus.PUBLISHED, quarter__programme_id=programme_id
        )
        .order_by("quarter__code")
        .values_list("quarter__code", "score", "rank")
    )
    return [TrendPoint(quarter=code, score=score, rank=rank) for code, score, rank in rows]


def department_detail(*, quarter: Quarter, department: Unit, k_rule: bool) -> DepartmentDetail:
    """What a reader sees of the department's results in the quarter; `k_rule`: whether the rule applies to them.

    Raises LookupError when the quarter's results do not include the department.
    """
    results = quarter_results(quarter)
    row = next((row for row in results.departments if row.id == department.pk), None)
    if row is None:
        raise LookupError(department.code)
    k = quarter.anonymity_k if k_rule else None
    sources = _sources(results, row, quarter, department, k)
    return DepartmentDetail(
        quarter=quarter,
        department=department,
        name=row.name,
        provisional=results.provisional,
        k_rule_applies=k_rule,
        k=quarter.anonymity_k,
        group=row.group,
        group_label=group_label(row.group),
        group_size=len(results.in_group(row.group)),
        rank=row.rank,
        rank_change=row.rank_change,
        score=row.score,
        composite=row.composite,
        adjustment=row.adjustment,
        criteria=results.settings.criteria,
        sources=sources,
        cell_rows=_cell_rows(results.settings.criteria, sources),
        adjustments=row.adjustments,
        problems=_problems(quarter, department),
        trend=department_trend(department, quarter.programme_id),
        grade=row.grade,
        last_place=row.last_place,
        last_place_streak=row.last_place_streak,
    )
