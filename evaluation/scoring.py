"""docs/scoring.md, rules 1–9 and 11, as pure functions: frozen dataclasses in, dataclasses out.

No ORM here. Values arrive as exact integer hundredths (what BallotValue stores),
every intermediate is a `Fraction`, and only what is shown is rounded, half up,
to two decimals (rule 5).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from math import floor, lcm
from typing import NamedTuple, TypeVar

SOURCES: tuple[str, ...] = ("grassroots", "peer", "leadership")


# --- inputs -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringSettings:
    """A quarter's settings that the rules use. Mappings are keyed by source."""

    weights: Mapping[str, int]
    trim: bool = False
    trim_min_n: int = 5
    min_ballots: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 1))

    def weight(self, source: str) -> int:
        return int(self.weights.get(source, 0))

    def minimum(self, source: str) -> int:
        return int(self.min_ballots.get(source, 1))


@dataclass(frozen=True)
class CriterionInput:
    code: str
    weight: Decimal


@dataclass(frozen=True)
class DepartmentInput:
    id: int
    code: str
    name: str
    group: str
    order: int = 0


class CellAggregate(NamedTuple):
    """The non-abstention values of one (source, department, criterion) cell, in hundredths of a point.

    A named tuple: a quarter has thousands of cells, each read once from the database's aggregate.
    """

    n: int
    total_centi: int
    min_centi: int
    max_centi: int

    @classmethod
    def of(cls, values_centi: Sequence[int]) -> CellAggregate:
        return cls(len(values_centi), sum(values_centi), min(values_centi), max(values_centi))


CellKey = tuple[str, int, str]  # (source, department id, criterion code)
PlaceKey = tuple[int, str]  # (department id, ranking group)


@dataclass(frozen=True)
class GradeRule:
    """One grade of a quarter (rule 9): a label and either a quota (whole percentage) or a minimum score."""

    label: str
    quota: int | None = None
    min_score: Decimal | None = None


@dataclass(frozen=True)
class ScoringInput:
    """Everything one quarter's computation needs.

    `ballot_counts[(source, department_id)]` counts the counted ballots giving the department at least one
    non-abstention value; `previous_ranks[(department_id, group)]` is the rank in the latest earlier published
    quarter where the department was ranked in that group (rule 7).
    """

    settings: ScoringSettings
    criteria: tuple[CriterionInput, ...]
    departments: tuple[DepartmentInput, ...]
    cells: Mapping[CellKey, CellAggregate]
    ballot_counts: Mapping[tuple[str, int], int]
    adjustments: Mapping[int, Decimal] = field(default_factory=dict)
    previous_ranks: Mapping[tuple[int, str], int] = field(default_factory=dict)
    grades: tuple[GradeRule, ...] = ()
    # Rule 11: the last places of the earlier published quarters, newest first, each a set of (department, group).
    earlier_last_places: tuple[frozenset[PlaceKey], ...] = ()


# --- outputs ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentScore:
    """One department's exact results, and the same numbers rounded as shown (rule 5), each rounded once."""

    department: DepartmentInput
    # source -> criterion code -> mean as (numerator, denominator), not reduced; non-empty cells only
    cell_ratios: dict[str, dict[str, tuple[int, int]]]
    sources: dict[str, Fraction | None]
    ballots: dict[str, int]
    composite: Fraction | None
    adjustment: Decimal
    final: Fraction | None
    shown_cells: dict[str, dict[str, Decimal]]  # as `cells`, rounded
    shown_sources: dict[str, Decimal | None]
    shown_composite: Decimal | None
    shown_final: Decimal | None
    rank: int | None = None
    rank_change: int | None = None
    grade: str | None = None
    last_place: bool = False
    last_place_streak: int = 0

    @property
    def scored(self) -> bool:
        return self.final is not None

    @cached_property
    def cells(self) -> dict[str, dict[str, Fraction]]:
        """Source -> criterion code -> exact mean; built when asked (the results show `shown_cells`)."""
        return {
            source: {code: Fraction(*ratio) for code, ratio in ratios.items()}
            for source, ratios in self.cell_ratios.items()
        }


@dataclass(frozen=True)
class QuarterScores:
    """Departments in listing order: group by group, ranked ones first, then unscored (rule 6)."""

    groups: tuple[str, ...]
    departments: tuple[DepartmentScore, ...]


