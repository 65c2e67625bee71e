"""Undoing a void racing the rater's new ballot, and racing the publish, on PostgreSQL with real threads.

Either order is allowed; what must never happen is two counted peer ballots of one department, an unexpected
error, or a ballot restored after the quarter was published.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from evaluation.models import Ballot, Quarter, QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.voids import ballot_unvoid, ballot_void
from tests.evaluation.ballot_helpers import full_values

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 6
WAIT = 60  # seconds; a safety net so a broken lock fails the test instead of hanging it


def _race(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs in threads released together; each result is what the job returned or the error it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except BaseException as error:  # inspected by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "a thread hung: a lock was never released"
    return results


def _refused(result: object) -> bool:
    return isinstance(result, ValidationError)


def test_an_undo_racing_a_new_ballot_of_the_same_department_leaves_one_counted(org, quarter, rep, evaluator):
    values = full_values(quarter, exclude=("OPS",))
    for _ in range(ROUNDS):
        Ballot.objects.filter(quarter=quarter, voided_at__isnull=True).delete()
        old = ballot_submit(quarter=quarter, source=Source.PEER, values=values, rater=rep)
        ballot_void(ballot=old, actor=evaluator, reason="redo")
        undo, submit = _race(
            lambda old=old: ballot_unvoid(ballot=Ballot.objects.get(pk=old.pk), actor=evaluator, reason="mistake"),
            lambda: ballot_submit(
                quarter=Quarter.objects.get(pk=quarter.pk), source=Source.PEER, values=values, rater=rep
            ),
        )
        assert _refused(undo) != _refused(submit), (undo, submit)
        counted = Ballot.objects.filter(quarter=quarter, source=Source.PEER, voided_at__isnull=True)
        assert counted.count() == 1


def test_an_undo_racing_the_publish_is_counted_in_the_snapshot_or_refused(org, quarter, rep, evaluator):
    values = full_values(quarter, exclude=("OPS",))
    old = ballot_submit(quarter=quarter, source=Source.PEER, values=values, rater=rep)
    ballot_void(ballot=old, actor=evaluator, reason="redo")
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED)

    def undo_in_english() -> Ballot:
        with translation.override("en"):  # a thread starts in the site's language
            return ballot_unvoid(ballot=Ballot.objects.get(pk=old.pk), actor=evaluator, reason="mistake")

    undo, publish = _race(
        undo_in_english,
        lambda: quarter_transition(quarter=Quarter.objects.get(pk=quarter.pk), to=QuarterStatus.PUBLISHED),
    )
    assert isinstance(publish, Quarter), publish
    quarter.refresh_from_db()
    counted = quarter.snapshot.payload["counted_ballots"][Source.PEER]
    if _refused(undo):
        assert "published" in str(undo)
        assert (Ballot.objects.get(pk=old.pk).is_void, counted) == (True, 0)
    else:
        assert (Ballot.objects.get(pk=old.pk).is_void, counted) == (False, 1)
