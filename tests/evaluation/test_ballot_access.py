"""Who may open each ballot page: anonymous -> login, wrong role -> 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


ACCOUNT_PAGES = {
    "evaluation:ballot_leadership": "leader",
    "evaluation:ballot_peer": "rep",
    "evaluation:ballot_grassroots": "grassroots_rater",
}


@pytest.mark.parametrize("url_name", ACCOUNT_PAGES)
def test_anonymous_visitors_are_sent_to_login(quarter, client_for, url_name):
    response = client_for(None).get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url_name", ACCOUNT_PAGES)
@pytest.mark.parametrize("persona", ["admin_user", "evaluator", "leader", "rep", "grassroots_rater", "viewer"])
def test_only_the_matching_role_opens_an_account_ballot(quarter, client_for, request, url_name, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse(url_name))
    expected = 200 if ACCOUNT_PAGES[url_name] == persona else 403
    assert response.status_code == expected


@pytest.mark.parametrize("url_name", ACCOUNT_PAGES)
def test_a_wrong_role_cannot_post_either(quarter, client_for, viewer, url_name):
    from evaluation.models import Ballot

    response = client_for(viewer).post(reverse(url_name), {"quarter": quarter.code})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_the_code_page_is_open_to_everyone(quarter, client_for):
    response = client_for(None).get(reverse("evaluation:ballot_code"))
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_the_thank_you_page_is_open_to_everyone(client_for, db):
    assert client_for(None).get(reverse("evaluation:ballot_done")).status_code == 200
