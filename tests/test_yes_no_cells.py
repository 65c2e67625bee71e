"""Both imports read yes/no cells the same way: one list of spellings, English or Chinese, any case."""

from __future__ import annotations

from pathlib import Path

import pytest

from departments.imports import org_import
from departments.models import Unit
from departments.workbook import WorkbookInvalid
from evaluation.imports import quarter_import
from evaluation.models import Quarter
from tests.departments.workbooks import org_file
from tests.evaluation.test_import_quarter import example_org, example_sheets, write_workbook

__all__ = ["example_org"]

pytestmark = pytest.mark.usefixtures("english")

SPELLINGS = [("yes", True), ("Y", True), ("TRUE", True), ("是", True), ("√", True), (True, True)]
SPELLINGS += [("no", False), ("N", False), ("false", False), ("否", False), ("×", False), (False, False)]
NEITHER = ["maybe", "2", "不"]


def org_with_active(tmp_path: Path, cell: object) -> Path:
    return org_file(tmp_path, units=[["OPS", "运营改善部", "functional", None, 1, cell]], people=[])


def quarter_with_trim(tmp_path: Path, cell: object) -> Path:
    sheets = example_sheets()
    title = next(title for title in sheets if title in ("settings", "设置"))
    rows = [row for row in sheets[title] if not (row and str(row[0]).strip() == "trim")]
    sheets[title] = [*rows, ["trim", cell]]
    return write_workbook(tmp_path / "quarter.xlsx", sheets)


@pytest.mark.parametrize(("cell", "meaning"), SPELLINGS)
def test_the_organisation_import_reads_the_active_column(tmp_path, db, cell, meaning) -> None:
    org_import(source=org_with_active(tmp_path, cell))
    assert Unit.objects.get(code="OPS").active is meaning


@pytest.mark.parametrize(("cell", "meaning"), SPELLINGS)
def test_the_quarter_import_reads_the_trim_setting(tmp_path, example_org, cell, meaning) -> None:
    quarter_import(source=quarter_with_trim(tmp_path, cell))
    assert Quarter.objects.get().trim is meaning


@pytest.mark.parametrize("cell", NEITHER)
def test_both_imports_refuse_anything_else_with_the_same_message(tmp_path, example_org, cell) -> None:
    with pytest.raises(WorkbookInvalid) as org_refusal:
        org_import(source=org_with_active(tmp_path, cell))
    with pytest.raises(WorkbookInvalid) as quarter_refusal:
        quarter_import(source=quarter_with_trim(tmp_path, cell))
    org_messages = {issue.message for issue in org_refusal.value.issues}
    quarter_messages = {issue.message for issue in quarter_refusal.value.issues}
    assert org_messages == quarter_messages == {"Enter yes or no (是/否)."}