@dataclass(frozen=True)
class AnnualInput:
    department: DepartmentInput
    finals: tuple[Fraction, ...]  # unrounded F of each published quarter of the year where it was scored


@dataclass(frozen=True)
class AnnualScore:
    department: DepartmentInput
    score: Fraction | None
    quarters: int
    rank: int | None = None
    grade: str | None = None

    @property
    def shown_score(self) -> Decimal | None:
        return round_half_up(self.score)


@dataclass(frozen=True)
class AnnualScores:
    groups: tuple[str, ...]
    departments: tuple[AnnualScore, ...]


def collected_sources(weights: Mapping[str, int]) -> list[str]:
    """Rule 3's sources: those collected in the quarter (weight above zero), in the usual order."""
    return [source for source in SOURCES if weights[source] > 0]


# --- rule 5 -------------------------------------------------------------------------------------------------------


def round_half_up(value: Fraction | Decimal | int | None) -> Decimal | None:
    """Round an exact value half up (away from zero on a tie) to two decimals."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return round_ratio(value.numerator, value.denominator)
    return round_ratio(*value.as_integer_ratio())  # a Decimal's or an int's exact ratio, without a Fraction


# Rounded values from 0.00 to 100.00 (every cell and source score, most composites), each built once.
_SHOWN: dict[int, Decimal] = {}


def round_ratio(numerator: int, denominator: int) -> Decimal:
    """`numerator / denominator` (denominator above zero, the ratio not necessarily reduced) rounded as rule 5.

    In integers, exactly: the hundredths of |n/d| plus one half, floored, are the rounded hundredths (a tie
    goes up, away from zero), whatever common factor n and d share. The sign goes back on afterwards, so
    -0.004 gives -0.00 as a Decimal quantize would. A results page rounds thousands of numbers; this costs no
    Decimal context nor division.
    """
    cents = (200 * abs(numerator) + denominator) // (2 * denominator)
    if numerator >= 0 and cents <= 10000:
        shown = _SHOWN.get(cents)
        if shown is None:
            shown = _SHOWN[cents] = Decimal(f"{cents}e-2")
        return shown
    return Decimal(f"{'-' if numerator < 0 else ''}{cents}e-2")  # exact: a Decimal is read without rounding


# --- rules 1–4 ----------------------------------------------------------------------------------------------------


def cell_mean(cell: CellAggregate | None, settings: ScoringSettings) -> Fraction | None:
    """Rule 1: the mean of the values, dropping one max and one min when trimming applies."""
    if cell is None or cell.n == 0:
        return None
    return Fraction(*_cell_ratio(cell, settings.trim, settings.trim_min_n))


def _cell_ratio(cell: CellAggregate, trim: bool, trim_min_n: int) -> tuple[int, int]:
    """Rule 1 on a non-empty cell, as (numerator, denominator) in points, not reduced."""
    n, total, low, high = cell
    if trim and n >= trim_min_n and n > 2:
        return total - high - low, 100 * (n - 2)
    return total, 100 * n


def weighted_mean(pairs: Iterable[tuple[Fraction, Fraction | None]]) -> Fraction | None:
    """Σ w·x / Σ w over the pairs whose value is not empty; empty when none is left.

    Summed as integer numerators over a product of denominators and reduced once at the end: the same exact
    fraction as Fraction arithmetic step by step, without a gcd at every step.
    """
    numerator, denominator, weights, weights_denominator = 0, 1, 0, 1
    for weight, value in pairs:
        if value is None or weight.numerator <= 0:  # a fraction's denominator is positive
            continue
        p, q = weight.numerator, weight.denominator
        numerator = numerator * q * value.denominator + p * value.numerator * denominator
        denominator *= q * value.denominator
        weights, weights_denominator = weights * q + p * weights_denominator, weights_denominator * q
    if weights == 0:
        return None
    return Fraction(numerator * weights_denominator, denominator * weights)


class _Exact(NamedTuple):
    """A department's numbers before ranking (rules 1–5): DepartmentScore's fields up to `shown_final`."""

    department: DepartmentInput
    cell_ratios: dict[str, dict[str, tuple[int, int]]]
    sources: dict[str, Fraction | None]
    ballots: dict[str, int]
    composite: Fraction | None
    adjustment: Decimal
    final: Fraction | None
    shown_cells: dict[str, dict[str, Decimal]]
    shown_sources: dict[str, Decimal | None]
    shown_composite: Decimal | None
    shown_final: Decimal | None


CriterionWeight = tuple[str, int]  # (criterion code, weight as a whole multiple of the weights' common denominator)


def integer_weights(criteria: Sequence[CriterionInput]) -> list[CriterionWeight]:
    """Rule 2's weights as integers: each weight times the least common denominator of them all. Σ w·x / Σ w is
    the same with every weight multiplied by one positive number, and whole weights keep the sums in integers."""
    ratios = [Fraction(criterion.weight) for criterion in criteria]
    common = lcm(*(ratio.denominator for ratio in ratios))
    return [
        (criterion.code, ratio.numerator * (common // ratio.denominator))
        for criterion, ratio in zip(criteria, ratios, strict=True)
    ]


def _department_score(
    data: ScoringInput,
    department: DepartmentInput,
    criteria: Sequence[CriterionWeight],
    source_rules: Sequence[tuple[str, int, int]],
) -> _Exact:
    """Rules 1–5 for one department, in integers: `weighted_mean`'s sums, written out for a quarter's thousands
    of cells, each rounding straight from its integers, a Fraction for each exact score (a cell's mean stays a
    pair of integers until `DepartmentScore.cells` is read). `criteria` as `integer_weights` gives them;
    `source_rules`: each source's weight and minimum ballots.

    A sum Σ w·a/b is kept as one numerator over one denominator; the cells of one department and source mostly
    share their denominator (as many values in each), so a term of the same denominator is added to the
    numerator alone, and the integers stay small."""
    settings = data.settings
    trim, trim_min_n = settings.trim, settings.trim_min_n
    cell_of, count_of, shown_of = data.cells.get, data.ballot_counts.get, _SHOWN.get
    department_id = department.id
    cells: dict[str, dict[str, tuple[int, int]]] = {}
    shown_cells: dict[str, dict[str, Decimal]] = {}
    sources: dict[str, Fraction | None] = {}
    shown_sources: dict[str, Decimal | None] = {}
    ballots: dict[str, int] = {}
    # Rule 3 over the sources: Σ W_s·S_s as composite_numerator / composite_denominator, and Σ W_s.
    composite_numerator, composite_denominator, composite_weights = 0, 1, 0
    for source, source_weight, minimum in source_rules:
        means: dict[str, tuple[int, int]] = {}
        shown: dict[str, Decimal] = {}
        # Rule 2 over the criteria: Σ w·mean as numerator / denominator, and Σ w.
        numerator, denominator, weights = 0, 1, 0
        for code, weight in criteria:
            cell = cell_of((source, department_id, code))
            if cell is None or cell.n == 0:
                continue
            a, b = means[code] = _cell_ratio(cell, trim, trim_min_n)
            # round_ratio, inline: a cell's mean lies between 0 and 100, whose roundings are kept.
            rounded = shown_of((200 * a + b) // (2 * b))
            shown[code] = round_ratio(a, b) if rounded is None else rounded
            if weight > 0:
                if b == denominator:
                    numerator += weight * a
                else:
                    numerator, denominator = numerator * b + weight * a * denominator, denominator * b
                weights += weight
        cells[source], shown_cells[source] = means, shown
        ballots[source] = int(count_of((source, department_id), 0))
        # Rule 2: empty when every cell is empty or too few ballots rated the department.
        if weights == 0 or ballots[source] < minimum:
            sources[source] = shown_sources[source] = None
            continue
        score = sources[source] = Fraction(numerator, denominator * weights)
        shown_sources[source] = round_ratio(score.numerator, score.denominator)
        # Rule 3: only sources with W_s > 0 take part; missing ones are re-normalised away.
        if source_weight > 0:
            composite_numerator = composite_numerator * score.denominator + source_weight * score.numerator * (
                composite_denominator
            )
            composite_denominator *= score.denominator
            composite_weights += source_weight
    adjustment = Decimal(data.adjustments.get(department_id, 0))
    if composite_weights == 0:
        return _Exact(
            department, cells, sources, ballots, None, adjustment, None, shown_cells, shown_sources, None, None
        )
    composite = Fraction(composite_numerator, composite_denominator * composite_weights)
    # Rule 4.
    points, per = adjustment.as_integer_ratio()
    final = Fraction(composite.numerator * per + points * composite.denominator, composite.denominator * per)
    return _Exact(
        department,
        cells,
        sources,
        ballots,
        composite,
        adjustment,
        final,
        shown_cells,
        shown_sources,
        round_ratio(composite.numerator, composite.denominator),
        round_ratio(final.numerator, final.denominator),
    )


# --- rules 6–7 ----------------------------------------------------------------------------------------------------


def _display_key(department: DepartmentInput) -> tuple[int, str]:
    return (department.order, department.code)


def ordered_groups(departments: Iterable[DepartmentInput]) -> tuple[str, ...]:
    """Groups in the order of their first department by display order (order, code)."""
    groups: list[str] = []
    for department in sorted(departments, key=_display_key):
        if department.group not in groups:
            groups.append(department.group)
    return tuple(groups)


def competition_ranks(scores: Sequence[Decimal]) -> list[int]:
    """Ranks of scores already sorted highest first: equal scores share a rank, the next is skipped (1, 2, 2, 4)."""
    ranks: list[int] = []
    for position, score in enumerate(scores):
        ranks.append(ranks[-1] if position and score == scores[position - 1] else position + 1)
    return ranks


# One department's place in its group: its numbers, rank, rank change and grade.
Placed = tuple[_Exact, int | None, int | None, str | None]


def _rank_group(members: list[_Exact]) -> tuple[list[_Exact], list[_Exact]]:
    """One group's scored members in ranking order (rule 6), and its unscored ones in display order."""
    scored = sorted(
        (m for m in members if m.final is not None),
        key=lambda m: (-m.shown_final, *_display_key(m.department)),  # type: ignore[operator]
    )
    unscored = sorted((m for m in members if m.final is None), key=lambda m: _display_key(m.department))
    return scored, unscored


