"""The ballot values' references, checked once per statement instead of once per row.

A ballot value names its ballot, its department and its criterion. As foreign keys, PostgreSQL checked each
of the three for every value row: a query and a row lock per reference, about 3 µs each, at the commit. A
Benxi-scale workbook holds 391,862 values, so its import spent more than three seconds in those 1.2 million
checks, and every batch of ten online ballots moved out of the inbox (evaluation.services.inbox) spent about
25 ms of PostgreSQL's CPU in them.

So these columns are plain columns (`db_constraint=False` on the model) and the database checks them with
triggers that do what a foreign key does, once per statement:

- after an insert or update of ballot values, every referenced row is locked as a foreign key locks it
  (FOR KEY SHARE, so it cannot be deleted before the commit), and a reference to a row that does not exist
  fails the statement;
- a delete of a ballot, unit or criterion that ballot values still reference fails, and so does changing
  such a row's key.

The failure is an IntegrityError (SQLSTATE 23503, foreign_key_violation), as a foreign key's. Unlike the
foreign keys, which were checked at the commit, the check comes at the end of each statement: a ballot is
inserted before its values, and values are deleted before their ballot (Django's deletion does both). On
PostgreSQL a TRUNCATE of a referenced table that leaves ballot values behind fails too (a foreign key would
have refused it, or emptied the values with CASCADE); Django's flush, which empties every table in one
statement, passes.

SQLite checks the values it is given with row triggers (a value naming a missing row fails); a delete there is
left to Django's own rules (PROTECT, CASCADE), because Django's flush of a SQLite database deletes table by
table and relies on its constraints being deferred to the commit, which a trigger cannot be. SQLite is for
trying the product and for the tests; production runs on PostgreSQL. `install_references` creates (or
replaces) the triggers after every `migrate` (post_migrate), from the model's metadata.
tests/evaluation/test_value_references.py checks each rule on each database.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import ForeignKey

TRANSITION_ADDED = "added"
TRANSITION_GONE = "gone"
TRANSITION_KEPT = "kept"


def _unchecked_references() -> list[ForeignKey]:
    """The ballot value's foreign keys without a database constraint: the ones the triggers check."""
    from evaluation.models import BallotValue

    return [
        field
        for field in BallotValue._meta.concrete_fields
        if isinstance(field, ForeignKey) and not field.db_constraint
    ]


def install_references(*, using: str = "default", **_signal: Any) -> None:
    """Create or replace the triggers on the database `using` (a post_migrate receiver). When the tables are not
    all there (migrated back to before them), remove what is left of the triggers instead."""
    connection = connections[using]
    references = _unchecked_references()
    if not references:
        return
    if not _tables(references) <= set(connection.introspection.table_names()):
        remove_references(using=using)
        return
    build = _postgresql if connection.vendor == "postgresql" else _sqlite
    with connection.cursor() as cursor:
        for statement in build(references, connection):
            cursor.execute(statement)


def remove_references(*, using: str = "default", **_signal: Any) -> None:
    """Drop the triggers, from the tables that exist. On SQLite this runs before every migrate
    (remove_references_on_sqlite): SQLite checks every trigger of the schema when a migration renames a rebuilt
    table, and a trigger naming a table that is being rebuilt fails it; post_migrate installs them again."""
    connection = connections[using]
    references = _unchecked_references()
    existing = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, table in _trigger_names(references):
            if table not in existing:
                continue
            on = f" ON {quote(table)}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")


def remove_references_on_sqlite(*, using: str = "default", **_signal: Any) -> None:
    """A pre_migrate receiver: on SQLite, `remove_references` before the migrations run (see there)."""
    if connections[using].vendor == "sqlite":
        remove_references(using=using)


def _tables(references: list[ForeignKey]) -> set[str]:
    return {references[0].model._meta.db_table, *(field.related_model._meta.db_table for field in references)}


# The triggers' and functions' names, for the builders below and for remove_references. Short: PostgreSQL
# cuts names at 63 bytes.
def _checked_on(table: str, event: str) -> str:
    return f"{table}_references_{event}"


def _kept(table: str, field: ForeignKey) -> str:
    return f"{table}_kept_{field.name}"


def _emptied(table: str, field: ForeignKey) -> str:
    return f"{table}_emptied_{field.name}"


def _trigger_names(references: list[ForeignKey]) -> list[tuple[str, str]]:
    """Every trigger's name and table."""
    if not references:
        return []
    table = references[0].model._meta.db_table
    names = [(_checked_on(table, event), table) for event in ("insert", "update")]
    for field in references:
        target = field.related_model._meta.db_table
        names += [(f"{_kept(table, field)}_{event}", target) for event in ("delete", "update")]
        names.append((f"{_emptied(table, field)}_truncate", target))  # PostgreSQL only
    return names


def _names(field: ForeignKey, quote: Any) -> dict[str, str]:
    target = field.related_model._meta
    return {
        "table": quote(field.model._meta.db_table),
        "table_name": field.model._meta.db_table,
        "column": quote(field.column),
        "column_name": field.column,
        "target": quote(target.db_table),
        "target_name": target.db_table,
        "key": quote(field.target_field.column),
        "key_name": field.target_field.column,
    }


