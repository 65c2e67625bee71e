"""On PostgreSQL the one-scan GROUPING SETS read gives exactly what the two portable queries give."""

from __future__ import annotations

import pytest

from evaluation.models import Criterion
from evaluation.selectors.scoring import _ballot_counts, _cell_aggregates, _value_aggregates_in_one_scan
from tests.evaluation.scoring_data import example_org, make_ballot, make_leader, make_quarter

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_it_matches_the_two_query_path_with_abstentions_and_voided_ballots() -> None:
    units = example_org()
    a, b, off = units["A"], units["B"], units["OFF"]
    quarter = make_quarter("2026Q3")
    other = make_quarter("2026Q2")
    make_ballot(quarter, "grassroots", {a: (90, None, 70), b: (None, None, None)}, rater_unit=units["G1"])
    make_ballot(quarter, "grassroots", {a: (80, 85, None), b: (60, None, None)}, rater_unit=units["G2"])
    make_ballot(quarter, "grassroots", {a: (10, 10, 10), off: (50, 50, 50)}, rater_unit=units["G1"], voided=True)
    make_ballot(quarter, "peer", {b: (75, 65, 95), off: (None, 40, None)}, rater_unit=a)
    make_ballot(quarter, "leadership", {a: (99.5, 88.25, None)}, rater=make_leader())
    make_ballot(other, "grassroots", {a: (20, 20, 20)}, rater_unit=units["G1"])
    codes = {c.id: c.code for c in Criterion.objects.filter(quarter=quarter)}

    cells, ballot_counts = _value_aggregates_in_one_scan(quarter, codes)

    assert cells == _cell_aggregates(quarter, codes)
    assert ballot_counts == _ballot_counts(quarter)
    assert ballot_counts[("grassroots", a.id)] == 2
    assert ballot_counts[("grassroots", b.id)] == 1
    assert ("grassroots", off.id) not in ballot_counts
    assert ballot_counts[("peer", off.id)] == 1
    assert cells[("leadership", a.id, "efficiency")].total_centi == 9950
