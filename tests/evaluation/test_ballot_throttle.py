"""Wrong ballot codes are limited per device and per address; valid and used codes never count."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from evaluation.models import Ballot, BallotCode
from evaluation.services.inbox import inbox_flush
from evaluation.throttle import CODE_ADDRESS_LIMIT, CODE_DEVICE_LIMIT, DEVICE_COOKIE
from tests.evaluation.ballot_helpers import ballot_post

pytestmark = pytest.mark.django_db

HALL = "10.0.0.1"  # every phone of the meeting hall, behind one NAT


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def try_code(client: Client, text: str, address: str = HALL):
    return client.post(reverse("evaluation:ballot_code"), {"code": text, "open": "1"}, REMOTE_ADDR=address)


def guess(client: Client, times: int, address: str = HALL) -> list[int]:
    return [try_code(client, f"WRONG{index:05d}", address).status_code for index in range(times)]


def test_a_device_is_told_to_wait_after_too_many_wrong_codes():
    device = Client()
    assert guess(device, CODE_DEVICE_LIMIT) == [400] * CODE_DEVICE_LIMIT
    blocked = try_code(device, "WRONG99999")
    assert blocked.status_code == 429
    assert "Too many wrong ballot codes" in blocked.content.decode()


def test_the_device_cookie_is_signed_and_set_only_after_a_wrong_code(quarter, org):
    good = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="GOODC22222")
    device = Client()
    assert DEVICE_COOKIE not in try_code(device, good.code).cookies
    cookie = try_code(device, "WRONG00000").cookies[DEVICE_COOKIE]
    assert cookie["httponly"]
    assert ":" in cookie.value  # value:signature
    # A forged cookie is a new device, not someone else's.
    forger = Client()
    forger.cookies[DEVICE_COOKIE] = "someone-else"
    assert DEVICE_COOKIE in try_code(forger, "WRONG00001").cookies


def test_a_valid_code_is_served_even_to_a_device_that_guessed_too_often(quarter, org):
    good = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="GOODC22222")
    device = Client()
    guess(device, CODE_DEVICE_LIMIT + 1)
    assert try_code(device, good.code).status_code == 200
    response = device.post(reverse("evaluation:ballot_code"), ballot_post(quarter, code=good.code), REMOTE_ADDR=HALL)
    assert response.status_code == 302


def test_another_phone_behind_the_same_address_is_not_held_back():
    guess(Client(), CODE_DEVICE_LIMIT + 1)
    assert try_code(Client(), "WRONG77777").status_code == 400


def test_a_client_dropping_its_cookie_meets_the_address_bound(quarter, org):
    good = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="GOODC22222")
    statuses = [try_code(Client(), f"WRONG{index:05d}").status_code for index in range(CODE_ADDRESS_LIMIT)]
    assert statuses == [400] * CODE_ADDRESS_LIMIT
    assert try_code(Client(), "WRONG99999").status_code == 429
    # Beyond the bound nothing is looked up from that address, so guessing stops there.
    assert try_code(Client(), good.code).status_code == 429
    assert try_code(Client(), good.code, address="10.0.0.2").status_code == 200


def test_valid_and_used_codes_give_the_address_its_attempt_back(quarter, org):
    good = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="GOODC22222")
    used = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="USEDC22222", used=True)
    for _ in range(CODE_ADDRESS_LIMIT // 2 + 1):
        assert try_code(Client(), good.code).status_code == 200
        assert try_code(Client(), used.code).status_code == 409
    assert try_code(Client(), "WRONG00000").status_code == 400


def test_good_codes_do_not_count(quarter, org):
    good = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="GOODC22222")
    device = Client()
    for _ in range(CODE_DEVICE_LIMIT + 5):
        assert try_code(device, good.code).status_code == 200
    assert guess(device, CODE_DEVICE_LIMIT) == [400] * CODE_DEVICE_LIMIT


def test_a_used_code_is_answered_already_used_and_not_counted(quarter, org):
    used = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="USEDC22222", used=True)
    device = Client()
    for _ in range(CODE_DEVICE_LIMIT + 5):
        response = try_code(device, used.code)
        assert response.status_code == 409
        assert "already been used" in response.content.decode()
    assert try_code(device, "WRONG00000").status_code == 400


def test_a_double_submit_of_one_code_is_answered_already_used(quarter, org):
    code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="TWICE22222")
    device = Client()
    post = ballot_post(quarter, code=code.code)
    assert device.post(reverse("evaluation:ballot_code"), post, REMOTE_ADDR=HALL).status_code == 302
    for _ in range(CODE_DEVICE_LIMIT + 1):
        assert device.post(reverse("evaluation:ballot_code"), post, REMOTE_ADDR=HALL).status_code == 409
    assert try_code(device, "WRONG00000").status_code == 400


def test_behind_one_address_15_wrong_codes_then_50_valid_codes_are_all_accepted(quarter, org):
    codes = [BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code=f"HALL{n:06d}") for n in range(50)]
    typist = Client()
    assert guess(typist, 15) == [400] * CODE_DEVICE_LIMIT + [429] * 5
    phones = [typist, *(Client() for _ in range(9))]
    for index, code in enumerate(codes):
        phone = phones[index % len(phones)]
        response = phone.post(reverse("evaluation:ballot_code"), ballot_post(quarter, code=code.code), REMOTE_ADDR=HALL)
        assert response.status_code == 302, index
    inbox_flush(quarter=quarter)
    assert Ballot.objects.count() == 50


def test_the_cache_key_holds_neither_the_address_nor_the_device(quarter):
    response = try_code(Client(), "WRONG00000", address="10.9.8.7")
    device = response.cookies[DEVICE_COOKIE].value.split(":")[0]
    keys = list(cache._cache.keys())  # the local-memory cache of the test settings
    assert len(keys) == 2
    assert all("10.9.8.7" not in key and device not in key for key in keys)
