"""Usernames are folded once (NFKC, case-folded) before they are matched: in the organisation import, in accounts
created any other way, and at login; look-alikes of an existing account are refused with the row named."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from departments.imports import org_import
from departments.models import User
from departments.services import user_create
from departments.usernames import fold_username, mixes_scripts, username_skeleton
from departments.workbook import WorkbookInvalid
from tests.conftest import DEMO_PASSWORD
from tests.departments.test_import_org import snapshot
from tests.departments.workbooks import UNITS, org_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CYRILLIC_I = "\u0456"


@pytest.fixture
def existing_admin(db) -> User:
    return user_create(username="admin", full_name="管理员", roles=["admin"], password=DEMO_PASSWORD)


def refusals(tmp_path: Path, *usernames: str) -> list[tuple[int | None, str | None, str]]:
    people = [[username, f"姓名{index}", None, "viewer", None] for index, username in enumerate(usernames)]
    before = snapshot()
    with pytest.raises(WorkbookInvalid) as caught:
        org_import(source=org_file(tmp_path, units=UNITS, people=people))
    assert snapshot() == before
    return [(issue.row, issue.column, issue.message) for issue in caught.value.issues]


@pytest.mark.parametrize(
    "look_alike",
    ["ａｄｍｉｎ", "ADMIN", "Admin", f"adm{CYRILLIC_I}n", "аdmіn", "ａＤｍｉｎ"],
    ids=["full-width", "upper case", "capitalised", "one Cyrillic letter", "Cyrillic letters", "mixed width"],
)
def test_it_refuses_a_look_alike_of_an_existing_account_naming_its_row(tmp_path, existing_admin, look_alike) -> None:
    [(row, column, message)] = refusals(tmp_path, "someone", look_alike)
    assert (row, column) == (3, "username")
    assert look_alike in message
    assert "admin" in message.replace(look_alike, "")
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]


def test_it_refuses_a_new_username_mixing_alphabets(tmp_path) -> None:
    [(row, _column, message)] = refusals(tmp_path, "p\u0430vel")  # Cyrillic а
    assert row == 2
    assert "alphabets" in message


def test_it_asks_for_a_new_username_in_its_folded_form(tmp_path) -> None:
    [(row, _column, message)] = refusals(tmp_path, "ZhangSan")
    assert row == 2
    assert "zhangsan" in message


def test_two_rows_that_look_alike_are_refused_as_one_username(tmp_path) -> None:
    cyrillic_cox = "\u0441\u043e\u0445"
    [(row, _column, message)] = refusals(tmp_path, "cox", cyrillic_cox)
    assert row == 3
    assert "row 2" in message


def test_folded_usernames_and_other_scripts_are_imported_and_again_change_nothing(tmp_path) -> None:
    people = [["wang.wu", "王五", None, "viewer", None], ["王五", "王五", None, "viewer", None]]
    path = org_file(tmp_path, units=UNITS, people=people)
    org_import(source=path)
    assert set(User.objects.values_list("username", flat=True)) == {"wang.wu", "王五"}
    units_and_users = snapshot()[:2]
    org_import(source=path)
    assert snapshot()[:2] == units_and_users


def test_an_existing_account_written_as_stored_is_updated(tmp_path, existing_admin) -> None:
    org_import(source=org_file(tmp_path, units=UNITS, people=[["admin", "新名字", None, "admin", None]]))
    assert User.objects.get().full_name == "新名字"


def test_an_account_created_otherwise_is_stored_folded_and_a_look_alike_is_a_validation_error(existing_admin) -> None:
    assert user_create(username="ＬＩ.Ｓｉ", full_name="李四", roles=["viewer"]).username == "li.si"
    with pytest.raises(ValidationError):
        user_create(username="ADMIN", full_name="又一个", roles=["viewer"])


@pytest.mark.parametrize("typed", ["admin", "ADMIN", "ａｄｍｉｎ", " Admin "])
def test_login_matches_the_folded_username(client: Client, existing_admin, typed: str) -> None:
    response = client.post(reverse("login"), {"username": typed, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == existing_admin


def test_login_does_not_match_a_look_alike_from_another_alphabet(client: Client, existing_admin) -> None:
    response = client.post(reverse("login"), {"username": f"adm{CYRILLIC_I}n", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_the_migration_folds_stored_usernames_and_leaves_a_clash_for_an_administrator(db) -> None:
    User.objects.bulk_create([User(username=name) for name in ("Wang", "ＬＩ", "Zhao", "zhao")])
    migration = importlib.import_module("departments.migrations.0002_usernames_folded")
    migration.fold_usernames(apps, None)
    assert sorted(User.objects.values_list("username", flat=True)) == ["Zhao", "li", "wang", "zhao"]


def test_the_folding_rules() -> None:
    assert fold_username(" ＡＤＭＩＮ ") == "admin"
    assert fold_username("Straße") == "strasse"
    assert username_skeleton("аdmіn") == "admin"
    assert mixes_scripts(f"adm{CYRILLIC_I}n")
    assert not mixes_scripts("王wu1")
    assert not mixes_scripts("иван")
