"""Reading the product's xlsx workbooks (docs/workbooks.md, "Rules for every import").

Every import reads its sheets through `read_sheet`, which matches headers
case-insensitively after trimming (an English header or its Chinese alias),
reports problems as `ImportIssue`s instead of raising, and numbers rows as
Excel shows them. `open_workbook` refuses, with `WorkbookInvalid`, a file that
cannot be read as a workbook at all.

Cells are parsed by calamine (a compiled reader, many times faster than
openpyxl on the large quarter workbook); its values are converted to what
openpyxl's reader gives, so the imports see the same types. calamine drops
the value of error cells (#N/A, #DIV/0!, ...), which an import must report
rather than take as blank, so a workbook holding one is read by openpyxl.

A formula is read as the result its file stores. Excel, WPS and LibreOffice
store one; a program writing xlsx without calculating does not, and both
readers would then take the cell as blank (an abstention, a missing name).
Such a file is refused, naming every such cell: `read_sheet` reports the
cells of the sheet it reads alongside every other problem of that sheet, so
a file with one uncalculated formula and ten typing errors lists all eleven
at once (docs/workbooks.md, "Rules for every import").
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import python_calamine
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.packaging.manifest import Manifest
from openpyxl.reader.excel import _find_workbook_part
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.xml.constants import ARC_CONTENT_TYPES
from openpyxl.xml.functions import fromstring

from departments.workbook_limits import ArchiveRefused, WorkbookLimits, check_archive, damaged_message
from departments.workbook_stream import Unsupported, date_styles, shared_strings, stream_rows

# Every xlsx file is a zip archive; its first bytes say so.
_ZIP_MAGIC = b"PK\x03\x04"
# Old binary .xls (OLE2) files, refused with a hint to save as .xlsx.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in a workbook: where it is and what is wrong."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = ", ".join(str(part) for part in (self.sheet, self.row, self.column) if part not in (None, ""))
        return f"{place}: {self.message}" if place else str(self.message)


class WorkbookInvalid(Exception):
    """The file or its content cannot be imported; `issues` says why."""

    def __init__(self, issues: Sequence[ImportIssue]) -> None:
        self.issues = list(issues)
        super().__init__("; ".join(str(issue) for issue in self.issues))


@dataclass(frozen=True)
class ColumnSpec:
    """A column an import reads: its English header `key` and other accepted headers."""

    key: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, header: str) -> bool:
        return normalise_header(header) in {normalise_header(name) for name in (self.key, *self.aliases)}


@dataclass(frozen=True)
class SheetSpec:
    """A sheet an import reads: its English name `key`, other accepted names, and its columns."""

    key: str
    aliases: tuple[str, ...] = ()
    columns: Sequence[ColumnSpec] = ()
    required: bool = True

    def matches(self, title: str) -> bool:
        return normalise_header(title) in {normalise_header(name) for name in (self.key, *self.aliases)}


@dataclass
class SheetRow:
    """One non-blank data row of a sheet.

    `values` maps each spec column present in the sheet to its cell value (text
    trimmed, empty text as None); `extra` maps the header text of every other
    column to its value (used for columns named by data, e.g. criterion codes).
    """

    sheet: str
    number: int
    values: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def column(self, key: str) -> str:
        """The header of column `key` as written in the file (for messages)."""
        return self.headers.get(key, key)

    def issue(self, key: str | None, message: str) -> ImportIssue:
        """An issue located at this row and, if given, at column `key`."""
        return ImportIssue(self.sheet, self.number, self.column(key) if key else None, message)


def normalise_header(text: Any) -> str:
    """Header text compared: full-width forms folded, spaces trimmed, case ignored."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


# How a yes/no cell may be written, in English or Chinese (compared after normalise_header).
YES = frozenset({"yes", "y", "true", "1", "是", "√"})
NO = frozenset({"no", "n", "false", "0", "否", "×"})


def yes_no_value(value: Any) -> bool | None:
    """A yes/no cell as a bool (a boolean cell as it is), or None when it says neither."""
    if isinstance(value, bool):
        return value
    text = normalise_header(value)
    return True if text in YES else False if text in NO else None


