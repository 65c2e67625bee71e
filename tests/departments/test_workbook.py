"""The generic workbook reader every import uses."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from departments.workbook import (
    ColumnSpec,
    ImportIssue,
    SheetSpec,
    WorkbookInvalid,
    open_workbook,
    read_sheet,
)

LIMIT = 1024 * 1024

SPEC = SheetSpec(
    "departments",
    aliases=("部门",),
    columns=[
        ColumnSpec("code", aliases=("编码",)),
        ColumnSpec("name", aliases=("名称",)),
        ColumnSpec("order", aliases=("排序",), required=False),
    ],
)

pytestmark = pytest.mark.usefixtures("english")


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


def upload(data: bytes, name: str = "org.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refusal(source, max_bytes: int = LIMIT) -> str:
    with pytest.raises(WorkbookInvalid) as caught:
        open_workbook(source, max_bytes=max_bytes)
    return " ".join(str(issue) for issue in caught.value.issues)


def test_issue_reads_sheet_row_column_message() -> None:
    assert str(ImportIssue("departments", 4, "code", "bad")) == "departments, 4, code: bad"
    assert str(ImportIssue("people", None, None, "The sheet is missing.")) == "people: The sheet is missing."
    assert str(ImportIssue("", None, None, "The file is empty.")) == "The file is empty."


def test_it_reads_rows_with_excel_row_numbers() -> None:
    data = xlsx_bytes({"departments": [["Code", " Name ", "unknown"], ["A", "甲", 1], [None, None], ["B", "乙", "x"]]})
    issues: list[ImportIssue] = []
    rows = read_sheet(open_workbook(upload(data), max_bytes=LIMIT), SPEC, issues)
    assert issues == []
    assert [(row.number, row.values) for row in rows] == [
        (2, {"code": "A", "name": "甲"}),
        (4, {"code": "B", "name": "乙"}),
    ]
    assert rows[0].column("name") == "Name"
    assert rows[0].extra == {"unknown": 1}
    assert rows[1].issue("code", "wrong") == ImportIssue("departments", 4, "Code", "wrong")


def test_it_accepts_chinese_sheet_and_headers(tmp_path: Path) -> None:
    path = tmp_path / "org.xlsx"
    path.write_bytes(xlsx_bytes({"部门": [["编码", "名称", "排序"], [" A ", "甲", 3]]}))
    issues: list[ImportIssue] = []
    rows = read_sheet(open_workbook(path, max_bytes=LIMIT), SPEC, issues)
    assert issues == []
    assert rows[0].values == {"code": "A", "name": "甲", "order": 3}
    assert rows[0].column("code") == "编码"


def test_it_reports_a_missing_required_sheet() -> None:
    workbook = open_workbook(upload(xlsx_bytes({"other": [["x"]]})), max_bytes=LIMIT)
    issues: list[ImportIssue] = []
    assert read_sheet(workbook, SPEC, issues) is None
    assert issues == [ImportIssue("departments", None, None, "The sheet is missing.")]


def test_an_absent_optional_sheet_is_no_issue() -> None:
    workbook = open_workbook(upload(xlsx_bytes({"other": [["x"]]})), max_bytes=LIMIT)
    issues: list[ImportIssue] = []
    optional = SheetSpec("people", columns=[ColumnSpec("username")], required=False)
    assert read_sheet(workbook, optional, issues) is None
    assert issues == []


def test_it_reports_every_missing_required_column() -> None:
    workbook = open_workbook(upload(xlsx_bytes({"departments": [["order"], [1]]})), max_bytes=LIMIT)
    issues: list[ImportIssue] = []
    assert read_sheet(workbook, SPEC, issues) is None
    assert [(issue.row, issue.column) for issue in issues] == [(1, "code"), (1, "name")]


def test_it_reports_a_doubled_column() -> None:
    workbook = open_workbook(
        upload(xlsx_bytes({"departments": [["code", "name", "编码"], ["A", "a", "B"]]})), max_bytes=LIMIT
    )
    issues: list[ImportIssue] = []
    assert read_sheet(workbook, SPEC, issues) is None
    assert issues[0].column == "编码"


def test_it_refuses_a_file_that_is_not_a_workbook() -> None:
    assert "not an Excel workbook" in refusal(upload(b"code,name\nA,a\n", "org.csv"))


def test_it_refuses_a_damaged_zip() -> None:
    assert "not an Excel workbook" in refusal(upload(b"PK\x03\x04 this is not really a zip"))


def test_it_refuses_an_old_xls_file() -> None:
    assert ".xlsx" in refusal(upload(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "org.xls"))


def test_it_refuses_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "empty" in refusal(path)


def test_it_refuses_a_workbook_without_data() -> None:
    assert "empty" in refusal(upload(xlsx_bytes({"departments": []})))


def test_it_refuses_a_file_over_the_limit() -> None:
    data = xlsx_bytes({"departments": [["code"], ["A"]]})
    assert "too large" in refusal(upload(data), max_bytes=len(data) - 1)


def test_it_refuses_a_stream_over_the_limit_without_a_size() -> None:
    data = xlsx_bytes({"departments": [["code"], ["A"]]})
    assert "too large" in refusal(io.BytesIO(data), max_bytes=100)


def test_it_refuses_a_missing_path(tmp_path: Path) -> None:
    assert "cannot be read" in refusal(tmp_path / "nothing.xlsx")


def test_rows_after_blank_rows_and_columns_keep_their_excel_numbers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "departments"
    sheet["C4"], sheet["D4"] = "code", "name"
    sheet["C6"], sheet["D6"] = "A", "甲"
    sheet["D9"] = "乙"
    buffer = io.BytesIO()
    workbook.save(buffer)
    issues: list[ImportIssue] = []
    rows = read_sheet(open_workbook(upload(buffer.getvalue()), max_bytes=LIMIT), SPEC, issues)
    assert issues == []
    assert [(row.number, row.values) for row in rows] == [
        (6, {"code": "A", "name": "甲"}),
        (9, {"code": None, "name": "乙"}),
    ]


def test_a_missing_column_is_reported_at_the_header_rows_excel_number() -> None:
    data = xlsx_bytes({"departments": [[], [], [None, "order"], [None, 1]]})
    issues: list[ImportIssue] = []
    assert read_sheet(open_workbook(upload(data), max_bytes=LIMIT), SPEC, issues) is None
    assert [(issue.row, issue.column) for issue in issues] == [(3, "code"), (3, "name")]


def test_cell_values_keep_the_types_imports_expect() -> None:
    cells = [
        5,
        5.5,
        True,
        datetime.datetime(2026, 7, 1),
        datetime.datetime(2026, 7, 1, 13, 30),
        datetime.time(13, 30),
        "  ",
        -3,
        12345678901234,
        1e20,
    ]
    headers = [f"c{index}" for index in range(len(cells))]
    data = xlsx_bytes({"departments": [["code", "name", *headers], ["A", " 甲 ", *cells]]})
    rows = read_sheet(open_workbook(upload(data), max_bytes=LIMIT), SPEC, [])
    assert rows[0].values == {"code": "A", "name": "甲"}
    found = rows[0].extra
    assert found == {
        "c0": 5,
        "c1": 5.5,
        "c2": True,
        "c3": datetime.datetime(2026, 7, 1),
        "c4": datetime.datetime(2026, 7, 1, 13, 30),
        "c5": datetime.time(13, 30),
        "c6": None,
        "c7": -3,
        "c8": 12345678901234,
        "c9": 1e20,
    }
    assert [type(found[key]) for key in ("c0", "c1", "c3", "c7", "c8", "c9")] == [
        int,
        float,
        datetime.datetime,
        int,
        int,
        float,
    ]


def test_an_error_cell_is_read_as_its_error_text_not_as_blank() -> None:
    data = xlsx_bytes({"departments": [["code", "name", "score"], ["A", "甲", "#N/A"], ["B", "乙", 3]]})
    rows = read_sheet(open_workbook(upload(data), max_bytes=LIMIT), SPEC, [])
    assert [(row.number, row.extra) for row in rows] == [(2, {"score": "#N/A"}), (3, {"score": 3})]


def test_it_refuses_a_zip_that_is_not_an_excel_package() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<document/>")
    assert "not an Excel workbook" in refusal(upload(buffer.getvalue(), "org.ods"))


def test_it_refuses_a_workbook_with_a_damaged_sheet() -> None:
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"departments": [["code", "name"], ["A", "甲"]]})))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in original.infolist():
            part = original.read(info)
            archive.writestr(info, part[: len(part) // 2] if info.filename.startswith("xl/worksheets/") else part)
    assert "damaged" in refusal(upload(buffer.getvalue()))


def test_it_refuses_a_workbook_holding_only_spaces() -> None:
    assert "empty" in refusal(upload(xlsx_bytes({"departments": [["  ", None], [None, " "]]})))


def test_a_sheet_read_twice_gives_the_same_rows() -> None:
    workbook = open_workbook(upload(xlsx_bytes({"departments": [["code", "name"], ["A", "甲"]]})), max_bytes=LIMIT)
    first = read_sheet(workbook, SPEC, [])
    assert read_sheet(workbook, SPEC, []) == first
    assert [(row.number, row.values) for row in first] == [(2, {"code": "A", "name": "甲"})]


def _with_damaged_part(data: bytes, part_name: str) -> bytes:
    """The workbook with one part cut in half, the way a broken download or copy leaves it."""
    original = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in original.infolist():
            part = original.read(info)
            archive.writestr(info, part[: len(part) // 2] if info.filename == part_name else part)
    return buffer.getvalue()


@pytest.mark.parametrize("error_cell", [False, True], ids=["calamine", "openpyxl"])
def test_a_damaged_later_sheet_is_refused_when_it_is_read_not_with_a_traceback(error_cell: bool) -> None:
    """Only the first rows are parsed on opening; damage further on must still give the message."""
    first = [["code", "name"], ["A", "甲"], ["#N/A" if error_cell else "B", "乙"]]
    later = [["code", "name"], *([f"C{index}", f"单位{index}"] for index in range(400))]
    data = xlsx_bytes({"intro": first, "departments": later})
    if error_cell:  # an error value sends the file to openpyxl, which parses sheets as they are read
        workbook = Workbook()
        workbook.active.title = "intro"
        for row in first:
            workbook.active.append(row)
        workbook.active["A3"].data_type = "e"
        sheet = workbook.create_sheet("departments")
        for row in later:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    damaged = _with_damaged_part(data, "xl/worksheets/sheet2.xml")
    issues: list[ImportIssue] = []
    with pytest.raises(WorkbookInvalid) as caught:
        workbook = open_workbook(upload(damaged), max_bytes=LIMIT)
        read_sheet(workbook, SPEC, issues)
    assert "damaged" in " ".join(str(issue) for issue in caught.value.issues)


def _rewrite_sheets(data: bytes, replacements: dict[bytes, bytes]) -> bytes:
    """The workbook with its sheet parts' XML edited, to build what other programs write."""
    original = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in original.infolist():
            part = original.read(info)
            if info.filename.startswith("xl/worksheets/"):
                for before, after in replacements.items():
                    part = part.replace(before, after)
            archive.writestr(info, part)
    return buffer.getvalue()


