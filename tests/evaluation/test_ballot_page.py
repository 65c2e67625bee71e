"""One ballot's page for the evaluation group: values and comments, the rater only where the ballot has one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import Ballot, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.inbox import inbox_flush
from evaluation.services.quarters import quarter_create
from evaluation.services.voids import ballot_void

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def ballots(quarter, org, rep, leader, grassroots_rater) -> dict[str, Ballot]:
    efficiency, quality = list(quarter.criteria.order_by("order"))[:2]
    values = {(org["AUD"].pk, efficiency.pk): Decimal(80), (org["AUD"].pk, quality.pk): Decimal(60)}
    comments = {org["AUD"].pk: "审计报告反馈慢"}
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, comments=comments, rater=grassroots_rater)
    inbox_flush(quarter=quarter)
    return {
        "grassroots": Ballot.objects.get(quarter=quarter, source=Source.GRASSROOTS),
        "peer": ballot_submit(quarter=quarter, source=Source.PEER, values=values, comments=comments, rater=rep),
        "leadership": ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=values, rater=leader),
    }


def _page(client, ballot: Ballot, lang: dict | None = None) -> str:
    response = client.get(reverse("evaluation:ballot", args=["2026Q3", ballot.pk]), **(lang or EN))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_values_with_their_levels_and_the_comment(ballots, client_for, evaluator) -> None:
    page = _page(client_for(evaluator), ballots["peer"])
    assert "审计部" in page
    assert "Good · 80" in page
    assert "Fair · 60" in page
    assert "审计报告反馈慢" in page
    # The third criterion was left to "not familiar".
    assert "Not familiar" in page
    assert "运营改善部" in page  # the rating department, named to the evaluation group


def test_a_leadership_ballot_names_its_leader(ballots, client_for, evaluator) -> None:
    assert "Leader1" in _page(client_for(evaluator), ballots["leadership"])


def test_a_grassroots_ballot_never_names_its_rater(ballots, client_for, evaluator, grassroots_rater) -> None:
    for lang in (EN, {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}):
        page = _page(client_for(evaluator), ballots["grassroots"], lang)
        assert "板材热连轧厂" in page
        assert grassroots_rater.username not in page
        assert grassroots_rater.get_full_name() not in page
        assert "审计报告反馈慢" in page


def test_it_offers_the_void_form_or_the_undo_form(ballots, client_for, evaluator) -> None:
    client = client_for(evaluator)
    page = _page(client, ballots["peer"])
    assert reverse("evaluation:void", args=["2026Q3", ballots["peer"].pk]) in page
    assert reverse("evaluation:unvoid", args=["2026Q3", ballots["peer"].pk]) not in page
    ballot_void(ballot=ballots["peer"], actor=evaluator, reason="keyed twice")
    page = _page(client, ballots["peer"])
    assert reverse("evaluation:unvoid", args=["2026Q3", ballots["peer"].pk]) in page
    assert "keyed twice" in page


def test_the_ballot_list_links_every_ballot_to_its_page(ballots, client_for, evaluator) -> None:
    ballot_void(ballot=ballots["leadership"], actor=evaluator, reason="redo")
    page = client_for(evaluator).get(reverse("evaluation:ballots", args=["2026Q3"]), **EN).content.decode()
    for ballot in ballots.values():
        assert reverse("evaluation:ballot", args=["2026Q3", ballot.pk]) in page


def test_a_ballot_of_another_quarter_is_not_found(ballots, org, client_for, evaluator) -> None:
    quarter_create(code="2026Q4")
    url = reverse("evaluation:ballot", args=["2026Q4", ballots["peer"].pk])
    assert client_for(evaluator).get(url).status_code == 404


def test_the_page_takes_few_queries(ballots, client_for, evaluator, django_assert_max_num_queries) -> None:
    client = client_for(evaluator)
    with django_assert_max_num_queries(14):
        _page(client, ballots["peer"])
