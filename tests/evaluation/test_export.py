"""The results workbook (docs/workbooks.md, "Results workbook"), read back with openpyxl."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import load_workbook

from evaluation.exports import export_quarter
from evaluation.models import Quarter, QuarterStatus, ResultSnapshot
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.scoring_data import shown_json
from tests.evaluation.test_import_quarter import QUARTER_EXAMPLE, example_org, import_file, rankings_json

__all__ = ["example_org"]  # the fixture, imported for these tests

RANKING_HEADERS = [
    "Group",
    "Rank",
    "Department code",
    "Department name",
    "Final score",
    "Grassroots score",
    "Peer score",
    "Leadership score",
    "Adjustment",
    "Rank change",
]


def exported(quarter: Quarter, language: str = "en"):
    buffer = io.BytesIO()
    with translation.override(language):
        export_quarter(quarter, buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def data_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=4, values_only=True))


@pytest.fixture
def example_quarter(example_org) -> Quarter:
    import_file(QUARTER_EXAMPLE)
    return Quarter.objects.get(code="2026Q3")


def test_the_first_sheet_is_the_ranking_with_the_contract_columns(example_quarter):
    workbook = exported(example_quarter)
    first = workbook.worksheets[0]
    assert [cell.value for cell in first[3]] == RANKING_HEADERS
    assert "2026Q3" in first["A1"].value
    assert first.freeze_panes == "A4"
    assert first.auto_filter.ref == "A3:J6"
    assert all(cell.font.bold for cell in first[3])


def test_first_sheet_numbers_equal_compute_rankings_json_and_the_results_dict(example_quarter):
    rows = data_rows(exported(example_quarter).worksheets[0])
    for source in (rankings_json("2026Q3")["departments"], shown_json(example_quarter)["departments"]):
        expected = [
            (
                d["rank"],
                d["code"],
                d["score"],
                d["sources"]["grassroots"],
                d["sources"]["peer"],
                d["sources"]["leadership"],
                d["adjustment"],
                d["rank_change"],
            )
            for d in source
        ]
        assert [(r[1], r[2], r[4], r[5], r[6], r[7], r[8], r[9]) for r in rows] == expected
    b = rows[0]
    assert (b[2], b[4], b[8]) == ("B", 89.93, -1.5)


def test_scores_are_numeric_cells_with_two_decimals(example_quarter):
    first = exported(example_quarter).worksheets[0]
    score = first["E4"]
    assert score.data_type == "n"
    assert score.number_format == "0.00"
    assert first["E6"].value is None  # OFF is unscored: an empty cell, not text


def test_a_published_quarter_is_exported_from_its_snapshot(example_quarter):
    quarter_transition(quarter=example_quarter, to=QuarterStatus.PUBLISHED, actor=None)
    snapshot = ResultSnapshot.objects.get(quarter=example_quarter)
    payload = snapshot.payload
    payload["departments"][0]["score"] = 12.34  # the snapshot, not a recomputation, is what is exported
    snapshot.payload = payload
    snapshot.save()
    rows = data_rows(exported(example_quarter).worksheets[0])
    assert rows[0][4] == 12.34


def test_the_ballot_listing_names_no_rater(example_quarter):
    workbook = exported(example_quarter)
    texts = {str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell}
    assert "leader1" not in texts
    assert not any("王领导" in text for text in texts)
    sheet = workbook["Ballots"]
    header = [cell.value for cell in sheet[3]]
    assert header[:6] == [
        "Ballot",
        "Source",
        "Rating unit",
        "A 运营改善部 · 办事效率",
        "A 运营改善部 · 完成质量",
        "A 运营改善部 · 服务意识",
    ]
    ballots = data_rows(sheet)
    assert [row[0] for row in ballots] == [1, 2, 3, 4]
    assert [row[1:3] for row in ballots] == [
        ("Grassroots", "G1"),
        ("Grassroots", "G2"),
        ("Peer review", "B"),
        ("Leadership", None),
    ]
    assert ballots[3][3:9] == (60, 60, 60, 80, None, 80)  # the leader's ballot, no name on it


def test_it_has_the_further_sheets(example_quarter):
    workbook = exported(example_quarter)
    assert workbook.sheetnames[:1] == ["Ranking"]
    for name in ("Settings", "Levels", "Criteria", "Cell means", "Ballot counts", "Participation"):
        assert name in workbook.sheetnames
    for name in ("Grassroots matrix", "Peer matrix", "Ballots", "Comments", "Adjustments", "Problems"):
        assert name in workbook.sheetnames
    assert ("B", "设备部", -1.5, "季度内一项基层反映问题未按期答复") in data_rows(workbook["Adjustments"])
    grassroots = {row[0]: row for row in data_rows(workbook["Grassroots matrix"])}
    assert grassroots["G1"][2:4] == (80, 100)  # G1 gave A (90+80+70)/3 and B 100
    peer = {row[0]: row for row in data_rows(workbook["Peer matrix"])}
    assert peer["B"][2] == 80
    settings = {row[0]: row[1] for row in data_rows(workbook["Settings"])}
    assert (settings["scale"], settings["weight_grassroots"], settings["trim"]) == ("points", 40, "no")


def test_the_command_writes_the_workbook(example_quarter, tmp_path):
    path = tmp_path / "out.xlsx"
    call_command("export_quarter", "2026Q3", "--output", str(path), "--language", "en", stdout=io.StringIO())
    assert load_workbook(path).worksheets[0]["C4"].value == "B"


def test_the_command_refuses_an_unknown_quarter(db, tmp_path):
    with pytest.raises(CommandError, match="2030Q1"):
        call_command("export_quarter", "2030Q1", "--output", str(tmp_path / "x.xlsx"), stdout=io.StringIO())
