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
from math import floor
from typing import TypeVar

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


@dataclass(frozen=True)
class CellAggregate:
    """The non-abstention values of one (source, department, criterion) cell, in hundredths of a point."""

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
    """One department's exact results; `shown_*` give the rounded values (rule 5)."""

    department: DepartmentInput
    cells: dict[str, dict[str, Fraction]]  # source -> criterion code -> mean, non-empty cells only
    sources: dict[str, Fraction | None]
    ballots: dict[str, int]
    composite: Fraction | None
    adjustment: Decimal
    final: Fraction | None
    rank: int | None = None
    rank_change: int | None = None
    grade: str | None = None
    last_place: bool = False
    last_place_streak: int = 0

    @property
    def scored(self) -> bool:
        return self.final is not None

    @property
    def shown_final(self) -> Decimal | None:
        return round_half_up(self.final)

    @property
    def shown_composite(self) -> Decimal | None:
        return round_half_up(self.composite)


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
    """Round an exact value half up (away from zero on a tie) to two decimals.

    In integers, exactly: the hundredths of |n/d| plus one half, floored, are the rounded hundredths (a tie
    goes up, away from zero). The sign goes back on afterwards, so -0.004 gives -0.00 as a Decimal quantize
    would. A results page rounds thousands of numbers; this costs no Decimal context nor division.
    """
    if value is None:
        return None
    fraction = value if isinstance(value, Fraction) else Fraction(value)
    numerator, denominator = fraction.numerator, fraction.denominator
    cents = (200 * abs(numerator) + denominator) // (2 * denominator)
    return Decimal(f"{'-' if numerator < 0 else ''}{cents}e-2")  # exact: a Decimal is read without rounding


# --- rules 1–4 ----------------------------------------------------------------------------------------------------


def cell_mean(cell: CellAggregate | None, settings: ScoringSettings) -> Fraction | None:
    """Rule 1: the mean of the values, dropping one max and one min when trimming applies."""
    if cell is None or cell.n == 0:
        return None
    if settings.trim and cell.n >= settings.trim_min_n and cell.n > 2:
        return Fraction(cell.total_centi - cell.max_centi - cell.min_centi, 100 * (cell.n - 2))
    return Fraction(cell.total_centi, 100 * cell.n)


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


def _department_score(
    data: ScoringInput,
    department: DepartmentInput,
    criterion_weights: Sequence[tuple[str, Fraction]],
    source_weights: Mapping[str, Fraction],
) -> DepartmentScore:
    cells: dict[str, dict[str, Fraction]] = {}
    sources: dict[str, Fraction | None] = {}
    ballots: dict[str, int] = {}
    for source in SOURCES:
        means = {
            code: cell_mean(data.cells.get((source, department.id, code)), data.settings)
            for code, _weight in criterion_weights
        }
        cells[source] = {code: mean for code, mean in means.items() if mean is not None}
        ballots[source] = int(data.ballot_counts.get((source, department.id), 0))
        # Rule 2: empty when every cell is empty or too few ballots rated the department.
        score = weighted_mean((weight, means[code]) for code, weight in criterion_weights)
        sources[source] = None if ballots[source] < data.settings.minimum(source) else score
    # Rule 3: only sources with W_s > 0 take part; missing ones are re-normalised away.
    composite = weighted_mean((source_weights[s], sources[s]) for s in SOURCES)
    adjustment = Decimal(data.adjustments.get(department.id, Decimal(0)))
    final = None if composite is None else composite + Fraction(adjustment)
    return DepartmentScore(department, cells, sources, ballots, composite, adjustment, final)


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


def _rank_group(members: list[DepartmentScore], previous: Mapping[tuple[int, str], int]) -> list[DepartmentScore]:
    scored = sorted(
        (m for m in members if m.scored),
        key=lambda m: (-m.shown_final, *_display_key(m.department)),  # type: ignore[operator]
    )
    unscored = sorted((m for m in members if not m.scored), key=lambda m: _display_key(m.department))
    ranked: list[DepartmentScore] = []
    for member, rank in zip(scored, competition_ranks([m.shown_final for m in scored]), strict=True):
        before = previous.get((member.department.id, member.department.group))
        change = None if before is None else before - rank
        ranked.append(replace(member, rank=rank, rank_change=change))
    return ranked + unscored


def compute_quarter(data: ScoringInput) -> QuarterScores:
    """Apply rules 1–7, 9 and 11 to one quarter."""
    criterion_weights = [(c.code, Fraction(c.weight)) for c in data.criteria]
    source_weights = {source: Fraction(data.settings.weight(source)) for source in SOURCES}
    scores = [_department_score(data, d, criterion_weights, source_weights) for d in data.departments]
    groups = ordered_groups(data.departments)
    listed: list[DepartmentScore] = []
    for group in groups:
        ranked = _rank_group([s for s in scores if s.department.group == group], data.previous_ranks)
        listed += _graded(ranked, data.grades)
    return QuarterScores(groups=groups, departments=tuple(_placed(listed, data.earlier_last_places)))


def _graded(members: list[DepartmentScore], grades: Sequence[GradeRule]) -> list[DepartmentScore]:
    """One group's members (ranked ones first, in rank order) with their grades (rule 9)."""
    ranked = [m for m in members if m.rank is not None]
    labels = assign_grades([(m.rank, m.shown_final) for m in ranked], grades)  # type: ignore[misc]
    return [replace(m, grade=label) for m, label in zip(ranked, labels, strict=True)] + members[len(ranked) :]


def _placed(listed: list[DepartmentScore], earlier: Sequence[frozenset[PlaceKey]]) -> list[DepartmentScore]:
    """The departments with their last-place flag and streak (rule 11)."""
    last = last_in_groups(((s.department.id, s.department.group), s.department.group, s.rank) for s in listed)
    streaks = last_place_streaks(last, earlier)
    return [
        replace(s, last_place=True, last_place_streak=streaks[key])
        if (key := (s.department.id, s.department.group)) in last
        else s
        for s in listed
    ]


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
