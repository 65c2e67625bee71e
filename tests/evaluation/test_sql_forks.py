"""Each fork of evaluation.sql: the database's own form agrees with Python, and on PostgreSQL with the portable form."""

from __future__ import annotations

import datetime
import importlib
import statistics
import threading
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.db.models import F

from departments.models import Unit, UnitKind
from evaluation.models import BallotCode, BallotInbox, BallotValue, Criterion, Problem, Quarter, QuarterStatus
from evaluation.scoring import SOURCES, CellAggregate
from evaluation.sql import (
    DaysBetween,
    InboxWrite,
    Statement,
    code_ballot_into_inbox,
    code_point_order,
    compiled,
    is_postgresql,
    medians,
    quarter_status_for_share,
    read_together,
    value_aggregates,
)
from tests.evaluation.scoring_data import example_org, make_ballot, make_leader, make_quarter
from tests.evaluation.test_problem_support import at, make_problem

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.postgres


@pytest.fixture
def rated_quarter() -> Quarter:
    """Ballots with abstentions, a ballot of abstentions only, a voided ballot and a ballot of another quarter."""
    units = example_org()
    a, b, off = units["A"], units["B"], units["OFF"]
    quarter = make_quarter("2026Q3")
    other = make_quarter("2026Q2")
    make_ballot(quarter, "grassroots", {a: (90, None, 70), b: (None, None, None)}, rater_unit=units["G1"])
    make_ballot(quarter, "grassroots", {a: (80, 85, None), b: (60, None, None)}, rater_unit=units["G2"])
    make_ballot(quarter, "grassroots", {a: (10, 10, 10), off: (50, 50, 50)}, rater_unit=units["G1"], voided=True)
    make_ballot(quarter, "peer", {b: (75, 65, 95), off: (None, 40, None)}, rater_unit=a)
    make_ballot(quarter, "peer", {a: (None, None, None)}, rater_unit=b)
    make_ballot(quarter, "leadership", {a: (99.5, 88.25, None)}, rater=make_leader())
    make_ballot(other, "grassroots", {a: (20, 20, 20)}, rater_unit=units["G1"])
    return quarter


def criterion_codes(quarter: Quarter) -> dict[int, str]:
    return dict(Criterion.objects.filter(quarter=quarter).values_list("id", "code"))


def aggregates_in_python(quarter: Quarter) -> tuple[dict, dict, dict]:
    codes = criterion_codes(quarter)
    values = defaultdict(list)
    ballots = defaultdict(set)
    giving = {source: set() for source in SOURCES}
    counted = BallotValue.objects.filter(ballot__quarter=quarter, ballot__voided_at__isnull=True)
    for source, department, criterion, ballot, centi in counted.values_list(
        "ballot__source", "department_id", "criterion_id", "ballot_id", "value_centi"
    ):
        values[(source, department, codes[criterion])].append(centi)
        ballots[(source, department)].add(ballot)
        giving[source].add(ballot)
    cells = {key: CellAggregate.of(v) for key, v in values.items()}
    return cells, {key: len(found) for key, found in ballots.items()}, {s: len(found) for s, found in giving.items()}


def test_the_value_aggregates_agree_with_python(rated_quarter) -> None:
    assert value_aggregates(rated_quarter.pk, criterion_codes(rated_quarter)) == aggregates_in_python(rated_quarter)


def test_values_of_a_criterion_not_asked_for_are_left_out_of_the_cells_only(rated_quarter) -> None:
    codes = criterion_codes(rated_quarter)
    dropped = min(codes)
    asked = {pk: code for pk, code in codes.items() if pk != dropped}
    cells, counts, giving = value_aggregates(rated_quarter.pk, asked)
    all_cells, all_counts, all_giving = aggregates_in_python(rated_quarter)
    assert cells == {key: cell for key, cell in all_cells.items() if key[2] != codes[dropped]}
    assert (counts, giving) == (all_counts, all_giving)


def test_a_ballot_of_abstentions_only_gives_no_value(rated_quarter) -> None:
    *_cells_and_counts, giving = value_aggregates(rated_quarter.pk, criterion_codes(rated_quarter))
    assert giving == {"grassroots": 2, "peer": 1, "leadership": 1}


@needs_postgresql
def test_grouping_sets_agree_with_the_two_portable_queries(rated_quarter) -> None:
    codes = criterion_codes(rated_quarter)
    native = value_aggregates(rated_quarter.pk, codes)
    assert native == value_aggregates(rated_quarter.pk, codes, portable=True)
    assert sorted(native[1].values()) == [1, 1, 1, 1, 2]
    assert all(type(number) is int for cell in native[0].values() for number in cell)


