"""The cell rule itself: what a ballot cell may hold on each scale, whatever way it came in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluation.ballot_rules import BallotRefused, ValueScale, cell_centi

pytestmark = pytest.mark.usefixtures("english")

LEVELS = ValueScale(uses_levels=True, levels={"优秀": Decimal("100"), "良好": Decimal("80"), "一般": Decimal("72.5")})
POINTS = ValueScale(uses_levels=False, levels={})


def centi(raw, scale: ValueScale) -> int | None:
    return cell_centi(raw, scale=scale, department="运营改善部", criterion="办事效率")


@pytest.mark.parametrize("raw", [None, "", "  ", "na", "NA", "n/a", "N/A", "不了解", " 不了解 ", "-", "–"])
@pytest.mark.parametrize("scale", [LEVELS, POINTS], ids=["levels", "points"])
def test_blank_and_not_familiar_abstain(raw, scale):
    assert centi(raw, scale) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("优秀", 10000), (" 良好 ", 8000), ("一般", 7250), ("100", 10000), ("72.5", 7250), (80, 8000), (80.0, 8000)],
)
def test_a_level_is_its_label_or_its_points(raw, expected):
    assert centi(raw, LEVELS) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", 0), ("100", 10000), (73, 7300), (73.0, 7300), ("８０", 8000), (Decimal("1E+2"), 10000)]
)
def test_points_are_whole_numbers_from_0_to_100(raw, expected):
    assert centi(raw, POINTS) == expected


@pytest.mark.parametrize(
    "raw",
    ["很好", "70", "101", "-5", "NaN", "sNaN", "Infinity", "1e3", "1e999999999", "1\x00", True, "优", "9" * 5000],
)
def test_anything_else_is_refused_on_the_levels_scale(raw):
    with pytest.raises(BallotRefused) as refused:
        centi(raw, LEVELS)
    assert refused.value.code == "value"
    assert refused.value.messages[0].startswith("运营改善部, 办事效率: “")
    assert refused.value.messages[0].endswith("” is not one of the levels (优秀、良好、一般) nor Not familiar.")


@pytest.mark.parametrize(
    "raw", ["101", "-1", "80.5", 80.5, "优秀", "1e999999999", "-0.5", "NaN", "inf", "\x00", False, [80]]
)
def test_anything_else_is_refused_on_the_points_scale(raw):
    with pytest.raises(BallotRefused) as refused:
        centi(raw, POINTS)
    assert refused.value.messages[0].endswith("is not a whole number of points from 0 to 100.")


def test_a_refused_value_is_repeated_short_and_without_control_characters():
    with pytest.raises(BallotRefused) as refused:
        centi("x\x00" + "y" * 100, POINTS)
    assert refused.value.messages[0] == (
        "运营改善部, 办事效率: “x?yyyyyyyyyyyyyyyyy…” is not a whole number of points from 0 to 100."
    )
