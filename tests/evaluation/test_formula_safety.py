"""No text cell of an exported workbook can run as a formula."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from evaluation.exports import Column, SheetData, write_workbook
from evaluation.models import BallotComment, Quarter
from tests.evaluation.test_export import exported
from tests.evaluation.test_import_quarter import QUARTER_EXAMPLE, example_org, import_file

__all__ = ["example_org"]

DANGEROUS = ["=1+1", "+SUM(A1)", "@cmd", "-2", '=HYPERLINK("http://x")', "\tab"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_comments_that_look_like_formulas_come_back_as_text(example_org, text):
    import_file(QUARTER_EXAMPLE)
    BallotComment.objects.update(text=text)
    sheet = exported(Quarter.objects.get(code="2026Q3"))["Comments"]
    cell = sheet.cell(row=4, column=6)
    assert cell.value == text
    assert isinstance(cell.value, str)
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_the_writer_keeps_every_kind_of_text_as_text():
    buffer = io.BytesIO()
    rows = [[text, text] for text in DANGEROUS]
    write_workbook([SheetData("t", "t", [Column("=A"), Column("b", number_format="0.00")], rows)], buffer, title="x")
    buffer.seek(0)
    sheet = load_workbook(buffer)["t"]
    assert sheet["A3"].value == "=A" and sheet["A3"].data_type == "s"
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            assert cell.data_type == "s"
            assert isinstance(cell.value, str)
    assert [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)] == DANGEROUS


def test_control_characters_are_dropped_not_fatal():
    buffer = io.BytesIO()
    write_workbook([SheetData("t", "t", [Column("a")], [["ok\x07bell"]])], buffer, title=None)
    buffer.seek(0)
    assert load_workbook(buffer)["t"]["A2"].value == "okbell"
