"""Liveness answers anyone with "ok" without a database query; readiness also asks the database."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["evaluation:health", "evaluation:health_live"])
def test_liveness_answers_ok_to_anyone_without_a_query(name: str, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = Client().get(reverse(name))

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_answers_ok_when_the_database_answers(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        response = Client().get(reverse("evaluation:health_ready"))

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_database(db, tmp_path) -> Iterator[None]:
    """The default connection pointed at a server that is not there (a closed port; SQLite: no directory)."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    else:
        settings_dict.update(NAME=str(tmp_path / "missing" / "db.sqlite3"))
    working = connections["default"]
    broken = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = working


def test_readiness_fails_with_503_when_the_database_is_unreachable(unreachable_database) -> None:
    response = Client().get(reverse("evaluation:health_ready"))

    assert response.status_code == 503
    assert response.content == b"database unavailable"


def test_liveness_still_answers_when_the_database_is_unreachable(unreachable_database) -> None:
    assert Client().get(reverse("evaluation:health_live")).status_code == 200


@pytest.mark.parametrize("name", ["evaluation:health", "evaluation:health_live", "evaluation:health_ready"])
def test_it_refuses_post(name: str) -> None:
    response = Client(enforce_csrf_checks=False).post(reverse(name))

    assert response.status_code == 405