def _with_results(data: bytes, results: dict[bytes, bytes]) -> bytes:
    """The workbook with a stored result in formula cells, the way Excel saves them (openpyxl writes <v />)."""
    return _rewrite_sheets(
        data,
        {
            b"<f>" + formula + b"</f><v />": b"<f>" + formula + b"</f><v>" + result + b"</v>"
            for formula, result in results.items()
        },
    )


def test_a_formula_without_a_stored_result_is_refused_naming_its_cell() -> None:
    """openpyxl, like other programs, writes formulas without calculating them: both readers would read blank."""
    rows = [["code", "name", "order"], ["A", "甲", 1], ["B", '=A3&"部"', "=1+1"]]
    issues: list[ImportIssue] = []
    workbook = open_workbook(upload(xlsx_bytes({"intro": [["x"]], "departments": rows})), max_bytes=LIMIT)
    read_sheet(workbook, SPEC, issues)
    message = " ".join(str(issue) for issue in issues)
    assert "departments, 3, B: This cell holds a formula whose result was never calculated" in message
    assert "departments, 3, C:" in message
    assert "intro" not in message


def test_a_formula_with_its_stored_result_is_read_as_that_result() -> None:
    data = xlsx_bytes({"departments": [["code", "name", "order"], ["A", "甲", "=1+1"]]})
    saved = _with_results(data, {b"1+1": b"2"})
    rows = read_sheet(open_workbook(upload(saved), max_bytes=LIMIT), SPEC, [])
    assert [(row.number, row.values["order"]) for row in rows] == [(2, 2)]


