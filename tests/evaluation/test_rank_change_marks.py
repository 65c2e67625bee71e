"""Rank change: "unchanged" and "no earlier rank" read differently without a tooltip, in both languages."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from evaluation.exports import export_quarter
from evaluation.models import Quarter
from tests.evaluation.results_pages_data import entry, example_published, published_quarter

MARKS = {
    "en": ("new", "0", "Unchanged", "No earlier rank to compare with"),
    "zh-hans": ("新", "0", "不变", "无此前名次可比较"),
}


@pytest.fixture
def published(org, leader) -> Quarter:
    return example_published(org, leader)


@pytest.fixture
def first_time(org) -> Quarter:
    """A quarter where OPS has no earlier rank and RET kept its rank."""
    return published_quarter(
        "2026Q3",
        [
            entry(org["OPS"], rank=1, score=85.0, rank_change=None, sources={"grassroots": 85.0}),
            entry(org["RET"], rank=1, score=77.0, rank_change=0, sources={"grassroots": 77.0}),
        ],
    )


def _visible(html: str) -> str:
    """The text a reader sees: tags and their attributes (the tooltip) removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(page: str, name: str) -> str:
    return next(row for row in re.findall(r"<tr.*?</tr>", page, flags=re.S) if name in row)


def _get(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    return client.get(url).text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_ranking_page_marks_new_and_unchanged_differently(first_time, client_for, viewer, language):
    new, same, same_word, new_words = MARKS[language]
    page = _get(client_for(viewer), reverse("evaluation:ranking", args=["2026Q3"]), language)

    ops = _visible(_row(page, "运营改善部")).split()
    ret = _visible(_row(page, "退管中心")).split()
    assert ops[-1] == new and ret[-1] == same
    legend = _visible(re.search(r'<p class="small text-muted rank-change-legend">.*?</p>', page, re.S).group(0))
    assert f"{same} {same_word}" in legend and f"{new} {new_words}" in legend


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_unranked_department_shows_no_rank_change_mark(published, client_for, viewer, language):
    page = _get(client_for(viewer), reverse("evaluation:ranking", args=["2026Q2"]), language)

    assert _visible(_row(page, "审计部")).split()[-1] == "—"
    assert _visible(_row(page, "运营改善部")).split()[-1] == "↑2"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_department_page_spells_out_the_rank_change(first_time, client_for, evaluator, language):
    client = client_for(evaluator)
    new, same, _w, _n = MARKS[language]
    words = {"en": ("No earlier rank to compare with", "Unchanged"), "zh-hans": ("无此前名次可比较", "不变")}
    ops = _visible(_get(client, reverse("evaluation:department", args=["2026Q3", "OPS"]), language))
    ret = _visible(_get(client, reverse("evaluation:department", args=["2026Q3", "RET"]), language))

    assert f": {new} {words[language][0]}" in ops
    assert f": {same} {words[language][1]}" in ret


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_workbook_shows_unchanged_as_zero_and_no_earlier_rank_as_empty(first_time, language):
    buffer = io.BytesIO()
    with translation.override(language):
        export_quarter(first_time, buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    rows = {row[2].value: row[9] for row in sheet.iter_rows(min_row=4)}

    assert rows["OPS"].value is None and rows["RET"].value == 0
    assert rows["RET"].number_format == '"↑"0;"↓"0;0'
    legend = {"en": "0 unchanged, empty: no earlier rank", "zh-hans": "0 表示不变，空白表示无此前名次可比较"}
    assert legend[language] in sheet["A1"].value
