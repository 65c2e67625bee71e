"""The empty quarter workbook carries the quarter's grades and cap, and imports back without a change."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import load_workbook

from evaluation.grades import GradeSpec
from evaluation.imports import quarter_import
from evaluation.models import Quarter, QuarterStatus
from evaluation.services.quarters import grade_specs, quarter_update_settings
from tests.evaluation.test_quarter_template import download


def test_the_template_holds_the_grades_and_the_cap_and_imports_back_unchanged(
    client_for, evaluator, quarter, english, tmp_path
) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    quarter.refresh_from_db()
    grades = [GradeSpec("好", None, Decimal("90")), GradeSpec("差", None, Decimal("-5.5"))]
    quarter_update_settings(quarter=quarter, actor=evaluator, grades=grades, top_level_cap=40)
    data = download(client_for(evaluator), quarter=quarter.code)
    workbook = load_workbook(data)
    assert list(workbook["grades"].iter_rows(min_row=2, values_only=True)) == [
        ("好", None, 90),
        ("差", None, -5.5),
    ]
    settings = {row[0]: row[1] for row in workbook["settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["top_level_cap"] == 40
    path = tmp_path / "template.xlsx"
    path.write_bytes(data.getvalue())
    quarter_import(source=path)
    quarter.refresh_from_db()
    assert grade_specs(quarter) == grades and quarter.top_level_cap == 40
