"""A quarter with an announcement period, rated by two peers, ready to announce (tests of issue 15)."""

from __future__ import annotations

from decimal import Decimal

from evaluation.models import Quarter, QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create

# Points of the default levels (docs/scoring.md), one pattern per rater, so departments differ.
LEVEL_POINTS = ((Decimal(100), Decimal(60)), (Decimal(80), Decimal(40)))


def closed_quarter(org, raters, *, days: int = 5, code: str = "2026Q3") -> Quarter:
    """A closed quarter with `days` of announcement and one peer ballot from each rater on every other department."""
    quarter = quarter_create(code=code, announcement_days=days)
    quarter_transition(quarter=quarter, to=QuarterStatus.OPEN)
    criteria = list(quarter.criteria.all())
    for number, rater in enumerate(raters):
        targets = [unit for unit in (org["OPS"], org["EQP"], org["AUD"]) if unit.pk != rater.unit_id]
        points = LEVEL_POINTS[number % 2]
        values = {(unit.pk, c.pk): points[i] for i, unit in enumerate(targets) for c in criteria}
        ballot_submit(quarter=quarter, source=Source.PEER, values=values, rater=rater)
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED)
    return quarter


def announced_quarter(org, raters, *, days: int = 5, code: str = "2026Q3") -> Quarter:
    quarter = closed_quarter(org, raters, days=days, code=code)
    return quarter_transition(quarter=quarter, to=QuarterStatus.ANNOUNCED)
