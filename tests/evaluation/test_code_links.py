"""Ballot codes stay out of addresses: slips link with a fragment, old `?code=` links are moved there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import BallotCode
from evaluation.throttle import CODE_DEVICE_LIMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(quarter, org) -> BallotCode:
    return BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDE23456")


@pytest.mark.parametrize("name", ["evaluation:ballot_code", "evaluation:unit_problems"])
def test_an_old_query_link_is_sent_on_with_the_code_in_the_fragment(client_for, code, name):
    response = client_for(None).get(reverse(name), {"code": "abcde-23456"})

    assert response.status_code == 302
    assert response["Location"] == reverse(name) + "#code=abcde-23456"
    code.refresh_from_db()
    assert not code.used


def test_query_links_count_no_guess(client_for, quarter):
    client = client_for(None)
    for index in range(CODE_DEVICE_LIMIT + 2):
        client.get(reverse("evaluation:ballot_code"), {"code": f"WRONG{index:05d}"})
    response = client.post(reverse("evaluation:ballot_code"), {"code": "WRONG99999", "open": "1"})
    assert response.status_code == 400


def test_the_code_box_posts_the_code(client_for, quarter):
    page = client_for(None).get(reverse("evaluation:ballot_code")).content.decode()

    assert 'method="post"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "data-code-fragment" in page
    assert "js/code_link.js" in page


def test_opening_a_code_shows_the_ballot_and_stores_nothing(client_for, code):
    response = client_for(None).post(reverse("evaluation:ballot_code"), {"code": "ABCDE-23456", "open": "1"})

    assert response.status_code == 200
    assert 'id="ballot-form"' in response.content.decode()
    code.refresh_from_db()
    assert not code.used


@pytest.mark.parametrize("name", ["evaluation:ballot_code", "evaluation:ballot_done", "evaluation:unit_problems"])
def test_ballot_pages_send_no_referer_to_other_sites(client_for, quarter, name):
    # Same origin: the forms' POSTs keep their Origin header (CSRF); the address they reveal holds no code.
    assert client_for(None).get(reverse(name))["Referrer-Policy"] == "same-origin"
