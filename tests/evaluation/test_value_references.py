"""A ballot value's ballot, department and criterion, checked by the database per statement
(evaluation/references.py), on SQLite and on PostgreSQL: what foreign keys refused is refused."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import ProtectedError

from departments.models import Unit, UnitKind
from evaluation.models import Ballot, BallotValue, Criterion, Source
from evaluation.services.ballots import BallotRefused, ballot_check, ballot_store, ballot_submit
from tests.evaluation.ballot_helpers import full_values

pytestmark = pytest.mark.django_db


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert(ballot_id, department_id: int, criterion_id: int) -> None:
    ballot = ballot_id.hex if connection.vendor == "sqlite" else str(ballot_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(BallotValue)} (ballot_id, department_id, criterion_id, value_centi, counts_ballot, "  # noqa: S608
            "counts_giving_ballot) VALUES (%s, %s, %s, 8000, FALSE, FALSE)",
            [ballot, department_id, criterion_id],
        )


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def stored(org, quarter, rep) -> Ballot:
    """A peer ballot with values for every department but the rater's own."""
    return ballot_submit(quarter=quarter, source=Source.PEER, values=full_values(quarter, exclude=("OPS",)), rater=rep)


def _refused(action) -> None:
    """`action` fails as a foreign key would have failed it, and leaves nothing behind."""
    values = BallotValue.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        action()
    assert BallotValue.objects.count() == values


def test_a_value_of_a_ballot_unit_and_criterion_that_exist_is_stored(stored):
    spare = Unit.objects.create(code="NEW", name="新部门", kind=UnitKind.FUNCTIONAL, order=9)
    criterion = Criterion.objects.filter(quarter=stored.quarter).first()
    _insert(stored.pk, spare.pk, criterion.pk)
    assert BallotValue.objects.filter(ballot=stored, department=spare).count() == 1


@pytest.mark.parametrize("missing", ["ballot", "department", "criterion"])
def test_a_value_naming_a_missing_row_is_refused(stored, missing):
    value = BallotValue.objects.filter(ballot=stored).first()
    spare = Unit.objects.create(code="NEW", name="新部门", kind=UnitKind.FUNCTIONAL, order=9)
    row = {"ballot_id": stored.pk, "department_id": spare.pk, "criterion_id": value.criterion_id}
    row[f"{missing}_id"] = uuid.uuid4() if missing == "ballot" else 10**9
    _refused(lambda: _insert(**row))


