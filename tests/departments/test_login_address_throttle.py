"""Wrong passwords are capped per address across accounts; a lockout never reaches another address."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from departments.roles import Role
from departments.services import user_create
from departments.throttle import LOGIN_ADDRESS_ATTEMPTS, LOGIN_ATTEMPTS
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _login(username: str, password: str, address: str):
    return Client().post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.fixture
def accounts(org) -> list[str]:
    names = [f"staff{n:02d}" for n in range(12)]
    for name in names:
        user_create(username=name, full_name=name, roles=[Role.VIEWER], password=DEMO_PASSWORD)
    return names


def test_one_address_spraying_many_accounts_is_capped(accounts):
    statuses = [
        _login(accounts[n % len(accounts)], f"guess{n}", "10.1.1.1").status_code
        for n in range(LOGIN_ADDRESS_ATTEMPTS.limit)
    ]
    assert statuses == [200] * LOGIN_ADDRESS_ATTEMPTS.limit  # each account stayed under its own limit
    refused = _login(accounts[0], DEMO_PASSWORD, "10.1.1.1")
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.content.decode()
    assert _login(accounts[0], DEMO_PASSWORD, "10.1.1.2").status_code == 302


def test_a_locked_account_still_logs_in_from_another_address(accounts):
    for _ in range(LOGIN_ATTEMPTS.limit):
        _login(accounts[0], "wrong", "203.0.113.9")
    assert _login(accounts[0], DEMO_PASSWORD, "203.0.113.9").status_code == 429
    assert _login(accounts[0], DEMO_PASSWORD, "10.1.1.1").status_code == 302


def test_logging_in_to_one_account_does_not_reset_the_address_cap(accounts):
    for n in range(LOGIN_ADDRESS_ATTEMPTS.limit - 1):
        _login(accounts[1 + n % (len(accounts) - 1)], "wrong", "10.1.1.1")
    assert _login(accounts[0], DEMO_PASSWORD, "10.1.1.1").status_code == 302
    _login(accounts[1], "wrong", "10.1.1.1")
    assert _login(accounts[0], DEMO_PASSWORD, "10.1.1.1").status_code == 429
