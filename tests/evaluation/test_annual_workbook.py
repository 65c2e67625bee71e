"""The annual workbook: departments × published quarters, then the annual score and rank (docs/scoring.md rule 8)."""

from __future__ import annotations

import io
import json

from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from evaluation.exports import export_annual
from evaluation.models import Quarter, QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.test_import_quarter import example_org, example_sheets, import_file, write_workbook

__all__ = ["example_org"]


def publish_two_quarters(tmp_path) -> None:
    for code, adjustment in (("2026Q2", -10), ("2026Q3", -1.5)):
        sheets = example_sheets()
        sheets["settings"][1][1] = code
        sheets["adjustments"][1][1] = adjustment
        import_file(write_workbook(tmp_path / f"{code}.xlsx", sheets))
        quarter_transition(quarter=Quarter.objects.get(code=code), to=QuarterStatus.PUBLISHED, actor=None)


def test_annual_rows_equal_compute_annual_and_the_quarters(example_org, tmp_path):
    publish_two_quarters(tmp_path)
    buffer = io.BytesIO()
    with translation.override("en"):
        export_annual(2026, buffer)
    buffer.seek(0)
    sheet = load_workbook(buffer).worksheets[0]
    header = [cell.value for cell in sheet[3]]
    assert header[:6] == [
        "Group",
        "Annual rank",
        "Department code",
        "Department name",
        "Annual score",
        "Quarters counted",
    ]
    assert header[6:] == ["2026Q2 score", "2026Q2 rank", "2026Q3 score", "2026Q3 rank"]
    rows = {row[2]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    out = io.StringIO()
    call_command("compute_annual", "2026", "--format", "json", stdout=out)
    for entry in json.loads(out.getvalue())["departments"]:
        row = rows[entry["code"]]
        assert (row[1], row[4], row[5]) == (entry["rank"], entry["score"], entry["quarters"])
    assert rows["B"][6:] == (81.43, 1, 89.93, 1)  # 91.43 − 10 then 91.43 − 1.50
    assert rows["A"][6:] == (74, 2, 74, 2)
    assert rows["OFF"][4] is None


def test_the_annual_download(client_for, evaluator, example_org, tmp_path):
    publish_two_quarters(tmp_path)
    response = client_for(evaluator).get(reverse("evaluation:export_annual", args=[2026]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.worksheets[0].title == "2026"
