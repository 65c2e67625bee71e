"""Repeated wrong passwords for one account from one client are refused for a while."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from departments.throttle import LOGIN_ATTEMPTS
from tests.conftest import DEMO_PASSWORD


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def test_it_refuses_logins_after_too_many_wrong_passwords(client, viewer) -> None:
    for _ in range(LOGIN_ATTEMPTS.limit):
        assert _login(client, "viewer1", "wrong").status_code == 200
    response = _login(client, "viewer1", DEMO_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed logins" in response.content.decode()


def test_the_count_is_per_account(client, viewer, leader) -> None:
    for _ in range(LOGIN_ATTEMPTS.limit):
        _login(client, "viewer1", "wrong")
    response = _login(client, "leader1", DEMO_PASSWORD)
    assert response.status_code == 302


def test_a_successful_login_starts_the_count_again(client, viewer) -> None:
    for _ in range(LOGIN_ATTEMPTS.limit - 1):
        _login(client, "viewer1", "wrong")
    assert _login(client, "viewer1", DEMO_PASSWORD).status_code == 302
    client.logout()
    for _ in range(LOGIN_ATTEMPTS.limit - 1):
        _login(client, "viewer1", "wrong")
    assert _login(client, "viewer1", DEMO_PASSWORD).status_code == 302