def clean_value(value: Any) -> Any:
    """A cell value as imports see it: text trimmed, empty text as None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- opening -----------------------------------------------------------------------------------------------------


@dataclass
class Worksheet:
    """One worksheet of an opened workbook: its title and its parsed sheet (openpyxl's when `book` is None).

    A calamine workbook's sheets are read as a stream (departments.workbook_stream) where their form allows,
    and by calamine from the row where it does not; a sheet calamine cannot read is read by openpyxl.
    """

    title: str
    parsed: Any
    book: python_calamine.CalamineWorkbook | None = None
    part: str | None = None  # the sheet's part in the archive, for the stream
    source: Workbook | None = None

    def iter_numbered_rows(self) -> Iterator[tuple[int, tuple]]:
        """The rows as (Excel row number, values as openpyxl gives them); blank rows may be left out."""
        if self.book is None:
            return _openpyxl_rows(self.parsed)
        return self._streamed_rows()

    def _streamed_rows(self) -> Iterator[tuple[int, tuple]]:
        source, after = self.source, 0
        try:
            if self.part is None or source is None or source.archive is None:
                raise Unsupported(0)
            streamed = stream_rows(source.archive, self.part, strings=source.strings, date_styles=source.date_styles)
            for number, values in streamed:
                after = number
                yield number, values
            return
        except Unsupported as unsupported:
            after = max(after, unsupported.after)
        # A sheet read again is parsed again: calamine's parsed sheet is not kept.
        try:
            sheet = self.book.get_sheet_by_name(self.title)
        except python_calamine.CalamineError:
            yield from self._openpyxl_rows_after(after)
            return
        for number, values in _calamine_rows(sheet):
            if number > after:
                yield number, values

    def _openpyxl_rows_after(self, after: int) -> Iterator[tuple[int, tuple]]:
        """What calamine cannot read, openpyxl decides, as it decides for a whole workbook (see _open_parsed)."""
        try:
            book = load_workbook(io.BytesIO(self.source.data), read_only=True, data_only=True)
            sheet = book[self.title]
        except _DAMAGED_ERRORS as error:
            raise _damaged() from error
        try:
            for number, values in _openpyxl_rows(sheet):
                if number > after:
                    yield number, values
        finally:
            book.close()

    def is_blank(self) -> bool:
        return not _first_nonblank_row(self.iter_numbered_rows())


@dataclass
class Workbook:
    """An opened workbook: its worksheets in workbook order."""

    worksheets: list[Worksheet]
    closer: Any = None
    # (Excel row, column letter) of each formula cell stored without its result, by sheet title.
    uncalculated: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # For the stream (calamine workbooks only): the archive, its shared strings and date styles when plain.
    data: bytes = b""
    archive: zipfile.ZipFile | None = None
    strings: list[str] | None = None
    date_styles: frozenset[bytes] | None = None

    def close(self) -> None:
        if self.closer is not None:
            self.closer.close()
            self.closer = None
        if self.archive is not None:
            self.archive.close()
            self.archive = None


_DAMAGED_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    IndexError,
    AttributeError,
    ParseError,
    python_calamine.CalamineError,
    # Checked for by check_archive before any reader runs; caught here too so that no reader's error escapes.
    zlib.error,
    NotImplementedError,
    RuntimeError,
)


def open_workbook(
    source: str | os.PathLike | IO[bytes] | Any, *, max_bytes: int, limits: WorkbookLimits | None = None
) -> Workbook:
    """Open an xlsx workbook (a path or an uploaded file), with computed values.

    Raises WorkbookInvalid when the file is empty, larger than `max_bytes`, not an
    xlsx workbook, damaged, beyond `limits` once unpacked (by default the settings'),
    or holds no data at all.
    """
    data = _read_bytes(source, max_bytes=max_bytes)
    if not data.startswith(_ZIP_MAGIC):
        message = (
            _("This is an old Excel (.xls) file; save it as an Excel workbook (.xlsx) and try again.")
            if data.startswith(_OLE_MAGIC)
            else _("This file is not an Excel workbook (.xlsx).")
        )
        raise _invalid(message)
    try:
        # Before any reader sees the file: what it unpacks to, and how far its sheets reach.
        check_archive(data, limits or WorkbookLimits.from_settings())
    except ArchiveRefused as refused:
        raise _invalid(str(refused)) from None
    try:
        workbook = _open_parsed(data)
    except _DAMAGED_ERRORS as error:
        # Damaged or foreign files fail with a variety of errors.
        raise _damaged() from error
    if _is_blank(workbook):
        # Formulas without results read as blank: say so rather than call the file empty.
        cells = [(name, row, column) for name, found in workbook.uncalculated.items() for row, column in found]
        raise WorkbookInvalid(_uncalculated_issues(cells)) if cells else _invalid(_("The workbook is empty."))
    return workbook


def _open_parsed(data: bytes) -> Workbook:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # The same test openpyxl makes: the package must hold an Excel workbook part (not .ods, .docx, .xlsb).
        workbook_part = _find_workbook_part(Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES))))
        has_error_cells, uncalculated, parts = _scan_parts(archive, workbook_part.PartName.lstrip("/"))
    workbook = None
    if not has_error_cells:
        # On a calamine error openpyxl decides whether the file is readable, as it always did.
        with contextlib.suppress(python_calamine.CalamineError):
            workbook = _open_with_calamine(data, parts)
    workbook = workbook or _open_with_openpyxl(data)
    for name, row, column in uncalculated:
        workbook.uncalculated.setdefault(name, []).append((row, column))
    return workbook


# Where calamine reads a workbook's shared strings and styles; the stream reads the same parts.
_SHARED_STRINGS_PART = "xl/sharedStrings.xml"
_STYLES_PART = "xl/styles.xml"


def _open_with_calamine(data: bytes, parts: dict[str, str]) -> Workbook:
    """The workbook opened by calamine, its sheets parsed when read (see Worksheet)."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    workbook = Workbook([], closer=book, data=data, archive=zipfile.ZipFile(io.BytesIO(data)))
    names = set(workbook.archive.namelist())
    workbook.strings = shared_strings(workbook.archive, _SHARED_STRINGS_PART if _SHARED_STRINGS_PART in names else None)
    workbook.date_styles = date_styles(workbook.archive, _STYLES_PART if _STYLES_PART in names else None)
    workbook.worksheets = [
        Worksheet(meta.name, None, book, part=parts.get(meta.name), source=workbook)
        for meta in book.sheets_metadata
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    return workbook


def _open_with_openpyxl(data: bytes) -> Workbook:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # Sheets are parsed as they are read; a damaged one is refused then, before an import writes anything.
    return Workbook([Worksheet(sheet.title, sheet) for sheet in book.worksheets], closer=book)


# A cell holding an error value (t="e"); a conservative test: any such attribute in a part sends the file to openpyxl.
_ERROR_CELL = re.compile(rb"""\bt\s*=\s*["']e["']""")
# One cell of a sheet part (any namespace prefix), and the parts of it that matter here.
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_RESULT = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.DOTALL)
_CELL_TYPE = re.compile(rb"""\bt\s*=\s*["'](\w+)["']""")
_CELL_REFERENCE = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,3})(\d+)["']""")
# Enough cells to show what is wrong; the count says how many more.
_MAX_CELLS_NAMED = 20


