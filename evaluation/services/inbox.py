"""The grassroots ballot inbox: online grassroots ballots reach the ballot tables in shuffled batches.

A grassroots ballot cast online is written, with the code's `used` flag or the account's participation
record, in one transaction: nothing accepted can be lost. Written straight into the ballot tables it
would share that transaction's id (`xmin`) with the code and the participation row, and sit in the
heap, the indexes and a dump in the order of voting. So the submit writes it to BallotInbox (quarter,
unit, day and cells only), and a move stores the waiting ballots of a unit in the ballot tables:

- once twice `BALLOT_INBOX_BATCH` (B) ballots of a unit wait, B of them drawn at random are moved
  (right after the submit that made the count), so B to 2B - 1 are left waiting;
- everything, when the quarter closes or is published (inside the transition, before results freeze),
- everything, with `manage.py flush_ballot_inbox`.

Keeping B waiting means the last move of a unit, at the close, also holds at least B ballots (or all
of a unit's ballots if it cast fewer): no small remainder stands out by its transaction id. Drawing the
moved ones at random means a batch is not simply the next B votes either.

Each move is one transaction: it inserts the batch in a random order under fresh random keys and
deletes the inbox rows, so a ballot is stored exactly once or stays waiting. Every ballot of a batch
carries the move's transaction id; which code opened which of them is not recorded anywhere. While a
ballot waits, results and participation count it (evaluation.selectors.inbox). See README
"Anonymity of grassroots ballots" for what raw disk or WAL access can still show, and for how long.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from departments.models import Unit
from evaluation.models import Ballot, BallotComment, BallotInbox, Origin, Quarter, Source
from evaluation.services.results import results_version_bump

_random = random.SystemRandom()


def inbox_batch_size() -> int:
    """How many ballots of one unit a move stores (at least 1); twice as many waiting trigger it."""
    return max(1, int(settings.BALLOT_INBOX_BATCH))


def inbox_payload(rows: list[tuple[int, int, int]], notes: dict[int, str]) -> dict[str, list]:
    """A waiting ballot's cleaned cells (department id, criterion id, hundredths) and comments, as stored."""
    return {"values": [list(row) for row in rows], "comments": [[d, t] for d, t in notes.items()]}


def inbox_store(*, quarter: Quarter, unit: Unit, rows: list[tuple[int, int, int]], notes: dict[int, str]) -> None:
    """Keep one cleaned grassroots ballot waiting; called inside the transaction that records its rater's
    participation. (A code ballot is written with its code in one go: evaluation.sql.code_ballot_into_inbox.)"""
    BallotInbox.objects.create(
        id=uuid.uuid4(),
        quarter=quarter,
        unit=unit,
        submitted_on=timezone.localdate(),
        payload=inbox_payload(rows, notes),
    )


def inbox_move_when_full(*, quarter: Quarter, unit: Unit, waiting: int | None = None) -> int:
    """After a submit has committed: move a batch of the unit's waiting ballots if two are waiting. Returns how many.

    `waiting`: how many the submit counted once its write had committed, if it did; otherwise they are counted here.
    """
    batch = inbox_batch_size()
    if waiting is None:
        waiting = BallotInbox.objects.filter(quarter=quarter, unit=unit).count()
    if waiting < 2 * batch:
        return 0
    moved = _move(quarter.pk, unit_id=unit.pk, minimum=2 * batch, take=batch)
    inbox_vacuum()
    return moved


def inbox_flush(*, quarter: Quarter | None = None) -> int:
    """Move every waiting ballot (of `quarter`, or of every quarter), waiting for moves in progress.

    Inside a quarter transition this runs in the transition's transaction, before the results are
    frozen; the caller vacuums afterwards (inbox_vacuum) once it has committed.
    """
    if quarter is not None:
        return _move(quarter.pk, unit_id=None, minimum=1)
    quarters = BallotInbox.objects.order_by("quarter_id").values_list("quarter_id", flat=True).distinct()
    return sum(_move(quarter_id, unit_id=None, minimum=1) for quarter_id in list(quarters))


def inbox_vacuum() -> None:
    """Ask PostgreSQL to reclaim the moved inbox rows now, rather than at autovacuum's next visit.

    Until then the deleted rows, with the transaction id they share with their code, can be read from
    the table's pages by a superuser. VACUUM cannot run in a transaction (it is skipped there) and skips
    the table if another vacuum holds it; rows still visible to an older running transaction are kept
    until a later vacuum.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    table = connection.ops.quote_name(BallotInbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (SKIP_LOCKED) {table}")


def _lock_quarter_key(quarter_id: int) -> None:
    """Take first the lock the ballots' foreign key takes anyway, so a move and a transition never deadlock.

    FOR KEY SHARE does not wait for submits (FOR SHARE) or other moves; it waits for a transition
    (FOR UPDATE), which in turn waits for the moves already under way. SQLite runs one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(Quarter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [quarter_id])  # noqa: S608


def _move(quarter_id: int, *, unit_id: int | None, minimum: int, take: int | None = None) -> int:
    """Store `take` (default: all) of a quarter's (a unit's) waiting ballots, drawn at random, in random order,
    and delete them, in one transaction.

    Rows are locked in key order, so two moves never deadlock; a move that waited for another finds
    the rows that one took gone, and stores a batch only if `minimum` are still waiting. So once the
    submits stop, fewer than two batches of a unit are left waiting.
    """
    # Imported here: the ballot service imports this module to store into the inbox.
    from evaluation.services.ballots import _insert_values

    waiting = BallotInbox.objects.filter(quarter_id=quarter_id)
    if unit_id is not None:
        waiting = waiting.filter(unit_id=unit_id)
    with transaction.atomic():
        _lock_quarter_key(quarter_id)
        locked = waiting.select_for_update().order_by("id")
        entries = list(locked.only("id", "quarter_id", "unit_id", "submitted_on", "payload"))
        if len(entries) < minimum:
            return 0
        entries = _random.sample(entries, len(entries) if take is None else take)
        ballots = [_ballot_of(entry) for entry in entries]
        Ballot.objects.bulk_create(ballots)
        _insert_values((ballot.pk, entry.payload["values"]) for ballot, entry in zip(ballots, entries, strict=True))
        BallotComment.objects.bulk_create(_comments_of(ballots, entries))
        BallotInbox.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
        # Waiting ballots are counted already; the bump keeps the rule "every ballot write" simple.
        results_version_bump(quarter_id=quarter_id)
    return len(entries)


def _ballot_of(entry: BallotInbox) -> Ballot:
    return Ballot(
        id=uuid.uuid4(),
        quarter_id=entry.quarter_id,
        source=Source.GRASSROOTS,
        rater_unit_id=entry.unit_id,
        origin=Origin.ONLINE,
        submitted_on=entry.submitted_on,
    )


def _comments_of(ballots: list[Ballot], entries: list[BallotInbox]) -> Iterable[BallotComment]:
    for ballot, entry in zip(ballots, entries, strict=True):
        for department_id, text in entry.payload["comments"]:
            yield BallotComment(id=uuid.uuid4(), ballot=ballot, department_id=department_id, text=text)
