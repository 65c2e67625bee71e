"""Logging in with a directory account against a real OpenLDAP server: roles and unit from the directory."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import User
from departments.roles import Role
from departments.services import user_create
from tests.conftest import DEMO_PASSWORD
from tests.departments.directory_server import GROUPS, PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_directory_account_logs_in_with_its_directory_password(client: Client, org, use_directory) -> None:
    use_directory()
    response = log_in(client, "zhang.wei")
    assert response.status_code == 302
    user = User.objects.get(username="zhang.wei")
    assert client.get(reverse("home")).context["user"] == user
    assert user.full_name == "张伟"
    assert user.email == "zhang.wei@kaohe.test"
    assert not user.has_usable_password()


def test_directory_groups_give_the_roles_and_the_unit(client: Client, org, use_directory) -> None:
    use_directory()
    assert log_in(client, "zhang.wei").status_code == 302
    assert log_in(Client(), "li.na").status_code == 302
    rep = User.objects.get(username="zhang.wei")
    assert rep.role_names == {Role.DEPARTMENT_REP}
    assert rep.unit == org["OPS"]
    evaluator = User.objects.get(username="li.na")
    assert evaluator.role_names == {Role.EVALUATOR, Role.VIEWER}
    assert evaluator.unit is None
    assert evaluator.has_perm("evaluation.manage_quarters")
    assert not rep.has_perm("evaluation.manage_quarters")


def test_the_directory_replaces_roles_and_unit_at_every_login(client: Client, org, use_directory) -> None:
    user_create(username="zhang.wei", full_name="Old name", roles=[Role.VIEWER], unit=org["EQP"])
    use_directory()
    assert log_in(client, "zhang.wei").status_code == 302
    user = User.objects.get(username="zhang.wei")
    assert user.role_names == {Role.DEPARTMENT_REP}
    assert user.unit == org["OPS"]
    assert user.full_name == "张伟"


def test_it_refuses_a_wrong_directory_password(client: Client, org, use_directory, english) -> None:
    use_directory()
    response = log_in(client, "zhang.wei", "not-the-password")
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert "Please enter a correct username and password" in response.content.decode()
    assert not User.objects.filter(username="zhang.wei").exists()


def test_it_refuses_an_account_in_no_role_group_and_keeps_nothing(client: Client, org, use_directory, english) -> None:
    use_directory()
    response = log_in(client, "wang.fang")
    assert response.status_code == 200
    assert "in none of the groups that give a role" in response.content.decode()
    assert not User.objects.filter(username="wang.fang").exists()


def test_it_refuses_a_unit_code_the_site_does_not_know_naming_it(client: Client, org, use_directory, english) -> None:
    use_directory()
    response = log_in(client, "chen.jie")
    assert response.status_code == 200
    assert "Unknown unit code NOPE." in response.content.decode()
    assert not User.objects.filter(username="chen.jie").exists()


def test_it_refuses_a_representative_of_a_grassroots_unit(client: Client, org, use_directory, english) -> None:
    use_directory()
    response = log_in(client, "zhao.lei")
    assert "A department representative belongs to an evaluated department, not to HRM." in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_the_refusal_is_in_chinese_by_default(client: Client, org, use_directory) -> None:
    use_directory()
    assert "单位代码NOPE不存在" in log_in(client, "chen.jie").content.decode()


def test_groups_read_from_member_of_as_in_active_directory(client: Client, org, use_directory) -> None:
    use_directory(LDAP_GROUP_SEARCH_BASE="", LDAP_GROUP_ATTRIBUTE="memberOf")
    assert log_in(client, "li.na").status_code == 302
    assert User.objects.get(username="li.na").role_names == {Role.EVALUATOR, Role.VIEWER}


def test_group_dns_match_whatever_their_spelling(client: Client, org, use_directory) -> None:
    spelt = GROUPS.replace(",", ", ").upper()
    use_directory(LDAP_ROLE_GROUPS=f'{{"viewer": "CN=kaohe-viewers, {spelt}"}}')
    assert log_in(client, "li.na").status_code == 302
    assert User.objects.get(username="li.na").role_names == {Role.VIEWER}


def test_without_a_role_mapping_only_the_sites_accounts_log_in_keeping_their_roles(
    client: Client, org, use_directory
) -> None:
    user_create(username="li.na", full_name="李娜", roles=[Role.LEADER])
    use_directory(LDAP_ROLE_GROUPS="", LDAP_UNIT_ATTRIBUTE="")
    assert log_in(client, "li.na").status_code == 302
    assert User.objects.get(username="li.na").role_names == {Role.LEADER}
    assert log_in(Client(), "zhang.wei").status_code == 200
    assert not User.objects.filter(username="zhang.wei").exists()


def test_local_accounts_still_log_in_beside_the_directory(client: Client, leader: User, use_directory) -> None:
    use_directory()
    assert log_in(client, leader.username, DEMO_PASSWORD).status_code == 302
    assert client.get(reverse("home")).context["user"] == leader
