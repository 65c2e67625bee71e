"""An account's roles and permissions are read together, in one query, and from the database on every request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import User
from departments.roles import Role
from departments.services import user_create, user_set_roles

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # as the next request loads it


def test_roles_and_permissions_take_one_query():
    user = user_create(username="li.lei", full_name="李雷", roles=[Role.EVALUATOR, Role.VIEWER])
    user = _fresh(user)

    with CaptureQueriesContext(connection) as queries:
        assert user.has_role(Role.EVALUATOR) and not user.has_role(Role.LEADER)
        assert user.has_perm("evaluation.manage_quarters")
        assert not user.has_perm("departments.import_org")
        assert "evaluation.view_published_results" in user.get_all_permissions()

    assert len(queries) == 1
    assert user.role_names == {Role.EVALUATOR, Role.VIEWER}


def test_an_accounts_own_permissions_count_beside_its_roles():
    user = user_create(username="han.meimei", full_name="韩梅梅", roles=[Role.VIEWER])
    user.user_permissions.add(Permission.objects.get(codename="import_org"))
    user = _fresh(user)

    assert user.has_perm("departments.import_org") and user.has_perm("evaluation.view_published_results")
    assert user.get_user_permissions() == {"departments.import_org"}
    assert "departments.import_org" not in user.get_group_permissions()


def test_a_changed_role_holds_from_the_next_check():
    user = user_create(username="wang.wu", full_name="王五", roles=[Role.EVALUATOR])
    assert user.has_perm("evaluation.manage_quarters")

    user_set_roles(user=user, roles=[Role.VIEWER])

    assert not user.has_perm("evaluation.manage_quarters") and user.role_names == {Role.VIEWER}
    assert not _fresh(user).has_perm("evaluation.manage_quarters")


def test_inactive_accounts_and_superusers_keep_djangos_rules():
    inactive = user_create(username="zhao.liu", full_name="赵六", roles=[Role.EVALUATOR])
    inactive.is_active = False
    inactive.save()
    superuser = User.objects.create_superuser(username="root.admin", email="", password="x-Pass-2030-long")

    assert not _fresh(inactive).has_perm("evaluation.manage_quarters")
    assert not _fresh(inactive).has_role(Role.EVALUATOR)
    assert _fresh(superuser).has_perm("evaluation.reopen_published_quarter")
    assert _fresh(superuser).has_perm("departments.add_unit")


def _session_account(user: User) -> User | None:
    """The account as the authentication middleware loads it for a session (the backend's get_user)."""
    from django.contrib.auth import load_backend

    return load_backend("departments.auth.AccountBackend").get_user(user.pk)


def test_a_sessions_account_comes_with_its_access():
    user = user_create(username="sun.qi", full_name="孙七", roles=[Role.EVALUATOR])
    user.user_permissions.add(Permission.objects.get(codename="import_org"))

    with CaptureQueriesContext(connection) as queries:
        account = _session_account(user)
        assert account.has_role(Role.EVALUATOR) and not account.has_role(Role.LEADER)
        assert account.has_perm("evaluation.manage_quarters") and account.has_perm("departments.import_org")
        assert account.get_user_permissions() == {"departments.import_org"}

    # PostgreSQL: the account and its access in one statement; elsewhere Django's read, then the access.
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    orm = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        ours, django = getattr(account, field.attname), getattr(orm, field.attname)
        assert (ours, type(ours)) == (django, type(django)), field.name
    assert account._state.adding is False and account._state.db == "default"
    account.full_name = "孙七七"
    account.save(update_fields=["full_name"])  # an account read so is saved like any other
    assert User.objects.get(pk=user.pk).full_name == "孙七七"


def test_a_sessions_account_gone_or_inactive_is_no_account():
    user = user_create(username="zhou.ba", full_name="周八", roles=[Role.VIEWER])
    assert _session_account(user) is not None
    user.is_active = False
    user.save()
    assert _session_account(user) is None
    user.delete()
    assert _session_account(user) is None


def test_a_sessions_superuser_holds_every_permission():
    superuser = User.objects.create_superuser(username="root.two", email="", password="x-Pass-2030-long")
    account = _session_account(superuser)
    assert account.is_superuser and account.has_perm("departments.add_unit")
