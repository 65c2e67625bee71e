"""Directory login settings (README, "Directory login"), read from LDAP_* environment variables.

`directory_settings(environ)` turns them into django-auth-ldap's AUTH_LDAP_* settings plus the
product's own DIRECTORY_* settings; it returns nothing when LDAP_SERVER_URI is unset, and then
only local accounts log in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# LDAP_GROUP_TYPE values and the django-auth-ldap classes they name.
GROUP_TYPES = {
    "group_of_names": "GroupOfNamesType",
    "nested_group_of_names": "NestedGroupOfNamesType",
    "group_of_unique_names": "GroupOfUniqueNamesType",
    "active_directory": "ActiveDirectoryGroupType",
    "nested_active_directory": "NestedActiveDirectoryGroupType",
    "posix": "PosixGroupType",
}

DEFAULT_USER_FILTER = "(uid=%(user)s)"
DEFAULT_TIMEOUT_SECONDS = 5


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def role_groups_from(text: str) -> dict[str, list[str]]:
    """LDAP_ROLE_GROUPS: a JSON object from role to one group DN or a list of them."""
    if not text.strip():
        return {}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"LDAP_ROLE_GROUPS is not valid JSON: {error}") from error
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured('LDAP_ROLE_GROUPS must be a JSON object, e.g. {"admin": "cn=admins,dc=example"}.')
    mapping: dict[str, list[str]] = {}
    for role, dns in parsed.items():
        listed = [dns] if isinstance(dns, str) else dns
        if not isinstance(listed, list) or not listed or not all(isinstance(dn, str) and dn.strip() for dn in listed):
            raise ImproperlyConfigured(f"LDAP_ROLE_GROUPS: the groups of {role!r} must be a DN or a list of DNs.")
        mapping[str(role)] = [dn.strip() for dn in listed]
    return mapping


def directory_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings for directory login, or none when LDAP_SERVER_URI is unset."""
    server_uri = environ.get("LDAP_SERVER_URI", "").strip()
    if not server_uri:
        return {}
    import ldap
    from django_auth_ldap import config as ldap_config

    search_base = environ.get("LDAP_USER_SEARCH_BASE", "").strip()
    if not search_base:
        raise ImproperlyConfigured("LDAP_USER_SEARCH_BASE must be set when LDAP_SERVER_URI is.")
    role_groups = role_groups_from(environ.get("LDAP_ROLE_GROUPS", ""))
    timeout_text = environ.get("LDAP_TIMEOUT", "").strip() or str(DEFAULT_TIMEOUT_SECONDS)
    if not timeout_text.isdigit() or int(timeout_text) < 1:
        raise ImproperlyConfigured(f"LDAP_TIMEOUT must be a whole number of seconds, not {timeout_text!r}.")
    timeout = int(timeout_text)
    options: dict[int, Any] = {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: timeout, ldap.OPT_TIMEOUT: timeout}
    ca_file = environ.get("LDAP_CA_FILE", "").strip()
    if ca_file:
        options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # last: makes the options above take effect on this connection
    group_attribute = environ.get("LDAP_GROUP_ATTRIBUTE", "").strip()
    # memberOf is operational in OpenLDAP: asked for by name beside the ordinary attributes ("*").
    attributes = ["*", group_attribute] if group_attribute else None
    values: dict[str, Any] = {
        "AUTH_LDAP_SERVER_URI": server_uri,
        "AUTH_LDAP_BIND_DN": environ.get("LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": environ.get("LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_USER_SEARCH": ldap_config.LDAPSearch(
            search_base,
            ldap.SCOPE_SUBTREE,
            environ.get("LDAP_USER_FILTER", "").strip() or DEFAULT_USER_FILTER,
            attrlist=attributes,
        ),
        "AUTH_LDAP_USER_ATTRLIST": attributes,
        "AUTH_LDAP_START_TLS": _flag(environ, "LDAP_START_TLS"),
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        # The product fills names, e-mail, roles and unit itself (departments/directory.py).
        "AUTH_LDAP_USER_ATTR_MAP": {},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        # Without a role mapping, roles are given in the product: only its existing accounts may log in.
        "AUTH_LDAP_NO_NEW_USERS": not role_groups,
        "DIRECTORY_ROLE_GROUPS": role_groups,
        "DIRECTORY_GROUP_ATTRIBUTE": group_attribute,
        "DIRECTORY_UNIT_ATTRIBUTE": environ.get("LDAP_UNIT_ATTRIBUTE", "").strip(),
        "DIRECTORY_NAME_ATTRIBUTE": environ.get("LDAP_NAME_ATTRIBUTE", "displayName").strip(),
        "DIRECTORY_EMAIL_ATTRIBUTE": environ.get("LDAP_EMAIL_ATTRIBUTE", "mail").strip(),
    }
    group_base = environ.get("LDAP_GROUP_SEARCH_BASE", "").strip()
    if group_base:
        type_name = environ.get("LDAP_GROUP_TYPE", "group_of_names").strip()
        if type_name not in GROUP_TYPES:
            raise ImproperlyConfigured(f"LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}, not {type_name!r}.")
        values["AUTH_LDAP_GROUP_SEARCH"] = ldap_config.LDAPSearch(group_base, ldap.SCOPE_SUBTREE)
        values["AUTH_LDAP_GROUP_TYPE"] = getattr(ldap_config, GROUP_TYPES[type_name])()
    elif role_groups and not group_attribute:
        raise ImproperlyConfigured(
            "LDAP_ROLE_GROUPS needs LDAP_GROUP_SEARCH_BASE (to search the groups) "
            "or LDAP_GROUP_ATTRIBUTE (e.g. memberOf, to read them from the account)."
        )
    return values
