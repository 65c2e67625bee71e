"""Logging in with a directory account (README, "Directory login"), through django-auth-ldap.

The directory checks the password (search, then bind as the account found). At every login the
product then takes the account's name and e-mail, its roles from its directory groups
(DIRECTORY_ROLE_GROUPS) and its unit from an attribute holding a Unit.code (DIRECTORY_UNIT_ATTRIBUTE).
An account the product cannot place is refused with the reason shown on the login page, and nothing
of it is kept. When the directory cannot be used, the login page says so; the product's own accounts
(departments.auth.AccountBackend, next in AUTHENTICATION_BACKENDS) log in regardless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import ldap
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend, ldap_error

from departments.models import Unit, User
from departments.rules import role_unit_problem
from departments.services import user_directory_update
from departments.usernames import fold_username

logger = logging.getLogger(__name__)

_REFUSAL = "directory_refusal"


class DirectoryRefused(Exception):
    """The directory accepted the password but the product cannot give the account a place."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def directory_refusal(request: HttpRequest | None) -> str | None:
    """Why the directory refused the login attempted with this request, if it did."""
    return getattr(request, _REFUSAL, None)


def _note_refusal(request: HttpRequest | None, message: str) -> None:
    if request is not None:
        setattr(request, _REFUSAL, message)


def unreachable_message() -> str:
    return _(
        "Directory accounts cannot log in just now: the directory server did not answer or refused this site. "
        "Accounts of this site can still log in. Try again later, or tell an administrator."
    )


def normalized_dn(dn: str) -> str:
    """A DN in one spelling (spaces and case aside), to compare group DNs from settings and directory."""
    try:
        return ldap.dn.dn2str(ldap.dn.str2dn(dn.strip())).lower()
    except ldap.DECODING_ERROR:
        return dn.strip().lower()


def _first(attrs: Mapping[str, list[str]], name: str) -> str:
    values = (attrs.get(name) or []) if name else []
    return values[0].strip() if values else ""


def roles_for_groups(group_dns: Iterable[str], role_groups: Mapping[str, list[str]]) -> set[str]:
    """The roles whose groups (DIRECTORY_ROLE_GROUPS) include one of the account's groups."""
    member_of = {normalized_dn(dn) for dn in group_dns}
    return {role for role, dns in role_groups.items() if member_of & {normalized_dn(dn) for dn in dns}}


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend, placing each directory account in the product's roles and units."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        try:
            # An account refused after the directory created it leaves nothing behind.
            with transaction.atomic():
                return super().authenticate(request, username=username, password=password, **kwargs)
        except DirectoryRefused as refused:
            logger.info("Directory login of %r refused: %s", username, refused.message)
            _note_refusal(request, refused.message)
        except ldap.LDAPError as error:  # the groups' search, after the bind
            logger.warning("Directory unusable while reading the groups of %r: %s", username, error)
            _note_refusal(request, unreachable_message())
        return None

    def ldap_to_django_username(self, username: str) -> str:
        # Accounts of the site are stored folded; a directory account must find the same one.
        return fold_username(username)

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> User | None:
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is not None:
            _place_account(user, ldap_user)
        return user


def _group_dns(ldap_user: Any) -> list[str]:
    if getattr(settings, "AUTH_LDAP_GROUP_SEARCH", None) is not None:
        return list(ldap_user.group_dns)
    return list((ldap_user.attrs or {}).get(settings.DIRECTORY_GROUP_ATTRIBUTE) or [])


def _place_account(user: User, ldap_user: Any) -> None:
    """Roles, unit, name and e-mail from the directory entry, or DirectoryRefused saying why not."""
    attrs = ldap_user.attrs or {}
    role_groups = getattr(settings, "DIRECTORY_ROLE_GROUPS", {})
    roles = roles_for_groups(_group_dns(ldap_user), role_groups) if role_groups else None
    if roles is not None and not roles:
        raise DirectoryRefused(
            _("This directory account is in none of the groups that give a role on this site. Ask an administrator.")
        )
    unit_attribute = getattr(settings, "DIRECTORY_UNIT_ATTRIBUTE", "")
    if unit_attribute:
        code = _first(attrs, unit_attribute) or None
        unit = Unit.objects.filter(code=code).first() if code else None
    else:
        unit = user.unit
        code = unit.code if unit else None
    problem = role_unit_problem(
        roles=roles if roles is not None else user.role_names, code=code, kind=unit.kind if unit else None
    )
    if problem:
        raise DirectoryRefused(
            _("This directory account cannot log in: %(problem)s Ask an administrator.") % {"problem": problem}
        )
    user_directory_update(
        user=user,
        full_name=_first(attrs, getattr(settings, "DIRECTORY_NAME_ATTRIBUTE", "")),
        email=_first(attrs, getattr(settings, "DIRECTORY_EMAIL_ATTRIBUTE", "")),
        roles=roles,
        unit=unit,
        update_unit=bool(unit_attribute),
    )


def _on_directory_error(sender: type, context: str, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """The directory could not be searched or bound to: say so on the login page."""
    if context in {"authenticate", "search_for_user_dn"}:
        _note_refusal(request, unreachable_message())


ldap_error.connect(_on_directory_error, sender=DirectoryBackend, dispatch_uid="departments.directory.unreachable")