def compute_quarter(data: ScoringInput) -> QuarterScores:
    """Apply rules 1–7, 9 and 11 to one quarter."""
    criteria = integer_weights(data.criteria)
    source_rules = [(source, data.settings.weight(source), data.settings.minimum(source)) for source in SOURCES]
    groups = ordered_groups(data.departments)
    members: dict[str, list[_Exact]] = {group: [] for group in groups}
    for department in data.departments:
        members[department.group].append(_department_score(data, department, criteria, source_rules))
    listed: list[Placed] = []
    for group in groups:
        scored, unscored = _rank_group(members[group])
        ranks = competition_ranks([m.shown_final for m in scored])  # type: ignore[misc]
        labels = assign_grades([(rank, m.shown_final) for m, rank in zip(scored, ranks, strict=True)], data.grades)  # type: ignore[misc]
        for member, rank, label in zip(scored, ranks, labels, strict=True):
            # Rule 7.
            before = data.previous_ranks.get((member.department.id, member.department.group))
            listed.append((member, rank, None if before is None else before - rank, label))
        listed += [(member, None, None, None) for member in unscored]
    return QuarterScores(groups=groups, departments=_placed(listed, data.earlier_last_places))


def _placed(listed: list[Placed], earlier: Sequence[frozenset[PlaceKey]]) -> tuple[DepartmentScore, ...]:
    """The departments with their last-place flag and streak (rule 11)."""
    last = last_in_groups(((m.department.id, m.department.group), m.department.group, rank) for m, rank, *_ in listed)
    streaks = last_place_streaks(last, earlier)
    scores = []
    for member, rank, change, grade in listed:
        key = (member.department.id, member.department.group)
        streak = streaks.get(key, 0)
        scores.append(DepartmentScore(*member, rank, change, grade, last_place=bool(streak), last_place_streak=streak))
    return tuple(scores)


