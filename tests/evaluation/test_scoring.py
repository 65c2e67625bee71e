"""docs/scoring.md rules 1–8 on plain data, without a database."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from evaluation.scoring import (
    AnnualInput,
    CellAggregate,
    CriterionInput,
    DepartmentInput,
    ScoringInput,
    ScoringSettings,
    cell_mean,
    competition_ranks,
    compute_annual,
    compute_quarter,
    integer_weights,
    round_half_up,
    weighted_mean,
)

CRITERIA = ("efficiency", "quality", "service")
DEFAULT_WEIGHTS = {"grassroots": 40, "peer": 30, "leadership": 30}


def _department(pk: int, code: str, group: str = "functional", order: int = 0) -> DepartmentInput:
    return DepartmentInput(id=pk, code=code, name=code, group=group, order=order)


def build(
    ballots: list[tuple[str, int, dict[str, int | None]]],
    departments: list[DepartmentInput],
    *,
    weights: dict[str, int] | None = None,
    trim: bool = False,
    trim_min_n: int = 5,
    min_ballots: dict[str, int] | None = None,
    adjustments: dict[int, Decimal] | None = None,
    previous_ranks: dict[tuple[int, str], int] | None = None,
    criteria: tuple[CriterionInput, ...] | None = None,
) -> ScoringInput:
    """Each ballot: (source, department id, {criterion: points or None}); values are whole points."""
    values: dict[tuple[str, int, str], list[int]] = {}
    counts: dict[tuple[str, int], int] = {}
    for source, department_id, cells in ballots:
        given = {code: v for code, v in cells.items() if v is not None}
        for code, value in given.items():
            values.setdefault((source, department_id, code), []).append(value * 100)
        if given:
            counts[(source, department_id)] = counts.get((source, department_id), 0) + 1
    return ScoringInput(
        settings=ScoringSettings(
            weights=weights or DEFAULT_WEIGHTS,
            trim=trim,
            trim_min_n=trim_min_n,
            min_ballots=min_ballots or {"grassroots": 1, "peer": 1, "leadership": 1},
        ),
        criteria=criteria or tuple(CriterionInput(code, Decimal(1)) for code in CRITERIA),
        departments=tuple(departments),
        cells={key: CellAggregate.of(v) for key, v in values.items()},
        ballot_counts=counts,
        adjustments=adjustments or {},
        previous_ranks=previous_ranks or {},
    )


def cells(e: int | None, q: int | None, s: int | None) -> dict[str, int | None]:
    return {"efficiency": e, "quality": q, "service": s}


EXAMPLE_1 = [
    ("grassroots", 1, cells(90, 80, 70)),
    ("grassroots", 1, cells(70, 80, 90)),
    ("peer", 1, cells(100, 80, 60)),
    ("leadership", 1, cells(60, 60, 60)),
]
EXAMPLE_2 = [
    ("grassroots", 2, cells(100, 100, 100)),
    ("leadership", 2, cells(80, None, 80)),
]


def by_code(result) -> dict:
    return {d.department.code: d for d in result.departments}


def test_example_1_all_sources_present() -> None:
    result = by_code(compute_quarter(build(EXAMPLE_1, [_department(1, "A")])))
    a = result["A"]
    assert a.cells["grassroots"] == {"efficiency": 80, "quality": 80, "service": 80}
    assert a.sources == {"grassroots": 80, "peer": 80, "leadership": 60}
    assert a.composite == 74
    assert a.shown_final == Decimal("74.00")
    assert a.ballots == {"grassroots": 2, "peer": 1, "leadership": 1}


def test_example_2_missing_source_and_abstention_with_adjustment_ranks_b_first() -> None:
    data = build(
        EXAMPLE_1 + EXAMPLE_2,
        [_department(1, "A", order=1), _department(2, "B", order=2)],
        adjustments={2: Decimal("-1.50")},
    )
    result = compute_quarter(data)
    b = by_code(result)["B"]
    assert b.sources == {"grassroots": 100, "peer": None, "leadership": 80}
    assert b.cells["leadership"] == {"efficiency": 80, "service": 80}
    assert b.composite == Fraction(4000 + 2400, 70)
    assert b.shown_composite == Decimal("91.43")
    assert b.final == Fraction(6400, 70) - Fraction(3, 2)
    assert b.shown_final == Decimal("89.93")
    assert [(d.department.code, d.rank) for d in result.departments] == [("B", 1), ("A", 2)]


def test_example_3_trimming_drops_one_highest_and_one_lowest() -> None:
    settings = ScoringSettings(weights=DEFAULT_WEIGHTS, trim=True, trim_min_n=5)
    mean = cell_mean(CellAggregate.of([10000, 8000, 8000, 6000, 4000]), settings)
    assert mean == Fraction(220, 3)
    assert round_half_up(mean) == Decimal("73.33")


def test_example_3_no_trim_below_trim_min_n() -> None:
    settings = ScoringSettings(weights=DEFAULT_WEIGHTS, trim=True, trim_min_n=5)
    assert cell_mean(CellAggregate.of([10000, 8000, 6000, 4000]), settings) == 70


@pytest.mark.parametrize(
    ("values", "trim_min_n", "expected"),
    [
        ([50, 60, 70, 80], 5, Fraction(65)),  # n = trim_min_n − 1: plain mean
        ([50, 60, 70, 80, 100], 5, Fraction(70)),  # n = trim_min_n: trimmed
        ([100, 100, 100, 40, 40], 5, Fraction(80)),  # only ONE max and ONE min go
        ([70, 70, 70], 3, Fraction(70)),
        ([0, 100, 100], 3, Fraction(100)),
    ],
)
def test_trim_boundaries(values: list[int], trim_min_n: int, expected: Fraction) -> None:
    settings = ScoringSettings(weights=DEFAULT_WEIGHTS, trim=True, trim_min_n=trim_min_n)
    assert cell_mean(CellAggregate.of([v * 100 for v in values]), settings) == expected


def test_trim_off_never_trims() -> None:
    settings = ScoringSettings(weights=DEFAULT_WEIGHTS, trim=False, trim_min_n=3)
    assert cell_mean(CellAggregate.of([0, 10000, 10000, 10000, 10000]), settings) == 80


def test_example_4_ties_are_decided_on_rounded_scores() -> None:
    # Composites 85.004 / 84.996 / 80 through single peer-only cells of hundredths.
    departments = [_department(1, "X", order=2), _department(2, "Y", order=1), _department(3, "Z", order=0)]
    data = build([], departments, weights={"grassroots": 0, "peer": 100, "leadership": 0})
    data = ScoringInput(
        settings=data.settings,
        criteria=(CriterionInput("efficiency", Decimal(1)),),
        departments=data.departments,
        cells={
            ("peer", 1, "efficiency"): CellAggregate(n=1, total_centi=8500, min_centi=8500, max_centi=8500),
            ("peer", 2, "efficiency"): CellAggregate(n=1, total_centi=8500, min_centi=8500, max_centi=8500),
            ("peer", 3, "efficiency"): CellAggregate(n=1, total_centi=8000, min_centi=8000, max_centi=8000),
        },
        ballot_counts={("peer", 1): 1, ("peer", 2): 1, ("peer", 3): 1},
        adjustments={1: Decimal("0.004") * 1, 2: Decimal("-0.004")},
    )
    result = compute_quarter(data)
    assert [(d.department.code, d.rank, d.shown_final) for d in result.departments] == [
        ("Y", 1, Decimal("85.00")),  # tied: listed by department order
        ("X", 1, Decimal("85.00")),
        ("Z", 3, Decimal("80.00")),
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction("72.125"), "72.13"),  # example 5: half up, not half even
        (Fraction("72.135"), "72.14"),
        (Fraction("72.124999"), "72.12"),
        (Fraction(6400, 70), "91.43"),
        (Fraction(-1, 200), "-0.01"),  # ties away from zero, like Decimal ROUND_HALF_UP
        (Fraction(-3, 2), "-1.50"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(100), "100.00"),
    ],
)
def test_example_5_rounding_half_up(value: Fraction, shown: str) -> None:
    assert str(round_half_up(value)) == shown


def test_competition_ranks_skip_after_ties() -> None:
    scores = [Decimal(x) for x in ("90", "85", "85", "80", "80", "80", "70")]
    assert competition_ranks(scores) == [1, 2, 2, 4, 4, 4, 7]


def test_abstentions_are_excluded_not_zero() -> None:
    data = build([("peer", 1, cells(80, None, None)), ("peer", 1, cells(None, None, 60))], [_department(1, "A")])
    a = by_code(compute_quarter(data))["A"]
    assert a.cells["peer"] == {"efficiency": 80, "service": 60}
    assert a.sources["peer"] == 70
    assert a.ballots["peer"] == 2


def test_a_ballot_of_only_abstentions_does_not_count() -> None:
    data = build(
        [("peer", 1, cells(None, None, None)), ("peer", 1, cells(80, 80, 80))],
        [_department(1, "A")],
        min_ballots={"grassroots": 1, "peer": 2, "leadership": 1},
    )
    a = by_code(compute_quarter(data))["A"]
    assert a.ballots["peer"] == 1
    assert a.sources["peer"] is None
    assert a.final is None


def test_min_ballots_empties_a_source_but_keeps_its_cells() -> None:
    data = build(
        [("grassroots", 1, cells(50, 50, 50)), ("peer", 1, cells(90, 90, 90)), ("peer", 1, cells(70, 70, 70))],
        [_department(1, "A")],
        min_ballots={"grassroots": 2, "peer": 2, "leadership": 1},
    )
    a = by_code(compute_quarter(data))["A"]
    assert a.sources == {"grassroots": None, "peer": 80, "leadership": None}
    assert a.cells["grassroots"] == {"efficiency": 50, "quality": 50, "service": 50}
    assert a.composite == 80


def test_weighted_criteria_are_normalised_over_non_empty_cells() -> None:
    criteria = (
        CriterionInput("efficiency", Decimal("2")),
        CriterionInput("quality", Decimal("1")),
        CriterionInput("service", Decimal("0.5")),
    )
    data = build([("peer", 1, cells(90, None, 60))], [_department(1, "A")], criteria=criteria)
    a = by_code(compute_quarter(data))["A"]
    assert a.sources["peer"] == Fraction(2 * 90 + Fraction(1, 2) * 60, Fraction(5, 2))


def test_a_weight_zero_source_is_left_out_of_the_composite() -> None:
    data = build(
        [("grassroots", 1, cells(100, 100, 100)), ("peer", 1, cells(50, 50, 50))],
        [_department(1, "A")],
        weights={"grassroots": 0, "peer": 60, "leadership": 40},
    )
    a = by_code(compute_quarter(data))["A"]
    assert a.composite == 50


def test_negative_adjustments_are_not_clamped() -> None:
    data = build([("peer", 1, cells(1, 1, 1))], [_department(1, "A")], adjustments={1: Decimal("-5.25")})
    a = by_code(compute_quarter(data))["A"]
    assert a.shown_final == Decimal("-4.25")
    assert a.adjustment == Decimal("-5.25")


def test_unscored_departments_stay_unscored_and_come_last() -> None:
    departments = [_department(1, "A", order=5), _department(2, "OFF", order=1), _department(3, "C", order=9)]
    data = build(
        [("peer", 1, cells(60, 60, 60)), ("peer", 3, cells(70, 70, 70))], departments, adjustments={2: Decimal("5")}
    )
    result = compute_quarter(data)
    assert [(d.department.code, d.rank) for d in result.departments] == [("C", 1), ("A", 2), ("OFF", None)]
    off = by_code(result)["OFF"]
    assert off.final is None
    assert off.composite is None
    assert off.rank_change is None


def test_every_group_is_ranked_on_its_own() -> None:
    departments = [
        _department(1, "F1", "functional", 1),
        _department(2, "F2", "functional", 2),
        _department(3, "A1", "affiliated", 3),
        _department(4, "B1", "business", 0),
    ]
    data = build(
        [
            ("peer", 1, cells(70, 70, 70)),
            ("peer", 2, cells(90, 90, 90)),
            ("peer", 3, cells(50, 50, 50)),
            ("peer", 4, cells(10, 10, 10)),
        ],
        departments,
    )
    result = compute_quarter(data)
    assert result.groups == ("business", "functional", "affiliated")
    assert [(d.department.code, d.rank) for d in result.departments] == [
        ("B1", 1),
        ("F2", 1),
        ("F1", 2),
        ("A1", 1),
    ]


def test_rank_change_is_previous_rank_minus_rank_in_the_same_group() -> None:
    departments = [_department(1, "A", order=1), _department(2, "B", order=2), _department(3, "C", order=3)]
    data = build(
        [("peer", 1, cells(60, 60, 60)), ("peer", 2, cells(80, 80, 80)), ("peer", 3, cells(70, 70, 70))],
        departments,
        previous_ranks={(1, "functional"): 1, (2, "functional"): 3, (3, "business"): 1},
    )
    changes = {d.department.code: d.rank_change for d in compute_quarter(data).departments}
    assert changes == {"B": 2, "A": -2, "C": None}


def test_annual_score_is_the_mean_of_unrounded_finals_and_ranked_by_rule_6() -> None:
    a, b, c = _department(1, "A", order=1), _department(2, "B", order=2), _department(3, "C", order=3)
    annual = compute_annual(
        [
            AnnualInput(a, (Fraction("80.004"), Fraction("80.001"))),
            AnnualInput(b, (Fraction("80.005"),)),
            AnnualInput(c, ()),
        ]
    )
    rows = [(s.department.code, s.rank, s.shown_score, s.quarters) for s in annual.departments]
    assert rows == [("B", 1, Decimal("80.01"), 1), ("A", 2, Decimal("80.00"), 2), ("C", None, None, 0)]


def test_annual_mean_uses_unrounded_scores() -> None:
    # 0.005 + 0.005 + 0.0049 (unrounded) averages 0.0049666…, shown 0.00; rounded first it would be 0.01.
    entry = AnnualInput(_department(1, "A"), (Fraction("0.005"), Fraction("0.005"), Fraction("0.0049")))
    assert compute_annual([entry]).departments[0].shown_score == Decimal("0.00")


@pytest.mark.parametrize(
    ("pairs", "mean"),
    [
        ([(Fraction(1), Fraction(80)), (Fraction(1), Fraction(61, 3))], Fraction(301, 6)),
        ([(Fraction(1, 2), Fraction(90)), (Fraction(3, 2), Fraction(70))], Fraction(75)),  # Σ w·x / Σ w
        ([(Fraction(0), Fraction(10)), (Fraction(2), Fraction(7, 9))], Fraction(7, 9)),  # a zero weight is left out
        ([(Fraction(1), None), (Fraction(3), Fraction(5))], Fraction(5)),  # so is an empty value
        ([(Fraction(1), None), (Fraction(0), Fraction(5))], None),
        ([], None),
    ],
)
def test_weighted_mean_is_exact(pairs: list, mean: Fraction | None) -> None:
    assert weighted_mean(pairs) == mean


def test_integer_weights_keep_every_ratio() -> None:
    criteria = [
        CriterionInput("a", Decimal("0.5")),
        CriterionInput("b", Decimal("1.25")),
        CriterionInput("c", Decimal("2")),
    ]
    assert integer_weights(criteria) == [("a", 2), ("b", 5), ("c", 8)]  # × 4, the least common denominator
    zero_and_whole = [CriterionInput("a", Decimal("0")), CriterionInput("b", Decimal("3"))]
    assert integer_weights(zero_and_whole) == [("a", 0), ("b", 3)]
    assert integer_weights([]) == []


def test_cells_of_different_counts_are_summed_exactly() -> None:
    """Rule 2 over cells of unequal counts (their means over different denominators) and fractional weights."""
    department = _department(1, "d1")
    data = build(
        [("grassroots", 1, cells(100, 80, None)), ("grassroots", 1, cells(70, None, 40))],
        [department],
        weights={"grassroots": 100, "peer": 0, "leadership": 0},
        criteria=(
            CriterionInput("efficiency", Decimal("0.5")),
            CriterionInput("quality", Decimal(1)),
            CriterionInput("service", Decimal(1)),
        ),
    )
    (score,) = compute_quarter(data).departments
    # efficiency 85 over 2 values, quality 80 and service 40 over 1 each: (0.5·85 + 80 + 40) / 2.5
    assert score.sources["grassroots"] == Fraction(65)