def _scan_parts(
    archive: zipfile.ZipFile, workbook_part: str
) -> tuple[bool, list[tuple[str, int, str]], dict[str, str]]:
    """One pass over the archive's parts: whether any holds an error cell, every formula cell stored
    without its result as (sheet name, Excel row, column letter), and each sheet's part by sheet name."""
    parser = WorkbookParser(archive, workbook_part)
    parser.parse()
    sheet_names = {relation.target: sheet.name for sheet, relation in parser.find_sheets()}
    has_error_cells = False
    uncalculated: list[tuple[str, int, str]] = []
    for info in archive.infolist():
        # Cells live in the sheet parts, wherever a writer put them; shared strings hold text only.
        if not info.filename.lower().endswith(".xml") or "sharedstrings" in info.filename.lower():
            continue
        error_cells, formulas = _scan_part(archive, info)
        has_error_cells = has_error_cells or error_cells
        if formulas and info.filename in sheet_names:
            # Read whole only when it holds formulas: a sheet of keyed values is scanned a megabyte at a time.
            cells = _uncalculated_cells(archive.read(info))
            uncalculated += [(sheet_names[info.filename], row, column) for row, column in cells]
    return has_error_cells, uncalculated, {name: part for part, name in sheet_names.items()}


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bool, bool]:
    """Whether a part holds an error cell, and whether it may hold a formula; read a megabyte at a time.

    Each piece is scanned with the last tag of the one before (from its "<"): both tests look inside one
    tag, and check_archive has refused any tag of more than a few megabytes.
    """
    error_cells = formulas = False
    tail = b""
    with archive.open(info) as part:
        while piece := part.read(1 << 20):
            text = tail + piece
            error_cells = error_cells or _holds_error_cell(text)
            formulas = formulas or b"f>" in text
            tail = text[max(0, text.rfind(b"<")) :]
    return error_cells, formulas


def _holds_error_cell(part: bytes) -> bool:
    # The plain substring tests are fast and almost always false; the pattern confirms.
    return (b'"e"' in part or b"'e'" in part) and _ERROR_CELL.search(part) is not None


