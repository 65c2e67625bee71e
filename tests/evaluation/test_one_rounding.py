"""docs/scoring.md rule 5 has one implementation, used by pages, exports and the JSON alike."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import evaluation.exports
from evaluation.results_model import shown
from evaluation.scoring import round_half_up

# Just below a tie point: 28 significant digits (Decimal's default context) would see 0.005 and round up.
BELOW_A_TIE = Fraction(10**30 - 1, 2 * 10**32)


def test_a_value_just_below_a_tie_rounds_down() -> None:
    assert round_half_up(BELOW_A_TIE) == Decimal("0.00")
    assert round_half_up(-BELOW_A_TIE) == Decimal("-0.00")
    assert round_half_up(Fraction(1, 200)) == Decimal("0.01")


def test_what_is_shown_is_that_rounding_as_a_decimal() -> None:
    assert shown(BELOW_A_TIE) == Decimal("0.00")
    assert isinstance(shown(Fraction(1259, 14)), Decimal) and shown(Fraction(1259, 14)) == Decimal("89.93")
    assert shown(None) is None


def test_the_exports_keep_no_rounding_of_their_own() -> None:
    assert not hasattr(evaluation.exports, "round_score")


def test_decimals_and_integers_round_as_their_exact_fractions() -> None:
    for value in (Decimal("2.345"), Decimal("-2.345"), Decimal("0.004"), Decimal("-1.5"), Decimal("99.995"), 7, -3):
        assert round_half_up(value) == round_half_up(Fraction(value))
    assert str(round_half_up(Decimal("2.345"))) == "2.35" and str(round_half_up(Decimal("-2.345"))) == "-2.35"
    assert str(round_half_up(7)) == "7.00"
