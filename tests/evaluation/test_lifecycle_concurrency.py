"""On PostgreSQL the quarter row lock serialises simultaneous lifecycle steps and voids."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from audit.models import AuditAction, AuditEntry
from evaluation.models import Ballot, Quarter, QuarterStatus, ResultSnapshot, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.voids import ballot_void

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10


def run_at_once(step: Callable[[int], None]) -> tuple[int, int, list[BaseException]]:
    """Run `step(i)` in THREADS threads released together; (succeeded, refused, other errors)."""
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    results = {"ok": 0, "refused": 0}
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            step(index)
            outcome = "ok"
        except ValidationError:
            outcome = "refused"
        except BaseException as error:  # reported by the test
            with lock:
                errors.append(error)
            return
        finally:
            connection.close()
        with lock:
            results[outcome] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results["ok"], results["refused"], errors


def test_simultaneous_closes_change_the_status_once(quarter) -> None:
    ok, refused, errors = run_at_once(
        lambda _i: quarter_transition(quarter=Quarter.objects.get(pk=quarter.pk), to=QuarterStatus.CLOSED)
    )
    assert errors == []
    assert (ok, refused) == (1, THREADS - 1)
    assert AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGED).count() == 1


def test_simultaneous_publishes_freeze_once(quarter) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    ok, refused, errors = run_at_once(
        lambda _i: quarter_transition(quarter=Quarter.objects.get(pk=quarter.pk), to=QuarterStatus.PUBLISHED)
    )
    assert errors == []
    assert (ok, refused) == (1, THREADS - 1)
    assert ResultSnapshot.objects.filter(quarter=quarter).count() == 1


def test_a_void_racing_a_publish_either_lands_before_it_or_is_refused(quarter, org, rep, admin_user) -> None:
    criterion = quarter.criteria.first()
    ballot = ballot_submit(
        quarter=quarter, source=Source.PEER, values={(org["EQP"].pk, criterion.pk): Decimal(80)}, rater=rep
    )
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)

    def step(index: int) -> None:
        if index == 0:
            quarter_transition(quarter=Quarter.objects.get(pk=quarter.pk), to=QuarterStatus.PUBLISHED)
        else:
            ballot_void(ballot=Ballot.objects.get(pk=ballot.pk), actor=admin_user, reason=f"void {index}")

    ok, refused, errors = run_at_once(step)
    assert errors == []
    voided = Ballot.objects.get(pk=ballot.pk).is_void
    # The publish always succeeds; at most one void does, and only before the publish.
    assert (ok, refused) == ((2, THREADS - 2) if voided else (1, THREADS - 1))
    snapshot = ResultSnapshot.objects.get(quarter=quarter)
    # The frozen results agree with the ballot's final state: no void slipped in after the freeze.
    peer_ballots = snapshot.payload["departments"]
    eqp = next(row for row in peer_ballots if row["code"] == "EQP")
    assert eqp["ballots"]["peer"] == (0 if voided else 1)
    assert AuditEntry.objects.filter(action=AuditAction.BALLOT_VOIDED).count() == (1 if voided else 0)
