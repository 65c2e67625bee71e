"""Per-department problem figures, computed in the database, checked with fixed dates.

These run on SQLite by default and on PostgreSQL with DATABASE_URL; the two
marked tests pin which median each backend uses.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Programme
from evaluation.models import ProblemStatus, QuarterStatus
from evaluation.selectors.problems import (
    current_problem_quarter,
    department_problem_figures,
    figures_table,
    previous_quarter,
    problem_board,
)
from evaluation.services.quarters import quarter_create
from tests.evaluation.test_problem_support import at, make_problem

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 7, 20)


@pytest.fixture
def ops_problems(evaluator, org, quarter) -> None:
    """OPS: answered after 2 days, 4.5 days and 10 days; one open and overdue; one open, due later; one closed."""
    ops, hrm = org["OPS"], org["HRM"]
    common = {"actor": evaluator, "quarter": quarter, "department": ops, "raising_unit": hrm}
    make_problem(**common, created=at("2026-07-01"), due_on="2026-07-16", answered=at("2026-07-03"))
    make_problem(**common, created=at("2026-07-01"), due_on="2026-07-16", answered=at("2026-07-05", 21))
    make_problem(**common, created=at("2026-07-02"), due_on="2026-07-17", answered=at("2026-07-12"))
    make_problem(**common, created=at("2026-07-02"), due_on="2026-07-19")
    make_problem(**common, created=at("2026-07-10"), due_on="2026-07-25")
    make_problem(**common, created=at("2026-07-03"), due_on="2026-07-18", status=ProblemStatus.CLOSED)


def test_it_counts_raised_answered_open_closed_and_overdue(ops_problems, org, quarter):
    figures = department_problem_figures(quarter=quarter, today=TODAY)[org["OPS"].pk]
    assert figures["raised"] == 6
    assert figures["answered"] == 3
    assert figures["open"] == 2
    assert figures["closed"] == 1
    assert figures["overdue"] == 1


def test_overdue_means_open_and_past_its_due_date(ops_problems, org, quarter):
    # Due 2026-07-19 is not yet overdue on the 19th, it is on the 20th; the one due the 25th is overdue on the 26th.
    assert department_problem_figures(quarter=quarter, today=datetime.date(2026, 7, 19))[org["OPS"].pk]["overdue"] == 0
    assert department_problem_figures(quarter=quarter, today=datetime.date(2026, 7, 26))[org["OPS"].pk]["overdue"] == 2


def test_the_median_of_an_odd_number_is_the_middle_value(ops_problems, org, quarter):
    # 2, 4.5 and 10 days.
    assert department_problem_figures(quarter=quarter, today=TODAY)[org["OPS"].pk]["median_days_to_answer"] == Decimal(
        "4.5"
    )


def test_the_median_of_an_even_number_averages_the_middle_two(evaluator, org, quarter):
    common = {"actor": evaluator, "quarter": quarter, "department": org["EQP"], "raising_unit": org["NFM"]}
    for created, answered in [
        (at("2026-07-01"), at("2026-07-02")),  # 1 day
        (at("2026-07-01"), at("2026-07-04")),  # 3 days
        (at("2026-07-01"), at("2026-07-08")),  # 7 days
        (at("2026-07-01"), at("2026-07-31")),  # 30 days
    ]:
        make_problem(**common, created=created, due_on="2026-07-16", answered=answered)
    figures = department_problem_figures(quarter=quarter, today=TODAY)
    assert figures[org["EQP"].pk]["median_days_to_answer"] == Decimal("5.0")
    assert figures[org["AUD"].pk]["median_days_to_answer"] is None
    assert figures[org["AUD"].pk]["raised"] == 0


def test_a_reopened_problem_counts_as_answered_and_open(evaluator, org, quarter):
    make_problem(
        actor=evaluator,
        quarter=quarter,
        department=org["AUD"],
        created=at("2026-07-01"),
        due_on="2026-07-10",
        answered=at("2026-07-03", 9),
        status=ProblemStatus.OPEN,
    )
    figures = department_problem_figures(quarter=quarter, today=TODAY)[org["AUD"].pk]
    assert (figures["answered"], figures["open"], figures["overdue"]) == (1, 1, 1)
    assert figures["median_days_to_answer"] == Decimal("2.0")


def test_figures_are_per_quarter_and_compared_with_the_previous_one(ops_problems, evaluator, org, quarter):
    earlier = quarter_create(code="2026Q2", status=QuarterStatus.CLOSED)
    make_problem(
        actor=evaluator,
        quarter=earlier,
        department=org["OPS"],
        created=at("2026-04-01"),
        due_on="2026-04-16",
        answered=at("2026-04-02"),
    )
    assert department_problem_figures(quarter=earlier, today=TODAY)[org["OPS"].pk]["raised"] == 1
    assert department_problem_figures(today=TODAY)[org["OPS"].pk]["raised"] == 7
    row = next(row for row in figures_table(quarter=quarter, today=TODAY) if row.department == org["OPS"])
    assert row.current["raised"] == 6
    assert row.previous["raised"] == 1
    assert row.raised_change == 5
    assert row.previous["median_days_to_answer"] == Decimal("1.0")


def test_the_figures_take_three_queries(ops_problems, quarter, django_assert_num_queries):
    with django_assert_num_queries(3):  # evaluated departments, counts, medians
        department_problem_figures(quarter=quarter, today=TODAY)


def test_the_board_filters_overdue_problems(ops_problems, org, quarter):
    overdue = list(problem_board(quarter=quarter, overdue=True, today=TODAY))
    assert [problem.due_on for problem in overdue] == [datetime.date(2026, 7, 19)]
    assert problem_board(quarter=quarter, department=org["EQP"]).count() == 0
    assert problem_board(quarter=quarter, raising_unit=org["HRM"], status=ProblemStatus.ANSWERED).count() == 3


@pytest.mark.postgres
def test_postgresql_uses_percentile_cont(ops_problems, org, quarter):
    with CaptureQueriesContext(connection) as queries:
        figures = department_problem_figures(quarter=quarter, today=TODAY)
    assert any("percentile_cont" in query["sql"] for query in queries.captured_queries)
    assert figures[org["OPS"].pk]["median_days_to_answer"] == Decimal("4.5")
    assert figures[org["OPS"].pk]["overdue"] == 1


def test_sqlite_uses_a_window_query(ops_problems, org, quarter):
    if connection.vendor != "sqlite":
        pytest.skip("the window-function median is the SQLite path")
    with CaptureQueriesContext(connection) as queries:
        department_problem_figures(quarter=quarter, today=TODAY)
    assert any("ROW_NUMBER() OVER" in query["sql"] for query in queries.captured_queries)


def test_the_previous_quarter_is_the_same_programmes(quarter):
    earlier = quarter_create(code="2026Q2", status=QuarterStatus.CLOSED)
    party = Programme.objects.create(code="dj", name="党支部考核", evaluated_kinds="party_branch")
    branch_earlier = quarter_create(
        code="2026Q2", programme=party, template="party_branch", status=QuarterStatus.CLOSED
    )
    branch_now = quarter_create(code="2026Q3", programme=party, template="party_branch", status=QuarterStatus.OPEN)
    between = quarter_create(code="2026Q1", programme=party, template="party_branch", status=QuarterStatus.CLOSED)
    assert previous_quarter(quarter) == earlier
    assert previous_quarter(branch_now) == branch_earlier
    assert previous_quarter(branch_earlier) == between
    assert previous_quarter(earlier) is None  # not the branches' 2026Q1
    assert current_problem_quarter().pk == quarter.pk  # work style's 2026Q3 before the branches'
