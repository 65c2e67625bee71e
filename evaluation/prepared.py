"""Reads of model instances compiled once per process, for the lookups every results request makes.

Django compiles a queryset into SQL afresh each time it is evaluated. For the quarter a results page names,
read with its programme and its snapshot (three tables, forty columns), the compilation costs about 1.5 ms of
CPU, several times what PostgreSQL spends answering it, and it is the largest part of a cached ranking page's
cost. The SQL of a filter on fixed fields differs from one request to the next only in its parameters, so a
`PreparedRead` compiles its queryset once, with a placeholder in place of each value, and afterwards runs that
SQL with the request's values, building the instances (the related ones included) with Django's own
compiler state, exactly as a queryset's iteration does. Every run still reads the database: nothing of the
rows is kept.

The queryset may filter, select related rows and defer fields; each value of a filter is a string, or an
integer for the names given as `integers` (an id), and the queryset must not depend on anything but those
values.
tests/evaluation/test_prepared_reads.py compares a prepared read with the queryset's own, field by field.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

from config import statements

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Slot:
    """Where a run's value of this name goes among the SQL's parameters."""

    name: str


def _placeholder(name: str) -> str:
    """The value a queryset is compiled with for `name`: no real value of a filter looks like it."""
    return f"\x1fprepared-read:{name}\x1f"


def _integer_placeholder(index: int) -> int:
    """The value a queryset is compiled with for an integer: far below any id a database gives."""
    return -(2**62) - index


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]  # fixed values, and _Slot where a run's value goes
    compiler: Any
    converters: dict
    model: type[Model]
    fields: slice
    names: list[str]
    populators: list


class PreparedRead(Generic[M]):
    """`build(**values)` (a queryset) compiled once per database, then run with other values: `first(**values)`,
    `all(**values)`."""

    def __init__(self, build: Callable[..., QuerySet[M]], *names: str, integers: tuple[str, ...] = ()) -> None:
        self._build = build
        self._names = (*names, *integers)
        self._integers = integers
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self) -> _Compiled:
        key = (connection.alias, connection.vendor)
        found = self._compiled.get(key)
        if found is not None:
            return found
        placeholders = {_placeholder(name): name for name in self._names if name not in self._integers}
        numbers = {_integer_placeholder(index): name for index, name in enumerate(self._integers)}
        values = {name: text for text, name in placeholders.items()} | {name: n for n, name in numbers.items()}
        queryset = self._build(**values)
        compiler = queryset.query.get_compiler(using=connection.alias)
        sql, compiled_params = compiler.as_sql()  # also fills compiler.select and compiler.klass_info

        def slot(param: Any) -> Any:
            if isinstance(param, str) and param in placeholders:
                return _Slot(placeholders[param])
            if type(param) is int and param in numbers:
                return _Slot(numbers[param])
            return param

        params = [slot(param) for param in compiled_params]
        if any(
            isinstance(param, str) and "\x1fprepared-read:" in param and param not in placeholders
            for param in compiled_params
        ):
            raise ValueError("a value reached the SQL changed (a lookup that transforms it)")
        if sorted(param.name for param in params if isinstance(param, _Slot)) != sorted(self._names):
            raise ValueError("each value must reach the SQL once, as a parameter of its own")
        select, klass_info = compiler.select, compiler.klass_info
        columns = [column for column, _sql, _alias in select[: compiler.col_count]]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        found = _Compiled(
            sql=sql,
            params=tuple(params),
            compiler=compiler,
            converters=compiler.get_converters(columns),
            model=klass_info["model"],
            fields=slice(start, end),
            names=[column.target.attname for column, _sql, _alias in select[start:end]],
            populators=get_related_populators(klass_info, select, connection.alias),
        )
        with self._lock:
            self._compiled[key] = found
        return found

    def first(self, **values: str | int) -> M | None:
        """The first instance the queryset gives for these values (its own order), or None."""
        compiled, rows = self._run(values, first=True)
        return self._instance(compiled, rows[0]) if rows else None

    def all(self, **values: str | int) -> list[M]:
        """Every instance the queryset gives for these values, in its own order."""
        compiled, rows = self._run(values, first=False)
        return [self._instance(compiled, row) for row in rows]

    def _run(self, values: dict[str, str | int], *, first: bool) -> tuple[_Compiled, list]:
        compiled = self._compile()
        params = [values[param.name] if isinstance(param, _Slot) else param for param in compiled.params]
        with connection.cursor() as cursor:
            statements.execute(cursor, compiled.sql, params, label="prepared_read")
            rows = cursor.fetchmany(1) if first else cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return compiled, rows

    @staticmethod
    def _instance(compiled: _Compiled, row: Any) -> Any:
        instance = compiled.model.from_db(connection.alias, compiled.names, row[compiled.fields])
        for populator in compiled.populators:
            populator.populate(row, instance)
        return instance
