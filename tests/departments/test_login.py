"""Logging in and out, and changing one's password."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import User
from tests.conftest import DEMO_PASSWORD


def test_the_login_page_is_in_chinese(db, client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    assert "用户名" in response.content.decode()


@pytest.mark.parametrize("persona", ["admin_user", "evaluator", "leader", "rep", "grassroots_rater", "viewer"])
def test_every_role_logs_in(request, client: Client, persona: str) -> None:
    user = request.getfixturevalue(persona)
    response = client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == user


def test_a_wrong_password_shows_an_error_in_chinese(client: Client, leader: User) -> None:
    response = client.post(reverse("login"), {"username": leader.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_an_imported_account_cannot_log_in_before_a_password_is_set(client: Client, org) -> None:
    from departments.services import user_create

    user_create(username="newbie", full_name="新人", roles=["viewer"])
    response = client.post(reverse("login"), {"username": "newbie", "password": ""})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_login_goes_back_to_the_page_asked_for(client: Client, admin_user: User) -> None:
    target = reverse("departments:import")
    response = client.post(
        reverse("login") + f"?next={target}",
        {"username": admin_user.username, "password": DEMO_PASSWORD, "next": target},
    )
    assert response.url == target


def test_logout_needs_a_post(client_for, leader: User) -> None:
    client = client_for(leader)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_the_password_change_page_needs_a_login(db, client: Client) -> None:
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_changes_the_password(client_for, viewer: User) -> None:
    client = client_for(viewer)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": "Steel-Works-2026", "new_password2": "Steel-Works-2026"},
    )
    assert response.url == reverse("password_change_done")
    assert client.get(response.url).status_code == 200
    viewer.refresh_from_db()
    assert viewer.check_password("Steel-Works-2026")


def test_a_wrong_old_password_is_refused(client_for, viewer: User) -> None:
    response = client_for(viewer).post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Steel-Works-2026", "new_password2": "Steel-Works-2026"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    viewer.refresh_from_db()
    assert viewer.check_password(DEMO_PASSWORD)
