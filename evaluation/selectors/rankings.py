"""Reads for the ranking pages: the quarters a reader may open, and results shaped into tables and charts.

Every number comes from `evaluation.selectors.results` (a published quarter's frozen snapshot, the live computation
otherwise). Nothing here recomputes a score: rows are only grouped, ordered as the results rank them and cut down
by the k-rule. Who may read what is decided in `evaluation.views.access`; the display of numbers is in the
`results` template tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from departments.models import WORKSTYLE
from evaluation.labels import group_label
from evaluation.models import DepartmentResult, Quarter, QuarterStatus, Source, annual_key
from evaluation.results_model import AnnualResults, DepartmentRow, QuarterResults
from evaluation.selectors.quarters import BY_PROGRAMME


def visible_quarters(statuses: Sequence[str]) -> QuerySet[Quarter]:
    """The quarters in these statuses (those whose ranking the reader may open), newest first."""
    return Quarter.objects.filter(status__in=list(statuses)).select_related("programme").order_by(*BY_PROGRAMME)


@dataclass(frozen=True)
class AnnualLink:
    """One programme's year with an annual ranking: `key` for its URL, `programme` its name (work style: "")."""

    key: str
    year: int
    programme: str


def published_years() -> list[AnnualLink]:
    """Each programme's years with at least one published quarter (the annual rankings that exist), work style
    first, newest first within a programme."""
    rows = (
        Quarter.objects.filter(status=QuarterStatus.PUBLISHED)
        .order_by(*BY_PROGRAMME)
        .values_list("programme__code", "programme__name", "code")
    )
    links: dict[str, AnnualLink] = {}
    for programme_code, name, code in rows:
        key = annual_key(programme_code, int(code[:4]))
        shown = "" if programme_code == WORKSTYLE else name
        links.setdefault(key, AnnualLink(key=key, year=int(code[:4]), programme=shown))
    return list(links.values())


@dataclass(frozen=True)
class SourceCell:
    """A source's score as one reader sees it: None when empty; `hidden` when the k-rule keeps it from them
    (then the score is None too, so the number never reaches a template)."""

    score: Decimal | None
    hidden: bool = False


def source_cells(results: QuarterResults, row: DepartmentRow, k: int | None) -> list[SourceCell]:
    """The row's active sources' scores, those built from fewer than `k` ballots hidden (`k` None: none hidden)."""
    shown = results.sources_shown(row, k)
    return [
        SourceCell(row.sources[source].score) if source in shown else SourceCell(None, hidden=True)
        for source in results.active_sources
    ]


@dataclass(frozen=True)
class RankingRow:
    code: str
    name: str
    rank: int | None
    rank_change: int | None
    score: Decimal | None
    composite: Decimal | None
    adjustment: Decimal | None
    source_scores: list[SourceCell]
    ballots: list[int]
    grade: str | None = None
    last_place: bool = False
    last_place_streak: int = 0

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def ballots_text(self) -> str:
        return " / ".join(str(count) for count in self.ballots)


@dataclass
class RankingGroup:
    key: str
    label: str
    index: int
    rows: list[RankingRow] = field(default_factory=list)
    graded: bool = False  # the quarter has grades: the table shows a grade column

    @property
    def chart_id(self) -> str:
        return f"ranking-chart-{self.index}"

    @property
    def chart_height(self) -> int:
        """Pixels: enough room for one bar per ranked department."""
        return 80 + 32 * max(1, sum(1 for row in self.rows if row.ranked))

    @property
    def chart(self) -> dict[str, Any]:
        """Data for the horizontal bar chart of the group's final scores (ranked departments only)."""
        ranked = [row for row in self.rows if row.ranked]
        return {
            "kind": "bar",
            "title": self.label,
            "labels": [row.name for row in ranked],
            "values": [float(row.score) for row in ranked if row.score is not None],
            "x_title": _("Final score"),
        }


def _row(results: QuarterResults, row: DepartmentRow, k: int | None) -> RankingRow:
    return RankingRow(
        code=row.code,
        name=row.name,
        rank=row.rank,
        rank_change=row.rank_change,
        score=row.score,
        composite=row.composite,
        adjustment=row.adjustment,
        source_scores=source_cells(results, row, k),
        ballots=[row.sources[source].ballots for source in results.active_sources],
        grade=row.grade,
        last_place=row.last_place,
        last_place_streak=row.last_place_streak,
    )