# --- rule 9 -------------------------------------------------------------------------------------------------------


def grade_mode(grades: Sequence[GradeRule]) -> str | None:
    """ "quota" or "threshold" for a valid list of grades, None without grades."""
    if not grades:
        return None
    return "quota" if grades[0].quota is not None else "threshold"


def round_half_up_whole(value: Fraction) -> int:
    """Round an exact non-negative value half up to a whole number (2.5 -> 3, 2.4 -> 2)."""
    return floor(value + Fraction(1, 2))


def quota_ends(count: int, grades: Sequence[GradeRule]) -> list[int]:
    """Rule 9, quota mode: where each grade ends, as a count of departments, round_half_up(N × Σ q / 100)."""
    ends, cumulative = [], 0
    for grade in grades:
        cumulative += grade.quota or 0
        ends.append(round_half_up_whole(Fraction(count * cumulative, 100)))
    return ends


def assign_grades(ranked: Sequence[tuple[int, Decimal]], grades: Sequence[GradeRule]) -> list[str | None]:
    """Rule 9: the grade of each ranked department of one group, given in ranking order as (rank, shown score).

    Without grades every department gets None. Departments sharing a rank always share the better grade.
    """
    if not grades:
        return [None] * len(ranked)
    if grade_mode(grades) == "threshold":
        return [_threshold_grade(score, grades) for _rank, score in ranked]
    ends = quota_ends(len(ranked), grades)
    labels: list[str | None] = []
    index = 0
    for position, (rank, _score) in enumerate(ranked):
        if position and rank == ranked[position - 1][0]:
            labels.append(labels[-1])
            continue
        # `position` departments come before this one: the grade goes on while that count is short of its end.
        while index < len(grades) - 1 and position >= ends[index]:
            index += 1
        labels.append(grades[index].label)
    return labels


