"""docs/scoring.md rules 9 and 11 inside compute_quarter: grades, last places and their streaks, no database."""

from __future__ import annotations

from decimal import Decimal

from evaluation.scoring import (
    CellAggregate,
    CriterionInput,
    DepartmentInput,
    GradeRule,
    ScoringInput,
    ScoringSettings,
    compute_quarter,
    last_in_groups,
    last_place_streaks,
)


def _input(scores: dict[int, tuple[str, int | None]], **extra) -> ScoringInput:
    """Departments by id: (group, one leadership value or None for unscored)."""
    departments = tuple(
        DepartmentInput(id=i, code=f"D{i}", name=f"D{i}", group=g, order=i) for i, (g, _) in scores.items()
    )
    cells = {("leadership", i, "c"): CellAggregate.of([v * 100]) for i, (_, v) in scores.items() if v is not None}
    counts = {("leadership", i): 1 for i, (_, v) in scores.items() if v is not None}
    return ScoringInput(
        settings=ScoringSettings(weights={"grassroots": 0, "peer": 0, "leadership": 100}),
        criteria=(CriterionInput("c", Decimal(1)),),
        departments=departments,
        cells=cells,
        ballot_counts=counts,
        **extra,
    )


def test_the_worst_rank_of_a_group_is_last_and_ties_share_it() -> None:
    assert last_in_groups([("a", "f", 1), ("b", "f", 2), ("c", "f", 2), ("d", "f", None)]) == {"b", "c"}


def test_a_group_of_one_ranked_department_has_no_last_place() -> None:
    assert last_in_groups([("a", "f", 1), ("b", "f", None), ("c", "g", 1), ("d", "g", 2)]) == {"d"}


def test_the_streak_counts_consecutive_earlier_quarters_only() -> None:
    earlier = [frozenset({"a", "b"}), frozenset({"b"}), frozenset({"a", "b"})]
    assert last_place_streaks({"a", "b", "c"}, earlier) == {"a": 2, "b": 4, "c": 1}


def test_compute_quarter_flags_last_places_with_their_streak_per_group() -> None:
    data = _input(
        {1: ("f", 90), 2: ("f", 70), 3: ("f", None), 4: ("b", 80), 5: ("b", 80), 6: ("solo", 50)},
        earlier_last_places=(frozenset({(2, "f"), (5, "b")}), frozenset({(2, "f")}), frozenset()),
    )
    rows = {s.department.code: s for s in compute_quarter(data).departments}
    assert [(c, rows[c].last_place, rows[c].last_place_streak) for c in sorted(rows)] == [
        ("D1", False, 0),
        ("D2", True, 3),
        ("D3", False, 0),
        ("D4", True, 1),
        ("D5", True, 2),
        ("D6", False, 0),
    ]


def test_a_department_last_before_in_another_group_starts_a_new_streak() -> None:
    data = _input({1: ("f", 90), 2: ("f", 70)}, earlier_last_places=(frozenset({(2, "b")}),))
    rows = {s.department.code: s for s in compute_quarter(data).departments}
    assert rows["D2"].last_place_streak == 1


def test_compute_quarter_grades_each_group_and_leaves_unscored_ungraded() -> None:
    grades = (GradeRule("好", quota=50), GradeRule("差", quota=50))
    data = _input({1: ("f", 90), 2: ("f", 70), 3: ("f", None), 4: ("b", 80)}, grades=grades)
    rows = {s.department.code: s.grade for s in compute_quarter(data).departments}
    # Group b has N = 1: 好 ends at round_half_up(0.5) = 1.
    assert rows == {"D1": "好", "D2": "差", "D3": None, "D4": "好"}