def test_the_status_read_gives_the_committed_status_or_none(org) -> None:
    quarter = Quarter.objects.create(code="2026Q3", status=QuarterStatus.OPEN)
    assert quarter_status_for_share(quarter.pk) == QuarterStatus.OPEN
    assert quarter_status_for_share(quarter.pk, portable=True) == QuarterStatus.OPEN
    assert quarter_status_for_share(quarter.pk + 1000) is None
    assert quarter_status_for_share(quarter.pk + 1000, portable=True) is None


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_for_share_keeps_a_transition_waiting_until_the_submit_commits(org) -> None:
    quarter = Quarter.objects.create(code="2026Q3", status=QuarterStatus.OPEN)
    refused: list[BaseException] = []

    def lock_for_update() -> None:
        try:
            with transaction.atomic():
                Quarter.objects.select_for_update(nowait=True).get(pk=quarter.pk)
        except OperationalError as error:
            refused.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        assert quarter_status_for_share(quarter.pk) == QuarterStatus.OPEN
        other = threading.Thread(target=lock_for_update)
        other.start()
        other.join()
    assert len(refused) == 1
    after = threading.Thread(target=lock_for_update)
    after.start()
    after.join()
    assert len(refused) == 1


CODES = ["b", "B", "a-1", "a_1", "A1", "Z", "z", "ä", "中", "_x", "-x", "10", "9"]


def test_code_point_order_sorts_as_python_does(db) -> None:
    for number, code in enumerate(CODES):
        Unit.objects.create(code=f"U{number}", name=code, kind=UnitKind.FUNCTIONAL)
    ordered = Unit.objects.filter(code__startswith="U").order_by(code_point_order("name"))
    assert list(ordered.values_list("name", flat=True)) == sorted(CODES)


def medians_in_python(rows: list[tuple[int, float]]) -> dict[int, float]:
    grouped = defaultdict(list)
    for key, value in rows:
        grouped[key].append(value)
    return {key: statistics.median(values) for key, values in grouped.items()}


def test_medians_of_odd_and_even_groups_agree_with_python(rated_quarter) -> None:
    rows = BallotValue.objects.filter(ballot__quarter=rated_quarter)
    expected = medians_in_python(list(rows.values_list("department_id", "value_centi")))
    found = medians(rows, group="department_id", value="value_centi")
    assert {key: float(value) for key, value in found.items()} == expected
    sizes = {rows.filter(department_id=key).count() % 2 for key in expected}
    assert sizes == {0, 1}  # groups of odd and of even size


@needs_postgresql
def test_percentile_cont_agrees_with_the_window_query(rated_quarter) -> None:
    rows = BallotValue.objects.filter(ballot__quarter=rated_quarter)
    native = medians(rows, group="department_id", value="value_centi")
    portable = medians(rows, group="department_id", value="value_centi", portable=True)
    assert {k: float(v) for k, v in native.items()} == {k: float(v) for k, v in portable.items()}


@pytest.fixture
def answered_problems(evaluator, org, quarter) -> None:
    common = {"actor": evaluator, "quarter": quarter, "raising_unit": org["HRM"]}
    make_problem(**common, department=org["OPS"], created=at("2026-07-01"), answered=at("2026-07-03"))
    make_problem(**common, department=org["OPS"], created=at("2026-07-01", 8), answered=at("2026-07-05", 21, 30))
    make_problem(**common, department=org["OPS"], created=at("2026-07-02"), answered=at("2026-07-12"))
    make_problem(**common, department=org["EQP"], created=at("2026-07-02"), answered=at("2026-07-04", 15))
    make_problem(**common, department=org["EQP"], created=at("2026-06-30", 23), answered=at("2026-07-01", 1))


def days_in_python() -> list[tuple[int, float]]:
    rows = Problem.objects.values_list("department_id", "created_at", "first_answered_at")
    return [(department, (answered - created).total_seconds() / 86400) for department, created, answered in rows]


def test_days_between_agrees_with_python(answered_problems) -> None:
    found = Problem.objects.annotate(days=DaysBetween(F("created_at"), F("first_answered_at")))
    expected = sorted(days_in_python())
    assert [pytest.approx(value, abs=1e-6) for _key, value in expected] == [
        value for _key, value in sorted(found.values_list("department_id", "days"))
    ]


def test_the_median_days_agree_with_python(answered_problems) -> None:
    rows = Problem.objects.annotate(days=DaysBetween(F("created_at"), F("first_answered_at")))
    found = medians(rows, group="department_id", value="days")
    expected = medians_in_python(days_in_python())
    assert found.keys() == expected.keys()
    for key, value in expected.items():
        assert found[key] == pytest.approx(value, abs=1e-6)
    if is_postgresql():
        portable = medians(rows, group="department_id", value="days", portable=True)
        assert portable == pytest.approx(found, abs=1e-9)


