"""A source of weight 0 is not collected: no page offers it, and asking for it anyway gets the rule's message."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from evaluation.models import Ballot, BallotCode, Quarter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LEADERSHIP_OFF = "Leadership is not collected in 2026Q3 (its weight is 0)."
GRASSROOTS_OFF = "Grassroots is not collected in 2026Q3 (its weight is 0)."


@pytest.fixture
def leadership_off(quarter) -> Quarter:
    Quarter.objects.filter(pk=quarter.pk).update(weight_leadership=0, weight_grassroots=70)
    quarter.refresh_from_db()
    return quarter


@pytest.fixture
def grassroots_off(quarter) -> Quarter:
    Quarter.objects.filter(pk=quarter.pk).update(weight_grassroots=0, weight_peer=70)
    quarter.refresh_from_db()
    return quarter


def test_the_home_page_offers_no_card_for_it(leadership_off, leader, client_for):
    page = client_for(leader).get(reverse("home"))
    assert page.context["ballot_cards"] == []
    assert reverse("evaluation:ballot_leadership") not in page.content.decode()


def test_the_home_page_still_offers_a_source_that_is_collected(quarter, leader, client_for):
    page = client_for(leader).get(reverse("home"))
    assert [card.url for card in page.context["ballot_cards"]] == [reverse("evaluation:ballot_leadership")]


def test_the_ballot_page_shows_no_grid(leadership_off, leader, client_for):
    page = client_for(leader).get(reverse("evaluation:ballot_leadership"))
    assert page.status_code == 200
    assert LEADERSHIP_OFF in page.content.decode()
    assert b'id="ballot-form"' not in page.content


def test_a_ballot_posted_anyway_is_refused(leadership_off, org, leader, client_for):
    criterion = leadership_off.criteria.first()
    data = {"quarter": leadership_off.code, f"v-{org['OPS'].pk}-{criterion.pk}": "100"}
    page = client_for(leader).post(reverse("evaluation:ballot_leadership"), data)
    assert page.status_code == 400
    assert LEADERSHIP_OFF in page.content.decode()
    assert not Ballot.objects.exists()


def test_a_code_opens_no_grid_when_grassroots_is_not_collected(grassroots_off, org, client):
    code = BallotCode.objects.create(quarter=grassroots_off, unit=org["HRM"], code="ZERO234567")
    page = client.post(reverse("evaluation:ballot_code"), {"code": code.code, "open": "1"})
    assert GRASSROOTS_OFF in page.content.decode()
    assert b'id="ballot-form"' not in page.content


def test_the_paper_entry_does_not_offer_it(leadership_off, evaluator, client_for):
    page = client_for(evaluator).get(reverse("evaluation:entry"))
    offered = [value for value, _label in page.context["pick"].fields["source"].widget.choices]
    assert offered == ["grassroots", "peer"]
    assert 'value="leadership"' not in page.content.decode()


def test_the_paper_entry_refuses_it_when_asked_for(leadership_off, leader, evaluator, client_for):
    query = urlencode({"quarter": leadership_off.code, "source": "leadership", "rater": leader.username})
    page = client_for(evaluator).get(f"{reverse('evaluation:entry')}?{query}")
    assert page.context["grid"] is None
    assert page.context["pick"].errors["source"] == [LEADERSHIP_OFF]
