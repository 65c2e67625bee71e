"""A real directory server for the directory login tests (tests/departments/directory_server.py)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator

import pytest

from config.directory import directory_settings
from tests.departments.directory_server import (
    GROUPS,
    PEOPLE,
    READER_DN,
    READER_PASSWORD,
    DirectoryServer,
    group_dn,
    slapd_path,
    start_directory,
)

ROLE_GROUPS = {
    "department_rep": group_dn("kaohe-reps"),
    "evaluator": [group_dn("kaohe-evaluators")],
    "viewer": group_dn("kaohe-viewers"),
    "admin": group_dn("kaohe-admins"),
}


@pytest.fixture(scope="session")
def directory_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DirectoryServer]:
    slapd = slapd_path()
    if slapd is None or shutil.which("ldapadd") is None:
        pytest.skip("needs OpenLDAP's slapd and ldapadd: apt-get install slapd ldap-utils")
    server = start_directory(tmp_path_factory.mktemp("slapd"), slapd)
    yield server
    server.stop()


def directory_environment(server_uri: str, **overrides: str) -> dict[str, str]:
    """The LDAP_* variables of an OpenLDAP site: search-and-bind, groups searched, unit in departmentNumber."""
    return {
        "LDAP_SERVER_URI": server_uri,
        "LDAP_BIND_DN": READER_DN,
        "LDAP_BIND_PASSWORD": READER_PASSWORD,
        "LDAP_USER_SEARCH_BASE": PEOPLE,
        "LDAP_USER_FILTER": "(uid=%(user)s)",
        "LDAP_GROUP_SEARCH_BASE": GROUPS,
        "LDAP_ROLE_GROUPS": json.dumps(ROLE_GROUPS),
        "LDAP_UNIT_ATTRIBUTE": "departmentNumber",
        "LDAP_TIMEOUT": "3",
    } | overrides


@pytest.fixture
def use_directory(settings, directory_server: DirectoryServer) -> Callable[..., None]:
    """Configure directory login from LDAP_* variables, as config/settings.py does at start-up."""

    def configure(server_uri: str | None = None, **overrides: str) -> None:
        environment = directory_environment(server_uri or directory_server.uri, **overrides)
        for name, value in directory_settings(environment).items():
            setattr(settings, name, value)
        settings.AUTHENTICATION_BACKENDS = [
            "departments.directory.DirectoryBackend",
            "departments.auth.AccountBackend",
        ]

    return configure
