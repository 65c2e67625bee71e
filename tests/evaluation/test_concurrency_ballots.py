"""Simultaneous submits on PostgreSQL: one code, one ballot; one department, one peer ballot."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from evaluation.models import Ballot, BallotCode, BallotInbox, BallotValue, Source
from evaluation.services.ballots import BallotRefused, ballot_submit
from evaluation.services.inbox import inbox_flush
from tests.evaluation.ballot_helpers import full_values

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


def run_at_once(submit: Callable[[], None]) -> tuple[int, list[str], list[BaseException]]:
    """Run `submit` in THREADS threads released together; (stored, refusal codes, other errors)."""
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    stored: list[int] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            submit()
            with lock:
                stored.append(1)
        except BallotRefused as refusal:
            with lock:
                refusals.append(refusal.code)
        except BaseException as error:  # reported by the test
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(stored), refusals, errors


def test_one_code_submitted_twenty_times_at_once_stores_one_ballot(quarter, org):
    code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="RACEC22222")
    values = full_values(quarter)

    def submit() -> None:
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, code=code.code)

    stored, refusals, errors = run_at_once(submit)
    assert errors == []
    assert stored == 1
    assert refusals == ["code_used"] * (THREADS - 1)
    assert BallotInbox.objects.count() == 1
    assert inbox_flush(quarter=quarter) == 1
    assert Ballot.objects.count() == 1
    assert BallotValue.objects.count() == len(values)
    code.refresh_from_db()
    assert code.used


def test_one_peer_ballot_submitted_twenty_times_at_once_stores_one(quarter, org, rep):
    values = full_values(quarter, exclude=("OPS",))

    def submit() -> None:
        ballot_submit(quarter=quarter, source=Source.PEER, values=values, rater=rep)

    stored, refusals, errors = run_at_once(submit)
    assert errors == []
    assert stored == 1
    assert refusals == ["duplicate"] * (THREADS - 1)
    assert Ballot.objects.filter(source=Source.PEER).count() == 1
    assert BallotValue.objects.count() == len(values)


def test_one_leader_submitting_twenty_times_at_once_stores_one(quarter, leader):
    values = full_values(quarter)

    def submit() -> None:
        ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=values, rater=leader)

    stored, refusals, errors = run_at_once(submit)
    assert errors == []
    assert stored == 1
    assert refusals == ["duplicate"] * (THREADS - 1)
    assert Ballot.objects.count() == 1


def test_one_grassroots_account_submitting_twenty_times_at_once_stores_one(quarter, grassroots_rater):
    from evaluation.models import GrassrootsParticipation

    values = full_values(quarter)

    def submit() -> None:
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, rater=grassroots_rater)

    stored, refusals, errors = run_at_once(submit)
    assert errors == []
    assert stored == 1
    assert refusals == ["duplicate"] * (THREADS - 1)
    assert BallotInbox.objects.count() == 1
    assert inbox_flush(quarter=quarter) == 1
    assert Ballot.objects.count() == 1
    assert GrassrootsParticipation.objects.count() == 1
