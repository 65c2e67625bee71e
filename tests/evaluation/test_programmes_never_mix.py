"""Two programmes rating the same departments in the same quarter: rank changes, annual results, trends and
exports each count their own programme's quarters only (docs/design.md, "Programmes")."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from departments.models import Programme
from departments.roles import Role
from departments.services import user_create
from evaluation.exports.annual import export_annual
from evaluation.models import QuarterStatus
from evaluation.results_model import annual_interchange_json
from evaluation.selectors.department import department_trend
from evaluation.selectors.results import annual_results
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.scoring_data import by_code, example_org, live_json, make_ballot, make_quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    return example_org()


@pytest.fixture
def other() -> Programme:
    """A second programme over the same headquarters departments."""
    return Programme.objects.create(code="extra", name="专项考核", evaluated_kinds="functional,affiliated")


@pytest.fixture
def admin():
    return user_create(username="boss", full_name="Boss", roles=[Role.ADMIN])


def _published(code, units, admin, *, a, b, programme=None):
    quarter = make_quarter(code, **({"programme": programme} if programme else {}))
    make_ballot(quarter, "peer", {units["A"]: (a, a, a)}, rater_unit=units["B"])
    make_ballot(quarter, "peer", {units["B"]: (b, b, b)}, rater_unit=units["A"])
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=admin)
    return quarter


@pytest.fixture
def side_by_side(units, other, admin):
    """Work style: A first in both quarters. The other programme: B first in 2026Q3 and A first in 2026Q4."""
    _published("2026Q3", units, admin, a=90, b=60)
    _published("2026Q3", units, admin, a=50, b=80, programme=other)
    return {
        "workstyle": _published("2026Q4", units, admin, a=70, b=60),
        "other": _published("2026Q4", units, admin, a=95, b=40, programme=other),
    }


def test_annual_results_count_only_the_programmes_own_quarters(side_by_side, units, other) -> None:
    workstyle = by_code(annual_interchange_json(annual_results(2026)))
    extra = by_code(annual_interchange_json(annual_results(2026, other)))
    assert (workstyle["A"]["score"], workstyle["A"]["quarters"]) == (80.0, 2)
    assert (extra["A"]["score"], extra["A"]["quarters"]) == (72.5, 2)
    assert (workstyle["B"]["score"], extra["B"]["score"]) == (60.0, 60.0)
    assert annual_results(2026).quarters == annual_results(2026, other).quarters == ("2026Q3", "2026Q4")


def test_rank_changes_compare_with_the_same_programme(side_by_side) -> None:
    assert by_code(live_json(side_by_side["workstyle"]))["A"]["rank_change"] == 0
    assert by_code(live_json(side_by_side["other"]))["A"]["rank_change"] == 1


def test_a_trend_follows_one_programme(side_by_side, units, other) -> None:
    workstyle = side_by_side["workstyle"].programme_id
    assert [p.rank for p in department_trend(units["A"], workstyle)] == [1, 1]
    assert [p.rank for p in department_trend(units["A"], other.pk)] == [2, 1]


def test_the_annual_workbook_holds_one_programme(side_by_side, other) -> None:
    def row_of_a(programme) -> tuple:
        buffer = io.BytesIO()
        export_annual(2026, buffer, programme)
        sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
        return next(row for row in sheet.iter_rows(values_only=True) if row[2] == "A")[4:]

    # annual score, quarters counted, then 2026Q3's and 2026Q4's score and rank
    assert row_of_a(None) == (80, 2, 90, 1, 70, 1)
    assert row_of_a(other) == (72.5, 2, 50, 2, 95, 1)


def test_commands_take_the_programme(side_by_side, capsys) -> None:
    call_command("compute_annual", "2026", "--format", "json", "--programme", "extra")
    extra = by_code(json.loads(capsys.readouterr().out))
    assert extra["A"]["score"] == 72.5
    call_command("compute_rankings", "2026Q4", "--format", "json", "--programme", "extra")
    assert by_code(json.loads(capsys.readouterr().out))["B"]["rank"] == 2
    call_command("compute_rankings", "2026Q4", "--format", "json")
    assert by_code(json.loads(capsys.readouterr().out))["A"]["score"] == 70.0


def test_a_command_refuses_an_unknown_programme(side_by_side) -> None:
    with pytest.raises(CommandError, match="nosuch"):
        call_command("compute_rankings", "2026Q4", "--programme", "nosuch")
    with pytest.raises(CommandError, match="nosuch"):
        call_command("set_quarter_status", "2026Q4", "closed", "--programme", "nosuch")
