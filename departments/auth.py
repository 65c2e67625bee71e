"""An account's roles and permissions, read in one query per request.

Django's ModelBackend reads an account's own permissions and its groups' permissions in two queries,
and `User.role_names` read the group names in a third; every logged-in page asks for all three (the
navigation bar, the view's permission checks, the role checks). Each is a small query, but building
it through the ORM costs about 0.6 ms of CPU, several times the database's own work. Here one
statement (three SELECTs joined by UNION ALL) answers the three questions from the same tables, so
what an account may do is still read from the database on every request, as Django does.

On PostgreSQL the account itself comes in the same statement (`AccountBackend.get_user`, what Django's
authentication middleware calls on every request with a session): the account's columns and, as one JSON
column, its roles and permissions. One round trip instead of two, and no queryset compiled (the ORM's `get`
costs about 0.5 ms of CPU, the statement's own read about 0.1 ms).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from config import statements

# The attributes the answer is kept in on the user object, for the rest of the request. The permission
# ones are ModelBackend's own, so its get_all_permissions and has_perm read them unchanged.
ACCESS_ATTRIBUTES = ("_role_names", "_user_perm_cache", "_group_perm_cache", "_perm_cache")


@cache
def _access_sql() -> str:
    from departments.models import User  # the user model imports this module lazily, and this one it

    q = connection.ops.quote_name
    user_groups = User.groups.through._meta
    user_perms = User.user_permissions.through._meta
    group_perms = Group.permissions.through._meta
    group, permission, content_type = Group._meta, Permission._meta, ContentType._meta

    def column(meta: Any, name: str) -> str:
        return q(meta.get_field(name).column)

    ug, up, gp = q(user_groups.db_table), q(user_perms.db_table), q(group_perms.db_table)
    g, p, ct = q(group.db_table), q(permission.db_table), q(content_type.db_table)
    perm_columns = f"{ct}.{column(content_type, 'app_label')}, {p}.{column(permission, 'codename')}"
    perm_join = f"{p} JOIN {ct} ON {ct}.{q(content_type.pk.column)} = {p}.{column(permission, 'content_type')}"
    return (
        f"SELECT 'role', {g}.{column(group, 'name')}, '' FROM {g} "  # noqa: S608 - names from model metadata
        f"JOIN {ug} ON {ug}.{column(user_groups, 'group')} = {g}.{q(group.pk.column)} "
        f"WHERE {ug}.{column(user_groups, 'user')} = %s "
        f"UNION ALL SELECT 'group', {perm_columns} FROM {perm_join} "
        f"JOIN {gp} ON {gp}.{column(group_perms, 'permission')} = {p}.{q(permission.pk.column)} "
        f"JOIN {ug} ON {ug}.{column(user_groups, 'group')} = {gp}.{column(group_perms, 'group')} "
        f"WHERE {ug}.{column(user_groups, 'user')} = %s "
        f"UNION ALL SELECT 'user', {perm_columns} FROM {perm_join} "
        f"JOIN {up} ON {up}.{column(user_perms, 'permission')} = {p}.{q(permission.pk.column)} "
        f"WHERE {up}.{column(user_perms, 'user')} = %s"
    )


@cache
def _account_sql() -> tuple[str, tuple[str, ...]]:
    """PostgreSQL: one account's columns and, as JSON text, the rows of `_access_sql`; and the columns' names
    (the model's concrete fields, so the statement follows the model). Its parameters: the account's id, 4 times."""
    from departments.models import User

    q = connection.ops.quote_name
    meta = User._meta
    fields = meta.concrete_fields
    columns = ", ".join(f"u.{q(field.column)}" for field in fields)
    access = (
        "SELECT COALESCE(json_agg(json_build_array(a.kind, a.first, a.second)), '[]') "  # noqa: S608
        f"FROM ({_access_sql()}) AS a(kind, first, second)"
    )
    sql = f"SELECT {columns}, ({access})::text FROM {q(meta.db_table)} u WHERE u.{q(meta.pk.column)} = %s"  # noqa: S608
    return sql, tuple(field.attname for field in fields)


def load_access(user: Any) -> None:
    """Read `user`'s role names, own permissions and its roles' permissions in one query, kept on the object."""
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(), [user.pk] * 3)
        _keep_access(user, cursor.fetchall())


def _keep_access(user: Any, rows: Iterable[Iterable[str]]) -> None:
    """Keep the rows of `_access_sql` on `user` as its roles and permissions."""
    roles: set[str] = set()
    perms: dict[str, set[str]] = {"group": set(), "user": set()}
    for kind, first, second in rows:
        if kind == "role":
            roles.add(first)
        else:
            perms[kind].add(f"{first}.{second}")
    user._role_names = roles
    if not user.is_superuser:  # a superuser holds every permission: ModelBackend reads them all itself
        user._user_perm_cache = perms["user"]
        user._group_perm_cache = perms["group"]


def forget_access(user: Any) -> None:
    """Drop what load_access kept (after the account's roles changed), so the next check reads them again."""
    for name in ACCESS_ATTRIBUTES:
        user.__dict__.pop(name, None)


class AccountBackend(ModelBackend):
    """Django's ModelBackend, reading an account's permissions together with its roles (load_access), and on
    PostgreSQL together with the account itself (get_user)."""

    def get_user(self, user_id: Any) -> Any:
        """The account of a session, as ModelBackend gives it (None when gone or inactive), with its access."""
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        from departments.models import User

        sql, names = _account_sql()
        with connection.cursor() as cursor:
            # Django's session key, already the primary key's Python value; planned once per connection.
            statements.execute(cursor, sql, [user_id] * 4, label="account")
            row = cursor.fetchone()
        if row is None:
            return None
        # The columns need no conversion on PostgreSQL (none of the account's fields has one); a test compares
        # the account read here with the ORM's, field by field.
        user = User.from_db(connection.alias, names, row[:-1])
        _keep_access(user, json.loads(row[-1]))
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj: Any, obj: Any, from_name: str) -> set[str]:
        if (
            user_obj.is_active
            and not user_obj.is_anonymous
            and not user_obj.is_superuser
            and obj is None
            and not hasattr(user_obj, f"_{from_name}_perm_cache")
        ):
            load_access(user_obj)
        return super()._get_permissions(user_obj, obj, from_name)
