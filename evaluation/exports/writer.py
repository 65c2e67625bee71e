"""Writing sheets to an Excel workbook in write-only (streaming) mode, formula-safe.

Exporters describe a sheet as `SheetData` (columns and rows, the rows possibly a
generator); `write_workbook` writes them one row at a time, so memory does not grow
with the number of rows. Every text cell is written so that Excel shows it as text
and never runs it as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from departments.cells import is_formula_like, keep_as_text
from evaluation.exports.printing import PrintHeading, prepare_sheet, set_up_printing

SCORE_FORMAT = "0.00"
COUNT_FORMAT = "0"
# A rank change stays a number (docs/scoring.md, "Rule 7: rank change") but reads as ↑2, ↓1 or 0; no earlier
# rank is an empty cell, which the ranking sheet's caption spells out.
RANK_CHANGE_FORMAT = '"↑"0;"↓"0;0'
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
TITLE_ROWS = 2  # a title line and an "exported at" line above the header row


@dataclass(frozen=True)
class Column:
    """A column of an exported sheet: its header, width and the number format of numbers in it."""

    header: str
    width: float = 12
    number_format: str | None = None


@dataclass
class SheetData:
    """One sheet as an exporter yields it. `rows` may be a generator: it is consumed while writing."""

    name: str
    caption: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def score(value: Any) -> Column:
    """Shorthand for a two-decimal score column."""
    return Column(str(value), 11, SCORE_FORMAT)


def count(value: Any) -> Column:
    return Column(str(value), 10, COUNT_FORMAT)


def rank_change(value: Any) -> Column:
    return Column(str(value), 10, RANK_CHANGE_FORMAT)


# --- writing -----------------------------------------------------------------------------------------------------


class _Writer:
    """Writes SheetData to a write-only workbook, reusing one styled cell per column and kind."""

    def __init__(self, *, title: str | None, heading: PrintHeading | None = None) -> None:
        self.workbook = Workbook(write_only=True)
        self.title = title
        self.heading = heading
        self.exported = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        self.names: set[str] = set()
        self.bold = Font(bold=True)
        self.fill = PatternFill("solid", fgColor="DDEBF7")
        self.border = Border(bottom=Side(style="thin"))

    def sheet(self, data: SheetData) -> None:
        worksheet = self.workbook.create_sheet(self._unique_name(data.name))
        for index, column in enumerate(data.columns, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = column.width
        header_row = TITLE_ROWS + 1 if self.title is not None else 1
        # Set before the first row: write-only sheets write their view and columns with it.
        worksheet.freeze_panes = f"A{header_row + 1}"
        if self.heading is not None:
            prepare_sheet(worksheet)
        if self.title is not None:
            self._title_rows(worksheet, data.caption)
        worksheet.append([self._header_cell(worksheet, column.header) for column in data.columns])
        written = self._rows(worksheet, data)
        last = get_column_letter(max(len(data.columns), 1))
        worksheet.auto_filter.ref = f"A{header_row}:{last}{header_row + written}"
        if self.heading is not None:
            set_up_printing(
                worksheet, self.heading, caption=data.caption, header_row=header_row, exported=self.exported
            )

    def _title_rows(self, worksheet: Any, caption: str) -> None:
        heading = WriteOnlyCell(worksheet, value=safe_text(f"{self.title} · {caption}"))
        heading.font = Font(bold=True, size=14)
        worksheet.append([heading])
        worksheet.append([safe_text(_("Exported %(time)s") % {"time": self.exported})])

    def _header_cell(self, worksheet: Any, header: str) -> WriteOnlyCell:
        cell = self._text_cell(worksheet, header) if is_formula_like(header) else WriteOnlyCell(worksheet, header)
        cell.font = self.bold
        cell.fill = self.fill
        cell.border = self.border
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def _text_cell(self, worksheet: Any, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(worksheet)
        _set_text(cell, text)
        return cell

    def _rows(self, worksheet: Any, data: SheetData) -> int:
        numbers = []
        for column in data.columns:
            cell = WriteOnlyCell(worksheet)
            cell.number_format = column.number_format or "General"
            numbers.append(cell if column.number_format else None)
        quoted = [self._text_cell(worksheet, "") for _column in data.columns]
        written = 0
        for row in data.rows:
            worksheet.append([_place(value, numbers, quoted, index) for index, value in enumerate(row)])
            written += 1
        return written

    def _unique_name(self, name: str) -> str:
        base = _SHEET_NAME_FORBIDDEN.sub(" ", str(name)).strip()[:28] or "Sheet"
        candidate, number = base, 2
        while candidate.casefold() in self.names:
            candidate, number = f"{base} {number}", number + 1
        self.names.add(candidate.casefold())
        return candidate


def _set_text(cell: WriteOnlyCell, text: str) -> None:
    cell.value = text
    keep_as_text(cell)


def _place(value: Any, numbers: list, quoted: list, index: int) -> Any:
    value = cell_value(value)
    if isinstance(value, str):
        if is_formula_like(value) and index < len(quoted):
            _set_text(quoted[index], value)
            return quoted[index]
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and index < len(numbers) and numbers[index]:
        numbers[index].value = value
        return numbers[index]
    return value


def safe_text(text: str) -> str:
    """Text without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def cell_value(value: Any) -> Any:
    """What a Python value becomes in a cell: numbers as numbers, None as an empty cell, the rest as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal | Fraction):
        return float(value)
    return safe_text(str(value))


def write_workbook(
    sheets: Iterable[SheetData], output: str | IO[bytes], *, title: str | None, heading: PrintHeading | None = None
) -> None:
    """Write `sheets` to `output` (a path or a binary file).

    With a `title`, each sheet starts with a title row and the export time above its
    bold, frozen, filtered header row; without one (importable workbooks) the header
    is the first row. With a `heading`, every sheet is set up to print (printing.py).
    """
    writer = _Writer(title=title, heading=heading)
    for data in sheets:
        writer.sheet(data)
    writer.workbook.save(output)