def _uncalculated_cells(part: bytes) -> list[tuple[int, str]]:
    """(Excel row, column letter) of each formula cell of a sheet part stored without its result."""
    # Every formula has a closing tag, of its own (<f>…</f>) or of the master cell of a shared one, so one
    # plain substring test settles the fast, usual case: no formula at all.
    if b"f>" not in part:
        return []
    cells = []
    for match in _CELL.finditer(part):
        body = match.group(2) or b""
        if _FORMULA.search(body) and not _has_result(match.group(1), body):
            reference = _CELL_REFERENCE.search(match.group(1))
            cells.append((int(reference.group(2)), reference.group(1).decode().upper()) if reference else (0, ""))
    return cells


def _uncalculated_issues(cells: Sequence[tuple[str, int, str]]) -> list[ImportIssue]:
    message = _(
        "This cell holds a formula whose result was never calculated (the file was written by a program, not "
        "saved by Excel or WPS), so its value cannot be read. Type the value instead, or open the file in "
        "Excel or WPS and save it again."
    )
    issues = [ImportIssue(name, row or None, column or None, message) for name, row, column in cells[:_MAX_CELLS_NAMED]]
    if len(cells) > _MAX_CELLS_NAMED:
        more = _("%(count)d more cells hold formulas without a calculated result.")
        issues.append(ImportIssue("", None, None, more % {"count": len(cells) - _MAX_CELLS_NAMED}))
    return issues


def _has_result(attributes: bytes, body: bytes) -> bool:
    """Whether a formula cell stores its result. openpyxl writes an empty <v/>; an empty result is a stored
    one only for a text formula (t="str"), which may give ""."""
    result = _RESULT.search(body)
    if result is None:
        return False
    if result.group(1):
        return True
    cell_type = _CELL_TYPE.search(attributes)
    return cell_type is not None and cell_type.group(1) == b"str"


def _invalid(message: str) -> WorkbookInvalid:
    return WorkbookInvalid([ImportIssue("", None, None, message)])


def _damaged() -> WorkbookInvalid:
    return _invalid(damaged_message())


def _read_bytes(source: Any, *, max_bytes: int) -> bytes:
    size = _size_of(source)
    if size is not None:
        _check_size(size, max_bytes)
    if isinstance(source, str | os.PathLike):
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            raise _invalid(_("The file cannot be read.")) from error
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        # Read one byte past the limit so a file without a known size is still refused.
        data = source.read(max_bytes + 1)
    _check_size(len(data), max_bytes)
    return data


def _size_of(source: Any) -> int | None:
    if isinstance(source, str | os.PathLike):
        try:
            return os.path.getsize(source)
        except OSError as error:
            raise _invalid(_("The file cannot be read.")) from error
    return getattr(source, "size", None)


def _check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise _invalid(_("The file is empty."))
    if size > max_bytes:
        raise _invalid(
            _("The file is too large (%(size)s bytes); the limit is %(limit)s bytes.")
            % {"size": size, "limit": max_bytes}
        )


def _is_blank(workbook: Workbook) -> bool:
    return all(worksheet.is_blank() for worksheet in workbook.worksheets)


def _openpyxl_rows(worksheet: Any) -> Iterator[tuple[int, tuple]]:
    """Rows as openpyxl's read-only reader parses them, lazily: damage further down a sheet shows only here."""
    # Files written by some tools declare a wrong size; read every row instead.
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()
    rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _DAMAGED_ERRORS as error:
            raise _damaged() from error
        yield row


def _calamine_rows(sheet: Any) -> Iterator[tuple[int, tuple]]:
    """Rows numbered as in Excel: without `skip_empty_area` calamine starts its rows and columns at A1."""
    rows = sheet.to_python(skip_empty_area=False)
    for index, values in enumerate(rows):
        rows[index] = None  # release each row once converted; the sheet can be large
        yield index + 1, tuple(_as_openpyxl(value) for value in values)


# Integral numbers below this are exact in a float; openpyxl gives them as int (Excel writes them without a point).
_EXACT_INTEGERS = 2**53


