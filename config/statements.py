"""Statements PostgreSQL plans once per database connection (PREPARE, then EXECUTE).

PostgreSQL plans every statement it is sent afresh. For the few statements every page runs, planning costs
more than running: the account read of each logged-in request (the account, its roles and permissions in one
statement over six tables, departments.auth) takes 0.35–0.55 ms to plan and 0.1 ms to run, and the
quarter read of a results page 0.11 ms to plan and 0.03 ms to run. `execute` sends such a statement once per
connection as `PREPARE`, and afterwards only `EXECUTE` with the request's values. PostgreSQL plans the first
five runs with their values and then keeps one generic plan when it costs no more (plan_cache_mode).

A prepared statement belongs to the database session and survives a rollback; a new connection (the
connection object changed) prepares again. A statement's name is derived from its text, so two texts never
share one. PgBouncer in transaction mode would hand one session's statements to others' transactions: run
with session pooling or none (README, "Several application servers"). Other databases run the statement as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any


def execute(cursor: Any, sql: str, params: Sequence[Any], *, label: str) -> None:
    """Run `sql` (psycopg2's %s placeholders, one per value of `params`) as a prepared statement on PostgreSQL.

    `label` (letters and underscores) begins the statement's name, so that EXECUTE lines in PostgreSQL's log
    say what they are.
    """
    database = cursor.db  # this thread's connection wrapper, which the cursor belongs to
    if database.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    name = f"{label}_{hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()}"
    run = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    prepared = _prepared_on(database)
    if name in prepared:
        cursor.execute(run, params or None)
        return
    # %s becomes $1, $2…, %% becomes % (psycopg2's own reading of the text), and % is doubled again for the
    # EXECUTE's values: PREPARE and the first EXECUTE go in one round trip, as one statement would.
    numbered = sql % tuple(f"${index}" for index in range(1, len(params) + 1))
    if params:
        numbered = numbered.replace("%", "%%")
    cursor.execute(f"PREPARE {name} AS {numbered}; {run}", params or None)
    prepared.add(name)


def _prepared_on(database: Any) -> set[str]:
    """The names prepared on the database session `database` (a connection wrapper) holds now: none on a new
    session. Each thread has its own wrapper, and each wrapper one session at a time."""
    session = database.connection
    kept = database.__dict__.get("_prepared_statements")
    if kept is None or kept[0] is not session:
        kept = (session, set())
        database.__dict__["_prepared_statements"] = kept
    return kept[1]
