"""Reads for the ranking pages: who may see which quarter, and the results dict shaped into tables and charts.

Every number comes from the results dict of `evaluation.services.results` (a published quarter's frozen
snapshot, the live computation otherwise). Nothing here recomputes a score: rows are only grouped, ordered
as the dict ranks them and labelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from departments.models import UnitKind
from evaluation.models import DepartmentResult, Quarter, QuarterStatus, Source

PUBLISHED_PERM = "evaluation.view_published_results"
PROVISIONAL_PERM = "evaluation.view_provisional_results"
# Quarters whose live results a provisional viewer may follow; a draft has no ballots yet.
LIVE_STATUSES = (QuarterStatus.OPEN, QuarterStatus.CLOSED)


def may_view_results(user: Any) -> bool:
    """Whether the user may open the results area at all (published or provisional)."""
    return user.has_perm(PUBLISHED_PERM) or user.has_perm(PROVISIONAL_PERM)


def sees_provisional(user: Any) -> bool:
    """Evaluators, leaders and admins: unpublished quarters and every detail, without the k-rule."""
    return user.has_perm(PROVISIONAL_PERM)


def quarter_results_visible(user: Any, quarter: Quarter) -> bool:
    """Whether the user may see this quarter's ranking: published to readers, live to provisional viewers."""
    if quarter.status == QuarterStatus.PUBLISHED:
        return may_view_results(user)
    return quarter.status in LIVE_STATUSES and sees_provisional(user)


def visible_quarters(user: Any) -> QuerySet[Quarter]:
    """The quarters whose ranking the user may open, newest first."""
    statuses: list[str] = []
    if may_view_results(user):
        statuses.append(QuarterStatus.PUBLISHED)
    if sees_provisional(user):
        statuses.extend(LIVE_STATUSES)
    return Quarter.objects.filter(status__in=statuses).order_by("-code")


def published_years() -> list[int]:
    """Years with at least one published quarter, newest first (the annual rankings that exist)."""
    codes = Quarter.objects.filter(status=QuarterStatus.PUBLISHED).values_list("code", flat=True)
    return sorted({int(code[:4]) for code in codes}, reverse=True)


def group_label(group: str) -> str:
    """A ranking group's display name: the kind's label for the default groups, else the group's own name."""
    if group in UnitKind.values:
        return str(UnitKind(group).label)
    return group


def active_sources(results: dict) -> list[str]:
    """The sources collected in the quarter (weight above zero), in the usual order."""
    weights = results.get("weights") or {}
    return [source for source in Source.values if (weights.get(source) or 0) > 0]


def source_label(source: str) -> str:
    return str(Source(source).label)


def rank_change_parts(change: int | None) -> tuple[str, int]:
    """A rank change as (direction, size) for display: ("up", 2) is ↑2, ("down", 1) is ↓1, "same" and "none" show –."""
    if change is None:
        return ("none", 0)
    if change > 0:
        return ("up", change)
    if change < 0:
        return ("down", -change)
    return ("same", 0)


# Display strings, built once per value instead of one template include per table cell (a ranking page has hundreds
# of cells). They are HTML; every number goes through format_html, so nothing unescaped reaches the page.
_EMPTY = mark_safe('<span class="text-muted">—</span>')


def score_html(value: float | Decimal | None) -> SafeString:
    """A score rounded to two decimals as shown everywhere, or a muted dash when there is none."""
    if value is None:
        return _EMPTY
    return format_html("{}", floatformat(value, 2))


def adjustment_html(value: float | Decimal | None) -> SafeString:
    """Adjustment points with their sign (+1.50, -0.50), a muted 0 when none were given, a dash when unknown."""
    if value is None:
        return _EMPTY
    if value > 0:
        return format_html("+{}", floatformat(value, 2))
    if value < 0:
        return format_html("{}", floatformat(value, 2))
    return mark_safe('<span class="text-muted">0</span>')


def rank_change_html(change: int | None) -> SafeString:
    """↑2 / ↓1 / – with a translated explanation in the title (in the active language)."""
    direction, size = rank_change_parts(change)
    if direction == "up":
        title = ngettext("Up %(size)s place", "Up %(size)s places", size) % {"size": size}
        return format_html('<span class="rank-up" title="{}">↑{}</span>', title, size)
    if direction == "down":
        title = ngettext("Down %(size)s place", "Down %(size)s places", size) % {"size": size}
        return format_html('<span class="rank-down" title="{}">↓{}</span>', title, size)
    title = _("Unchanged") if direction == "same" else _("No earlier rank to compare with")
    return format_html('<span class="text-muted" title="{}">–</span>', title)


class ScoreCells:
    """The display HTML of a row's final score, adjustment and rank change.

    For dataclasses with `score`, `adjustment` and `rank_change` fields.
    """

    @property
    def change(self) -> tuple[str, int]:
        return rank_change_parts(self.rank_change)

    @property
    def score_html(self) -> SafeString:
        return score_html(self.score)

    @property
    def adjustment_html(self) -> SafeString:
        return adjustment_html(self.adjustment)

    @property
    def rank_change_html(self) -> SafeString:
        return rank_change_html(self.rank_change)


