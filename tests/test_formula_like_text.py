"""Every workbook the product writes keeps formula-like text as text, a leading tab or carriage return included."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from departments.imports import org_workbook
from evaluation.exports import Column, SheetData, write_workbook
from evaluation.services.codes import codes_issue

TEXTS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1+1", "\r=1+1"]


def assert_text(cell, text: str) -> None:
    assert cell.value == text.replace("\r", "\n")  # an XML reader gives a bare CR back as LF
    assert cell.data_type == "s"
    assert cell.quotePrefix


@pytest.mark.parametrize("text", TEXTS)
def test_the_organisation_workbook_keeps_it_as_text(org, text) -> None:
    org["NFM"].name = text
    org["NFM"].save()
    sheet = load_workbook(io.BytesIO(org_workbook())).worksheets[0]
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "NFM")
    assert_text(row[1], text)


@pytest.mark.parametrize("text", TEXTS)
def test_the_codes_workbook_keeps_it_as_text(quarter, client_for, evaluator, org, text) -> None:
    org["NFM"].name = text
    org["NFM"].save()
    codes_issue(quarter=quarter, unit=org["NFM"], count=1, actor=evaluator)
    response = client_for(evaluator).get(reverse("evaluation:codes_xlsx", args=[quarter.code, "NFM"]))
    assert_text(load_workbook(io.BytesIO(response.content)).active["C2"], text)


@pytest.mark.parametrize("text", TEXTS)
def test_the_export_writer_keeps_it_as_text(text) -> None:
    buffer = io.BytesIO()
    write_workbook([SheetData("t", "t", [Column("a")], [[text]])], buffer, title=None)
    assert_text(load_workbook(buffer)["t"]["A2"], text)
