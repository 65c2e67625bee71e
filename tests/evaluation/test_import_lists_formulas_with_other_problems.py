"""A workbook with ten problems and an uncalculated formula lists all eleven at once (docs/workbooks.md)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from departments.models import Unit
from tests.evaluation.test_import_quarter import example_org, example_sheets, refused, write_workbook
from tests.fixtures import ORG_EXAMPLE

__all__ = ["example_org"]  # the fixture, imported for these tests

pytestmark = [pytest.mark.usefixtures("english")]

FORMULA = "This cell holds a formula whose result was never calculated"

# The ten cells given points out of range: ballots rows 2 to 7 of columns F to H, but G3 (the formula).
BAD_CELLS = [(row, column) for row in range(1, 7) for column in (5, 6, 7) if (row, column) != (2, 6)][:10]


def test_a_quarter_workbook_lists_every_bad_value_with_the_formula(example_org, tmp_path):
    sheets = example_sheets()
    for row, column in BAD_CELLS:
        sheets["ballots"][row][column] = 150
    sheets["ballots"][2][6] = "=40+40"

    err = refused(write_workbook(tmp_path / "eleven.xlsx", sheets))

    assert f"ballots, 3, G: {FORMULA}" in err
    for row, column in BAD_CELLS:
        header = sheets["ballots"][0][column]
        assert f"ballots, {row + 1}, {header}: " in err, (row, header)


def test_a_formula_in_the_settings_is_listed_with_the_ballots_problems(example_org, tmp_path):
    sheets = example_sheets()
    sheets["settings"][3][1] = "=20+20"  # weight_grassroots
    sheets["ballots"][1][5] = 150

    err = refused(write_workbook(tmp_path / "two.xlsx", sheets))

    assert f"settings, 4, B: {FORMULA}" in err
    assert "ballots, 2, efficiency: " in err


def test_a_chinese_refusal_lists_the_formula_with_the_other_problems(example_org, tmp_path, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    sheets = example_sheets()
    sheets["ballots"][1][5] = 150
    sheets["ballots"][2][6] = "=40+40"

    with translation.override("zh-hans"):
        err = refused(write_workbook(tmp_path / "two.xlsx", sheets))

    assert "ballots, 3, G: 该单元格是公式，但文件中没有保存其计算结果" in err
    assert "ballots, 2, efficiency: " in err


def test_an_organisation_workbook_lists_every_bad_email_with_the_formula(db, tmp_path):
    from openpyxl import load_workbook

    workbook = load_workbook(ORG_EXAMPLE)
    people = workbook["people"]
    last = people.max_row
    for index in range(10):
        people.append([f"user{index}", f"用户{index}", None, "viewer", "not-an-email"])
    workbook["departments"]["B2"] = '="运营"&"改善部"'
    path = tmp_path / "org.xlsx"
    workbook.save(path)

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stdout=io.StringIO(), stderr=err)

    text = err.getvalue()
    assert f"departments, 2, B: {FORMULA}" in text
    for index in range(10):
        assert f"people, {last + 1 + index}, email: " in text
    assert Unit.objects.count() == 0
