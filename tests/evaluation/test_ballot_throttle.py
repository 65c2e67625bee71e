"""Wrong ballot codes are throttled per client address."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from evaluation.models import Ballot, BallotCode
from evaluation.throttle import CODE_ATTEMPTS_LIMIT
from tests.evaluation.ballot_helpers import ballot_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def try_code(client, text: str, address: str = "10.0.0.1"):
    return client.get(reverse("evaluation:ballot_code"), {"code": text}, REMOTE_ADDR=address)


def test_it_blocks_a_client_after_too_many_wrong_codes(quarter, org, client_for):
    good = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="GOODC22222")
    client = client_for(None)
    for index in range(CODE_ATTEMPTS_LIMIT):
        assert try_code(client, f"WRONG{index:05d}").status_code == 400
    blocked = try_code(client, good.code)
    assert blocked.status_code == 429
    assert "Too many wrong ballot codes" in blocked.content.decode()


def test_a_blocked_client_cannot_submit_either(quarter, org, client_for):
    good = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="GOODC22222")
    client = client_for(None)
    for index in range(CODE_ATTEMPTS_LIMIT):
        try_code(client, f"WRONG{index:05d}")
    response = client.post(
        reverse("evaluation:ballot_code"), ballot_post(quarter, code=good.code), REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    assert not Ballot.objects.exists()


def test_other_clients_are_not_blocked(quarter, org, client_for):
    good = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="GOODC22222")
    client = client_for(None)
    for index in range(CODE_ATTEMPTS_LIMIT):
        try_code(client, f"WRONG{index:05d}")
    assert try_code(client, good.code, address="10.0.0.2").status_code == 200


def test_good_codes_do_not_count(quarter, org, client_for):
    good = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="GOODC22222")
    client = client_for(None)
    for _ in range(CODE_ATTEMPTS_LIMIT + 5):
        assert try_code(client, good.code).status_code == 200


def test_used_codes_count_as_wrong_attempts(quarter, org, client_for):
    used = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="USEDC22222", used=True)
    client = client_for(None)
    for _ in range(CODE_ATTEMPTS_LIMIT):
        assert try_code(client, used.code).status_code == 409
    assert try_code(client, used.code).status_code == 429


def test_the_cache_key_does_not_hold_the_address(quarter, client_for):
    try_code(client_for(None), "WRONG00000", address="10.9.8.7")
    keys = list(cache._cache.keys())  # the local-memory cache of the test settings
    assert keys
    assert all("10.9.8.7" not in key for key in keys)
