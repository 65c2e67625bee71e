"""Directory login settings from LDAP_* variables: off unless asked for, bad values refused at start-up."""

from __future__ import annotations

import json
import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.directory import directory_settings, role_groups_from
from departments.checks import check_directory_roles
from tests.test_settings import PRODUCTION, run

LDAP = {
    "LDAP_SERVER_URI": "ldap://ldap.example.org",
    "LDAP_USER_SEARCH_BASE": "ou=people,dc=example,dc=org",
}


def test_directory_login_is_off_without_a_server_address() -> None:
    assert directory_settings({}) == {}
    result = run(["-c", "import config.settings as s; print(s.AUTHENTICATION_BACKENDS)"], DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['departments.auth.AccountBackend']"


def test_the_directory_comes_first_and_local_accounts_after() -> None:
    code = "import config.settings as s; print(s.AUTHENTICATION_BACKENDS, s.AUTH_LDAP_SERVER_URI)"
    result = run(["-c", code], DJANGO_DEBUG="1", **LDAP)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['departments.directory.DirectoryBackend', 'departments.auth.AccountBackend'] ldap://ldap.example.org"
    )


def test_the_deploy_check_passes_with_directory_login() -> None:
    roles = json.dumps({"admin": "cn=admins,dc=example,dc=org"})
    env = PRODUCTION | LDAP | {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "LDAP_ROLE_GROUPS": roles}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env, LDAP_GROUP_ATTRIBUTE="memberOf")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_search_settings_follow_the_variables() -> None:
    values = directory_settings(
        LDAP | {"LDAP_USER_FILTER": "(sAMAccountName=%(user)s)", "LDAP_START_TLS": "1", "LDAP_BIND_DN": "cn=r"}
    )
    search = values["AUTH_LDAP_USER_SEARCH"]
    assert (search.base_dn, search.filterstr) == ("ou=people,dc=example,dc=org", "(sAMAccountName=%(user)s)")
    assert values["AUTH_LDAP_START_TLS"] is True
    assert values["AUTH_LDAP_BIND_DN"] == "cn=r"
    assert values["AUTH_LDAP_NO_NEW_USERS"] is True  # no role mapping: only the site's own accounts


def test_role_groups_take_one_dn_or_a_list() -> None:
    assert role_groups_from('{"admin": "cn=a", "viewer": ["cn=b", "cn=c"]}') == {
        "admin": ["cn=a"],
        "viewer": ["cn=b", "cn=c"],
    }
    assert role_groups_from("") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{admin: cn=a}", "not valid JSON"),
        ('["cn=a"]', "must be a JSON object"),
        ('{"admin": []}', "a DN or a list of DNs"),
        ('{"admin": 3}', "a DN or a list of DNs"),
    ],
)
def test_it_refuses_a_malformed_role_mapping(text: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        role_groups_from(text)


def test_it_refuses_to_start_with_a_malformed_role_mapping() -> None:
    result = run(["-c", "import config.settings"], DJANGO_DEBUG="1", LDAP_ROLE_GROUPS="{oops", **LDAP)
    assert result.returncode != 0
    assert "LDAP_ROLE_GROUPS is not valid JSON" in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"LDAP_USER_SEARCH_BASE": ""}, "LDAP_USER_SEARCH_BASE must be set"),
        ({"LDAP_GROUP_SEARCH_BASE": "ou=groups", "LDAP_GROUP_TYPE": "ntgroups"}, "LDAP_GROUP_TYPE must be one of"),
        ({"LDAP_ROLE_GROUPS": '{"admin": "cn=a"}'}, "LDAP_ROLE_GROUPS needs LDAP_GROUP_SEARCH_BASE"),
        ({"LDAP_TIMEOUT": "5s"}, "LDAP_TIMEOUT must be a whole number of seconds"),
        ({"LDAP_TIMEOUT": "0"}, "LDAP_TIMEOUT must be a whole number of seconds"),
    ],
)
def test_it_refuses_incomplete_settings(extra: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        directory_settings(LDAP | extra)


def test_the_system_check_names_a_role_that_does_not_exist(settings) -> None:
    settings.DIRECTORY_ROLE_GROUPS = {"admin": ["cn=a"], "adminstrator": ["cn=b"]}
    errors = check_directory_roles()
    assert [error.id for error in errors] == ["departments.E001"]
    assert "adminstrator" in errors[0].msg


def test_the_system_check_is_quiet_with_known_roles(settings) -> None:
    settings.DIRECTORY_ROLE_GROUPS = {"admin": ["cn=a"], "department_rep": ["cn=b"]}
    assert check_directory_roles() == []
