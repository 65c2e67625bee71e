"""Pages of a published quarter read its snapshot: ballots changed afterwards change nothing shown."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from evaluation.models import Ballot, QuarterStatus
from evaluation.services.results import results_freeze
from tests.evaluation.scoring_data import build_examples_1_and_2, example_org, make_ballot, make_leader, make_quarter


def test_published_pages_show_the_frozen_numbers_after_ballots_change(db, client_for, evaluator):
    units = example_org()
    leader = make_leader()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    build_examples_1_and_2(quarter, units, leader)
    quarter.status = QuarterStatus.PUBLISHED
    quarter.save(update_fields=["status"])
    results_freeze(quarter=quarter)
    client = client_for(evaluator)  # one leader's ballot: only the evaluation group reads its source score
    ranking_url = reverse("evaluation:ranking", args=[quarter.code])
    detail_url = reverse("evaluation:department", args=[quarter.code, "A"])

    before = client.get(ranking_url).text
    assert "89.93" in before and "74.00" in before  # docs/scoring.md examples 1 and 2

    Ballot.objects.filter(source="leadership").update(voided_at=timezone.now(), void_reason="late")
    make_ballot(quarter, "grassroots", {units["A"]: (40, 40, 40)}, rater_unit=units["G2"])

    after = client.get(ranking_url).text
    assert "89.93" in after and "74.00" in after
    detail = client.get(detail_url).text
    assert "74.00" in detail and "60.00" in detail  # A's leadership source score, from the snapshot


def test_a_provisional_ranking_follows_the_ballots_live(db, client_for):
    units = example_org()
    leader = make_leader()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    build_examples_1_and_2(quarter, units, leader)
    client = client_for(leader)
    url = reverse("evaluation:ranking", args=[quarter.code])

    assert "74.00" in client.get(url).text

    make_ballot(quarter, "peer", {units["A"]: (20, 20, 20)}, rater_unit=units["OFF"])  # peer cells now 60

    page = client.get(url).text
    assert "provisional-banner" in page
    assert "74.00" not in page and "65.00" in page  # peer cells 60, 50, 40: (40·80 + 30·50 + 30·60) / 100
