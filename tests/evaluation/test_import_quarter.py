"""The quarter workbook import (docs/workbooks.md, "Quarter workbook"): examples, refusals, --replace."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from audit.models import AuditAction, AuditEntry
from departments.models import Unit
from evaluation.models import Adjustment, Ballot, BallotComment, BallotValue, Origin, Quarter, QuarterStatus
from tests.fixtures import ORG_EXAMPLE, QUARTER_EXAMPLE

pytestmark = [pytest.mark.usefixtures("english")]


def example_sheets() -> dict[str, list[list]]:
    """The example quarter workbook as plain lists, to be changed by a test."""
    workbook = load_workbook(QUARTER_EXAMPLE)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook}


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def state() -> dict[str, int]:
    """What an import could change."""
    return {
        "quarters": Quarter.objects.count(),
        "ballots": Ballot.objects.count(),
        "values": BallotValue.objects.count(),
        "comments": BallotComment.objects.count(),
        "adjustments": Adjustment.objects.count(),
        "audit": AuditEntry.objects.count(),
        "statuses": sorted(Quarter.objects.values_list("status", flat=True)),
    }


def import_file(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_quarter", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path: Path, *args: str) -> str:
    """Run the import expecting a refusal; the messages (stderr) it printed."""
    before = state()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_quarter", str(path), *args, stdout=out, stderr=err)
    assert state() == before, "a refused import changed the database"
    return err.getvalue()


@pytest.fixture
def example_org(db) -> dict[str, Unit]:
    call_command("import_org", str(ORG_EXAMPLE), stdout=io.StringIO())
    return {unit.code: unit for unit in Unit.objects.all()}


def rankings_json(code: str) -> dict:
    out = io.StringIO()
    call_command("compute_rankings", code, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_it_imports_the_example_and_scores_it_as_scoring_md_says(example_org):
    out, _err = import_file(QUARTER_EXAMPLE)
    assert "2026Q3" in out
    quarter = Quarter.objects.get(code="2026Q3")
    assert quarter.status == QuarterStatus.CLOSED
    assert quarter.scale == "points"
    results = {d["code"]: d for d in rankings_json("2026Q3")["departments"]}
    a, b, off = results["A"], results["B"], results["OFF"]
    assert (a["score"], a["rank"]) == (74.0, 2)
    assert a["sources"] == {"grassroots": 80.0, "peer": 80.0, "leadership": 60.0}
    assert (b["score"], b["composite"], b["adjustment"], b["rank"]) == (89.93, 91.43, -1.5, 1)
    assert b["sources"] == {"grassroots": 100.0, "peer": None, "leadership": 80.0}
    assert (off["score"], off["rank"]) == (None, None)


def test_it_marks_imported_ballots_and_audits_the_counts(example_org):
    import_file(QUARTER_EXAMPLE)
    assert set(Ballot.objects.values_list("origin", flat=True)) == {Origin.IMPORTED}
    grassroots = Ballot.objects.filter(source="grassroots")
    assert all(ballot.rater_id is None and ballot.rater_unit_id for ballot in grassroots)
    assert Adjustment.objects.get().origin == Origin.IMPORTED
    entry = AuditEntry.objects.get(action=AuditAction.BALLOTS_IMPORTED)
    assert entry.details["ballots"] == {"grassroots": 2, "peer": 1, "leadership": 1}
    assert entry.details["values"] == 17
    assert entry.details["adjustments"] == 1
    assert BallotComment.objects.get().text == "服务到位"


def test_it_refuses_the_same_ballots_again_without_replace(example_org):
    import_file(QUARTER_EXAMPLE)
    err = refused(QUARTER_EXAMPLE)
    assert "ballots, 2, ballot:" in err


def test_replace_swaps_imported_ballots_and_keeps_browser_ones(example_org, tmp_path):
    import_file(QUARTER_EXAMPLE)
    quarter = Quarter.objects.get(code="2026Q3")
    browser = Ballot.objects.create(
        quarter=quarter, source="grassroots", rater_unit=example_org["G2"], origin=Origin.KEYED, label="paper-1"
    )
    BallotValue.objects.create(
        ballot=browser,
        department=example_org["B"],
        criterion=quarter.criteria.get(code="efficiency"),
        value_centi=5000,
    )
    sheets = example_sheets()
    sheets["ballots"] = [row for row in sheets["ballots"] if row[0] != "g2"]
    sheets["adjustments"][1][1] = -2
    import_file(write_workbook(tmp_path / "again.xlsx", sheets), "--replace")
    assert Ballot.objects.filter(origin=Origin.IMPORTED).count() == 3
    assert Ballot.objects.filter(pk=browser.pk).exists()
    assert list(Adjustment.objects.values_list("points", flat=True)) == [Decimal("-2.00")]


def test_a_new_quarter_gets_default_levels_and_criteria(example_org, tmp_path):
    sheets = example_sheets()
    del sheets["criteria"]
    sheets["settings"] = [["key", "value"], ["quarter", "2026Q4"]]
    sheets["ballots"] = [
        ["ballot", "source", "rater_unit", "rater", "target", "efficiency", "quality", "service"],
        [1, "基层", "G1", None, "A", "优秀", "良好", "不了解"],
        [1, "基层", "G1", None, "B", 60, "n/a", None],
    ]
    del sheets["adjustments"]
    import_file(write_workbook(tmp_path / "q4.xlsx", sheets))
    quarter = Quarter.objects.get(code="2026Q4")
    assert quarter.scale == "levels"
    assert (quarter.weight_grassroots, quarter.weight_peer, quarter.weight_leadership) == (40, 30, 30)
    assert list(quarter.criteria.values_list("code", flat=True)) == ["efficiency", "quality", "service"]
    assert sorted(BallotValue.objects.values_list("value_centi", flat=True)) == [6000, 8000, 10000]
    assert Ballot.objects.get().label == "1"


def test_it_accepts_chinese_sheet_and_column_names(example_org, tmp_path):
    sheets = {
        "设置": [["项目", "值"], ["quarter", "2026Q2"], ["scale", "points"]],
        "评分": [
            ["票号", "来源", "评价单位", "评价人", "被评部门", "办事效率", "完成质量", "服务意识", "意见建议"],
            ["p1", "互评", "A", None, "B", 90, 90, 90, "@cmd"],
            ["l1", "领导", None, "leader1", "A", 70, 70, 70, None],
        ],
        "加减分": [["部门", "分值", "原因"], ["A", 1, "获表彰"]],
    }
    import_file(write_workbook(tmp_path / "zh.xlsx", sheets))
    assert Ballot.objects.count() == 2
    assert BallotComment.objects.get().text == "@cmd"
    assert Adjustment.objects.get().reason == "获表彰"


def test_it_reports_every_problem_at_once_with_sheet_row_and_column(example_org, tmp_path):
    sheets = example_sheets()
    sheets["ballots"][1][4] = "NOPE"  # unknown target, row 2
    sheets["ballots"][3][5] = 101  # above 100, row 4
    sheets["adjustments"][1][2] = None  # no reason, row 2
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    lines = err.strip().splitlines()
    assert "ballots, 2, target: The ballot rates a department that is not evaluated." in lines
    assert "ballots, 4, efficiency: 运营改善部, 办事效率: “101” is not a whole number of points from 0 to 100." in lines
    assert "adjustments, 2, reason: Every adjustment needs a reason." in lines


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "expected"),
    [
        ("ballots", 4, 4, "A", "ballots, 5, target: A department cannot rate itself"),  # p1: B rates B
        ("ballots", 1, 4, "XYZ", "ballots, 2, target: The ballot rates a department that is not evaluated."),
        ("ballots", 1, 5, 101, "ballots, 2, efficiency: 运营改善部, 办事效率: “101” is not a whole number of points"),
        ("ballots", 1, 5, -1, "ballots, 2, efficiency: 运营改善部, 办事效率: “-1” is not a whole number of points"),
        ("ballots", 1, 6, "good", "ballots, 2, quality: 运营改善部, 完成质量: “good” is not a whole number of points"),
        ("ballots", 1, 2, "G1x", "ballots, 2, rater_unit: There is no unit G1x"),
        ("ballots", 1, 1, "community", "ballots, 2, source: Unknown source community"),
        ("ballots", 5, 3, "rep_a", "ballots, 6, rater: A leadership ballot must come from a group leader's account."),
        ("settings", 1, 1, "2026Q5", "settings, 2, value: A quarter is written YYYYQn"),
        ("settings", 2, 1, "stars", "settings, 3, value: The scale is levels or points"),
        ("settings", 3, 1, 50, "settings, 4, value: The source weights must add up to 100 (now 110)"),
    ],
)
def test_it_refuses_a_bad_cell_naming_its_row(example_org, tmp_path, sheet, row, column, value, expected):
    sheets = example_sheets()
    if sheet == "ballots" and row == 4 and column == 4:
        sheets["ballots"][4][4] = "B"
    else:
        sheets[sheet][row][column] = value
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert expected in err


def test_it_refuses_a_grassroots_ballot_from_an_evaluated_department(example_org, tmp_path):
    sheets = example_sheets()
    sheets["ballots"][1][2] = "A"
    sheets["ballots"][2][2] = "A"
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "ballots, 2, rater_unit: A grassroots ballot must come from a grassroots unit." in err


def test_it_refuses_an_unknown_level_label(example_org, tmp_path):
    sheets = example_sheets()
    sheets["settings"][2][1] = "levels"
    for row in sheets["ballots"][1:]:
        row[5:8] = ["优秀", "良好", "一般"]
    sheets["ballots"][2][6] = "很好"
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "ballots, 3, quality: 设备部, 完成质量: “很好” is not one of the levels (优秀、良好、一般、较差)" in err


def test_it_refuses_a_missing_required_column(example_org, tmp_path):
    sheets = example_sheets()
    for row in sheets["ballots"]:
        del row[4]  # target
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "ballots, 1, target: The required column is missing." in err


def test_it_refuses_a_missing_criterion_column(example_org, tmp_path):
    sheets = example_sheets()
    for row in sheets["ballots"]:
        del row[7]  # service
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "service: The column of criterion service is missing." in err


def test_it_refuses_an_adjustment_without_a_reason(example_org, tmp_path):
    sheets = example_sheets()
    sheets["adjustments"][1][2] = "  "
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "adjustments, 2, reason: Every adjustment needs a reason." in err


def test_it_refuses_an_adjustment_of_nothing_as_the_console_does(example_org, tmp_path):
    sheets = example_sheets()
    sheets["adjustments"][1][1] = "0.00"
    err = refused(write_workbook(tmp_path / "zero.xlsx", sheets))
    assert "adjustments, 2, points: An adjustment of 0.00 changes nothing: enter a bonus or a penalty." in err


def test_it_refuses_a_file_that_is_not_a_workbook(example_org, tmp_path):
    path = tmp_path / "ballots.xlsx"
    path.write_text("ballot,source\n1,peer\n")
    err = refused(path)
    assert "not an Excel workbook" in err


def test_it_refuses_a_value_written_as_a_formula_that_was_never_calculated(example_org, tmp_path):
    """A program that writes formulas without calculating them leaves no value: not an abstention, a refusal."""
    sheets = example_sheets()
    sheets["ballots"][2][6] = "=40+40"
    err = refused(write_workbook(tmp_path / "formula.xlsx", sheets))
    assert "ballots, 3, G: This cell holds a formula whose result was never calculated" in err


def test_it_refuses_any_import_into_a_published_quarter(example_org):
    import_file(QUARTER_EXAMPLE)
    Quarter.objects.filter(code="2026Q3").update(status=QuarterStatus.PUBLISHED)
    for args in ((), ("--replace",)):
        err = refused(QUARTER_EXAMPLE, *args)
        assert "settings, 2, value: Quarter 2026Q3 is published" in err


def test_it_refuses_settings_that_differ_once_the_quarter_holds_ballots(example_org, tmp_path):
    import_file(QUARTER_EXAMPLE)
    sheets = example_sheets()
    sheets["settings"][3][1] = 50
    sheets["settings"][4][1] = 20
    sheets["ballots"] = sheets["ballots"][:1]
    del sheets["adjustments"]
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "settings, 4, value: Quarter 2026Q3 holds ballots" in err


def test_it_refuses_two_peer_ballots_of_one_department(example_org, tmp_path):
    sheets = example_sheets()
    sheets["ballots"].append(["p2", "peer", "B", None, "A", 90, 90, 90, None])
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "ballots, 8, rater_unit: Ballots p1 and p2 come from the same rater" in err


def test_it_refuses_a_peer_ballot_the_department_already_gave_online(example_org, tmp_path):
    import_file(QUARTER_EXAMPLE)
    quarter = Quarter.objects.get(code="2026Q3")
    Ballot.objects.filter(source="peer").update(origin=Origin.ONLINE, label="")
    sheets = example_sheets()
    sheets["ballots"] = [sheets["ballots"][0], sheets["ballots"][4]]  # p1 again: B's peer ballot
    del sheets["adjustments"]
    err = refused(write_workbook(tmp_path / "again.xlsx", sheets), "--replace")
    assert "ballots, 2, rater_unit: 设备部 has already submitted its peer ballot for 2026Q3." in err
    assert quarter.ballots.count() == 4


def test_it_refuses_level_points_with_more_than_two_decimals(example_org, tmp_path):
    sheets = example_sheets()
    sheets["settings"][2][1] = "levels"
    sheets["levels"] = [["label", "points"], ["好", 33.333], ["差", 10]]
    for row in sheets["ballots"][1:]:
        row[5:8] = ["好", "好", "差"]
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "levels, 2, points: Points have at most two decimal places." in err
    assert "ballots" not in err  # the level stays known: its ballots are not reported as well


def test_it_refuses_a_criterion_weight_with_more_than_four_decimals_on_its_own_row(example_org, tmp_path):
    sheets = example_sheets()
    sheets["criteria"][2][2] = 0.33333
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "criteria, 3, weight: A weight has at most four decimal places." in err
    assert "settings" not in err


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "expected"),
    [
        # abs() overflowed on it: a server error
        ("adjustments", 1, 1, "1e999999999", "adjustments, 2, points: Points are a number with at most two decimals"),
        # int() built a number of a billion digits
        ("settings", 3, 1, "1e999999999", "settings, 4, value: Enter a whole number from 0 to 100."),
        # normalize() rounded it to 0, so it passed as a weight with no decimals
        ("criteria", 2, 2, "1e-999999999", "criteria, 3, weight: The weight must be a number above 0."),
        ("criteria", 2, 2, "1e999999999", "criteria, 3, weight: The weight must be a number above 0."),
        ("ballots", 1, 5, "1e999999999", "ballots, 2, efficiency: 运营改善部, 办事效率: “1e999999999” is not"),
        ("ballots", 1, 5, "sNaN", "ballots, 2, efficiency: 运营改善部, 办事效率: “sNaN” is not a whole number"),
    ],
)
def test_it_refuses_absurd_numbers_naming_their_cell(example_org, tmp_path, sheet, row, column, value, expected):
    sheets = example_sheets()
    sheets[sheet][row][column] = value
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert expected in err


def test_it_refuses_tiny_level_points_rather_than_storing_0(example_org, tmp_path):
    sheets = example_sheets()
    sheets["settings"][2][1] = "levels"
    sheets["levels"] = [["label", "points"], ["好", "1e-999999999"], ["差", 10]]
    for row in sheets["ballots"][1:]:
        row[5:8] = ["差", "差", "差"]
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "levels, 2, points: Points must be a number from 0 to 100." in err


def test_it_refuses_a_null_character_in_a_cell(example_org, tmp_path):
    # A cell written _x0000_ is read as NUL, which PostgreSQL cannot store: an issue, and nothing is imported.
    sheets = example_sheets()
    sheets["ballots"][2][8] = "服务_x0000_到位"
    sheets["ballots"][1][0] = "g1_x0000_"
    sheets["adjustments"][1][2] = "_x0000_"
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    message = "This cell contains a null character, which is not allowed."
    assert f"ballots, 3, comment: {message}" in err
    assert f"ballots, 2, ballot: {message}" in err
    assert f"adjustments, 2, reason: {message}" in err


def test_every_problem_is_reported_at_once_with_the_ballots_already_imported(example_org, tmp_path):
    import_file(QUARTER_EXAMPLE)
    sheets = example_sheets()
    sheets["settings"][3][1] = 50  # weights changed although the quarter holds ballots
    sheets["settings"][4][1] = 20
    sheets["ballots"][3][5] = 101  # a bad value, and g1 and the others again without --replace
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "ballots, 4, efficiency:" in err
    assert "ballots, 2, ballot: The ballot g1 has already been imported" in err
    assert "settings, 4, value: Quarter 2026Q3 holds ballots" in err
    assert "adjustments, 2, reason: This adjustment has already been imported" in err


def test_a_bad_setting_is_not_reported_again_as_a_change(example_org, tmp_path):
    import_file(QUARTER_EXAMPLE)
    sheets = example_sheets()
    sheets["settings"][6][1] = "maybe"  # trim
    sheets["ballots"] = sheets["ballots"][:1]
    del sheets["adjustments"]
    err = refused(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert err.count("settings, 7, value:") == 1


def test_a_publish_landing_while_the_file_is_read_refuses_the_import(example_org, tmp_path, monkeypatch):
    """Reading a large workbook takes seconds; the status is checked again, under the quarter's lock, before writing."""
    from evaluation.imports import quarter as quarter_import_module
    from evaluation.services.lifecycle import quarter_transition

    import_file(QUARTER_EXAMPLE)
    read_adjustments = quarter_import_module.read_adjustments

    def published_meanwhile(*args, **kwargs):
        quarter_transition(quarter=Quarter.objects.get(code="2026Q3"), to=QuarterStatus.PUBLISHED)
        return read_adjustments(*args, **kwargs)

    monkeypatch.setattr(quarter_import_module, "read_adjustments", published_meanwhile)
    sheets = example_sheets()
    sheets["ballots"] = [sheets["ballots"][0], ["g9", "grassroots", "G2", None, "B", 60, 60, 60, None]]
    del sheets["adjustments"]
    path = write_workbook(tmp_path / "late.xlsx", sheets)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_quarter", str(path), stdout=out, stderr=err)
    assert "settings, 2, value: Quarter 2026Q3 is published" in err.getvalue()
    assert not Ballot.objects.filter(label="g9").exists()
