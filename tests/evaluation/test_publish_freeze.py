"""Publishing freezes the results; ballots changed afterwards do not move them; reopen + publish recomputes."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.management import call_command

from departments.roles import Role
from departments.services import user_create
from evaluation.models import Ballot, DepartmentResult, QuarterStatus, ResultSnapshot
from evaluation.results_model import annual_interchange_json
from evaluation.selectors.results import annual_results, quarter_results
from evaluation.services.lifecycle import quarter_transition
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
def admin():
    return user_create(username="boss", full_name="Boss", roles=[Role.ADMIN])


@pytest.fixture
def published(units, admin):
    quarter = make_quarter("2026Q3")
    build_examples_1_and_2(quarter, units, make_leader())
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=admin)
    return quarter


def _json(code: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("compute_rankings", code, "--format", "json", stdout=out)
    return out.getvalue()


def test_publishing_stores_the_whole_results_and_one_row_per_department(published) -> None:
    snapshot = ResultSnapshot.objects.get(quarter=published)
    assert snapshot.payload["status"] == "published"
    assert snapshot.payload["provisional"] is False
    rows = {
        r.department.code: r for r in DepartmentResult.objects.filter(quarter=published).select_related("department")
    }
    assert (rows["B"].rank, rows["B"].score, rows["B"].group) == (1, Decimal("89.93"), "functional")
    assert Fraction(rows["B"].final_exact) == Fraction(6400, 70) - Fraction(3, 2)
    assert (rows["A"].rank, rows["A"].score, rows["A"].final_exact) == (2, Decimal("74.00"), "74/1")
    assert (rows["OFF"].rank, rows["OFF"].score, rows["OFF"].final_exact) == (None, None, "")


def test_changes_to_ballots_after_publishing_change_nothing(published, units) -> None:
    before_results = quarter_results(published)
    before_json = _json("2026Q3")
    Ballot.objects.filter(quarter=published, source="grassroots").update(voided_at=published.published_at)
    make_ballot(published, "peer", {units["B"]: (0, 0, 0)}, rater_unit=units["A"])
    make_ballot(published, "leadership", {units["OFF"]: (100, 100, 100)}, rater=make_leader("leader2"))
    add_adjustment(published, units["A"], "10")
    assert quarter_results(published) == before_results
    assert _json("2026Q3") == before_json
    # The live computation does see the change: only the snapshot is frozen.
    assert by_code(live_json(published))["OFF"]["score"] == 100.0


def test_reopen_and_publish_recompute(published, units, admin) -> None:
    make_ballot(published, "peer", {units["B"]: (0, 0, 0)}, rater_unit=units["A"])
    quarter_transition(quarter=published, to=QuarterStatus.CLOSED, actor=admin, reason="a ballot was missed")
    assert not ResultSnapshot.objects.filter(quarter=published).exists()
    assert not DepartmentResult.objects.filter(quarter=published).exists()
    quarter_transition(quarter=published, to=QuarterStatus.PUBLISHED, actor=admin)
    rows = by_code(shown_json(published))
    # B: (40·100 + 30·0 + 30·80) / 100 − 1.5 = 62.5, now below A.
    assert (rows["B"]["score"], rows["B"]["rank"]) == (62.5, 2)
    assert (rows["A"]["score"], rows["A"]["rank"]) == (74.0, 1)
    assert DepartmentResult.objects.get(quarter=published, department=units["B"]).rank == 2


def test_rank_change_against_the_latest_earlier_published_quarter(published, units, admin) -> None:
    later = make_quarter("2026Q4")
    make_ballot(later, "peer", {units["A"]: (90, 90, 90)}, rater_unit=units["B"])
    make_ballot(later, "peer", {units["B"]: (50, 50, 50)}, rater_unit=units["A"])
    rows = by_code(live_json(later))
    assert (rows["A"]["rank"], rows["A"]["rank_change"]) == (1, 1)
    assert (rows["B"]["rank"], rows["B"]["rank_change"]) == (2, -1)
    assert rows["OFF"]["rank_change"] is None


def test_rank_change_skips_quarters_where_the_department_was_not_ranked_in_its_group(published, units, admin) -> None:
    # 2026Q4 published with only B ranked; in 2027Q1 A compares with 2026Q3 (rank 2), B with 2026Q4 (rank 1).
    q4 = make_quarter("2026Q4")
    make_ballot(q4, "peer", {units["B"]: (50, 50, 50)}, rater_unit=units["A"])
    quarter_transition(quarter=q4, to=QuarterStatus.PUBLISHED, actor=admin)
    q1 = make_quarter("2027Q1")
    make_ballot(q1, "peer", {units["A"]: (90, 90, 90)}, rater_unit=units["B"])
    make_ballot(q1, "peer", {units["B"]: (50, 50, 50)}, rater_unit=units["A"])
    rows = by_code(live_json(q1))
    assert (rows["A"]["rank"], rows["A"]["rank_change"]) == (1, 1)
    assert (rows["B"]["rank"], rows["B"]["rank_change"]) == (2, -1)


def test_an_unpublished_earlier_quarter_is_not_compared_with(units) -> None:
    earlier = make_quarter("2026Q2")
    make_ballot(earlier, "peer", {units["A"]: (90, 90, 90)}, rater_unit=units["B"])
    later = make_quarter("2026Q3")
    make_ballot(later, "peer", {units["A"]: (90, 90, 90)}, rater_unit=units["B"])
    assert by_code(live_json(later))["A"]["rank_change"] is None


def test_annual_score_is_the_mean_of_unrounded_finals_of_published_quarters(published, units, admin) -> None:
    q4 = make_quarter("2026Q4")
    make_ballot(q4, "peer", {units["A"]: (90, 90, 90)}, rater_unit=units["B"])
    make_ballot(q4, "peer", {units["B"]: (50, 50, 50)}, rater_unit=units["A"])
    quarter_transition(quarter=q4, to=QuarterStatus.PUBLISHED, actor=admin)
    open_quarter = make_quarter("2026Q2", status=QuarterStatus.CLOSED)
    make_ballot(open_quarter, "peer", {units["A"]: (0, 0, 0)}, rater_unit=units["B"])
    assert annual_results(2026).quarters == ("2026Q3", "2026Q4")
    annual = annual_interchange_json(annual_results(2026))
    rows = by_code(annual)
    assert (rows["A"]["score"], rows["A"]["quarters"], rows["A"]["rank"]) == (82.0, 2, 1)
    # B: (89.928571… + 50) / 2 = 69.964285…
    assert (rows["B"]["score"], rows["B"]["quarters"], rows["B"]["rank"]) == (69.96, 2, 2)
    assert (rows["OFF"]["score"], rows["OFF"]["quarters"], rows["OFF"]["rank"]) == (None, 0, None)
    assert [r["code"] for r in annual["departments"]] == ["A", "B", "OFF"]
    assert annual_results(2025).departments[0].quarters == 0
