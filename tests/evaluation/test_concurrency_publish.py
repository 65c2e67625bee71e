"""A close and publish racing late submits, and voids racing submits, on PostgreSQL with real threads.

Every ballot that was accepted is stored once and counted in the snapshot; every refused one left
nothing behind; nothing is stored once the close has committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from departments.roles import Role
from departments.services import user_create
from evaluation.models import (
    Ballot,
    BallotCode,
    BallotInbox,
    GrassrootsParticipation,
    Quarter,
    QuarterStatus,
    Source,
)
from evaluation.services.ballots import BallotRefused, ballot_submit
from evaluation.services.inbox import inbox_flush
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.voids import ballot_void
from tests.evaluation.ballot_helpers import full_values

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CODES = 24
ACCOUNTS = 12
WAIT = 60  # seconds; only a safety net so a broken lock fails the test instead of hanging it


@dataclass
class Outcome:
    accepted: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _run(jobs: dict[str, Callable[[], None]], outcome: Outcome, extra: Callable[[], None] | None = None) -> None:
    """Run every job (and `extra`) in its own thread, released together; each thread closes its connection."""
    barrier = threading.Barrier(len(jobs) + (1 if extra else 0))

    def worker(name: str, job: Callable[[], None]) -> None:
        try:
            barrier.wait()
            job()
            with outcome.lock:
                outcome.accepted.add(name)
        except BallotRefused as refusal:
            with outcome.lock:
                outcome.refused[name] = refusal.code
        except BaseException as error:  # reported by the test
            with outcome.lock:
                outcome.errors.append(error)
        finally:
            connection.close()

    def extra_worker() -> None:
        try:
            barrier.wait()
            extra()
        except BaseException as error:
            with outcome.lock:
                outcome.errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in jobs.items()]
    if extra:
        threads.append(threading.Thread(target=extra_worker))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
        assert not thread.is_alive(), "a thread hung: a lock was never released"


def _grassroots_accounts(unit) -> list:
    return [
        user_create(username=f"gr{n:02d}", full_name=f"Rater {n}", roles=[Role.GRASSROOTS_RATER], unit=unit)
        for n in range(ACCOUNTS)
    ]


def _snapshot_counts(quarter: Quarter) -> dict[str, int]:
    quarter.refresh_from_db()
    return quarter.snapshot.payload["counted_ballots"]


def _counted_in_db(quarter: Quarter) -> dict[str, int]:
    counted = Ballot.objects.filter(quarter=quarter, voided_at__isnull=True)
    return {source: counted.filter(source=source).count() for source in Source.values}


def test_a_publish_racing_late_submits_counts_every_stored_ballot_and_nothing_after_the_close(org, quarter):
    codes = [BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code=f"RACEP{n:05d}") for n in range(CODES)]
    accounts = _grassroots_accounts(org["NFM"])
    values = full_values(quarter)
    outcome = Outcome()
    some_stored = threading.Event()
    after_close: list[int] = []

    def submit_code(text: str) -> Callable[[], None]:
        def job() -> None:
            ballot_submit(
                quarter=Quarter.objects.get(pk=quarter.pk), source=Source.GRASSROOTS, values=values, code=text
            )
            if Ballot.objects.filter(quarter=quarter).count() + BallotInbox.objects.count() >= 4:
                some_stored.set()

        return job

    def submit_account(user) -> Callable[[], None]:
        def job() -> None:
            ballot_submit(
                quarter=Quarter.objects.get(pk=quarter.pk), source=Source.GRASSROOTS, values=values, rater=user
            )

        return job

    def close_and_publish() -> None:
        some_stored.wait(WAIT)
        quarter_transition(quarter=Quarter.objects.get(pk=quarter.pk), to=QuarterStatus.CLOSED)
        after_close.append(Ballot.objects.filter(quarter=quarter).count())
        quarter_transition(quarter=Quarter.objects.get(pk=quarter.pk), to=QuarterStatus.PUBLISHED)

    jobs = {f"code:{c.code}": submit_code(c.code) for c in codes}
    jobs |= {f"user:{u.username}": submit_account(u) for u in accounts}
    _run(jobs, outcome, extra=close_and_publish)

    assert outcome.errors == []
    assert len(outcome.accepted) + len(outcome.refused) == CODES + ACCOUNTS
    assert set(outcome.refused.values()) <= {"closed"}
    # Nothing landed once the close had committed, and the snapshot counts exactly what is stored.
    stored = Ballot.objects.filter(quarter=quarter).count()
    assert after_close == [stored]
    assert stored == len(outcome.accepted)
    assert _snapshot_counts(quarter) == _counted_in_db(quarter)
    # Each accepted submit has exactly one ballot and consumed its code or account; each refused one left nothing.
    used = set(BallotCode.objects.filter(quarter=quarter, used=True).values_list("code", flat=True))
    assert {f"code:{code}" for code in used} == {name for name in outcome.accepted if name.startswith("code:")}
    assert Ballot.objects.filter(quarter=quarter, rater_unit=org["HRM"]).count() == len(used)
    voted = set(GrassrootsParticipation.objects.filter(quarter=quarter).values_list("user__username", flat=True))
    assert {f"user:{name}" for name in voted} == {name for name in outcome.accepted if name.startswith("user:")}
    assert Ballot.objects.filter(quarter=quarter, rater_unit=org["NFM"]).count() == len(voted)


def test_voids_racing_submits_never_lose_or_double_a_ballot(org, quarter, evaluator):
    values = full_values(quarter)
    existing = [
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, rater_unit=org["HRM"], origin="keyed")
        for _ in range(8)
    ]
    codes = [BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code=f"RACEV{n:05d}") for n in range(CODES)]
    outcome = Outcome()

    def submit(text: str) -> Callable[[], None]:
        def job() -> None:
            ballot_submit(
                quarter=Quarter.objects.get(pk=quarter.pk), source=Source.GRASSROOTS, values=values, code=text
            )

        return job

    def void(ballot: Ballot) -> Callable[[], None]:
        def job() -> None:
            try:
                ballot_void(ballot=Ballot.objects.get(pk=ballot.pk), actor=evaluator, reason="duplicate slip")
            except ValidationError as refusal:  # the loser of the two finds the ballot already void
                raise BallotRefused(refusal.messages[0], code="void_refused") from refusal

        return job

    jobs = {f"code:{c.code}": submit(c.code) for c in codes}
    # Every existing ballot is voided twice at once: exactly one of the two must win.
    jobs |= {f"void:{b.pk}:{n}": void(b) for b in existing for n in (1, 2)}
    _run(jobs, outcome)

    assert outcome.errors == []
    accepted_codes = {name for name in outcome.accepted if name.startswith("code:")}
    assert len(accepted_codes) == CODES
    # The batches that filled were moved by the submits; the rest waits until the flush.
    assert Ballot.objects.filter(quarter=quarter).count() + BallotInbox.objects.count() == len(existing) + CODES
    inbox_flush(quarter=quarter)
    assert Ballot.objects.filter(quarter=quarter).count() == len(existing) + CODES
    assert BallotCode.objects.filter(quarter=quarter, used=True).count() == CODES
    voided = Ballot.objects.filter(quarter=quarter, voided_at__isnull=False)
    assert set(voided.values_list("pk", flat=True)) == {b.pk for b in existing}
    wins = [name for name in outcome.accepted if name.startswith("void:")]
    assert len(wins) == len(existing)
    assert sorted(outcome.refused.values()) == ["void_refused"] * len(existing)
    assert {name.rsplit(":", 1)[0] for name in wins} == {f"void:{b.pk}" for b in existing}
    quarter_transition(quarter=Quarter.objects.get(pk=quarter.pk), to=QuarterStatus.CLOSED)
    quarter_transition(quarter=Quarter.objects.get(pk=quarter.pk), to=QuarterStatus.PUBLISHED)
    assert _snapshot_counts(quarter) == _counted_in_db(quarter)
    assert _counted_in_db(quarter)[Source.GRASSROOTS] == CODES
