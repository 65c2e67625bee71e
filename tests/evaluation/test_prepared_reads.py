"""A prepared read (evaluation.prepared) gives what its queryset gives, compiled once, read afresh every time."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.sql.query import Query
from django.test.utils import CaptureQueriesContext

from evaluation.models import Criterion, Level, Quarter, QuarterStatus, ResultSnapshot
from evaluation.prepared import PreparedRead
from evaluation.services.ballots import ballot_sheet
from evaluation.services.results import results_freeze
from tests.evaluation.scoring_data import build_examples_1_and_2, example_org, make_leader, make_quarter

pytestmark = pytest.mark.django_db


def _with_snapshot(**lookup: str):
    return Quarter.objects.select_related("snapshot", "programme").defer("snapshot__payload").filter(**lookup)


def _fields(instance) -> dict:
    """Every loaded concrete field, with its value's type."""
    deferred = instance.get_deferred_fields()
    return {
        field.attname: (getattr(instance, field.attname), type(getattr(instance, field.attname)))
        for field in instance._meta.concrete_fields
        if field.attname not in deferred
    }


def _published_quarter() -> Quarter:
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    build_examples_1_and_2(quarter, example_org(), make_leader())
    quarter.status = QuarterStatus.PUBLISHED
    quarter.save(update_fields=["status"])
    results_freeze(quarter=quarter)
    return quarter


def test_a_prepared_read_builds_what_the_queryset_builds():
    quarter = _published_quarter()
    read = PreparedRead(_with_snapshot, "programme__code", "code")
    lookup = {"programme__code": quarter.programme.code, "code": quarter.code}

    with CaptureQueriesContext(connection) as queries:
        ours = read.first(**lookup)
        assert ours.programme.name and ours.snapshot.pk  # both came with the quarter
    django = _with_snapshot(**lookup).get()

    assert len(queries) == 1
    assert _fields(ours) == _fields(django)
    assert _fields(ours.programme) == _fields(django.programme)
    assert _fields(ours.snapshot) == _fields(django.snapshot)
    assert ours.snapshot.get_deferred_fields() == {"payload"} == django.snapshot.get_deferred_fields()
    assert ours.snapshot.payload == ResultSnapshot.objects.get(pk=django.snapshot.pk).payload  # read when asked
    assert not ours._state.adding and ours._state.db == "default"


def test_a_missing_row_and_a_missing_related_row_are_told_apart():
    quarter = make_quarter("2026Q4", status=QuarterStatus.OPEN)
    read = PreparedRead(_with_snapshot, "programme__code", "code")

    found = read.first(programme__code=quarter.programme.code, code=quarter.code)
    with pytest.raises(ResultSnapshot.DoesNotExist):
        found.snapshot  # noqa: B018 - the reverse one-to-one is known to be empty, as select_related gives it
    assert read.first(programme__code=quarter.programme.code, code="2031Q1") is None
    assert read.first(programme__code="no-such-programme", code=quarter.code) is None


def test_it_compiles_once_and_reads_the_database_every_time(monkeypatch):
    quarter = make_quarter("2026Q4", status=QuarterStatus.OPEN)
    read = PreparedRead(_with_snapshot, "programme__code", "code")
    lookup = {"programme__code": quarter.programme.code, "code": quarter.code}
    assert read.first(**lookup).status == QuarterStatus.OPEN
    compilations = []
    original = Query.get_compiler
    monkeypatch.setattr(Query, "get_compiler", lambda self, *a, **k: compilations.append(1) or original(self, *a, **k))

    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)  # compiles the update itself
    compilations.clear()

    assert read.first(**lookup).status == QuarterStatus.CLOSED
    assert compilations == []


def test_values_it_cannot_place_are_refused():
    make_quarter("2026Q4", status=QuarterStatus.OPEN)
    transformed = PreparedRead(lambda code: Quarter.objects.filter(code__icontains=code), "code")
    twice = PreparedRead(lambda code: Quarter.objects.filter(code=code) | Quarter.objects.filter(title=code), "code")

    with pytest.raises(ValueError, match="changed"):
        transformed.first(code="2026")
    with pytest.raises(ValueError, match="once"):
        twice.first(code="2026Q4")


def test_all_rows_and_integer_values_come_as_the_queryset_gives_them():
    quarter = make_quarter("2026Q4", status=QuarterStatus.OPEN)
    other = make_quarter("2027Q1", status=QuarterStatus.DRAFT)
    read = PreparedRead(
        lambda quarter_id: Criterion.objects.filter(quarter_id=quarter_id).order_by("order", "code"),
        integers=("quarter_id",),
    )

    for each in (quarter, other):
        ours = read.all(quarter_id=each.pk)
        django = list(Criterion.objects.filter(quarter_id=each.pk).order_by("order", "code"))
        assert [_fields(c) for c in ours] == [_fields(c) for c in django] and len(ours) >= 3
    assert read.all(quarter_id=other.pk + 1000) == []
    assert read.first(quarter_id=quarter.pk) == Criterion.objects.filter(quarter=quarter).order_by("order").first()


def test_the_ballot_sheet_reads_what_it_read_before(db):
    quarter = make_quarter("2026Q4", status=QuarterStatus.OPEN)
    sheet = ballot_sheet(quarter)
    assert sheet.criteria == list(quarter.criteria.order_by("order", "code"))
    assert [_fields(c) for c in sheet.criteria] == [_fields(c) for c in quarter.criteria.order_by("order", "code")]
    expected_levels = list(Level.objects.filter(quarter=quarter).order_by("order", "-points"))
    assert sheet.levels == (expected_levels if sheet.uses_levels else [])