def _postgresql(references: list[ForeignKey], connection: Any) -> list[str]:
    quote = connection.ops.quote_name
    table = references[0].model._meta.db_table
    names = [_names(field, quote) for field in references]
    # The distinct keys of every reference in one pass over the statement's rows (one hashed grouping set per
    # column), into one array per reference: a Benxi import's batch of 56,000 values was read six times, once
    # to lock and once to look for a missing row per reference, 54 ms in all; the grouping sets take 16 ms.
    keys = [f"keys_{index}" for index in range(len(references))]
    declared = "".join(f" {key} {field.db_type(connection)}[];" for key, field in zip(keys, references, strict=True))
    grouped = ", ".join(f"{n['column']} AS k{i}, GROUPING({n['column']}) AS g{i}" for i, n in enumerate(names))
    sets = ", ".join(f"({n['column']})" for n in names)
    gathered = ", ".join(f"array_agg(k{i}) FILTER (WHERE g{i} = 0 AND k{i} IS NOT NULL)" for i in range(len(names)))
    checks = [
        f"""
  SELECT {gathered} INTO {", ".join(keys)}
    FROM (SELECT {grouped} FROM {TRANSITION_ADDED} GROUP BY GROUPING SETS ({sets})) grouped;"""  # noqa: S608
    ]
    for key, n in zip(keys, names, strict=True):
        checks.append(
            f"""
  PERFORM 1 FROM {n["target"]} WHERE {n["key"]} = ANY ({key}) FOR KEY SHARE;
  SELECT k::text INTO missing FROM unnest({key}) AS k
    WHERE NOT EXISTS (SELECT 1 FROM {n["target"]} r WHERE r.{n["key"]} = k) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "{n["table_name"]}" violates its reference to "{n["target_name"]}"'
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key ({n["column_name"]})=(%s) is not present in table "{n["target_name"]}".', missing);
  END IF;"""  # noqa: S608 - every name comes from the model's metadata, quoted
        )
    function = f"{table}_references"
    statements = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE missing text;{declared}
BEGIN{"".join(checks)}
  RETURN NULL;
END $body$""",
    ]
    for event in ("INSERT", "UPDATE"):
        statements.append(
            f"CREATE OR REPLACE TRIGGER {_checked_on(table, event.lower())} AFTER {event} ON {quote(table)} "
            f"REFERENCING NEW TABLE AS {TRANSITION_ADDED} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    for field in references:
        n = _names(field, quote)
        held = f"""SELECT g.{n["key"]}::text INTO held FROM {TRANSITION_GONE} g
    WHERE EXISTS (SELECT 1 FROM {n["table"]} v WHERE v.{n["column"]} = g.{n["key"]})"""  # noqa: S608
        function = _kept(table, field)
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE held text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    {held} LIMIT 1;
  ELSIF EXISTS (SELECT 1 FROM {TRANSITION_GONE} g
      WHERE NOT EXISTS (SELECT 1 FROM {TRANSITION_KEPT} k WHERE k.{n["key"]} = g.{n["key"]})) THEN
    -- Only an update that changes a key looks at the values: renaming a unit reads none of them.
    {held}
      AND NOT EXISTS (SELECT 1 FROM {TRANSITION_KEPT} k WHERE k.{n["key"]} = g.{n["key"]}) LIMIT 1;
  END IF;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "{n["target_name"]}" violates the reference from "{n["table_name"]}"'
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key ({n["key_name"]})=(%s) is still referenced from table "{n["table_name"]}".', held);
  END IF;
  RETURN NULL;
END $body$"""  # noqa: S608
        )
        emptied = _emptied(table, field)
        statements += [
            f"""CREATE OR REPLACE FUNCTION {emptied}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF EXISTS (SELECT 1 FROM {n["table"]}) THEN
    RAISE EXCEPTION 'truncate of table "{n["target_name"]}" leaves the rows of "{n["table_name"]}" that name it'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $body$""",  # noqa: S608
            f"CREATE OR REPLACE TRIGGER {emptied}_truncate AFTER TRUNCATE ON {n['target']} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {emptied}()",
            f"CREATE OR REPLACE TRIGGER {function}_delete AFTER DELETE ON {n['target']} "
            f"REFERENCING OLD TABLE AS {TRANSITION_GONE} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            f"CREATE OR REPLACE TRIGGER {function}_update AFTER UPDATE ON {n['target']} "
            f"REFERENCING OLD TABLE AS {TRANSITION_GONE} NEW TABLE AS {TRANSITION_KEPT} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    return statements


def _sqlite(references: list[ForeignKey], connection: Any) -> list[str]:
    quote = connection.ops.quote_name
    table = references[0].model._meta.db_table
    refuse = "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END"
    missing = " OR ".join(
        f"(NEW.{n['column']} IS NOT NULL AND NOT EXISTS "  # noqa: S608 - names from the model's metadata, quoted
        f"(SELECT 1 FROM {n['target']} WHERE {n['key']} = NEW.{n['column']}))"
        for n in (_names(field, quote) for field in references)
    )
    statements = []
    for event in ("INSERT", "UPDATE"):
        name = _checked_on(table, event.lower())
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} BEFORE {event} ON {quote(table)} WHEN {missing} {refuse}",
        ]
    return statements
