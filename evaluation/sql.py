"""The SQL that PostgreSQL and SQLite write differently, in one place.

Each fork picks the form the connected database runs best. `portable=True` forces the form written in
SQL both databases run, so the tests run both forms of a fork on PostgreSQL and compare them
(tests/evaluation/test_sql_forks.py); on SQLite only the portable form exists.

- `read_together`: several reads in one statement, their rows as JSON (PostgreSQL), or one query each;
- `value_reads`: one hash aggregate counting ballots by their flagged rows (PostgreSQL), or three GROUP BY
  queries, the second and third with COUNT(DISTINCT ballot);
- `quarter_status_for_share`: the quarter's status read FOR SHARE (PostgreSQL), or a plain read;
- `code_ballot_into_inbox`: a code ballot's write (the quarter's status under a shared lock, the code used, the
  ballot into the inbox) in one statement (PostgreSQL), or in a transaction;
- `code_point_order`: text ordered by code point, as Python sorts — COLLATE "C" on PostgreSQL, whose
  default collation may follow the locale; SQLite's default (BINARY) already does;
- `medians`: the `percentile_cont` aggregate (PostgreSQL), or a window-function query;
- `DaysBetween`: days between two timestamps; each database has its own date arithmetic, so both forms
  are vendor-specific and each is tested against Python's on its own database.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Aggregate, Count, Expression, F, FloatField, Func, Max, Min, QuerySet, Sum
from django.db.models.functions import Collate

from config import statements
from evaluation.models import Ballot, BallotCode, BallotInbox, BallotValue, Quarter, QuarterStatus
from evaluation.scoring import SOURCES, CellAggregate, CellKey


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _native(portable: bool) -> bool:
    return is_postgresql() and not portable


# --- value aggregates (the scoring selector) ---------------------------------------------------------------------


Cells = dict[CellKey, CellAggregate]  # (source, department id, criterion code) -> the cell's counted values
BallotCounts = dict[tuple[str, int], int]  # (source, department id) -> counted ballots giving it a value
GivingBallots = dict[str, int]  # source -> counted ballots giving at least one value (a comment-only one gives none)


@dataclass(frozen=True)
class Statement:
    """A SELECT and its parameters: written here, or compiled once from a queryset (`compiled`). `width`, its
    number of columns, is needed to read it alongside others (`read_together`)."""

    sql: str
    params: tuple[Any, ...]
    width: int = 0


# A queryset whose filter can match nothing (an empty `__in`, `none()`): Django runs no query for it.
NOTHING = Statement("", ())


def compiled(queryset: QuerySet) -> Statement:
    """The SQL and parameters Django compiles for a `values_list` queryset, to be read by `read_together` on
    PostgreSQL without compiling it again (`NOTHING` when it can match nothing)."""
    try:
        return Statement(*queryset.query.sql_with_params())
    except EmptyResultSet:
        return NOTHING


Rows = list[tuple[Any, ...]]


def read_together(
    reads: Sequence[QuerySet | Statement], alongside: Statement | None = None, *, portable: bool = False
) -> tuple[list[Rows], Rows]:
    """The rows of each read in `reads`, in its own order, and the rows of `alongside`.

    On PostgreSQL in one statement: one round trip and one snapshot for all of them, so no transaction is
    needed to read them consistently. The reads (`values_list` querysets, or statements `compiled` from them)
    come back as JSON built by the database, so they may hold numbers, text, booleans and JSON fields
    (integers come back as `int`, decimals exactly as `Decimal`), not dates; `alongside` (a large read) comes
    back as plain rows beside them (UNION ALL). Elsewhere each queryset is one query, in the caller's
    transaction (`evaluation.selectors.inbox.consistent_reads`): there only querysets convert what the
    database gives, so statements are for PostgreSQL.
    """
    if not _native(portable):
        rows = [list(read) for read in reads]  # values_list querysets: their rows are tuples
        return rows, [] if alongside is None else _statement_rows(alongside)
    parts, params = [], []
    for read in reads:
        statement = read if isinstance(read, Statement) else compiled(read)
        if statement is NOTHING:
            parts.append("'[]'::json")
            continue
        # Django's compilation of a queryset, its values kept as parameters; json_agg reads the rows in the
        # inner query's order (it is the aggregate's only input), each an object whose keys follow the select.
        parts.append(f"(SELECT COALESCE(json_agg(r), '[]') FROM ({statement.sql}) AS r)")  # noqa: S608
        params.extend(statement.params)
    together = f"json_build_array({', '.join(parts)})::text"
    if alongside is None:
        sql = f"SELECT {together}"
    else:
        blanks = ", ".join(["NULL"] * alongside.width)
        sql = f"SELECT *, NULL AS together FROM ({alongside.sql}) AS a UNION ALL SELECT {blanks}, {together}"  # noqa: S608
        params = [*alongside.params, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if alongside is None:
        (text,) = rows[0]
        alongside_rows: Rows = []
    else:
        # UNION ALL promises no order of its branches' rows: the one carrying the JSON is found, not assumed.
        text = next(row[-1] for row in rows if row[-1] is not None)
        alongside_rows = [row[:-1] for row in rows if row[-1] is None]
    parsed = json.loads(text, parse_float=Decimal)
    return [[tuple(row.values()) for row in part] for part in parsed], alongside_rows


def _statement_rows(statement: Statement) -> Rows:
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return cursor.fetchall()


# --- value aggregates (the scoring selector) ---------------------------------------------------------------------


Cells = dict[CellKey, CellAggregate]  # (source, department id, criterion code) -> the cell's counted values
BallotCounts = dict[tuple[str, int], int]  # (source, department id) -> counted ballots giving it a value
GivingBallots = dict[str, int]  # source -> counted ballots giving at least one value (a comment-only one gives none)
ValueAggregates = tuple[Cells, BallotCounts, GivingBallots]


def value_reads(quarter_id: int, *, portable: bool = False) -> tuple[list[QuerySet], Statement | None]:
    """The reads of a quarter's counted (not voided) values that `values_from_rows` turns into aggregates, as
    `read_together` takes them: one hash aggregate counting ballots by their flagged rows (PostgreSQL), or three
    GROUP BY queries, the second and third with COUNT(DISTINCT ballot)."""
    if _native(portable):
        return [], Statement(_cells_and_counts_sql(), (quarter_id,), width=len(_CELL_COLUMNS))
    counted = _counted_values(quarter_id)
    return [
        counted.values_list("ballot__source", "department_id", "criterion_id")
        .annotate(n=Count("value_centi"), total=Sum("value_centi"), low=Min("value_centi"), high=Max("value_centi"))
        .order_by(),
        counted.values_list("ballot__source", "department_id")
        .annotate(ballots=Count("ballot_id", distinct=True))
        .order_by(),
        counted.values_list("ballot__source").annotate(Count("ballot_id", distinct=True)).order_by(),
    ], None


def values_from_rows(
    rows: Sequence[Rows], alongside: Rows, criterion_codes: Mapping[int, str], *, portable: bool = False
) -> ValueAggregates:
    """The cell aggregates in hundredths of a point, keyed by criterion code (values of a criterion not in
    `criterion_codes` left out); per (source, department) the counted ballots that give the department at least
    one value; per source (every one of `SOURCES`) the counted ballots that give any value. `rows` and
    `alongside` are what `read_together` gives for `value_reads`."""
    if _native(portable):
        return _aggregates_of_one_scan(alongside, criterion_codes)
    cell_rows, count_rows, giving_rows = rows
    cells = {
        (s, d, criterion_codes[c]): CellAggregate(n, int(total), int(low), int(high))
        for s, d, c, n, total, low, high in cell_rows
        if c in criterion_codes
    }
    found = dict(giving_rows)
    giving = {source: found.get(source, 0) for source in SOURCES}
    return cells, {(source, department_id): ballots for source, department_id, ballots in count_rows}, giving


def value_aggregates(quarter_id: int, criterion_codes: Mapping[int, str], *, portable: bool = False) -> ValueAggregates:
    """`values_from_rows` of `value_reads`, read on their own."""
    reads, alongside = value_reads(quarter_id, portable=portable)
    rows, alongside_rows = read_together(reads, alongside, portable=portable)
    return values_from_rows(rows, alongside_rows, criterion_codes, portable=portable)


def _counted_values(quarter_id: int) -> QuerySet[BallotValue]:
    return BallotValue.objects.filter(ballot__quarter_id=quarter_id, ballot__voided_at__isnull=True)


# What the one-scan aggregate gives per (source, department, criterion): the cell's count, sum, minimum and
# maximum, and its rows flagged `counts_ballot` and `counts_giving_ballot`.
_CELL_COLUMNS = (
    "b.source",
    "v.department_id",
    "v.criterion_id",
    "COUNT(*) AS n",
    "SUM(v.value_centi) AS total",
    "MIN(v.value_centi) AS low",
    "MAX(v.value_centi) AS high",
    "COUNT(*) FILTER (WHERE v.counts_ballot) AS counted",
    "COUNT(*) FILTER (WHERE v.counts_giving_ballot) AS giving",
)


def _cells_and_counts_sql() -> str:
    value_table = connection.ops.quote_name(BallotValue._meta.db_table)
    ballot_table = connection.ops.quote_name(Ballot._meta.db_table)
    return (
        f"SELECT {', '.join(_CELL_COLUMNS)} "  # noqa: S608
        f"FROM {value_table} v INNER JOIN {ballot_table} b ON b.id = v.ballot_id "
        "WHERE b.quarter_id = %s AND b.voided_at IS NULL "
        "GROUP BY b.source, v.department_id, v.criterion_id"
    )


def _aggregates_of_one_scan(rows: list[tuple[Any, ...]], criterion_codes: Mapping[int, str]) -> ValueAggregates:
    """The cells and both ballot counts from one hash aggregate over the quarter's values.

    A ballot's rows of one department carry `counts_ballot` on exactly one of them, so the ballots that
    rate a department are the flagged rows summed over its criteria: no COUNT(DISTINCT ballot_id), which
    forces a sort of every value (docs/design.md, "Ballot counts without COUNT DISTINCT"); likewise a
    ballot's rows carry `counts_giving_ballot` on one of them, so the ballots of a source that give a value
    are those rows summed over its cells.
    """
    cells: Cells = {}
    ballots: BallotCounts = {}
    giving: GivingBallots = dict.fromkeys(SOURCES, 0)
    # Thousands of rows at the branches scale: names bound once, each cell built as the tuple it is.
    count_of, code_of, make = ballots.get, criterion_codes.get, tuple.__new__
    for source, department_id, criterion_id, n, total, low, high, counted, first in rows:
        code = code_of(criterion_id)
        if code is not None:
            cells[(source, department_id, code)] = make(CellAggregate, (n, total, low, high))
        if counted:  # every rated (source, department) has flagged rows in some cell
            key = (source, department_id)
            ballots[key] = count_of(key, 0) + counted
        if first:
            giving[source] += first
    return cells, ballots, giving


# --- the quarter's status, read under a shared lock (the ballot service) -----------------------------------------


def quarter_status_for_share(quarter_id: int, *, portable: bool = False) -> str | None:
    """The quarter's status as committed now; None when the quarter is gone.

    On PostgreSQL the row is read FOR SHARE: submits do not wait for each other, but a transition or a
    void (which lock it FOR UPDATE) waits until they commit, and a submit arriving after a transition
    has committed sees the new status. SQLite runs one writer at a time, so a plain read suffices there.
    """
    if not _native(portable):
        return Quarter.objects.filter(pk=quarter_id).values_list("status", flat=True).first()
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Quarter._meta.db_table)
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s FOR SHARE", [quarter_id])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


# --- a code ballot into the inbox (the ballot service) ------------------------------------------------------------


@dataclass(frozen=True)
class InboxWrite:
    """What `code_ballot_into_inbox` did: the quarter's status as it wrote (None: the quarter is gone), whether the
    code was unused and the ballot now waits in the inbox, and how many of the unit's ballots wait, this one
    included (0 when nothing was stored)."""

    status: str | None
    stored: bool
    waiting: int


def code_ballot_into_inbox(
    *,
    quarter_id: int,
    code_id: int,
    unit_id: int,
    day: datetime.date,
    payload: dict[str, Any],
    under_lock: Callable[[], None] | None = None,
    portable: bool = False,
) -> InboxWrite:
    """Store a checked code ballot in the inbox if the quarter is open and the code unused, marking the code used.

    Both happen or neither: of two submits of one code, one finds it used. The quarter's status is read under a
    shared lock (as `quarter_status_for_share`), so a ballot never lands after a close has committed.
    `under_lock`, if given, runs under that lock before anything is written, and may raise to refuse.

    On PostgreSQL, without `under_lock`, the write is one statement in a transaction of its own: one round trip,
    not five (BEGIN, the lock, the code, the inbox, COMMIT). Otherwise the same steps run in a transaction. Then
    the unit's waiting ballots are counted.
    """
    if _native(portable) and under_lock is None:
        quote = connection.ops.quote_name
        quarter, code, inbox = (quote(model._meta.db_table) for model in (Quarter, BallotCode, BallotInbox))
        sql = (
            f"WITH locked AS (SELECT status FROM {quarter} WHERE id = %s FOR SHARE), "  # noqa: S608
            f"used AS (UPDATE {code} SET used = true WHERE id = %s AND NOT used "
            "AND EXISTS (SELECT 1 FROM locked WHERE status = %s) RETURNING 1), "
            f"kept AS (INSERT INTO {inbox} (id, quarter_id, unit_id, submitted_on, payload) "
            "SELECT %s::uuid, %s::bigint, %s::bigint, %s::date, %s::jsonb FROM used RETURNING 1) "
            "SELECT (SELECT status FROM locked), (SELECT count(*) FROM kept)"
        )
        params = (
            *(quarter_id, code_id, QuarterStatus.OPEN.value),
            *(str(uuid.uuid4()), quarter_id, unit_id, day, json.dumps(payload)),
        )
        with connection.cursor() as cursor:
            statements.execute(cursor, sql, params, label="code_ballot_write")  # planned once per connection
            status, kept = cursor.fetchone()
        if not kept:
            return InboxWrite(status=status, stored=False, waiting=0)
        return InboxWrite(status=status, stored=True, waiting=_waiting(quarter_id, unit_id))
    with transaction.atomic():
        status = quarter_status_for_share(quarter_id, portable=portable)
        if status != QuarterStatus.OPEN:
            return InboxWrite(status=status, stored=False, waiting=0)
        if under_lock is not None:
            under_lock()
        if BallotCode.objects.filter(pk=code_id, used=False).update(used=True) != 1:
            return InboxWrite(status=status, stored=False, waiting=0)
        BallotInbox.objects.create(
            id=uuid.uuid4(), quarter_id=quarter_id, unit_id=unit_id, submitted_on=day, payload=payload
        )
    return InboxWrite(status=status, stored=True, waiting=_waiting(quarter_id, unit_id))


def _waiting(quarter_id: int, unit_id: int) -> int:
    """The unit's ballots waiting in the quarter's inbox, counted after the write has committed.

    Not in the write's own statement: that one counts the rows as it began, so two simultaneous submits could
    each miss the other's ballot and neither move a batch. Read after the commit, the second sees both.
    """
    table = connection.ops.quote_name(BallotInbox._meta.db_table)
    with connection.cursor() as cursor:
        sql = f"SELECT count(*) FROM {table} WHERE quarter_id = %s AND unit_id = %s"  # noqa: S608
        statements.execute(cursor, sql, (quarter_id, unit_id), label="inbox_waiting")
        return cursor.fetchone()[0]


# --- ordering text by code point (the ballot listing) ------------------------------------------------------------


def code_point_order(expression: Any, *, portable: bool = False) -> Expression:
    """`expression` (a field name or expression holding text) ordered by code point, as Python sorts text."""
    expression = F(expression) if isinstance(expression, str) else expression
    return Collate(expression, "C") if _native(portable) else expression


# --- medians and days (the problem figures) ----------------------------------------------------------------------


class DaysBetween(Func):
    """Elapsed days (with fractions) from the first datetime to the second, per backend."""

    output_field = FloatField()

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(start, end)

    def _compile_both(self, compiler: Any, connection: Any) -> tuple[str, str, list]:
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        return start_sql, end_sql, [*end_params, *start_params]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        start, end, params = self._compile_both(compiler, connection)
        return f"(julianday({end}) - julianday({start}))", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        start, end, params = self._compile_both(compiler, connection)
        return f"(CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS double precision) / 86400.0)", params


class Median(Aggregate):
    """PostgreSQL's continuous median."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def medians(rows: QuerySet, *, group: str, value: str, portable: bool = False) -> dict[Any, float]:
    """Per `group`, the continuous median of `value` over `rows` (a queryset having both as fields)."""
    if _native(portable):
        return dict(rows.values_list(group).annotate(median=Median(value)).order_by())
    return _medians_by_window(rows, group=group, value=value)


def _medians_by_window(rows: QuerySet, *, group: str, value: str) -> dict[Any, float]:
    # The middle row(s) of each group ordered by value: for n rows, rows (n+1)/2 and (n+2)/2 in integer
    # division (one row when n is odd), averaged.
    inner_sql, params = rows.order_by().values(group, value).query.sql_with_params()
    key, number = connection.ops.quote_name(group), connection.ops.quote_name(value)
    # The inner SQL is Django's own compilation of a queryset; its values stay parameters.
    sql = (
        f"SELECT {key}, AVG({number}) FROM ("  # noqa: S608
        f" SELECT {key}, {number},"
        f" ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {number}) AS place,"
        f" COUNT(*) OVER (PARTITION BY {key}) AS group_count"
        f" FROM ({inner_sql}) AS grouped_rows"
        ") AS ranked"
        " WHERE place IN ((group_count + 1) / 2, (group_count + 2) / 2)"
        f" GROUP BY {key}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())
