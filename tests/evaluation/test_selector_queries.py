"""The scoring selector runs a fixed number of queries, however many departments and ballots there are."""

from __future__ import annotations

import pytest
from django.db import connection

from departments.models import Unit, UnitKind
from evaluation.selectors.results import results_compute
from evaluation.selectors.scoring import quarter_scoring_data
from tests.evaluation.scoring_data import add_adjustment, example_org, make_ballot, make_quarter

pytestmark = pytest.mark.django_db

# PostgreSQL reads the quarter's criteria, levels, departments, adjustments, grades and earlier ranks with the
# value aggregates in one statement (evaluation.sql.read_together); SQLite runs six small reads and three of the
# values.
SELECTOR_QUERIES = 1 if connection.vendor == "postgresql" else 9


def _grow(quarter, extra_departments: int, ballots_per_department: int) -> None:
    grassroots = Unit.objects.get(code="G1")
    start = Unit.objects.count()
    new = Unit.objects.bulk_create(
        Unit(code=f"D{start + i}", name=f"部门{i}", kind=UnitKind.BUSINESS, order=100 + i)
        for i in range(extra_departments)
    )
    for _ in range(ballots_per_department):
        make_ballot(quarter, "grassroots", dict.fromkeys(new, (80, None, 60)), rater_unit=grassroots)
    for unit in new:
        add_adjustment(quarter, unit, "1.00")


def test_the_selector_query_count_is_fixed(django_assert_num_queries) -> None:
    example_org()
    quarter = make_quarter("2026Q3")
    with django_assert_num_queries(SELECTOR_QUERIES):
        quarter_scoring_data(quarter)


def test_the_query_count_does_not_grow_with_departments_or_ballots(django_assert_num_queries) -> None:
    example_org()
    quarter = make_quarter("2026Q3")
    _grow(quarter, extra_departments=3, ballots_per_department=2)
    with django_assert_num_queries(SELECTOR_QUERIES):
        small = quarter_scoring_data(quarter)
    _grow(quarter, extra_departments=30, ballots_per_department=12)
    with django_assert_num_queries(SELECTOR_QUERIES):
        large = quarter_scoring_data(quarter)
    assert len(large.scoring_input.departments) > len(small.scoring_input.departments) + 25


def test_computing_results_adds_no_query_beyond_the_selector(django_assert_num_queries) -> None:
    example_org()
    quarter = make_quarter("2026Q3")
    _grow(quarter, extra_departments=20, ballots_per_department=5)
    with django_assert_num_queries(SELECTOR_QUERIES):
        results_compute(quarter)


def test_the_reads_follow_a_change_of_what_the_programme_evaluates() -> None:
    """PostgreSQL keeps the quarter's reads compiled per process; their key names the programme's kinds."""
    example_org()
    quarter = make_quarter("2026Q3")
    assert {d.code for d in quarter_scoring_data(quarter).scoring_input.departments} == {"A", "B", "OFF"}
    programme = quarter.programme
    programme.evaluated_kinds = UnitKind.FUNCTIONAL
    programme.save(update_fields=["evaluated_kinds"])
    quarter = type(quarter).objects.select_related("programme").get(pk=quarter.pk)
    assert {d.code for d in quarter_scoring_data(quarter).scoring_input.departments} == {"A", "B"}
