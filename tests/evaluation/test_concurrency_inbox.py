"""The inbox under load and under crashes, on PostgreSQL: every accepted ballot is stored exactly once.

Simultaneous submits fill batches that simultaneous moves store; a worker process killed with SIGKILL
in the middle of a submit or of a move leaves nothing half-done: its transaction is rolled back by the
database, and the code, or the waiting ballots, are still there to be used or moved.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from evaluation.models import Ballot, BallotCode, BallotInbox, BallotValue, Quarter, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.inbox import inbox_flush
from tests.evaluation.ballot_helpers import full_values

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BATCH = 5
CODES_PER_UNIT = 13
ROOT = Path(__file__).resolve().parents[2]


def test_simultaneous_submits_and_moves_store_each_ballot_once(settings, quarter, org):
    settings.BALLOT_INBOX_BATCH = BATCH
    codes = [
        BallotCode.objects.create(quarter=quarter, unit=org[unit], code=f"LOAD{unit}{n:04d}").code
        for unit in ("HRM", "NFM")
        for n in range(CODES_PER_UNIT)
    ]
    values = full_values(quarter)
    barrier = threading.Barrier(len(codes))
    errors: list[BaseException] = []

    def submit(code: str) -> None:
        try:
            barrier.wait()
            ballot_submit(
                quarter=Quarter.objects.get(pk=quarter.pk), source=Source.GRASSROOTS, values=values, code=code
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert errors == []
    for unit in ("HRM", "NFM"):
        stored = Ballot.objects.filter(rater_unit=org[unit]).count()
        waiting = BallotInbox.objects.filter(unit=org[unit]).count()
        assert stored + waiting == CODES_PER_UNIT
        assert BATCH <= waiting < 2 * BATCH  # a batch was moved whenever two were waiting
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {Ballot._meta.db_table}")  # noqa: S608
        batches = Counter(row[0] for row in cursor.fetchall())
    assert min(batches.values()) >= BATCH  # no move stored fewer than a batch
    inbox_flush(quarter=quarter)
    assert Ballot.objects.filter(source=Source.GRASSROOTS).count() == len(codes)
    assert BallotValue.objects.count() == len(codes) * len(values)
    assert not BallotInbox.objects.exists()


# --- a worker killed mid-transaction -------------------------------------------------------------

WORKER = """
import sys, time
import django
django.setup()
from django.db import transaction
from evaluation.models import Quarter, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.inbox import inbox_flush
from tests.evaluation.ballot_helpers import full_values

quarter = Quarter.objects.get(code="2026Q3")
with transaction.atomic():
    if sys.argv[1] == "submit":
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code=sys.argv[2])
    else:
        print(inbox_flush(quarter=quarter), flush=True)
    print("written", flush=True)
    time.sleep(120)  # killed here, before the commit
"""


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _kill_after_write(*args: str) -> list[str]:
    """Run WORKER with `args`, SIGKILL it once its writes are done but not committed; its output lines."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "BALLOT_INBOX_BATCH": str(django_settings.BALLOT_INBOX_BATCH),
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    lines = []
    try:
        for line in worker.stdout:
            lines.append(line.strip())
            if line.strip() == "written":
                break
        assert lines and lines[-1] == "written", "the worker failed before writing"
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)
    _wait_until_the_database_rolled_back()
    return lines


def _wait_until_the_database_rolled_back() -> None:
    """The server notices the dead client when it next reads its socket; wait until its backend is gone."""
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND state LIKE 'idle in transaction%%'"
            )
            if cursor.fetchone()[0] == 0:
                return
            cursor.execute("SELECT pg_sleep(0.1)")
    raise AssertionError("the killed worker's transaction is still open")


def test_a_worker_killed_mid_submit_loses_nothing_and_leaves_the_code_usable(quarter, org):
    code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="KILLS22222")

    _kill_after_write("submit", code.code)

    code.refresh_from_db()
    assert not code.used
    assert not BallotInbox.objects.exists()
    assert not Ballot.objects.exists()
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code=code.code)
    assert BallotInbox.objects.count() == 1


def test_a_worker_killed_mid_move_loses_no_waiting_ballot(settings, quarter, org):
    settings.BALLOT_INBOX_BATCH = 50
    for n in range(7):
        code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code=f"KILLM{n:05d}")
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code=code.code)

    lines = _kill_after_write("move")

    assert lines[0] == "7"  # the worker had moved all seven when it was killed
    assert BallotInbox.objects.count() == 7
    assert not Ballot.objects.exists()
    assert inbox_flush(quarter=quarter) == 7
    assert Ballot.objects.count() == 7
    assert BallotValue.objects.count() == 7 * len(full_values(quarter))
