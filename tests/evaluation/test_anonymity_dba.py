"""A database administrator's attack on stored grassroots ballots (PostgreSQL).

Ballots are cast through the real pages in a known order, by code and by account; the quarter is
closed (which moves every waiting ballot); then the test reads the database as a DBA would: the
transaction ids (`xmin`) of every row, the physical order (`ctid`) of ballots, values and comments, and
a `pg_dump --data-only` of the database. None of them may link a ballot to its code or account, or
give the order of voting.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from departments.roles import Role
from departments.services import user_create
from evaluation.models import (
    Ballot,
    BallotCode,
    BallotComment,
    BallotInbox,
    BallotValue,
    GrassrootsParticipation,
    Quarter,
    QuarterStatus,
)
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.ballot_helpers import ballot_post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BATCH = 12
CODE_BALLOTS = 3 * BATCH  # one unit: two batches moved by the submits, the third by the close
ACCOUNT_BALLOTS = 8  # another unit, fewer than a batch: moved by the close
TAG = re.compile(r"tag-(\d{3})")


@pytest.fixture
def cast(settings, quarter: Quarter, org) -> list[str]:
    """Cast every ballot in a known order; returns the codes in the order they were used."""
    settings.BALLOT_INBOX_BATCH = BATCH
    department = org["OPS"].pk
    codes = [
        BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code=f"DBA{n:07d}").code
        for n in range(CODE_BALLOTS)
    ]
    for index, code in enumerate(codes):
        data = ballot_post(quarter, code=code, **{f"c-{department}": f"tag-{index:03d}"})
        assert Client().post(reverse("evaluation:ballot_code"), data).status_code == 302
    for n in range(ACCOUNT_BALLOTS):
        user = user_create(
            username=f"worker{n}", full_name=f"Worker {n}", roles=[Role.GRASSROOTS_RATER], unit=org["NFM"]
        )
        client = Client()
        client.force_login(user)
        data = ballot_post(quarter, **{f"c-{department}": f"tag-{CODE_BALLOTS + n:03d}"})
        assert client.post(reverse("evaluation:ballot_grassroots"), data).status_code == 302
    quarter_transition(quarter=Quarter.objects.get(pk=quarter.pk), to=QuarterStatus.CLOSED)
    return codes


def _xmins(model) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT xmin::text FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def _tags_by_ballot() -> dict[str, int]:
    return {
        str(ballot_id): int(TAG.search(text).group(1))
        for ballot_id, text in BallotComment.objects.values_list("ballot_id", "text")
    }


def _in_heap_order(model, column: str) -> list[str]:
    """`column` of `model`'s rows in physical order, first appearance only."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}::text FROM {table} ORDER BY ctid")  # noqa: S608
        seen: dict[str, None] = {}
        for (value,) in cursor.fetchall():
            seen.setdefault(value, None)
        return list(seen)


def _batches() -> dict[str, list[str]]:
    """Grassroots ballot ids by the transaction that stored them."""
    batches: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text, id::text FROM {Ballot._meta.db_table} ORDER BY ctid")  # noqa: S608
        for xmin, ballot_id in cursor.fetchall():
            batches.setdefault(xmin, []).append(ballot_id)
    return batches


def _is_voting_order(tags: list[int]) -> bool:
    return tags == sorted(tags) or tags == sorted(tags, reverse=True)


def test_every_ballot_was_stored_and_nothing_waits(cast):
    assert Ballot.objects.count() == CODE_BALLOTS + ACCOUNT_BALLOTS
    assert sorted(_tags_by_ballot().values()) == list(range(CODE_BALLOTS + ACCOUNT_BALLOTS))
    assert not BallotInbox.objects.exists()
    assert BallotCode.objects.filter(used=True).count() == CODE_BALLOTS
    assert GrassrootsParticipation.objects.count() == ACCOUNT_BALLOTS


def test_no_transaction_id_is_shared_by_a_ballot_row_and_a_code_participation_audit_or_session_row(cast):
    from django.contrib.sessions.models import Session

    ballot_side = _xmins(Ballot) | _xmins(BallotValue) | _xmins(BallotComment)
    person_side = _xmins(BallotCode) | _xmins(GrassrootsParticipation) | _xmins(AuditEntry) | _xmins(Session)
    assert ballot_side
    assert person_side
    assert ballot_side.isdisjoint(person_side)


def test_each_batch_shares_one_transaction_id_so_it_orders_nothing_inside_the_batch(cast):
    batches = _batches()
    # Two batches moved by the submits that left two waiting, the rest by the close.
    assert sorted(len(ids) for ids in batches.values()) == [BATCH, BATCH, BATCH + ACCOUNT_BALLOTS]
    assert _xmins(BallotValue) == set(batches) == _xmins(BallotComment)


def test_the_physical_order_of_ballots_values_and_comments_is_not_the_voting_order(cast):
    tags = _tags_by_ballot()
    for model, column in ((Ballot, "id"), (BallotValue, "ballot_id"), (BallotComment, "ballot_id")):
        order = [tags[ballot_id] for ballot_id in _in_heap_order(model, column)]
        assert sorted(order) == list(range(CODE_BALLOTS + ACCOUNT_BALLOTS))
        for ids in _batches().values():
            inside = [tags[ballot_id] for ballot_id in _in_heap_order(model, column) if ballot_id in set(ids)]
            # 12! orders: one chance in 239 million that a shuffle gives back the voting order or its reverse.
            assert not _is_voting_order(inside), (model.__name__, inside)


def _dump() -> str:
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        "pg_dump",
        "--data-only",
        "--no-owner",
        f"--host={settings['HOST'] or '127.0.0.1'}",
        f"--port={settings['PORT'] or 5432}",
        f"--username={settings['USER']}",
        settings["NAME"],
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=120).stdout


def _copy_block(dump: str, model) -> list[str]:
    lines = dump.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"COPY public.{model._meta.db_table} "))
    end = lines.index("\\.", start)
    return lines[start + 1 : end]


def test_a_data_dump_holds_no_code_and_not_the_voting_order(cast):
    codes = cast
    dump = _dump()
    tags = _tags_by_ballot()
    ballot_rows = _copy_block(dump, Ballot)
    assert len(ballot_rows) == CODE_BALLOTS + ACCOUNT_BALLOTS
    comment_rows = _copy_block(dump, BallotComment)
    for rows in (ballot_rows, _copy_block(dump, BallotValue), comment_rows):
        assert not any(code in row for row in rows for code in codes)
    assert _copy_block(dump, BallotInbox) == []
    # The dump lists ballots and comments in heap order: inside each batch, not the voting order.
    ballot_order = [tags[row.split("\t")[0]] for row in ballot_rows]
    comment_order = [int(TAG.search(row).group(1)) for row in comment_rows]
    for ids in _batches().values():
        members = {tags[ballot_id] for ballot_id in ids}
        assert not _is_voting_order([tag for tag in ballot_order if tag in members])
        assert not _is_voting_order([tag for tag in comment_order if tag in members])
