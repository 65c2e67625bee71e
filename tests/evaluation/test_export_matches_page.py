"""The results workbook's first sheet shows the numbers the ranking page shows, row by row."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from evaluation.exports import export_quarter
from evaluation.models import Quarter
from tests.evaluation.test_import_quarter import QUARTER_EXAMPLE, example_org, import_file

__all__ = ["example_org"]  # the fixture, imported for this test

pytestmark = pytest.mark.usefixtures("english")


def _page_rows(page: str) -> dict[str, list[str]]:
    """Department code (from its link) -> the text of each cell after the name (scores, adjustment, ballots, change)."""
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        link = re.search(r'<th scope="row"[^>]*>.*?/departments/([A-Za-z0-9_-]+)/', row, flags=re.S)
        if not link:
            continue
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        text = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        rows[link.group(1)] = text[1:]
    return rows


def _number(text: str) -> float | None:
    match = re.search(r"[-+−]?\d+(?:\.\d+)?", text)
    return float(match.group().replace("−", "-")) if match else None


def test_first_sheet_numbers_equal_the_ranking_page(example_org, evaluator, client_for) -> None:
    import_file(QUARTER_EXAMPLE)
    quarter = Quarter.objects.get(code="2026Q3")
    buffer = io.BytesIO()
    with translation.override("en"):
        export_quarter(quarter, buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    page = client_for(evaluator).get(reverse("evaluation:ranking", args=[quarter.code])).content.decode()
    shown = _page_rows(page)

    compared = 0
    for _group, rank, code, _name, score, grassroots, peer, leadership, adjustment, _change in sheet.iter_rows(
        min_row=4, values_only=True
    ):
        cells = shown[code]
        if rank is None:
            assert score is None
            continue
        assert [_number(c) for c in cells[:5]] == [score, grassroots, peer, leadership, adjustment or 0.0]
        compared += 1
    assert compared == 2
