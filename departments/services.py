from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group

from departments.models import Unit, User
from departments.roles import Role


def user_set_roles(*, user: User, roles: Iterable[Role | str]) -> None:
    """Give `user` exactly these roles. Administrators may use the Django admin site."""
    names = {str(role) for role in roles}
    groups = list(Group.objects.filter(name__in=names))
    user.groups.set(groups)
    is_staff = Role.ADMIN in names
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_names", None)


def user_create(
    *,
    username: str,
    full_name: str,
    roles: Iterable[Role | str],
    unit: Unit | None = None,
    email: str = "",
    password: str | None = None,
) -> User:
    """Create an account; without a password it cannot log in until one is set."""
    user = User(username=username, full_name=full_name, unit=unit, email=email)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    user_set_roles(user=user, roles=roles)
    return user