def test_many_uncalculated_formulas_are_named_up_to_a_limit() -> None:
    rows = [["code", "name"], *([f"C{index}", "=1"] for index in range(30))]
    issues: list[ImportIssue] = []
    read_sheet(open_workbook(upload(xlsx_bytes({"departments": rows})), max_bytes=LIMIT), SPEC, issues)
    assert len(issues) == 21
    assert str(issues[-1]) == "10 more cells hold formulas without a calculated result."


def test_a_workbook_of_nothing_but_uncalculated_formulas_is_refused_naming_them() -> None:
    message = refusal(upload(xlsx_bytes({"departments": [["=1", "=2"]]})))
    assert "departments, 1, A: This cell holds a formula whose result was never calculated" in message
    assert "empty" not in message


def test_a_text_formula_whose_stored_result_is_empty_reads_as_blank() -> None:
    data = xlsx_bytes({"departments": [["code", "name", "order"], ["A", "甲", '=""']]})
    saved = _with_results(data, {b'""': b""})
    saved = _rewrite_sheets(saved, {b'<c r="C2"><f>': b'<c r="C2" t="str"><f>'})
    rows = read_sheet(open_workbook(upload(saved), max_bytes=LIMIT), SPEC, [])
    assert [(row.number, row.values.get("order")) for row in rows] == [(2, None)]
