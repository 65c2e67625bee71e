"""Grades and last places end to end: a quarter workbook with a grades sheet, imported, then compute_rankings JSON
and the results workbook (docs/scoring.md rules 9 and 11, example 6)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from departments.models import Unit, UnitKind
from departments.workbook import WorkbookInvalid
from evaluation.imports import quarter_import
from evaluation.models import Quarter, QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.scoring_data import make_leader
from tests.evaluation.test_import_quarter import write_workbook

pytestmark = pytest.mark.django_db

CODES = [f"D{n:02d}" for n in range(1, 13)]
# 80 from the one leadership ballot plus these: 91, 90, 90, 88, 87 … 80, ranks 1, 2, 2, 4, 5 … 12 (example 6).
ADJUSTMENTS = dict(zip(CODES, [11, 10, 10, 8, 7, 6, 5, 4, 3, 2, 1], strict=False))
QUOTAS = [["label", "quota"], ["好", 20], ["较好", 50], ["一般", 30]]


@pytest.fixture
def twelve(db) -> None:
    Unit.objects.bulk_create(
        Unit(code=code, name=f"部门{code}", kind=UnitKind.FUNCTIONAL, order=n) for n, code in enumerate(CODES)
    )
    make_leader()


def _sheets(quarter: str, grades: list[list] | None, **settings: object) -> dict[str, list[list]]:
    rows = [["key", "value"], ["quarter", quarter], ["weight_grassroots", 0], ["weight_peer", 0]]
    rows += [["weight_leadership", 100], *([key, value] for key, value in settings.items())]
    sheets = {"settings": rows}
    if grades is not None:
        sheets["grades"] = grades
    sheets["ballots"] = [["ballot", "source", "rater", "target", "efficiency", "quality", "service"]] + [
        ["L1", "leadership", "leader1", code, "良好", "良好", "良好"] for code in CODES
    ]
    sheets["adjustments"] = [["department", "points", "reason"]] + [
        [code, points, "考核加分"] for code, points in ADJUSTMENTS.items()
    ]
    return sheets


def _import(tmp_path: Path, sheets: dict[str, list[list]]) -> None:
    quarter_import(source=write_workbook(tmp_path / "quarter.xlsx", sheets))


def _json(code: str) -> dict[str, dict]:
    out = io.StringIO()
    call_command("compute_rankings", code, "--format", "json", stdout=out)
    return {row["code"]: row for row in json.loads(out.getvalue())["departments"]}


def test_example_6_by_quota_through_the_workbook(twelve, tmp_path) -> None:
    _import(tmp_path, _sheets("2026Q3", QUOTAS))
    rows = _json("2026Q3")
    assert [rows[code]["rank"] for code in CODES] == [1, 2, 2, *range(4, 13)]
    assert [rows[code]["grade"] for code in CODES] == ["好"] * 3 + ["较好"] * 5 + ["一般"] * 4
    assert [code for code in CODES if rows[code]["last_place"]] == ["D12"]
    assert (rows["D12"]["last_place_streak"], rows["D11"]["last_place_streak"]) == (1, 0)


def test_by_minimum_score_below_every_minimum_takes_the_last_grade(twelve, tmp_path) -> None:
    grades = [["label", "min_score"], ["好", 90], ["较好", 85], ["一般", 82]]
    _import(tmp_path, _sheets("2026Q3", grades))
    rows = _json("2026Q3")
    assert [rows[code]["grade"] for code in CODES] == ["好"] * 3 + ["较好"] * 4 + ["一般"] * 5


def test_without_grades_the_json_says_null(twelve, tmp_path) -> None:
    _import(tmp_path, _sheets("2026Q3", None))
    assert {row["grade"] for row in _json("2026Q3").values()} == {None}


def test_the_streak_runs_over_published_quarters_and_grades_reach_the_results_workbook(
    twelve, tmp_path, english
) -> None:
    _import(tmp_path, _sheets("2026Q3", QUOTAS))
    quarter_transition(quarter=Quarter.objects.get(code="2026Q3"), to=QuarterStatus.PUBLISHED)
    _import(tmp_path, _sheets("2026Q4", QUOTAS))
    rows = _json("2026Q4")
    assert (rows["D12"]["last_place"], rows["D12"]["last_place_streak"]) == (True, 2)
    # The published quarter's frozen results keep their own streak.
    assert _json("2026Q3")["D12"]["last_place_streak"] == 1

    path = tmp_path / "results.xlsx"
    call_command("export_quarter", "2026Q4", "--output", str(path), stdout=io.StringIO())
    ranking = load_workbook(path).worksheets[0]
    # Two title rows, then the header (as tests/evaluation/test_export.py reads it).
    header = next(ranking.iter_rows(min_row=3, max_row=3, values_only=True))
    at = header.index("Rank change")
    assert header[at + 1 : at + 3] == ("Grade", "Last place (quarters running)")
    body = {row[2]: row for row in ranking.iter_rows(min_row=4, values_only=True) if row[2] in CODES}
    assert (body["D01"][at + 1], body["D01"][at + 2]) == ("好", None)
    assert (body["D12"][at + 1], body["D12"][at + 2]) == ("一般", 2)


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        (
            [["label", "quota"], ["好", 20], ["较好", 50], ["一般", 20]],
            (None, "The quotas of the grades must add up to 100 (now 90)."),
        ),
        (
            [["label", "quota", "min_score"], ["好", 20, None], ["较好", None, 80]],
            (3, "All grades of a quarter use quotas, or all use minimum scores; this one differs."),
        ),
        ([["label", "quota"], ["好", 50], ["好", 50]], (3, "The grade 好 appears more than once.")),
        ([["label", "quota", "min_score"], ["好", 100, 90]], (2, "A grade has a quota or a minimum score, not both.")),
        ([["label", "quota"], ["好", "多"], ["差", 50]], (2, "A quota is a whole percentage from 0 to 100.")),
    ],
)
def test_it_refuses_bad_grades_naming_the_row_and_changes_nothing(twelve, tmp_path, english, grades, expected) -> None:
    with pytest.raises(WorkbookInvalid) as refused:
        _import(tmp_path, _sheets("2026Q3", grades))
    assert expected in [(issue.row, issue.message) for issue in refused.value.issues]
    assert {issue.sheet for issue in refused.value.issues} == {"grades"}
    assert not Quarter.objects.exists()


def test_the_cap_setting_is_read_and_refused_on_the_points_scale(twelve, tmp_path, english) -> None:
    _import(tmp_path, _sheets("2026Q3", None, top_level_cap=30))
    assert Quarter.objects.get(code="2026Q3").top_level_cap == 30
    with pytest.raises(WorkbookInvalid) as refused:
        _import(tmp_path, _sheets("2026Q4", None, top_level_cap=30, scale="points"))
    assert [issue.message for issue in refused.value.issues if issue.column == "value"] == [
        "The top-level cap applies to the levels scale only."
    ]


def test_grades_cannot_change_once_the_quarter_holds_ballots(twelve, tmp_path, english) -> None:
    _import(tmp_path, _sheets("2026Q3", QUOTAS))
    changed = [["label", "quota"], ["好", 30], ["较好", 40], ["一般", 30]]
    sheets = _sheets("2026Q3", changed)
    del sheets["ballots"], sheets["adjustments"]
    sheets["ballots"] = [["ballot", "source", "rater", "target", "efficiency", "quality", "service"]]
    with pytest.raises(WorkbookInvalid) as refused:
        _import(tmp_path, sheets)
    assert [issue.message for issue in refused.value.issues] == [
        "Quarter 2026Q3 holds ballots, so its grades can no longer change; this file differs."
    ]
