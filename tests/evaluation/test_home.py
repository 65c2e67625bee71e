"""The home page: the code box for visitors, ballot and page cards for accounts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from departments.models import User
from evaluation.models import QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from tests.evaluation.ballot_helpers import full_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def home_page(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_visitors_get_the_code_box_and_login(client_for, db):
    page = home_page(client_for(None))
    assert f'action="{reverse("evaluation:ballot_code")}"' in page
    assert 'name="code"' in page
    assert reverse("login") in page


def test_a_leader_sees_an_open_ballot_not_yet_voted(quarter, leader, client_for):
    page = home_page(client_for(leader))
    assert reverse("evaluation:ballot_leadership") in page
    assert "Not yet voted" in page


def test_a_leader_who_voted_sees_voted(quarter, leader, client_for):
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)
    page = home_page(client_for(leader))
    assert "Voted" in page
    assert "Not yet voted" not in page
    assert reverse("evaluation:ballot_leadership") not in page


def test_a_rep_sees_the_peer_ballot(quarter, rep, client_for):
    page = home_page(client_for(rep))
    assert reverse("evaluation:ballot_peer") in page
    assert reverse("evaluation:ballot_leadership") not in page


def test_a_grassroots_rater_sees_the_grassroots_ballot(quarter, grassroots_rater, client_for):
    page = home_page(client_for(grassroots_rater))
    assert reverse("evaluation:ballot_grassroots") in page


def test_no_ballot_card_without_an_open_quarter(quarter, leader, client_for):
    quarter.status = QuarterStatus.CLOSED
    quarter.save()
    assert reverse("evaluation:ballot_leadership") not in home_page(client_for(leader))


def test_an_evaluator_sees_pages_but_no_ballot(quarter, evaluator, client_for):
    page = home_page(client_for(evaluator))
    assert "Your ballots" not in page
    assert reverse("evaluation:quarter_list") in page


def test_a_viewer_sees_no_console(quarter, viewer, client_for):
    page = home_page(client_for(viewer))
    assert reverse("evaluation:quarter_list") not in page
    assert "Your ballots" not in page


def test_the_home_page_takes_few_queries(quarter, leader, rep, client_for, django_assert_max_num_queries):
    client = client_for(leader)
    with django_assert_max_num_queries(10):
        client.get(reverse("home"))


def test_visitors_find_the_ballot_code_page_in_the_navigation(client_for, db):
    page = home_page(client_for(None))
    assert page.count(f'href="{reverse("evaluation:ballot_code")}"') == 1


def test_link_cards_whose_page_does_not_exist_are_left_out(quarter, evaluator, client_for, monkeypatch):
    from evaluation.views import home

    missing = home.LinkCard("evaluation:no_such_page", "evaluation.manage_quarters", "Nowhere", "Not built yet")
    monkeypatch.setattr(home, "LINK_CARDS", (*home.LINK_CARDS, missing))
    page = home_page(client_for(evaluator))
    assert "Nowhere" not in page


@pytest.fixture
def superuser(org) -> User:
    return User.objects.create_superuser(username="root", password="x", full_name="Root")


@pytest.mark.parametrize(
    "persona", ["admin_user", "superuser", "evaluator", "leader", "rep", "grassroots_rater", "viewer", None]
)
def test_the_home_page_and_navigation_offer_only_pages_the_user_may_open(persona, quarter, client_for, request):
    """An account without a unit (an admin) is not offered its unit's pages, which would refuse it."""
    user = request.getfixturevalue(persona) if persona else None
    client = client_for(user)
    page = home_page(client)
    links = set(re.findall(r'href="(/[^"#]*)"', page)) - {reverse("logout")}
    links = {link for link in links if not link.startswith(("/static/", "/admin/"))}
    assert links
    refused = {link: client.get(link).status_code for link in links}
    assert {link: status for link, status in refused.items() if status >= 400} == {}