@pytest.mark.postgres  # the message is PostgreSQL's; SQLite's row triggers say only that a reference failed
def test_one_missing_row_among_many_refuses_the_statement_naming_it(stored):
    departments = sorted(set(BallotValue.objects.filter(ballot=stored).values_list("department_id", flat=True)))
    criterion = Criterion.objects.create(quarter=stored.quarter, code="extra", name="另一项", weight=1, order=9)
    rows = [(stored.pk, department, criterion.pk) for department in departments]
    rows[len(rows) // 2] = (stored.pk, 10**9, criterion.pk)
    placeholders = ", ".join(["(%s, %s, %s, 8000, FALSE, FALSE)"] * len(rows))
    missing = f"Key \\(department_id\\)=\\({10**9}\\) is not present"
    with pytest.raises(IntegrityError, match=missing), transaction.atomic():
        _execute(
            f"INSERT INTO {_table(BallotValue)} (ballot_id, department_id, criterion_id, value_centi, "  # noqa: S608
            f"counts_ballot, counts_giving_ballot) VALUES {placeholders}",
            [str(value) for row in rows for value in row],
        )
    assert not BallotValue.objects.filter(criterion=criterion).exists()


def test_a_ballot_whose_department_goes_while_it_is_stored_is_not_called_a_duplicate(org, quarter, rep):
    """A refusal for a missing reference says so; only a unique rule's refusal is an "already voted"."""
    spare = Unit.objects.create(code="NEW", name="新部门", kind=UnitKind.FUNCTIONAL, order=9)
    values = full_values(quarter, exclude=("OPS",))
    checked = ballot_check(quarter=quarter, source=Source.PEER, values=values, rater=rep)
    _execute(f"DELETE FROM {_table(Unit)} WHERE id = %s", [spare.pk])  # noqa: S608 - removed behind the check
    with pytest.raises(BallotRefused) as refused:
        ballot_store(quarter=quarter, checked=checked)
    assert refused.value.code == "gone"
    assert not Ballot.objects.filter(quarter=quarter, source=Source.PEER).exists()
    ballot_submit(quarter=quarter, source=Source.PEER, values=full_values(quarter, exclude=("OPS",)), rater=rep)
    with pytest.raises(BallotRefused) as again:
        ballot_store(quarter=quarter, checked=checked)
    assert again.value.code == "duplicate"


def test_moving_a_value_to_a_missing_department_is_refused(stored):
    value = BallotValue.objects.filter(ballot=stored).first()
    _refused(
        lambda: _execute(
            f"UPDATE {_table(BallotValue)} SET department_id = %s WHERE department_id = %s",  # noqa: S608
            [10**9, value.department_id],
        )
    )


@pytest.mark.postgres  # SQLite leaves deletes to Django's PROTECT and CASCADE (evaluation.references)
@pytest.mark.parametrize("model", [Unit, Criterion, Ballot])
def test_a_row_values_name_cannot_be_deleted_behind_djangos_back(stored, model):
    value = BallotValue.objects.filter(ballot=stored).first()
    key = {Unit: value.department_id, Criterion: value.criterion_id, Ballot: stored.pk}[model]
    _refused(lambda: _execute(f"DELETE FROM {_table(model)} WHERE id = %s", [key]))  # noqa: S608


@pytest.mark.postgres
def test_a_referenced_units_key_cannot_change_but_its_name_can(stored):
    department = BallotValue.objects.filter(ballot=stored).first().department_id
    _refused(lambda: _execute(f"UPDATE {_table(Unit)} SET id = %s WHERE id = %s", [10**9, department]))  # noqa: S608
    Unit.objects.filter(pk=department).update(name="改名")
    assert Unit.objects.get(pk=department).name == "改名"


def _value_table_reads() -> int:
    """How often this transaction has read the value table, by any scan (PostgreSQL's own counters)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables "
            "WHERE relid = %s::regclass",
            [BallotValue._meta.db_table],
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.parametrize(("model", "column"), [(Unit, "name"), (Criterion, "name"), (Ballot, "label")])
def test_an_update_that_keeps_every_key_reads_no_values(stored, model, column):
    """Renaming a unit (an organisation import renames hundreds) must not read the largest table."""
    value = BallotValue.objects.filter(ballot=stored).first()
    key = {Unit: value.department_id, Criterion: value.criterion_id, Ballot: stored.pk}[model]
    before = _value_table_reads()
    _execute(f"UPDATE {_table(model)} SET {column} = %s WHERE id = %s", ["改名", key])  # noqa: S608
    assert _value_table_reads() == before
    _refused(lambda: _execute(f"UPDATE {_table(model)} SET id = %s WHERE id = %s", [_other_key(model), key]))  # noqa: S608
    assert _value_table_reads() > before  # the counters see the check a changed key makes


def _other_key(model):
    return uuid.uuid4() if model is Ballot else 10**9


def test_djangos_protection_keeps_a_unit_values_name(stored):
    department = BallotValue.objects.filter(ballot=stored).first().department
    with pytest.raises(ProtectedError):
        department.delete()


def test_djangos_deletion_of_a_ballot_takes_its_values_with_it(stored):
    assert BallotValue.objects.filter(ballot=stored).exists()
    stored.delete()
    assert not BallotValue.objects.filter(ballot_id=stored.pk).exists()


def test_a_unit_no_value_names_can_be_deleted(stored):
    spare = Unit.objects.create(code="NEW", name="新部门", kind=UnitKind.FUNCTIONAL, order=9)
    _execute(f"DELETE FROM {_table(Unit)} WHERE id = %s", [spare.pk])  # noqa: S608
    assert not Unit.objects.filter(pk=spare.pk).exists()


@pytest.mark.postgres
@pytest.mark.parametrize("model", [Unit, Criterion, Ballot])
def test_a_truncate_that_would_leave_values_behind_is_refused(stored, model):
    _execute("SET CONSTRAINTS ALL IMMEDIATE", [])  # the test's transaction holds deferred checks TRUNCATE refuses
    _refused(lambda: _execute(f"TRUNCATE {_table(model)} CASCADE", []))
    assert model.objects.exists()


@pytest.mark.postgres
def test_a_truncate_of_the_values_with_what_they_name_passes(stored):
    _execute("SET CONSTRAINTS ALL IMMEDIATE", [])
    _execute(f"TRUNCATE {_table(BallotValue)}, {_table(Ballot)} CASCADE", [])
    assert not Ballot.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_unit_whose_new_value_is_not_committed_yet_cannot_be_deleted_meanwhile(org, quarter, rep):
    """As a foreign key does, the insert locks the rows it names (FOR KEY SHARE) until it commits."""
    spare = Unit.objects.create(code="NEW", name="新部门", kind=UnitKind.FUNCTIONAL, order=9)
    stored = ballot_submit(
        quarter=quarter, source=Source.PEER, values=full_values(quarter, exclude=("OPS", "NEW")), rater=rep
    )
    criterion = Criterion.objects.filter(quarter=quarter).first()
    outcome: list[BaseException | None] = []

    def delete_meanwhile() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
                cursor.execute(f"DELETE FROM {_table(Unit)} WHERE id = %s", [spare.pk])  # noqa: S608
            outcome.append(None)
        except (OperationalError, IntegrityError) as error:
            outcome.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        _insert(stored.pk, spare.pk, criterion.pk)
        thread = threading.Thread(target=delete_meanwhile)
        thread.start()
        thread.join(30)
    assert isinstance(outcome[0], OperationalError)  # it waited for the insert's lock
    assert "lock timeout" in str(outcome[0])
    with pytest.raises(IntegrityError):  # after the commit, the value keeps the unit
        _execute(f"DELETE FROM {_table(Unit)} WHERE id = %s", [spare.pk])  # noqa: S608
    assert Unit.objects.filter(pk=spare.pk).exists()
