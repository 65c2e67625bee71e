"""An account's roles and permissions, read in one query per request.

Django's ModelBackend reads an account's own permissions and its groups' permissions in two queries,
and `User.role_names` read the group names in a third; every logged-in page asks for all three (the
navigation bar, the view's permission checks, the role checks). Each is a small query, but building
it through the ORM costs about 0.6 ms of CPU, several times the database's own work. Here one
statement (three SELECTs joined by UNION ALL) answers the three questions from the same tables, so
what an account may do is still read from the database on every request, as Django does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

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


def load_access(user: Any) -> None:
    """Read `user`'s role names, own permissions and its roles' permissions in one query, kept on the object."""
    roles: set[str] = set()
    perms: dict[str, set[str]] = {"group": set(), "user": set()}
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(), [user.pk] * 3)
        for kind, first, second in cursor.fetchall():
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
    """Django's ModelBackend, reading an account's permissions together with its roles (load_access)."""

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