@dataclass(frozen=True)
class RankingRow(ScoreCells):
    code: str
    name: str
    rank: int | None
    rank_change: int | None
    score: float | None
    composite: float | None
    adjustment: float | None
    source_scores: list[float | None]
    ballots: list[int]

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def source_scores_html(self) -> list[SafeString]:
        return [score_html(value) for value in self.source_scores]

    @property
    def ballots_text(self) -> str:
        return " / ".join(str(count) for count in self.ballots)


@dataclass
class RankingGroup:
    key: str
    label: str
    index: int
    rows: list[RankingRow] = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"ranking-chart-{self.index}"

    @property
    def chart_height(self) -> int:
        """Pixels: enough room for one bar per ranked department."""
        return 80 + 32 * max(1, sum(1 for row in self.rows if row.ranked))

    @property
    def chart(self) -> dict:
        """Data for the horizontal bar chart of the group's final scores (ranked departments only)."""
        ranked = [row for row in self.rows if row.ranked]
        return {
            "kind": "bar",
            "title": self.label,
            "labels": [row.name for row in ranked],
            "values": [row.score for row in ranked],
            "x_title": _("Final score"),
        }


def _row(entry: dict, sources: list[str]) -> RankingRow:
    scores = entry.get("sources") or {}
    ballots = entry.get("ballots") or {}
    return RankingRow(
        code=entry["code"],
        name=entry.get("name") or entry["code"],
        rank=entry.get("rank"),
        rank_change=entry.get("rank_change"),
        score=entry.get("score"),
        composite=entry.get("composite"),
        adjustment=entry.get("adjustment"),
        source_scores=[scores.get(source) for source in sources],
        ballots=[ballots.get(source) or 0 for source in sources],
    )


def ranking_groups(results: dict) -> list[RankingGroup]:
    """The departments of a results dict, one group per ranking group: ranked rows by rank, unscored after.

    Groups come in the dict's order (of their first department); within equal ranks the dict's own order is kept
    (it lists ties by department order, then code).
    """
    sources = active_sources(results)
    groups: dict[str, RankingGroup] = {}
    for entry in results.get("departments") or []:
        key = entry.get("group") or ""
        if key not in groups:
            groups[key] = RankingGroup(key=key, label=group_label(key), index=len(groups) + 1)
        groups[key].rows.append(_row(entry, sources))
    for group in groups.values():
        group.rows.sort(key=lambda row: (row.rank is None, row.rank or 0))
    return list(groups.values())


def department_entry(results: dict, code: str) -> dict | None:
    """One department's entry of a results dict, or None when the quarter did not evaluate it."""
    return next((entry for entry in results.get("departments") or [] if entry.get("code") == code), None)


@dataclass(frozen=True)
class AnnualRow:
    code: str
    name: str
    rank: int | None
    score: float | None
    quarters: int
    by_quarter: list[tuple[Decimal | None, int | None] | None]

    @property
    def score_html(self) -> SafeString:
        return score_html(self.score)

    @property
    def by_quarter_html(self) -> list[SafeString]:
        """Each published quarter's cell: "score · rank", or a muted dash when the quarter did not score it."""
        return [
            format_html("{} · {}", score_html(cell[0]), "—" if not cell[1] else cell[1]) if cell else _EMPTY
            for cell in self.by_quarter
        ]


@dataclass
class AnnualGroup:
    key: str
    label: str
    rows: list[AnnualRow] = field(default_factory=list)


def annual_quarter_codes(annual: dict) -> list[str]:
    """The published quarters the annual results counted, oldest first."""
    listed = annual.get("quarters")
    if listed is None:
        listed = Quarter.objects.filter(status=QuarterStatus.PUBLISHED, code__startswith=f"{annual['year']}Q")
        listed = listed.values_list("code", flat=True)
    return sorted(listed)


def _quarter_cells(codes: list[str]) -> dict[str, dict[str, tuple[Decimal | None, int | None]]]:
    """Each department's stored (final score, rank) per published quarter, by department code then quarter code."""
    rows = DepartmentResult.objects.filter(quarter__code__in=codes).values_list(
        "department__code", "quarter__code", "score", "rank"
    )
    cells: dict[str, dict[str, tuple[Decimal | None, int | None]]] = {}
    for department, quarter, score, rank in rows:
        cells.setdefault(department, {})[quarter] = (score, rank)
    return cells


def annual_groups(annual: dict, codes: list[str]) -> list[AnnualGroup]:
    """The annual results dict per ranking group, with each published quarter's final score and rank beside it."""
    cells = _quarter_cells(codes)
    groups: dict[str, AnnualGroup] = {}
    for entry in annual.get("departments") or []:
        key = entry.get("group") or ""
        if key not in groups:
            groups[key] = AnnualGroup(key=key, label=group_label(key))
        mine = cells.get(entry["code"], {})
        groups[key].rows.append(
            AnnualRow(
                code=entry["code"],
                name=entry.get("name") or entry["code"],
                rank=entry.get("rank"),
                score=entry.get("score"),
                quarters=entry.get("quarters") or 0,
                by_quarter=[mine.get(code) for code in codes],
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
            SourceRule(source, source_label(source), quarter.weight(source), quarter.min_ballots(source))
            for source in Source.values
        ],
        levels=[(level.label, level.points) for level in quarter.levels.order_by("order", "-points")],
        criteria=[
            CriterionRule(c.code, c.name, c.weight, (c.weight * 100 / total).quantize(Decimal("0.1"))) for c in criteria
        ],
    )
