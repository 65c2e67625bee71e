from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group

from departments.auth import forget_access
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
    forget_access(user)


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


def user_directory_update(
    *,
    user: User,
    full_name: str,
    email: str,
    roles: Iterable[Role | str] | None,
    unit: Unit | None,
    update_unit: bool,
) -> None:
    """Bring an account in line with its directory entry at login; None roles leave the roles alone."""
    fields = {"full_name": full_name[: User._meta.get_field("full_name").max_length] or user.full_name}
    fields["email"] = email[: User._meta.get_field("email").max_length] or user.email
    if update_unit:
        fields["unit"] = unit
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.save(update_fields=changed)
    if roles is not None:
        user_set_roles(user=user, roles=roles)
