"""One department's results for one quarter, cut down to what the reader may see.

Who may open a department's detail:
- users who see provisional results (evaluators, leaders, admins): every department, published or live,
  everything included;
- viewers and grassroots raters: every department of a published quarter, with the k-rule applied;
- department representatives: their own department only, once the quarter is published, with the k-rule.

The k-rule (docs/design.md, "Anonymity and trust"): a source's breakdown (cell means per criterion) and the
comments of that source are given only when at least `quarter.anonymity_k` ballots of that source rated the
department; below that only the source's combined score (which the public ranking shows anyway) is given.
It is enforced here: hidden cells and comments are never fetched into the result, so no template can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from departments.models import Unit
from departments.roles import Role
from evaluation.models import Adjustment, BallotComment, Criterion, DepartmentResult, Quarter, QuarterStatus
from evaluation.selectors.rankings import (
    PUBLISHED_PERM,
    ScoreCells,
    active_sources,
    adjustment_html,
    department_entry,
    group_label,
    quarter_results_visible,
    score_html,
    sees_provisional,
    source_label,
)
from evaluation.services.results import quarter_results

# Roles whose holders read every department's published detail (under the k-rule); a representative only their own.
READ_EVERY_DEPARTMENT_ROLES = (Role.VIEWER, Role.GRASSROOTS_RATER)


def _reads_every_department(user: Any, quarter: Quarter) -> bool:
    if sees_provisional(user):
        return quarter_results_visible(user, quarter)
    return _reads_published(user, quarter) and user.has_role(*READ_EVERY_DEPARTMENT_ROLES)


def _reads_published(user: Any, quarter: Quarter) -> bool:
    return quarter.status == QuarterStatus.PUBLISHED and user.has_perm(PUBLISHED_PERM)


def _own_department_id(user: Any, quarter: Quarter) -> int | None:
    """A representative's own department, readable once the quarter is published."""
    if _reads_published(user, quarter) and user.has_role(Role.DEPARTMENT_REP):
        return user.unit_id
    return None


def may_view_department(user: Any, quarter: Quarter, department: Unit) -> bool:
    """Whether the user may open this department's detail for this quarter (see the module docstring)."""
    if _reads_every_department(user, quarter):
        return True
    own = _own_department_id(user, quarter)
    return own is not None and own == department.pk


def department_link_scope(user: Any, quarter: Quarter) -> str:
    """Which department details the user may open in the quarter, as a short key: "all", "own:<unit id>" or "none".

    Two readers with the same scope get the same links on the ranking page, so a rendered ranking may be shared
    between them (and only between them); `openable_departments` derives the links from this very value.
    """
    if _reads_every_department(user, quarter):
        return "all"
    own = _own_department_id(user, quarter)
    return f"own:{own}" if own is not None else "none"


def openable_departments(user: Any, quarter: Quarter, results: dict) -> set[str]:
    """Codes of the departments in `results` whose detail the user may open (for links on the ranking page)."""
    return openable_for_scope(department_link_scope(user, quarter), results)


def openable_for_scope(scope: str, results: dict) -> set[str]:
    """The department codes of `results` that a reader with this `department_link_scope` may open."""
    codes = {entry["code"] for entry in results.get("departments") or []}
    if scope == "all":
        return codes
    if not scope.startswith("own:"):
        return set()
    own_code = Unit.objects.filter(pk=int(scope.removeprefix("own:"))).values_list("code", flat=True).first()
    return {own_code} & codes if own_code else set()


@dataclass(frozen=True)
class CriterionInfo:
    code: str
    name: str
    weight: Decimal


@dataclass(frozen=True)
class SourceDetail:
    source: str
    label: str
    weight: int
    score: float | None
    ballots: int
    # False when the k-rule hides this source's breakdown and comments from the reader.
    breakdown_visible: bool
    # criterion code -> rounded cell mean (absent = empty cell); empty when hidden.
    cells: dict[str, float] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    @property
    def score_html(self) -> SafeString:
        return score_html(self.score)


@dataclass(frozen=True)
class CellRow:
    criterion: CriterionInfo
    # One per source: the cell mean, None for an empty cell; `hidden` marks a source hidden by the k-rule.
    values: list[tuple[float | None, bool]]

    @property
    def values_html(self) -> list[tuple[SafeString, bool]]:
        return [(score_html(value), hidden) for value, hidden in self.values]


@dataclass(frozen=True)
class AdjustmentInfo:
    points: float
    reason: str

    @property
    def points_html(self) -> SafeString:
        return adjustment_html(self.points)


@dataclass(frozen=True)
class TrendPoint:
    quarter: str
    score: float | None
    rank: int | None

    @property
    def score_html(self) -> SafeString:
        return score_html(self.score)


@dataclass(frozen=True)
class DepartmentDetail(ScoreCells):
    quarter: Quarter
    department: Unit
    provisional: bool
    k_rule_applies: bool
    k: int
    group: str
    group_label: str
    group_size: int
    rank: int | None
    rank_change: int | None
    score: float | None
    composite: float | None
    adjustment: float | None
    criteria: list[CriterionInfo]
    sources: list[SourceDetail]
    cell_rows: list[CellRow]
    adjustments: list[AdjustmentInfo]
    problems: dict | None
    problems_available: bool
    trend: list[TrendPoint]

    @property
    def composite_html(self) -> SafeString:
        return score_html(self.composite)

    @property
    def trend_chart(self) -> dict:
        """Data for the trend chart: final score and rank over the published quarters."""
        return {
            "kind": "trend",
            "quarters": [point.quarter for point in self.trend],
            "scores": [point.score for point in self.trend],
            "ranks": [point.rank for point in self.trend],
            "score_title": _("Final score"),
            "rank_title": _("Rank"),
            "x_title": _("Quarter"),
            # The chart marks the quarters between two published ones that have no published results.
            "gap_title": _("Not published"),
        }


