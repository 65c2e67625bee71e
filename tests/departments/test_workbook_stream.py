"""The streamed reading of a sheet gives what calamine gives (departments.workbook_stream)."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from departments.workbook import _calamine_rows, _open_parsed
from departments.workbook_stream import Unsupported, stream_rows

CELLS = [
    ["text", "  spaced  ", "优秀", "a & b < c", "_x0041_ _x005F_x0041_", "line\nbreak", 'quote "x"'],
    [1, 2.5, -3, 1e20, 0.1, 12345678901234567, True, False],
    [None, None, "after blanks", None, 0],
    ["=SUM(1,2)", "不了解", "-", "+SUM(A1)", "@cmd"],
]


def _workbook(tmp_path, rows, *, dates: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "ballots"
    for row in rows:
        sheet.append(row)
    if dates:
        sheet.append([datetime.datetime(2026, 7, 1), datetime.date(2026, 7, 2)])
    sheet.cell(row=40, column=3, value="far down")
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path.read_bytes()


def _both(data: bytes) -> tuple[list, list]:
    """(streamed rows, calamine's rows), blank rows and trailing blanks left out of both."""
    import python_calamine

    workbook = _open_parsed(data)
    worksheet = workbook.worksheets[0]
    streamed = list(worksheet.iter_numbered_rows())
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(worksheet.title)
    calamine = list(_calamine_rows(sheet))
    workbook.close()

    def trimmed(rows):
        result = []
        for number, values in rows:
            values = list(values)
            while values and values[-1] is None:
                values.pop()
            if values:
                result.append((number, tuple(values)))
        return result

    return trimmed(streamed), trimmed(calamine)


def test_the_stream_reads_every_plain_cell_as_calamine_does(tmp_path):
    streamed, calamine = _both(_workbook(tmp_path, CELLS))
    assert streamed == calamine
    assert streamed[-1] == (40, (None, None, "far down"))


def test_a_sheet_with_dates_is_read_as_calamine_reads_it(tmp_path):
    # Dates are left to calamine: the rows before them come from the stream, the rest from calamine.
    streamed, calamine = _both(_workbook(tmp_path, CELLS, dates=True))
    assert streamed == calamine
    assert any(isinstance(value, datetime.datetime) for _number, values in streamed for value in values)


def _with_sheet(data: bytes, text: bytes) -> bytes:
    """The workbook with its first sheet's part replaced by `text`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = text if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, body)
    return out.getvalue()


def _sheet_part(data: bytes, text: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(_with_sheet(data, text)))


SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>ok</t></is></c></row>'
    b"%s</sheetData></worksheet>"
)


@pytest.mark.parametrize(
    "row",
    [
        b'<row r="2"><c t="inlineStr" r="A2"><is><t>x</t></is></c></row>',  # attributes in another order
        b'<row r="2"><x:c r="A2"><v>1</v></x:c></row>',  # a namespace prefix
        b'<row r="2"><c r="A2" t="e"><v>#N/A</v></c></row>',  # an error value
        b'<row r="2"><c r="A2" t="inlineStr"><is><r><t>rich</t></r></is></c></row>',  # rich text
        b'<row r="2"><c r="A2"><v>1,5</v></c></row>',  # not a number
        b'<row r="1"><c r="A1"><v>1</v></c></row>',  # a row again
        b'<row r="2"><c r="A3"><v>1</v></c></row>',  # a cell of another row
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>&nbsp;</t></is></c></row>',  # an entity XML does not know
        b'</row><row r="2"><c r="A2"><v>1</v></c></row>',  # a row's end with no row open
        b'<c r="A2"><v>1</v></c>',  # a cell outside any row
        b'<row r="2"><c r="A2"><v>1</v></c><x/></row>',  # something else between a row's cells
        b'<row r="2"><row r="3"><c r="A3"><v>1</v></c></row>',  # a row inside a row
    ],
)
def test_the_stream_leaves_what_it_does_not_know_to_calamine_after_the_rows_it_gave(tmp_path, row):
    archive = _sheet_part(_workbook(tmp_path, [["x"]]), SHEET % row)
    given = []
    with pytest.raises(Unsupported) as unsupported:
        for row_read in stream_rows(archive, "xl/worksheets/sheet1.xml", strings=[], date_styles=frozenset()):
            given.append(row_read)
    # The reader (departments.workbook.Worksheet) goes on with calamine after the last row given.
    assert given in ([], [(1, ("ok",))])
    assert unsupported.value.after == (given[-1][0] if given else 0)


@pytest.mark.parametrize(
    "rows",
    [
        # white space between cells, and before a row's end
        b'<row r="2">\n  <c r="A2"><v>1</v></c>\n  <c r="C2" t="inlineStr"><is><t>c</t></is></c>\n</row>',
        # rows without cells, written either way, around a row that has some
        b'<row r="2"/><row r="3"></row><row r="4"><c r="B4"><v>4</v></c></row><row r="5" spans="1:3"/>',
        # a row's last cell empty, self-closed, and the same cell text ending two rows
        b'<row r="2"><c r="A2"><v>7</v></c><c r="B2" s="0"/></row><row r="3"><c r="A3"><v>7</v></c></row>',
    ],
)
def test_rows_in_every_plain_layout_are_read_as_calamine_reads_them(tmp_path, rows):
    streamed, calamine = _both(_with_sheet(_workbook(tmp_path, [["x"]]), SHEET % rows))
    assert streamed == calamine
    assert streamed[0] == (1, ("ok",)) and len(streamed) > 1
