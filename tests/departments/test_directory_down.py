"""When the directory cannot be used, the login page says so and the site's own accounts still log in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import User
from tests.conftest import DEMO_PASSWORD
from tests.departments.directory_server import PASSWORD, free_port

pytestmark = pytest.mark.django_db

UNREACHABLE = "Directory accounts cannot log in just now"


def log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def directory_down(use_directory) -> None:
    """Directory login configured, but nothing answers at the directory's address."""
    use_directory(f"ldap://127.0.0.1:{free_port()}")


def test_a_directory_account_is_told_the_directory_is_unreachable(client: Client, org, directory_down, english) -> None:
    response = log_in(client, "zhang.wei", PASSWORD)
    assert response.status_code == 200
    page = response.content.decode()
    assert UNREACHABLE in page
    assert "Accounts of this site can still log in." in page
    assert "Please enter a correct username" not in page
    assert not response.context["user"].is_authenticated


def test_the_message_is_in_chinese_by_default(client: Client, org, directory_down) -> None:
    response = log_in(client, "zhang.wei", PASSWORD)
    assert "目录服务器" in response.content.decode()


def test_local_accounts_log_in_while_the_directory_is_down(client: Client, leader: User, directory_down) -> None:
    response = log_in(client, leader.username, DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == leader


def test_a_wrong_reading_account_password_is_reported_the_same_way(client: Client, org, use_directory, english) -> None:
    use_directory(LDAP_BIND_PASSWORD="wrong")
    response = log_in(client, "zhang.wei", PASSWORD)
    assert UNREACHABLE in response.content.decode()


def test_a_stopped_directory_is_noticed_at_the_next_login(
    client: Client, org, use_directory, directory_server, tmp_path, english
) -> None:
    from tests.departments.directory_server import slapd_path, start_directory

    second = start_directory(tmp_path, slapd_path())
    try:
        use_directory(second.uri)
        assert log_in(client, "li.na", PASSWORD).status_code == 302
    finally:
        second.stop()
    response = log_in(Client(), "li.na", PASSWORD)
    assert UNREACHABLE in response.content.decode()


def test_a_second_directory_address_is_tried_when_the_first_does_not_answer(
    client: Client, org, use_directory, directory_server
) -> None:
    use_directory(f"ldap://127.0.0.1:{free_port()} {directory_server.uri}")
    assert log_in(client, "li.na", PASSWORD).status_code == 302
