"""Build small xlsx workbooks for import tests."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

UNIT_HEADERS = ["code", "name", "kind", "ranking_group", "order", "active"]
PEOPLE_HEADERS = ["username", "full_name", "department", "role", "email"]

UNITS = [
    ["OPS", "运营改善部", "functional", None, 1, "yes"],
    ["EQP", "设备部", "functional", None, 2, "yes"],
    ["SAL", "销售公司", "business", None, 3, None],
    ["RET", "退管中心", "affiliated", None, 4, "yes"],
    ["HRM", "板材热连轧厂", "grassroots", None, 10, "yes"],
]
PEOPLE = [
    ["leader1", "王领导", None, "leader", "wang@example.com"],
    ["rep_ops", "李联络", "OPS", "department_rep", None],
    ["worker", "赵工", "HRM", "grassroots_rater", None],
    ["eval1", "周考核", None, "evaluator, viewer", None],
]


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def org_file(tmp_path: Path, units: list[list] | None = None, people: list[list] | None = None, **sheets) -> Path:
    """An organisation workbook on disk: the default units and people unless given."""
    content = sheets or {
        "departments": [UNIT_HEADERS, *(UNITS if units is None else units)],
        "people": [PEOPLE_HEADERS, *(PEOPLE if people is None else people)],
    }
    path = tmp_path / "org.xlsx"
    path.write_bytes(xlsx_bytes(content))
    return path
