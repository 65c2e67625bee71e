"""Statements planned once per database connection (config.statements)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from config import statements
from departments.auth import AccountBackend
from departments.models import User

SQL = "SELECT %s + 1, 'a%%b', %s"


def _run(sql: str = SQL, params: tuple = (41, "x"), label: str = "test_read") -> tuple:
    """The statement's row; a test that looks at what is prepared gives a label of its own (the connection, and
    what it prepared, may come from an earlier test)."""
    with connection.cursor() as cursor:
        statements.execute(cursor, sql, params, label=label)
        return cursor.fetchone()


def _prepared(label: str = "test_read") -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE %s", [f"{label}%"])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_the_statement_answers_as_the_plain_one() -> None:
    assert _run() == (42, "a%b", "x")
    assert _run(params=(1, "y")) == (2, "a%b", "y")
    with connection.cursor() as cursor:
        cursor.execute(SQL, (1, "y"))
        assert cursor.fetchone() == (2, "a%b", "y")
    assert _run("SELECT '5%%'", ()) == ("5%",) == _run("SELECT '5%%'", ())


@pytest.mark.postgres
@pytest.mark.django_db
def test_preparing_costs_no_round_trip_of_its_own() -> None:
    with CaptureQueriesContext(connection) as first:
        _run(label="test_trips")
    with CaptureQueriesContext(connection) as second:
        _run(label="test_trips")
    assert len(first) == len(second) == 1
    assert first[0]["sql"].startswith("PREPARE test_trips_")
    assert second[0]["sql"].startswith("EXECUTE test_trips_")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_prepares_it_once_per_connection() -> None:
    _run(label="test_once")
    _run(params=(2, "z"), label="test_once")
    assert len(_prepared("test_once")) == 1
    assert _run("SELECT %s - 1", (3,), label="test_once") == (2,)
    assert len(_prepared("test_once")) == 2  # each text its own name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again() -> None:
    _run()
    connection.close()
    assert _prepared() == []  # the new session has none
    assert _run() == (42, "a%b", "x")
    assert len(_prepared()) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_in_a_rolled_back_transaction_stays_usable() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _run()
        raise RuntimeError
    assert _run(params=(9, "w")) == (10, "a%b", "w")


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_account_read_of_every_request_is_prepared(org) -> None:
    account = User.objects.create_user(username="reader", password="x-pass-123456")
    assert AccountBackend().get_user(account.pk).username == "reader"
    assert AccountBackend().get_user(account.pk).username == "reader"
    assert len(_prepared("account")) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_each_thread_prepares_on_its_own_connection() -> None:
    answers = []

    def in_a_thread() -> None:
        try:
            answers.append(_run(params=(1, "t"), label="test_threads"))
        finally:
            connection.close()

    assert _run(label="test_threads") == (42, "a%b", "x")
    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join(30)
    assert answers == [(2, "a%b", "t")]
    assert _run(params=(2, "m"), label="test_threads") == (3, "a%b", "m")  # this thread's session still has it
