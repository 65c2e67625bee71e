"""Snapshots are versioned: a version 1 payload (earlier releases) keeps loading; new ones are version 2."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from evaluation.models import QuarterStatus, ResultSnapshot
from evaluation.results_model import SNAPSHOT_VERSION, QuarterResults, interchange_json
from evaluation.selectors.results import quarter_results
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.scoring_data import build_examples_1_and_2, example_org, make_leader, make_quarter
from tests.fixtures import RESULTS_SNAPSHOT_V1, RESULTS_SNAPSHOT_V1_RANKINGS


def _v1() -> dict:
    return json.loads(RESULTS_SNAPSHOT_V1.read_text(encoding="utf-8"))


def _rankings(last: tuple[str, ...] = ()) -> dict:
    """The JSON the fixture holds, with the keys added since (docs/workbooks.md: keys are added, never renamed):
    no grade, and the last places `last` (a snapshot written before them has none)."""
    data = json.loads(RESULTS_SNAPSHOT_V1_RANKINGS.read_text(encoding="utf-8"))
    for index, row in enumerate(data["departments"]):
        added = {"grade": None, "last_place": row["code"] in last, "last_place_streak": int(row["code"] in last)}
        items = list(row.items())
        at = [key for key, _value in items].index("cells")
        data["departments"][index] = dict(items[:at] + list(added.items()) + items[at:])
    return data


def test_a_version_1_payload_loads_into_the_model() -> None:
    results = QuarterResults.from_snapshot(_v1())

    b = results.department("B")
    assert (b.rank, b.score, b.composite, b.adjustment) == (1, Decimal("89.93"), Decimal("91.43"), Decimal("-1.5"))
    assert b.final_exact == Fraction(1259, 14)
    assert b.sources["peer"].score is None and b.sources["leadership"].score == Decimal("80.0")
    assert list(b.sources["leadership"].cells) == ["efficiency", "service"]
    assert [(a.points, a.reason) for a in b.adjustments] == [(Decimal("-1.5"), "季度内一项基层反映问题未按期答复")]
    assert [c.code for c in results.settings.criteria] == ["efficiency", "quality", "service"]
    assert results.provisional is False and results.roster is None


def test_a_version_1_payload_prints_the_json_it_printed_before() -> None:
    assert interchange_json(QuarterResults.from_snapshot(_v1())) == _rankings()


def test_a_version_2_payload_reads_back_equal(db) -> None:
    units = example_org()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    build_examples_1_and_2(quarter, units, make_leader())
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)

    payload = ResultSnapshot.objects.get(quarter=quarter).payload
    assert payload["version"] == SNAPSHOT_VERSION == 2
    results = QuarterResults.from_snapshot(payload)
    assert QuarterResults.from_snapshot(results.to_snapshot()) == results
    assert results.roster is not None and {u.code for u in results.roster.units.values()} >= {"A", "B", "G1"}
    assert interchange_json(results) == _rankings(last=("A",))


def test_it_refuses_an_unknown_version() -> None:
    with pytest.raises(ValueError, match="version 99"):
        QuarterResults.from_snapshot({**_v1(), "version": 99})


def test_a_quarter_published_by_an_earlier_release_is_still_shown(db, client_for, evaluator) -> None:
    """The stored version 1 payload of a published quarter drives its pages and the command unchanged."""
    units = example_org()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    build_examples_1_and_2(quarter, units, make_leader())
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)
    payload = _v1()
    for row in payload["departments"]:  # the ids of this database's units
        row["id"] = units[row["code"]].pk
    ResultSnapshot.objects.filter(quarter=quarter).update(payload=payload)

    assert quarter_results(quarter) == QuarterResults.from_snapshot(payload)
    out = StringIO()
    call_command("compute_rankings", "2026Q3", "--format", "json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed == _rankings() and list(printed["departments"][0]) == list(_rankings()["departments"][0])
    page = client_for(evaluator).get(reverse("evaluation:ranking", args=["2026Q3"])).text
    assert "89.93" in page and "74.00" in page
    detail = client_for(evaluator).get(reverse("evaluation:department", args=["2026Q3", "B"])).text
    assert "季度内一项基层反映问题未按期答复" in detail and "91.43" in detail


def test_a_version_2_payload_written_before_grades_reads_back_without_them(db) -> None:
    units = example_org()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    build_examples_1_and_2(quarter, units, make_leader())
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)
    payload = ResultSnapshot.objects.get(quarter=quarter).payload
    assert payload["departments"][1]["last_place"] is True  # A, the last of functional
    for row in payload["departments"]:
        for key in ("grade", "last_place", "last_place_streak"):
            del row[key]
    del payload["settings"]["grades"], payload["settings"]["top_level_cap"]
    results = QuarterResults.from_snapshot(payload)
    assert {(row.grade, row.last_place, row.last_place_streak) for row in results.departments} == {(None, False, 0)}
    assert (results.settings.grades, results.settings.top_level_cap) == ((), None)
