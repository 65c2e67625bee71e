"""The results and annual workbooks print: landscape A4, one page wide, the header row repeated, a page header
naming the programme, the period and its status, page numbers in the footer (read back with openpyxl)."""

from __future__ import annotations

import io

from django.utils import translation
from openpyxl import load_workbook

from evaluation.exports import export_annual
from evaluation.models import Quarter, QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.test_annual_workbook import publish_two_quarters
from tests.evaluation.test_export import example_quarter, exported  # noqa: F401
from tests.evaluation.test_import_quarter import example_org  # noqa: F401


def assert_prints_one_page_wide(sheet) -> None:
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$3:$3"  # the column header row, below the title and export time
    assert sheet.oddFooter.center.text == "Page &P of &N"


def test_the_ranking_sheet_prints_one_page_wide_with_its_heading(example_quarter) -> None:  # noqa: F811
    ranking = exported(example_quarter).worksheets[0]
    assert_prints_one_page_wide(ranking)
    assert ranking.oddHeader.left.text == "Department work-style evaluation"
    assert ranking.oddHeader.center.text.startswith("2026Q3 · ")
    assert ranking.oddHeader.right.text == "Closed"  # an imported quarter is closed
    assert ranking["A3"].value == "Group"


def test_the_heading_follows_the_status_and_the_language(example_quarter) -> None:  # noqa: F811
    quarter_transition(quarter=example_quarter, to=QuarterStatus.PUBLISHED, actor=None)
    ranking = exported(Quarter.objects.get(pk=example_quarter.pk), "zh-hans").worksheets[0]
    assert ranking.oddHeader.left.text == "部门工作作风考核"
    assert ranking.oddHeader.right.text == "已发布"
    assert ranking.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_every_sheet_of_the_results_workbook_is_set_up_to_print(example_quarter) -> None:  # noqa: F811
    for sheet in exported(example_quarter).worksheets:
        assert_prints_one_page_wide(sheet)


def test_the_annual_sheet_prints_one_page_wide(example_org, tmp_path) -> None:  # noqa: F811
    publish_two_quarters(tmp_path)
    buffer = io.BytesIO()
    with translation.override("en"):
        export_annual(2026, buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    assert_prints_one_page_wide(sheet)
    assert sheet.oddHeader.center.text.startswith("2026 · ")
    assert sheet.oddHeader.right.text == "2 of 4 quarters published, provisional"
