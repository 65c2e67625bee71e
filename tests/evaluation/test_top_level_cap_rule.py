"""docs/scoring.md rule 10 (the top-level cap) as evaluation.ballot_rules states it: example 7 and the boundaries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from evaluation.ballot_rules import (
    BallotRefused,
    ValueScale,
    check_top_level_cap,
    offered_targets,
    top_level_allowance,
    top_level_cap_refusal,
)

LEVELS = ValueScale(
    uses_levels=True,
    levels={"优秀": Decimal(100), "良好": Decimal(80), "一般": Decimal(60), "较差": Decimal(40)},
)
NAMES = {1: "办事效率", 2: "完成质量"}


@pytest.fixture(autouse=True)
def in_english():
    """The assertions read the English messages (msgids), whatever the site's default language."""
    with translation.override("en"):
        yield


def _cells(top: int, criterion: int = 1, others: int = 0) -> list[tuple[int, int]]:
    return [(criterion, 10000)] * top + [(criterion, 8000)] * others


def test_example_7_allows_13_of_44_at_30_percent() -> None:
    assert top_level_allowance(cap=30, targets=44) == 13
    check_top_level_cap(_cells(13, others=31), cap=30, targets=44, scale=LEVELS, criteria=NAMES)


def test_example_7_refuses_14_naming_the_criterion_the_count_and_the_cap() -> None:
    with translation.override("en"), pytest.raises(BallotRefused) as refused:
        check_top_level_cap(_cells(14, others=30), cap=30, targets=44, scale=LEVELS, criteria=NAMES)
    assert refused.value.messages == ["办事效率: 14 departments rated 优秀, more than the cap of 13 (30% of 44)."]


def test_the_cap_counts_each_criterion_on_its_own() -> None:
    cells = _cells(13, criterion=1) + _cells(13, criterion=2)
    check_top_level_cap(cells, cap=30, targets=44, scale=LEVELS, criteria=NAMES)
    with pytest.raises(BallotRefused, match="完成质量"):
        check_top_level_cap([*cells, (2, 10000)], cap=30, targets=44, scale=LEVELS, criteria=NAMES)


def test_a_peers_own_department_is_not_counted_in_t() -> None:
    # 44 evaluated departments, the rater one of them: T = 43 and 30 % allows 12, not the 13 that T = 44 would.
    targets = set(range(100, 144))
    assert offered_targets(targets, source="peer", own_unit_id=100) == 43
    assert offered_targets(targets, source="leadership", own_unit_id=None) == 44
    assert offered_targets(targets, source="peer", own_unit_id=999) == 44
    with pytest.raises(BallotRefused, match="cap of 12"):
        check_top_level_cap(_cells(13), cap=30, targets=43, scale=LEVELS, criteria=NAMES)


def test_the_floor_rounds_down_and_a_zero_cap_allows_none() -> None:
    assert top_level_allowance(cap=30, targets=9) == 2
    assert top_level_allowance(cap=100, targets=9) == 9
    with pytest.raises(BallotRefused, match="cap of 0"):
        check_top_level_cap(_cells(1), cap=0, targets=9, scale=LEVELS, criteria=NAMES)


def test_no_cap_and_the_points_scale_check_nothing() -> None:
    check_top_level_cap(_cells(44), cap=None, targets=44, scale=LEVELS, criteria=NAMES)
    points = ValueScale(uses_levels=False, levels={})
    check_top_level_cap(_cells(44), cap=10, targets=44, scale=points, criteria=NAMES)


def test_a_cap_is_a_percentage_on_the_levels_scale_only() -> None:
    with translation.override("en"):
        assert top_level_cap_refusal(scale="levels", cap=30) is None
        assert top_level_cap_refusal(scale="levels", cap=None) is None
        assert top_level_cap_refusal(scale="points", cap=None) is None
        assert top_level_cap_refusal(scale="points", cap=30) == "The top-level cap applies to the levels scale only."
        assert (
            top_level_cap_refusal(scale="levels", cap=101) == "The top-level cap is a whole percentage from 0 to 100."
        )
