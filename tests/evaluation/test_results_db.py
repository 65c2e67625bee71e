"""docs/scoring.md's worked examples through the real models: ballots → selector → scoring → results JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from evaluation.models import Criterion, Quarter
from evaluation.results_model import AdjustmentInfo, CriterionUsed, interchange_json
from evaluation.selectors.results import results_compute
from tests.evaluation.scoring_data import (
    add_adjustment,
    build_examples_1_and_2,
    by_code,
    example_org,
    live_json,
    make_ballot,
    make_leader,
    make_quarter,
    shown_json,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    return example_org()


@pytest.fixture
def example_quarter(units) -> Quarter:
    quarter = make_quarter("2026Q3")
    build_examples_1_and_2(quarter, units, make_leader())
    return quarter


def test_examples_1_and_2_give_the_documented_json(example_quarter: Quarter) -> None:
    results = interchange_json(results_compute(example_quarter))
    assert results["quarter"] == "2026Q3"
    assert results["status"] == "closed"
    assert results["weights"] == {"grassroots": 40, "peer": 30, "leadership": 30}
    assert results["departments"] == [
        {
            "code": "B",
            "name": "设备部",
            "group": "functional",
            "rank": 1,
            "rank_change": None,
            "score": 89.93,
            "composite": 91.43,
            "adjustment": -1.5,
            "sources": {"grassroots": 100.0, "peer": None, "leadership": 80.0},
            "ballots": {"grassroots": 1, "peer": 0, "leadership": 1},
            "grade": None,
            "last_place": False,
            "last_place_streak": 0,
            "cells": {
                "grassroots": {"efficiency": 100.0, "quality": 100.0, "service": 100.0},
                "peer": {},
                "leadership": {"efficiency": 80.0, "service": 80.0},
            },
        },
        {
            "code": "A",
            "name": "运营改善部",
            "group": "functional",
            "rank": 2,
            "rank_change": None,
            "score": 74.0,
            "composite": 74.0,
            "adjustment": 0.0,
            "sources": {"grassroots": 80.0, "peer": 80.0, "leadership": 60.0},
            "ballots": {"grassroots": 2, "peer": 1, "leadership": 1},
            "grade": None,
            "last_place": True,
            "last_place_streak": 1,
            "cells": {
                "grassroots": {"efficiency": 80.0, "quality": 80.0, "service": 80.0},
                "peer": {"efficiency": 100.0, "quality": 80.0, "service": 60.0},
                "leadership": {"efficiency": 60.0, "quality": 60.0, "service": 60.0},
            },
        },
        {
            "code": "OFF",
            "name": "退管中心",
            "group": "affiliated",
            "rank": None,
            "rank_change": None,
            "score": None,
            "composite": None,
            "adjustment": 0.0,
            "sources": {"grassroots": None, "peer": None, "leadership": None},
            "ballots": {"grassroots": 0, "peer": 0, "leadership": 0},
            "grade": None,
            "last_place": False,
            "last_place_streak": 0,
            "cells": {"grassroots": {}, "peer": {}, "leadership": {}},
        },
    ]


def test_the_json_keys_come_in_the_documented_order(example_quarter: Quarter) -> None:
    view = interchange_json(results_compute(example_quarter))
    assert list(view) == ["quarter", "status", "weights", "departments"]
    assert list(view["departments"][0]) == [
        "code",
        "name",
        "group",
        "rank",
        "rank_change",
        "score",
        "composite",
        "adjustment",
        "sources",
        "ballots",
        "grade",
        "last_place",
        "last_place_streak",
        "cells",
    ]
    assert json.loads(json.dumps(view)) == view


def test_the_results_explain_themselves(example_quarter: Quarter) -> None:
    results = results_compute(example_quarter)
    assert results.provisional is True
    assert results.groups == ("functional", "affiliated")
    assert results.counted_ballots == {"grassroots": 2, "peer": 1, "leadership": 1}
    assert results.settings.scale == "points"
    assert [c.code for c in results.settings.criteria] == ["efficiency", "quality", "service"]
    assert isinstance(results.settings.criteria[0], CriterionUsed)
    assert results.settings.min_ballots == {"grassroots": 1, "peer": 1, "leadership": 1}
    b = results.department("B")
    assert b.adjustments == (AdjustmentInfo(Decimal("-1.50"), "季度内一项基层反映问题未按期答复"),)
    assert b.final_exact == Fraction(1259, 14)  # 6400/70 − 3/2
    assert b.order == 2
    assert results.department("OFF").final_exact is None


def test_voided_ballots_do_not_count(example_quarter: Quarter, units) -> None:
    make_ballot(example_quarter, "peer", {units["B"]: (0, 0, 0)}, rater_unit=units["A"], voided=True)
    make_ballot(example_quarter, "grassroots", {units["A"]: (0, 0, 0)}, rater_unit=units["G1"], voided=True)
    rows = by_code(live_json(example_quarter))
    assert rows["A"]["score"] == 74.0
    assert rows["B"]["sources"]["peer"] is None
    assert rows["A"]["ballots"]["grassroots"] == 2


def test_example_3_trimming_through_the_database(units) -> None:
    quarter = make_quarter("2026Q3", trim=True, trim_min_n=5, weight_grassroots=100, weight_peer=0, weight_leadership=0)
    for value in (100, 80, 80, 60, 40):
        make_ballot(quarter, "grassroots", {units["A"]: (value, value, None)}, rater_unit=units["G1"])
    for value in (100, 80, 60, 40):
        make_ballot(quarter, "grassroots", {units["B"]: (value, None, None)}, rater_unit=units["G2"])
    rows = by_code(live_json(quarter))
    assert rows["A"]["cells"]["grassroots"] == {"efficiency": 73.33, "quality": 73.33}
    assert rows["B"]["cells"]["grassroots"] == {"efficiency": 70.0}


def test_example_4_ties_on_rounded_scores_share_a_rank(units) -> None:
    quarter = make_quarter("2026Q3", weight_grassroots=100, weight_peer=0, weight_leadership=0)
    Criterion.objects.filter(quarter=quarter).exclude(code="efficiency").delete()
    # Means 85.004 (A), 84.996 (B) and 80 (OFF) from five hundredth-point values each.
    for a, b in ((85.02, 84.98), (85, 85), (85, 85), (85, 85), (85, 85)):
        make_ballot(
            quarter, "grassroots", {units["A"]: (a,), units["B"]: (b,), units["OFF"]: (80,)}, rater_unit=units["G1"]
        )
    rows = [(r["code"], r["rank"], r["score"]) for r in live_json(quarter)["departments"]]
    assert rows == [("A", 1, 85.0), ("B", 1, 85.0), ("OFF", 1, 80.0)]  # OFF is alone in its group


def test_example_4_the_next_department_gets_rank_3(units) -> None:
    quarter = make_quarter("2026Q3", weight_grassroots=100, weight_peer=0, weight_leadership=0)
    units["OFF"].kind = "functional"
    units["OFF"].save()
    make_ballot(quarter, "grassroots", {units["A"]: (85, 85, 85), units["B"]: (80, 80, 80)}, rater_unit=units["G1"])
    make_ballot(quarter, "grassroots", {units["OFF"]: (85, 85, 85)}, rater_unit=units["G2"])
    add_adjustment(quarter, units["A"], "0.00")
    rows = [(r["code"], r["rank"]) for r in live_json(quarter)["departments"]]
    assert rows == [("A", 1), ("OFF", 1), ("B", 3)]


def test_example_5_half_up_rounding_through_the_database(units) -> None:
    quarter = make_quarter("2026Q3", weight_grassroots=100, weight_peer=0, weight_leadership=0)
    for value in (72, 72, 72, 72.5):  # mean 72.125
        make_ballot(quarter, "grassroots", {units["A"]: (value, value, value)}, rater_unit=units["G1"])
    row = by_code(live_json(quarter))["A"]
    assert row["score"] == 72.13
    assert row["cells"]["grassroots"]["efficiency"] == 72.13


def test_min_ballots_through_the_database(example_quarter: Quarter) -> None:
    example_quarter.min_ballots_grassroots = 2
    example_quarter.save()
    rows = by_code(live_json(example_quarter))
    assert rows["A"]["sources"]["grassroots"] == 80.0
    assert rows["B"]["sources"]["grassroots"] is None
    assert rows["B"]["composite"] == 80.0
    assert rows["B"]["score"] == 78.5


def test_inactive_and_grassroots_units_are_not_listed(example_quarter: Quarter, units) -> None:
    units["OFF"].active = False
    units["OFF"].save()
    assert [r["code"] for r in live_json(example_quarter)["departments"]] == ["B", "A"]


def test_an_unpublished_quarter_is_computed_live(example_quarter: Quarter, units) -> None:
    assert by_code(shown_json(example_quarter))["A"]["score"] == 74.0
    add_adjustment(example_quarter, units["A"], "2.25")
    assert by_code(shown_json(example_quarter))["A"]["score"] == 76.25
    assert Decimal("76.25") == Decimal(str(by_code(shown_json(example_quarter))["A"]["score"]))


def test_examples_through_ballot_submit(units) -> None:
    from evaluation.models import Origin
    from evaluation.services.ballots import ballot_submit

    quarter = make_quarter("2026Q3")
    leader = make_leader()
    criteria = list(Criterion.objects.filter(quarter=quarter).order_by("order"))
    a, b = units["A"], units["B"]

    def submit(source: str, rows: dict, **rater: object) -> None:
        values = {
            (unit.pk, criterion.pk): Decimal(value)
            for unit, row in rows.items()
            for criterion, value in zip(criteria, row, strict=True)
            if value is not None
        }
        ballot_submit(quarter=quarter, source=source, values=values, origin=Origin.KEYED, **rater)

    submit("grassroots", {a: (90, 80, 70), b: (100, 100, 100)}, rater_unit=units["G1"])
    submit("grassroots", {a: (70, 80, 90)}, rater_unit=units["G2"])
    submit("peer", {a: (100, 80, 60)}, rater_unit=b)
    submit("leadership", {a: (60, 60, 60), b: (80, None, 80)}, rater=leader)
    add_adjustment(quarter, b, "-1.50")
    rows = by_code(live_json(quarter))
    assert (rows["A"]["score"], rows["A"]["rank"]) == (74.0, 2)
    assert (rows["B"]["score"], rows["B"]["composite"], rows["B"]["rank"]) == (89.93, 91.43, 1)
    assert (rows["OFF"]["score"], rows["OFF"]["rank"]) == (None, None)
