"""The thank-you page tells each rater what is kept of their ballot: no name for grassroots, the account otherwise."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from evaluation.models import BallotCode
from tests.evaluation.ballot_helpers import ballot_post

pytestmark = pytest.mark.django_db

NO_NAME = {"zh-hans": "不记录您的姓名", "en": "not your name"}
ACCOUNT = {"zh-hans": "与您的账号一起保存", "en": "stored with your account"}


def thanks(client, url: str, data: dict, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("evaluation:ballot_done"))
    return response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_peer_rater_is_not_told_the_ballot_keeps_no_name(quarter, rep, client_for, language):
    page = thanks(client_for(rep), reverse("evaluation:ballot_peer"), ballot_post(quarter, exclude=("OPS",)), language)
    assert ACCOUNT[language] in page
    assert NO_NAME[language] not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_leader_is_not_told_the_ballot_keeps_no_name(quarter, leader, client_for, language):
    page = thanks(client_for(leader), reverse("evaluation:ballot_leadership"), ballot_post(quarter), language)
    assert ACCOUNT[language] in page
    assert NO_NAME[language] not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_grassroots_rater_is_told_the_ballot_keeps_no_name(quarter, org, client_for, language):
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDE23456")
    data = ballot_post(quarter, code="ABCDE-23456")
    page = thanks(client_for(None), reverse("evaluation:ballot_code"), data, language)
    assert NO_NAME[language] in page
    assert ACCOUNT[language] not in page
