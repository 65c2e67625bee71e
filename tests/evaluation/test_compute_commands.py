"""compute_rankings and compute_annual print docs/workbooks.md's JSON or a table, and refuse unknown input."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from departments.roles import Role
from departments.services import user_create
from evaluation.models import QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.scoring_data import build_examples_1_and_2, example_org, make_leader, make_quarter
from tests.fixtures import ORG_EXAMPLE, QUARTER_EXAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def example_quarter():
    units = example_org()
    quarter = make_quarter("2026Q3")
    build_examples_1_and_2(quarter, units, make_leader())
    return quarter


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_compute_rankings_prints_the_documented_json(example_quarter) -> None:
    data = json.loads(run("compute_rankings", "2026Q3", "--format", "json"))
    assert list(data) == ["quarter", "status", "weights", "departments"]
    rows = {row["code"]: row for row in data["departments"]}
    assert (rows["A"]["score"], rows["A"]["rank"]) == (74.0, 2)
    assert [rows["A"]["sources"][s] for s in ("grassroots", "peer", "leadership")] == [80.0, 80.0, 60.0]
    assert (rows["B"]["score"], rows["B"]["composite"], rows["B"]["adjustment"], rows["B"]["rank"]) == (
        89.93,
        91.43,
        -1.5,
        1,
    )
    assert [rows["B"]["sources"][s] for s in ("grassroots", "peer", "leadership")] == [100.0, None, 80.0]
    assert (rows["OFF"]["rank"], rows["OFF"]["score"]) == (None, None)
    assert list(rows["A"]) == [
        "code",
        "name",
        "group",
        "rank",
        "rank_change",
        "score",
        "composite",
        "adjustment",
        "sources",
        "ballots",
        "grade",
        "last_place",
        "last_place_streak",
        "cells",
    ]
    # Without grades nobody is graded; A and B are the group's two ranked departments, A last.
    assert [(rows[c]["grade"], rows[c]["last_place"], rows[c]["last_place_streak"]) for c in ("A", "B", "OFF")] == [
        (None, True, 1),
        (None, False, 0),
        (None, False, 0),
    ]


def test_the_json_of_a_published_quarter_says_published(example_quarter) -> None:
    quarter_transition(quarter=example_quarter, to=QuarterStatus.PUBLISHED, actor=None)
    assert json.loads(run("compute_rankings", "2026Q3", "--format", "json"))["status"] == "published"


def test_a_published_quarter_prints_the_same_json_in_the_same_order(example_quarter) -> None:
    """The frozen copy is stored as jsonb on PostgreSQL, which keeps keys in an order of its own."""
    before = json.loads(run("compute_rankings", "2026Q3", "--format", "json"))
    quarter_transition(quarter=example_quarter, to=QuarterStatus.PUBLISHED, actor=None)
    after = json.loads(run("compute_rankings", "2026Q3", "--format", "json"))
    before["status"] = "published"
    assert json.dumps(after, ensure_ascii=False) == json.dumps(before, ensure_ascii=False)
    assert list(after["weights"]) == ["grassroots", "peer", "leadership"]
    a_row = after["departments"][1]
    assert list(a_row["cells"]["grassroots"]) == ["efficiency", "quality", "service"]


def test_the_table_tells_the_same_rank_from_no_earlier_rank() -> None:
    units = example_org()
    leader = make_leader()
    for code in ("2026Q2", "2026Q3"):
        quarter = make_quarter(code)
        build_examples_1_and_2(quarter, units, leader)
        quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=None)
    lines = run("compute_rankings", "2026Q3").splitlines()
    assert next(line for line in lines if " B " in line).rstrip().endswith(" 0")
    assert next(line for line in lines if "OFF" in line).rstrip().endswith("–")


def test_compute_rankings_prints_a_table_by_default(example_quarter) -> None:
    text = run("compute_rankings", "2026Q3")
    lines = text.splitlines()
    assert "2026Q3" in lines[0]
    b_line = next(line for line in lines if " B " in line)
    assert "89.93" in b_line
    assert "91.43" in b_line
    assert "-1.50" in b_line
    assert "1/0/1" in b_line
    off_line = next(line for line in lines if "OFF" in line)
    assert "–" in off_line


def test_an_unknown_quarter_is_refused_with_exit_status_1(example_quarter) -> None:
    with pytest.raises(CommandError) as refused:
        run("compute_rankings", "2030Q1", "--format", "json")
    assert "2030Q1" in str(refused.value)
    assert refused.value.returncode == 1


def test_compute_annual_prints_the_documented_json(example_quarter) -> None:
    admin = user_create(username="boss", full_name="Boss", roles=[Role.ADMIN])
    quarter_transition(quarter=example_quarter, to=QuarterStatus.PUBLISHED, actor=admin)
    data = json.loads(run("compute_annual", "2026", "--format", "json"))
    assert list(data) == ["year", "departments"]
    assert data["year"] == 2026
    assert data["departments"] == [
        {"code": "B", "name": "设备部", "group": "functional", "rank": 1, "score": 89.93, "quarters": 1},
        {"code": "A", "name": "运营改善部", "group": "functional", "rank": 2, "score": 74.0, "quarters": 1},
        {"code": "OFF", "name": "退管中心", "group": "affiliated", "rank": None, "score": None, "quarters": 0},
    ]


def test_compute_annual_prints_a_table(example_quarter) -> None:
    quarter_transition(quarter=example_quarter, to=QuarterStatus.PUBLISHED, actor=None)
    text = run("compute_annual", "2026")
    assert "2026Q3" in text.splitlines()[0]
    assert "89.93" in next(line for line in text.splitlines() if " B " in line)


def test_compute_annual_refuses_a_bad_year(example_quarter) -> None:
    with pytest.raises(CommandError) as refused:
        run("compute_annual", "20x6")
    assert refused.value.returncode == 1


def test_the_example_workbooks_give_the_documented_rankings() -> None:
    run("import_org", str(ORG_EXAMPLE))
    run("import_quarter", str(QUARTER_EXAMPLE))
    check_example_rankings(json.loads(run("compute_rankings", "2026Q3", "--format", "json")))
    run("set_quarter_status", "2026Q3", "published")
    published = json.loads(run("compute_rankings", "2026Q3", "--format", "json"))
    check_example_rankings(published)
    assert published["status"] == "published"


def check_example_rankings(data: dict) -> None:
    rows = {row["code"]: row for row in data["departments"]}
    assert (rows["A"]["score"], rows["A"]["rank"]) == (74.0, 2)
    assert rows["A"]["sources"] == {"grassroots": 80.0, "peer": 80.0, "leadership": 60.0}
    assert (rows["B"]["score"], rows["B"]["composite"], rows["B"]["adjustment"]) == (89.93, 91.43, -1.5)
    assert rows["B"]["rank"] == 1
    assert rows["B"]["sources"] == {"grassroots": 100.0, "peer": None, "leadership": 80.0}
    assert (rows["OFF"]["rank"], rows["OFF"]["score"]) == (None, None)