def _criteria(results: dict, quarter: Quarter) -> list[CriterionInfo]:
    listed = (results.get("settings") or {}).get("criteria")
    if listed:
        return [
            CriterionInfo(code=item["code"], name=item.get("name") or item["code"], weight=Decimal(str(item["weight"])))
            for item in listed
        ]
    return [
        CriterionInfo(code=c.code, name=c.name, weight=c.weight)
        for c in Criterion.objects.filter(quarter=quarter).order_by("order", "code")
    ]


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


def k_rule_sources(results: dict, entry: dict, quarter: Quarter) -> list[str]:
    """The k-rule for one department's entry of `results`: the active sources whose breakdown and comments a
    reader under the rule sees, those with at least `quarter.anonymity_k` counted ballots rating the department."""
    ballots = entry.get("ballots") or {}
    return [source for source in active_sources(results) if (ballots.get(source) or 0) >= quarter.anonymity_k]


def comment_sources_shown(quarter: Quarter, results: dict | None = None) -> dict[str, set[str]]:
    """Per department code: the sources whose comments the department itself (a reader under the k-rule) may
    read in the quarter, exactly as its detail page decides. `results` defaults to `quarter_results(quarter)`.

    A department the quarter's results do not include is absent: none of its comments may be read.
    """
    results = quarter_results(quarter) if results is None else results
    return {entry["code"]: set(k_rule_sources(results, entry, quarter)) for entry in results.get("departments") or []}


def _sources(results: dict, entry: dict, quarter: Quarter, department: Unit, full: bool) -> list[SourceDetail]:
    sources = active_sources(results)
    weights = results.get("weights") or {}
    ballots = entry.get("ballots") or {}
    visible = sources if full else k_rule_sources(results, entry, quarter)
    comments = _comments(quarter, department, visible)
    cells = entry.get("cells") or {}
    return [
        SourceDetail(
            source=source,
            label=source_label(source),
            weight=weights.get(source) or 0,
            score=(entry.get("sources") or {}).get(source),
            ballots=ballots.get(source) or 0,
            breakdown_visible=source in visible,
            cells={k: v for k, v in (cells.get(source) or {}).items() if v is not None} if source in visible else {},
            comments=comments.get(source, []),
        )
        for source in sources
    ]


def _cell_rows(criteria: list[CriterionInfo], sources: list[SourceDetail]) -> list[CellRow]:
    return [
        CellRow(
            criterion=criterion,
            values=[(source.cells.get(criterion.code), not source.breakdown_visible) for source in sources],
        )
        for criterion in criteria
    ]


def _adjustments(entry: dict, quarter: Quarter, department: Unit) -> list[AdjustmentInfo]:
    listed = entry.get("adjustments")
    if listed is not None:
        return [AdjustmentInfo(points=item["points"], reason=item.get("reason", "")) for item in listed]
    return [
        AdjustmentInfo(points=float(a.points), reason=a.reason)
        for a in Adjustment.objects.filter(quarter=quarter, department=department)
    ]


def _problems(quarter: Quarter, department: Unit) -> tuple[dict | None, bool]:
    try:
        from evaluation.selectors.problems import department_problem_figures
    except ImportError:  # the problems area is not installed in this build
        return None, False
    figures = department_problem_figures(quarter=quarter).get(department.pk)
    return (dict(figures) if figures is not None else None), True


def department_trend(department: Unit) -> list[TrendPoint]:
    """The department's stored final score and rank in every published quarter, oldest first."""
    rows = (
        DepartmentResult.objects.filter(department=department, quarter__status=QuarterStatus.PUBLISHED)
        .order_by("quarter__code")
        .values_list("quarter__code", "score", "rank")
    )
    return [
        TrendPoint(quarter=code, score=float(score) if score is not None else None, rank=rank)
        for code, score, rank in rows
    ]


def department_detail(*, quarter: Quarter, department: Unit, user: Any) -> DepartmentDetail:
    """What this user may see of the department's results in the quarter.

    Raises PermissionDenied when the user may not open the detail at all and LookupError when the quarter's
    results do not include the department.
    """
    if not may_view_department(user, quarter, department):
        raise PermissionDenied
    results = quarter_results(quarter)
    entry = department_entry(results, department.code)
    if entry is None:
        raise LookupError(department.code)
    full = sees_provisional(user)
    criteria = _criteria(results, quarter)
    sources = _sources(results, entry, quarter, department, full)
    problems, problems_available = _problems(quarter, department)
    group = entry.get("group") or ""
    return DepartmentDetail(
        quarter=quarter,
        department=department,
        provisional=quarter.status != QuarterStatus.PUBLISHED,
        k_rule_applies=not full,
        k=quarter.anonymity_k,
        group=group,
        group_label=group_label(group),
        group_size=sum(1 for e in results.get("departments") or [] if (e.get("group") or "") == group),
        rank=entry.get("rank"),
        rank_change=entry.get("rank_change"),
        score=entry.get("score"),
        composite=entry.get("composite"),
        adjustment=entry.get("adjustment"),
        criteria=criteria,
        sources=sources,
        cell_rows=_cell_rows(criteria, sources),
        adjustments=_adjustments(entry, quarter, department),
        problems=problems,
        problems_available=problems_available,
        trend=department_trend(department),
    )