def ranking_groups(results: QuarterResults, k: int | None) -> list[RankingGroup]:
    """The departments, one group per ranking group: ranked rows by rank, unscored after.

    Groups come in the results' order (of their first department); within equal ranks the results' own order is
    kept (ties by department order, then code). `k`: the k-rule's threshold for this reader, None when it does
    not apply to them.
    """
    groups: dict[str, RankingGroup] = {}
    for row in results.departments:
        if row.group not in groups:
            groups[row.group] = RankingGroup(
                key=row.group,
                label=group_label(row.group),
                index=len(groups) + 1,
                graded=bool(results.settings.grades),
            )
        groups[row.group].rows.append(_row(results, row, k))
    for group in groups.values():
        group.rows.sort(key=lambda row: (row.rank is None, row.rank or 0))
    return list(groups.values())


def source_headers(quarter: Quarter, results: QuarterResults) -> list[tuple[str, str]]:
    """(source, label) of the quarter's active sources, for the columns of a ranking table."""
    return [(source, quarter.source_label(source)) for source in results.active_sources]


@dataclass(frozen=True)
class AnnualRow:
    code: str
    name: str
    rank: int | None
    score: Decimal | None
    quarters: int
    by_quarter: list[tuple[Decimal | None, int | None] | None]
    grade: str | None = None


@dataclass
class AnnualGroup:
    key: str
    label: str
    rows: list[AnnualRow] = field(default_factory=list)

    @property
    def graded(self) -> bool:
        return any(row.grade is not None for row in self.rows)


def _quarter_cells(codes: Sequence[str], programme: str) -> dict[int, dict[str, tuple[Decimal | None, int | None]]]:
    """Each department's stored (final score, rank) per published quarter, by department id then quarter code."""
    rows = DepartmentResult.objects.filter(
        quarter__code__in=list(codes), quarter__programme__code=programme
    ).values_list("department_id", "quarter__code", "score", "rank")
    cells: dict[int, dict[str, tuple[Decimal | None, int | None]]] = {}
    for department, quarter, score, rank in rows:
        cells.setdefault(department, {})[quarter] = (score, rank)
    return cells


def annual_groups(annual: AnnualResults) -> list[AnnualGroup]:
    """The annual results per ranking group, with each published quarter's final score and rank beside it."""
    cells = _quarter_cells(annual.quarters, annual.programme)
    groups: dict[str, AnnualGroup] = {}
    for row in annual.departments:
        if row.group not in groups:
            groups[row.group] = AnnualGroup(key=row.group, label=group_label(row.group))
        mine = cells.get(row.id, {})
        groups[row.group].rows.append(
            AnnualRow(
                code=row.code,
                name=row.name,
                rank=row.rank,
                score=row.score,
                quarters=row.quarters,
                by_quarter=[mine.get(code) for code in annual.quarters],
                grade=row.grade,
            )
        )
    for group in groups.values():
        group.rows.sort(key=lambda row: (row.rank is None, row.rank or 0))
    return list(groups.values())


@dataclass(frozen=True)
class SourceRule:
    source: str
    label: str
    weight: int
    min_ballots: int


@dataclass(frozen=True)
class CriterionRule:
    code: str
    name: str
    weight: Decimal
    share: Decimal  # the weight as a percentage of all criteria's weights, for reading only


@dataclass(frozen=True)
class QuarterMethod:
    """A quarter's settings as the "how the score is computed" page explains them."""

    quarter: Quarter
    sources: list[SourceRule]
    levels: list[tuple[str, Decimal]]
    criteria: list[CriterionRule]

    @property
    def collected(self) -> list[SourceRule]:
        return [rule for rule in self.sources if rule.weight > 0]

    @property
    def weight_total(self) -> int:
        return sum(rule.weight for rule in self.collected)

    @property
    def not_collected(self) -> list[SourceRule]:
        return [rule for rule in self.sources if rule.weight == 0]


def quarter_method(quarter: Quarter) -> QuarterMethod:
    """The quarter's weights, scale, levels, criteria, trim, minimum ballots and k (they cannot change once voted)."""
    criteria = list(quarter.criteria.order_by("order", "code"))
    total = sum((c.weight for c in criteria), Decimal(0)) or Decimal(1)
    return QuarterMethod(
        quarter=quarter,
        sources=[
            SourceRule(source, quarter.source_label(source), quarter.weight(source), quarter.min_ballots(source))
            for source in Source.values
        ],
        levels=[(level.label, level.points) for level in quarter.levels.order_by("order", "-points")],
        criteria=[
            CriterionRule(c.code, c.name, c.weight, (c.weight * 100 / total).quantize(Decimal("0.1"))) for c in criteria
        ],
    )
