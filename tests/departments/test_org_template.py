"""The template workbook is the current organisation in the import format: a round trip changes nothing."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation
from openpyxl import load_workbook

from departments.imports import org_import, org_workbook
from departments.models import Unit, UnitKind


def test_importing_the_template_changes_nothing(tmp_path: Path, admin_user, rep, grassroots_rater, viewer) -> None:
    for language in ("zh-hans", "en"):
        with translation.override(language):
            path = tmp_path / f"org-{language}.xlsx"
            path.write_bytes(org_workbook())
        result = org_import(source=path)
        assert not result.changed, language
        assert result.units_unchanged == Unit.objects.count()


def test_the_english_template_uses_english_headers_and_kinds(tmp_path: Path, org) -> None:
    path = tmp_path / "org.xlsx"
    with translation.override("en"):
        path.write_bytes(org_workbook())
    workbook = load_workbook(path)
    rows = list(workbook["departments"].iter_rows(values_only=True))
    assert rows[0] == ("code", "name", "kind", "ranking_group", "order", "active", "parent")
    assert ("RET", "退管中心", "affiliated", None, 10, "yes", None) in rows
    assert workbook["people"]["A1"].value == "username"


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path, db) -> None:
    Unit.objects.create(code="-X", name="=SUM(A1:A2)", kind=UnitKind.FUNCTIONAL)
    path = tmp_path / "org.xlsx"
    path.write_bytes(org_workbook())
    sheet = load_workbook(path).worksheets[0]
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == "=SUM(A1:A2)"
    assert not org_import(source=path).changed