def test_the_migration_flags_one_row_per_ballot_as_the_writers_do(rated_quarter) -> None:
    """Migration 0010 sets `counts_giving_ballot` on rows stored before it, as `counting_flags` does."""
    migration = importlib.import_module("evaluation.migrations.0010_ballot_value_counts_giving_ballot")
    written = set(BallotValue.objects.filter(counts_giving_ballot=True).values_list("ballot_id", "department_id"))
    assert len(written) == BallotValue.objects.values("ballot_id").distinct().count()
    BallotValue.objects.update(counts_giving_ballot=False)
    with connection.cursor() as cursor:
        cursor.execute(migration.Migration.operations[1].sql)
    assert (
        set(BallotValue.objects.filter(counts_giving_ballot=True).values_list("ballot_id", "department_id")) == written
    )


@needs_postgresql
def test_reads_together_keep_each_ones_order_and_types(rated_quarter) -> None:
    criteria = Criterion.objects.filter(quarter=rated_quarter).order_by("-order", "code")
    reads = [
        criteria.values_list("code", "weight"),
        Criterion.objects.none().values_list("code"),
        Quarter.objects.filter(pk=rated_quarter.pk).values_list("trim", "code"),
    ]
    sql = "SELECT code, 1 AS one FROM evaluation_criterion WHERE quarter_id = %s"
    alongside = Statement(sql, (rated_quarter.pk,), width=2)
    together, rows = read_together(reads, alongside)
    assert together == [[tuple(row) for row in read] for read in reads] == read_together(reads, portable=True)[0]
    assert read_together([compiled(read) for read in reads], alongside) == (together, rows)
    assert [type(weight) for _code, weight in together[0]] == [Decimal] * criteria.count()
    assert sorted(rows) == sorted((code, 1) for code in criteria.values_list("code", flat=True))
    assert read_together(reads) == (together, [])


# --- a code ballot into the inbox ---


def _write(quarter: Quarter, code: BallotCode, *, portable: bool, day=datetime.date(2026, 9, 1)) -> InboxWrite:
    payload = {"values": [[1, 2, 8000]], "comments": []}
    return code_ballot_into_inbox(
        quarter_id=quarter.pk, code_id=code.pk, unit_id=code.unit_id, day=day, payload=payload, portable=portable
    )


@pytest.mark.parametrize("portable", [False, True])
def test_a_code_ballot_is_kept_with_its_code_used_and_the_units_waiting_counted(quarter, org, portable) -> None:
    first = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="FORKA0001")
    second = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="FORKA0002")
    other_unit = BallotCode.objects.create(quarter=quarter, unit=org["NFM"], code="FORKA0003")

    assert _write(quarter, first, portable=portable) == InboxWrite(status=QuarterStatus.OPEN, stored=True, waiting=1)
    assert _write(quarter, other_unit, portable=portable).waiting == 1
    assert _write(quarter, second, portable=portable) == InboxWrite(status=QuarterStatus.OPEN, stored=True, waiting=2)
    kept = BallotInbox.objects.filter(unit=org["HRM"]).order_by("submitted_on").first()
    assert (kept.quarter_id, kept.submitted_on, kept.payload) == (
        quarter.pk,
        datetime.date(2026, 9, 1),
        {"values": [[1, 2, 8000]], "comments": []},
    )
    assert set(BallotCode.objects.values_list("code", "used")) == {
        ("FORKA0001", True),
        ("FORKA0002", True),
        ("FORKA0003", True),
    }


@pytest.mark.parametrize("portable", [False, True])
def test_a_used_code_or_a_closed_quarter_stores_nothing(quarter, org, portable) -> None:
    code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="FORKB0001")
    _write(quarter, code, portable=portable)

    assert _write(quarter, code, portable=portable) == InboxWrite(status=QuarterStatus.OPEN, stored=False, waiting=0)
    unused = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="FORKB0002")
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    assert _write(quarter, unused, portable=portable) == InboxWrite(
        status=QuarterStatus.CLOSED, stored=False, waiting=0
    )
    assert BallotInbox.objects.count() == 1
    assert not BallotCode.objects.get(pk=unused.pk).used


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_one_statement_write_waits_for_a_transition_and_sees_its_status(quarter, org) -> None:
    """A close that holds the quarter FOR UPDATE keeps the write waiting; once it commits, the write stores nothing."""
    code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="FORKC0001")
    locked, written = threading.Event(), []

    def write() -> None:
        try:
            locked.wait()
            written.append(_write(quarter, code, portable=False))
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    with transaction.atomic():
        Quarter.objects.select_for_update().get(pk=quarter.pk)
        locked.set()
        writer.join(timeout=0.5)
        assert writer.is_alive()  # waiting for the lock
        Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    writer.join()
    assert written == [InboxWrite(status=QuarterStatus.CLOSED, stored=False, waiting=0)]
    assert not BallotInbox.objects.exists()
    assert not BallotCode.objects.get(pk=code.pk).used