def _as_openpyxl(value: Any) -> Any:
    """A calamine cell value as openpyxl's reader gives it: empty as None, whole numbers as int, dates as datetime."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < _EXACT_INTEGERS else value
    if kind is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)
    return value


def _first_nonblank_row(rows: Iterable[tuple[int, tuple]]) -> tuple[int, tuple] | tuple[()]:
    for number, values in rows:
        if any(clean_value(value) is not None for value in values):
            return number, values
    return ()


# --- reading a sheet ---------------------------------------------------------------------------------------------


def find_sheet(workbook: Workbook, spec: SheetSpec) -> Worksheet | None:
    """The worksheet matching `spec` by name or alias, or None."""
    return next((sheet for sheet in workbook.worksheets if spec.matches(sheet.title)), None)


def read_sheet(workbook: Workbook, spec: SheetSpec, issues: list[ImportIssue]) -> list[SheetRow] | None:
    """Read the data rows of the sheet `spec` describes.

    The first non-blank row is the header row; blank rows are skipped. Returns
    None when the sheet is absent or its header row lacks a required column
    (an issue is appended, except for an absent optional sheet).
    """
    rows = iter_sheet(workbook, spec, issues)
    return None if rows is None else list(rows)


def iter_sheet(workbook: Workbook, spec: SheetSpec, issues: list[ImportIssue]) -> Iterator[SheetRow] | None:
    """`read_sheet` as a stream: the sheet and its header row are read now (their problems appended to
    `issues`), the data rows as the caller takes them, each row's problems appended as it is read.

    A large sheet is then checked a row at a time and never held whole; the workbook must stay open until
    the rows are read.
    """
    worksheet = find_sheet(workbook, spec)
    if worksheet is None:
        if spec.required:
            issues.append(ImportIssue(spec.key, None, None, _("The sheet is missing.")))
        return None
    # Reported with the sheet's other problems: the checks that follow read such a cell as blank.
    uncalculated = workbook.uncalculated.get(worksheet.title, [])
    issues += _uncalculated_issues([(worksheet.title, row, column) for row, column in uncalculated])
    rows = worksheet.iter_numbered_rows()
    header = _first_nonblank_row(rows)
    if not header:
        if spec.required or any(column.required for column in spec.columns):
            issues.append(ImportIssue(worksheet.title, None, None, _("The sheet has no header row.")))
            return None
        return iter(())
    header_number, header_values = header
    positions = _map_columns(worksheet.title, header_number, header_values, spec, issues)
    if positions is None:
        return None
    return (row for row in _data_rows(worksheet.title, rows, header_values, positions, issues) if row is not None)


def _map_columns(
    title: str, number: int, header_values: tuple, spec: SheetSpec, issues: list[ImportIssue]
) -> dict[str, int] | None:
    """Column key -> index in the row; None (with issues) when a required column is missing or doubled."""
    positions: dict[str, int] = {}
    ok = True
    for index, raw in enumerate(header_values):
        if clean_value(raw) is None:
            continue
        column = next((column for column in spec.columns if column.matches(str(raw))), None)
        if column is None:
            continue
        if column.key in positions:
            issues.append(ImportIssue(title, number, str(raw).strip(), _("This column appears more than once.")))
            ok = False
        positions[column.key] = index
    for column in spec.columns:
        if column.required and column.key not in positions:
            issues.append(ImportIssue(title, number, column.key, _("The required column is missing.")))
            ok = False
    return positions if ok else None


def _data_rows(
    title: str,
    rows: Iterable[tuple[int, tuple]],
    header_values: tuple,
    positions: dict[str, int],
    issues: list[ImportIssue],
) -> Iterable[SheetRow | None]:
    headers = {key: str(header_values[index]).strip() for key, index in positions.items()}
    known = set(positions.values())
    extra_columns = {
        index: str(raw).strip()
        for index, raw in enumerate(header_values)
        if index not in known and clean_value(raw) is not None
    }
    for number, raw_values in rows:
        values = [clean_value(value) for value in raw_values]
        _refuse_null_characters(title, number, header_values, values, issues)
        if all(value is None for value in values):
            yield None
            continue
        yield SheetRow(
            sheet=title,
            number=number,
            values={key: _at(values, index) for key, index in positions.items()},
            headers=headers,
            extra={name: _at(values, index) for index, name in extra_columns.items()},
        )


def _refuse_null_characters(
    title: str, number: int, header_values: tuple, values: list[Any], issues: list[ImportIssue]
) -> None:
    """A text cell holding NUL (written _x0000_ in the file) is an issue; PostgreSQL cannot store the character.

    The character is taken out of the value so that the checks that follow (some query the database) still run
    and list every other problem; the issue refuses the file.
    """
    for index, value in enumerate(values):
        if isinstance(value, str) and "\x00" in value:
            header = clean_value(_at(header_values, index))
            column = str(header) if header is not None else None
            issues.append(
                ImportIssue(title, number, column, _("This cell contains a null character, which is not allowed."))
            )
            values[index] = clean_value(value.replace("\x00", ""))


def _at(values: Sequence[Any], index: int) -> Any:
    return values[index] if index < len(values) else None