def _threshold_grade(score: Decimal, grades: Sequence[GradeRule]) -> str:
    for grade in grades:
        if grade.min_score is not None and grade.min_score <= score:
            return grade.label
    return grades[-1].label


# --- rule 11 ------------------------------------------------------------------------------------------------------

Key = TypeVar("Key", bound=Hashable)


def last_in_groups(ranked: Iterable[tuple[Key, str, int | None]]) -> set[Key]:
    """Rule 11: of (key, group, rank) entries, the keys whose rank is the worst of their group's ranked ones.

    Unranked entries (rank None) are ignored; a group of fewer than two ranked entries has no last place.
    """
    groups: dict[str, list[tuple[Key, int]]] = {}
    for key, group, rank in ranked:
        if rank is not None:
            groups.setdefault(group, []).append((key, rank))
    last: set[Key] = set()
    for members in groups.values():
        if len(members) >= 2:
            worst = max(rank for _key, rank in members)
            last.update(key for key, rank in members if rank == worst)
    return last


def last_place_streaks(current: Iterable[Key], earlier: Sequence[frozenset[Key] | set[Key]]) -> dict[Key, int]:
    """Rule 11: for each key last now, how many consecutive quarters, ending with this one, it has been last.

    `earlier` holds the last places of the earlier published quarters, newest first.
    """
    streaks: dict[Key, int] = {}
    for key in current:
        streak = 1
        for places in earlier:
            if key not in places:
                break
            streak += 1
        streaks[key] = streak
    return streaks


# --- rule 8 -------------------------------------------------------------------------------------------------------


def compute_annual(entries: Iterable[AnnualInput], grades: Sequence[GradeRule] = ()) -> AnnualScores:
    """Rule 8: the mean of the unrounded final scores, ranked by rule 6 within each group; graded by rule 9 with
    `grades` (the grade settings of the year's latest published quarter)."""
    scores = [
        AnnualScore(e.department, sum(e.finals, Fraction(0)) / len(e.finals) if e.finals else None, len(e.finals))
        for e in entries
    ]
    groups = ordered_groups(s.department for s in scores)
    listed: list[AnnualScore] = []
    for group in groups:
        members = [s for s in scores if s.department.group == group]
        scored = sorted(
            (m for m in members if m.score is not None),
            key=lambda m: (-m.shown_score, *_display_key(m.department)),  # type: ignore[operator]
        )
        ranks = competition_ranks([m.shown_score for m in scored])  # type: ignore[misc]
        labels = assign_grades([(r, m.shown_score) for m, r in zip(scored, ranks, strict=True)], grades)  # type: ignore[misc]
        listed += [replace(m, rank=r, grade=g) for m, r, g in zip(scored, ranks, labels, strict=True)]
        listed += sorted((m for m in members if m.score is None), key=lambda m: _display_key(m.department))
    return AnnualScores(groups=groups, departments=tuple(listed))
