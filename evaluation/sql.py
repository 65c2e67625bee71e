"""The SQL that PostgreSQL and SQLite write differently, in one place.

Each fork picks the form the connected database runs best. `portable=True` forces the form written in
SQL both databases run, so the tests run both forms of a fork on PostgreSQL and compare them
(tests/evaluation/test_sql_forks.py); on SQLite only the portable form exists.

- `value_aggregates`: one hash aggregate counting ballots by their flagged rows (PostgreSQL), or two GROUP BY
  queries, the second with COUNT(DISTINCT ballot);
- `quarter_status_for_share`: the quarter's status read FOR SHARE (PostgreSQL), or a plain read;
- `code_point_order`: text ordered by code point, as Python sorts — COLLATE "C" on PostgreSQL, whose
  default collation may follow the locale; SQLite's default (BINARY) already does;
- `medians`: the `percentile_cont` aggregate (PostgreSQL), or a window-function query;
- `DaysBetween`: days between two timestamps; each database has its own date arithmetic, so both forms
  are vendor-specific and each is tested against Python's on its own database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, Expression, F, FloatField, Func, Max, Min, QuerySet, Sum
from django.db.models.functions import Collate

from evaluation.models import Ballot, BallotValue, Quarter
from evaluation.scoring import CellAggregate, CellKey


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _native(portable: bool) -> bool:
    return is_postgresql() and not portable


# --- value aggregates (the scoring selector) ---------------------------------------------------------------------


Cells = dict[CellKey, CellAggregate]  # (source, department id, criterion code) -> the cell's counted values
BallotCounts = dict[tuple[str, int], int]  # (source, department id) -> counted ballots giving it a value


def value_aggregates(
    quarter_id: int, criterion_codes: Mapping[int, str], *, portable: bool = False
) -> tuple[Cells, BallotCounts]:
    """The cell aggregates of a quarter's counted (not voided) values, in hundredths of a point, keyed by
    criterion code (values of a criterion not in `criterion_codes` left out), and per (source, department)
    the counted ballots that give the department at least one value."""
    if _native(portable):
        return _aggregates_in_one_scan(quarter_id, criterion_codes)
    return _cells(quarter_id, criterion_codes), _ballot_counts(quarter_id)


def _counted_values(quarter_id: int) -> QuerySet[BallotValue]:
    return BallotValue.objects.filter(ballot__quarter_id=quarter_id, ballot__voided_at__isnull=True)


def _cells(quarter_id: int, criterion_codes: Mapping[int, str]) -> Cells:
    rows = (
        _counted_values(quarter_id)
        .values_list("ballot__source", "department_id", "criterion_id")
        .annotate(n=Count("value_centi"), total=Sum("value_centi"), low=Min("value_centi"), high=Max("value_centi"))
        .order_by()
    )
    return {
        (s, d, criterion_codes[c]): CellAggregate(n, int(total), int(low), int(high))
        for s, d, c, n, total, low, high in rows
        if c in criterion_codes
    }


def _ballot_counts(quarter_id: int) -> BallotCounts:
    rows = (
        _counted_values(quarter_id)
        .values_list("ballot__source", "department_id")
        .annotate(ballots=Count("ballot_id", distinct=True))
        .order_by()
    )
    return {(source, department_id): ballots for source, department_id, ballots in rows}


def _cells_and_counts_sql() -> str:
    value_table = connection.ops.quote_name(BallotValue._meta.db_table)
    ballot_table = connection.ops.quote_name(Ballot._meta.db_table)
    return (
        "SELECT b.source, v.department_id, v.criterion_id, "  # noqa: S608
        "COUNT(*), SUM(v.value_centi), MIN(v.value_centi), MAX(v.value_centi), "
        "COUNT(*) FILTER (WHERE v.counts_ballot) "
        f"FROM {value_table} v INNER JOIN {ballot_table} b ON b.id = v.ballot_id "
        "WHERE b.quarter_id = %s AND b.voided_at IS NULL "
        "GROUP BY b.source, v.department_id, v.criterion_id"
    )


def _aggregates_in_one_scan(quarter_id: int, criterion_codes: Mapping[int, str]) -> tuple[Cells, BallotCounts]:
    """One hash aggregate over the quarter's values for both the cells and the ballot counts.

    A ballot's rows of one department carry `counts_ballot` on exactly one of them, so the ballots that
    rate a department are the flagged rows summed over its criteria: no COUNT(DISTINCT ballot_id), which
    forces a sort of every value (docs/design.md, "Ballot counts without COUNT DISTINCT"). PostgreSQL's
    counts, sums (of integers: bigint), minima and maxima arrive as Python integers.
    """
    cells: Cells = {}
    ballots: BallotCounts = {}
    with connection.cursor() as cursor:
        cursor.execute(_cells_and_counts_sql(), [quarter_id])
        rows = cursor.fetchall()
    for source, department_id, criterion_id, n, total, low, high, counted in rows:
        code = criterion_codes.get(criterion_id)
        if code is not None:
            cells[(source, department_id, code)] = CellAggregate(n, total, low, high)
        key = (source, department_id)
        ballots[key] = ballots.get(key, 0) + counted
    return cells, ballots


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
