"""docs/scoring.md rule 9 (grades) on plain data, without a database: example 6 and the boundaries."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from evaluation.scoring import (
    AnnualInput,
    DepartmentInput,
    GradeRule,
    assign_grades,
    compute_annual,
    quota_ends,
    round_half_up_whole,
)

QUOTAS = (GradeRule("好", quota=20), GradeRule("较好", quota=50), GradeRule("一般", quota=30))
THRESHOLDS = (
    GradeRule("好", min_score=Decimal("90")),
    GradeRule("较好", min_score=Decimal("80")),
    GradeRule("一般", min_score=Decimal("60")),
)


def _ranked(ranks: list[int]) -> list[tuple[int, Decimal]]:
    return [(rank, Decimal(100 - rank)) for rank in ranks]


def test_example_6_ties_across_the_quota_line_take_the_better_grade() -> None:
    ranks = [1, 2, 2, *range(4, 13)]
    labels = assign_grades(_ranked(ranks), QUOTAS)
    assert quota_ends(12, QUOTAS) == [2, 8, 12]
    assert labels == ["好"] * 3 + ["较好"] * 5 + ["一般"] * 4


def test_it_rounds_the_quota_line_half_up() -> None:
    assert round_half_up_whole(Fraction(5, 2)) == 3
    assert round_half_up_whole(Fraction(12, 5)) == 2
    # N = 10, 好 25 %: 2.5 rounds up to 3, not to the even 2.
    grades = (GradeRule("好", quota=25), GradeRule("一般", quota=75))
    assert assign_grades(_ranked(list(range(1, 11))), grades) == ["好"] * 3 + ["一般"] * 7


def test_a_tie_spanning_two_lines_shrinks_the_next_grades() -> None:
    # Five departments share rank 1: all 好, although 好 and 较好 together end at 4 of 6.
    labels = assign_grades(
        _ranked([1, 1, 1, 1, 1, 6]), (GradeRule("好", 20), GradeRule("较好", 50), GradeRule("一般", 30))
    )
    assert labels == ["好"] * 5 + ["一般"]


def test_the_last_grade_takes_the_rest_and_a_zero_quota_is_skipped() -> None:
    grades = (GradeRule("好", quota=0), GradeRule("较好", quota=50), GradeRule("差", quota=50))
    assert assign_grades(_ranked([1, 2, 3, 4]), grades) == ["较好", "较好", "差", "差"]


def test_threshold_mode_takes_the_best_grade_whose_minimum_is_reached() -> None:
    scores = [Decimal("95.00"), Decimal("90.00"), Decimal("89.99"), Decimal("80.00"), Decimal("60.00")]
    ranked = [(i + 1, score) for i, score in enumerate(scores)]
    assert assign_grades(ranked, THRESHOLDS) == ["好", "好", "较好", "较好", "一般"]


def test_threshold_mode_gives_the_last_grade_below_every_minimum() -> None:
    assert assign_grades([(1, Decimal("59.99")), (2, Decimal("-3.00"))], THRESHOLDS) == ["一般", "一般"]


def test_without_grades_nobody_is_graded() -> None:
    assert assign_grades(_ranked([1, 2]), ()) == [None, None]


def test_annual_grades_follow_the_same_rule_on_annual_scores() -> None:
    entries = [
        AnnualInput(DepartmentInput(id=i, code=f"D{i}", name=f"D{i}", group="functional", order=i), finals)
        for i, finals in enumerate([(Fraction(95),), (Fraction(85), Fraction(75)), (Fraction(50),), ()])
    ]
    annual = compute_annual(entries, THRESHOLDS)
    assert [(a.department.code, a.rank, a.grade) for a in annual.departments] == [
        ("D0", 1, "好"),
        ("D1", 2, "较好"),
        ("D2", 3, "一般"),
        ("D3", None, None),
    ]
