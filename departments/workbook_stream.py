"""A sheet's rows read as a stream, for a workbook in the form Excel, WPS, LibreOffice and openpyxl write.

calamine (departments.workbook) builds a whole sheet in memory before the first row is read: on a quarter
workbook of 137,520 ballot rows that is about 110 MB at its peak, and as much again as Python lists. This
reader unpacks the sheet part a megabyte at a time and gives each row as it comes, with the values calamine
gives (then converted as `departments.workbook._as_openpyxl` converts them), so an import can check a row
and forget it.

It reads only the plain form of a sheet: cells with their references, of the types text (shared or inline),
number, boolean and formula result, no date formats, no namespace prefixes, nothing it does not know. At the
first thing outside that form it raises `Unsupported` with the last row it gave, and the caller reads the rest
of the sheet with calamine, from the next row (departments.workbook.Worksheet). What it accepts it reads as
calamine does; tests/departments/test_workbook_stream.py compares the two on every kind of cell.

The archive has been checked by `workbook_limits.check_archive` before this runs (sizes, compression, CRC,
document type declarations, how far the cells reach).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

_CHUNK = 1 << 20
# A row longer than this (unpacked) is left to calamine.
_MAX_ROW_BYTES = 16 << 20
# Distinct cell bodies remembered; a workbook's values repeat (levels, codes, sources).
_CACHE_SIZE = 50_000
_EXACT_INTEGERS = 2**53

_SHEET_DATA = re.compile(rb"<sheetData\s*(/?)>")
# The text is cut at each row's end and each cell's start (C-speed splits); what follows a cell's reference is
# the same bytes again and again (`" t="s"><v>3</v></c>`), so its value is remembered by those bytes. Cut at
# cells only, a row's last cell would carry the next row's start tag, and its bytes would never repeat.
_CELL_START = b'<c r="'
_ROW_END = b"</row>"
_CELL_REST = re.compile(rb'((?:\s+[A-Za-z:]+="[^"<>]*")*)\s*(?:/>|>(.*?)</c>)(.*)', re.DOTALL)
# Before a row's first cell: the row's start tag, after any rows without cells (the text is cut at row ends).
_ROW_TAG = re.compile(rb'\s*<row r="([0-9]{1,7})"(?:\s+[A-Za-z0-9:]+="[^"<>]*")*\s*(/?)>')
_CELL_ATTRIBUTES = re.compile(rb'(?:\s+[A-Za-z:]+="[^"<>]*")*\s*')
_ATTRIBUTE = re.compile(rb'\s+([A-Za-z:]+)="([^"<>]*)"')
# A cell's content: a formula (its text is not read), then the stored value or an inline string.
_FORMULA = re.compile(rb'<f(?:\s+[A-Za-z]+="[^"<>]*")*\s*(?:/>|>[^<]*</f>)')
_VALUE = re.compile(rb"<v>([^<]*)</v>|<v\s*/>")
_TEXT = rb'<t(?:\s+xml:space="preserve")?\s*>([^<]*)</t>|<t\s*/>'
_INLINE = re.compile(rb"<is>(?:" + _TEXT + rb")</is>")
_SHARED_ITEM = re.compile(rb"<si>(?:" + _TEXT + rb")</si>")
_SHARED_START = re.compile(rb"<sst(?:\s+[A-Za-z0-9:]+=\"[^\"<>]*\")*\s*(/?)>")
_NUMBER = re.compile(rb"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DECLARATION = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([^"']*)["']""")


class Unsupported(Exception):
    """The sheet holds something this reader leaves to calamine; `after` is the last row it gave (0: none)."""

    def __init__(self, after: int) -> None:
        super().__init__(after)
        self.after = after


def column_index(letters: bytes) -> int:
    """0 for A, 26 for AA."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number - 1


def _text(raw: bytes) -> str:
    """Element text as an XML reader gives it, then with Excel's _xHHHH_ escapes read (as calamine reads them)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unsupported(0) from None
    if "\r" in text:  # an XML reader folds line ends; left to calamine
        raise Unsupported(0)
    if "&" in text:
        text = _unescape(text)
    if "_x" in text:
        text = _ESCAPE.sub(_escaped, text)
    return text


def _unescape(text: str) -> str:
    if "&" in _ENTITY.sub("", text):  # an entity XML does not define, or a bare ampersand
        raise Unsupported(0)
    return _ENTITY.sub(_entity, text)


def _entity(match: re.Match) -> str:
    if match.group(1):
        return _NAMED[match.group(1)]
    code = int(match.group(2)) if match.group(2) else int(match.group(3), 16)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise Unsupported(0)
    return chr(code)


def _escaped(match: re.Match) -> str:
    code = int(match.group(1), 16)
    if 0xD800 <= code <= 0xDFFF:
        raise Unsupported(0)
    return chr(code)


def _number(raw: bytes) -> int | float:
    if _NUMBER.fullmatch(raw) is None:
        raise Unsupported(0)
    value = float(raw)
    return int(value) if value.is_integer() and abs(value) < _EXACT_INTEGERS else value


def _chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    with archive.open(name) as part:
        while chunk := part.read(_CHUNK):
            yield chunk


def _check_encoding(head: bytes) -> None:
    declared = _DECLARATION.match(head.lstrip(b"\xef\xbb\xbf"))
    if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Unsupported(0)


def shared_strings(archive: zipfile.ZipFile, name: str | None) -> list[str] | None:
    """The shared strings table in its plain form (one text per item), or None when it holds anything else."""
    if name is None:
        return []
    data = archive.read(name)
    try:
        _check_encoding(data[:200])
        start = _SHARED_START.search(data)
        if start is None:
            return None
        if start.group(1):
            return []
        strings: list[str] = []
        position = start.end()
        for match in _SHARED_ITEM.finditer(data, position):
            if match.start() != position:
                return None
            raw = match.group(1)
            strings.append(_text(raw) if raw else "")
            position = match.end()
        if not data[position:].lstrip().startswith(b"</sst>"):
            return None
    except Unsupported:
        return None
    return strings


class _Cells:
    """Turns a cell's attributes and content into its value, remembering the bodies already seen."""

    def __init__(self, strings: list[str] | None, date_styles: frozenset[bytes] | None) -> None:
        self.strings = strings
        self.date_styles = date_styles
        self.kinds: dict[bytes, bytes] = {}
        self.values: dict[tuple[bytes, bytes | None], Any] = {}

    def kind(self, attributes: bytes) -> bytes:
        """The cell's type (b"n" for a number), refusing what this reader does not read."""
        kind = self.kinds.get(attributes)
        if kind is None:
            if _CELL_ATTRIBUTES.fullmatch(attributes) is None:
                raise Unsupported(0)
            found = dict(_ATTRIBUTE.findall(attributes))
            if set(found) - {b"t", b"s"}:
                raise Unsupported(0)
            kind = found.get(b"t", b"n")
            if kind not in (b"n", b"s", b"inlineStr", b"str", b"b"):
                raise Unsupported(0)
            style = found.get(b"s", b"0")
            # A number in a date format is a date to calamine: left to it.
            if kind == b"n" and (self.date_styles is None or style in self.date_styles):
                kind = b"date?"
            if kind == b"s" and self.strings is None:
                raise Unsupported(0)
            self.kinds[attributes] = kind
        return kind

    def value(self, attributes: bytes, body: bytes) -> Any:
        key = (attributes, body)
        value = self.values.get(key, self)
        if value is self:
            value = self._read(self.kind(attributes), body)
            if len(self.values) >= _CACHE_SIZE:
                self.values.clear()
            self.values[key] = value
        return value

    def _read(self, kind: bytes, body: bytes) -> Any:
        if kind == b"inlineStr":
            match = _INLINE.fullmatch(body)
            if match is None:
                raise Unsupported(0)
            return _text(match.group(1)) if match.group(1) else None
        formula = _FORMULA.match(body)
        rest = body[formula.end() :] if formula is not None else body
        if not rest:
            return None
        match = _VALUE.fullmatch(rest)
        if match is None:
            raise Unsupported(0)
        raw = match.group(1)
        if not raw:
            if formula is None and kind != b"str":
                raise Unsupported(0)
            return None  # a formula stored without its result (reported as such), or a text formula giving ""
        if kind == b"n":
            return _number(raw)
        if kind == b"str":
            return _text(raw) or None
        if kind == b"b":
            if raw not in (b"0", b"1"):
                raise Unsupported(0)
            return raw == b"1"
        if kind == b"s":
            index = int(raw) if raw.isdigit() else -1
            if not 0 <= index < len(self.strings):
                raise Unsupported(0)
            return self.strings[index] or None
        raise Unsupported(0)  # a number in a date format


def stream_rows(
    archive: zipfile.ZipFile, part: str, *, strings: list[str] | None, date_styles: frozenset[bytes] | None
) -> Iterator[tuple[int, tuple]]:
    """The sheet part's rows as (Excel row number, values), blank rows left out; raises Unsupported."""
    cells = _Cells(strings, date_styles)
    chunks = _chunks(archive, part)
    buffer = b""
    # Up to <sheetData>: an XML reader must accept it, and it holds no cells.
    parser = expat.ParserCreate()
    for chunk in chunks:
        if not buffer:
            _check_encoding(chunk[:200])
        buffer += chunk
        found = _SHEET_DATA.search(buffer)
        if found is not None:
            break
        if len(buffer) > _MAX_ROW_BYTES:
            raise Unsupported(0)
    else:
        raise Unsupported(0)
    try:
        parser.Parse(buffer[: found.start()], False)
    except expat.ExpatError:
        raise Unsupported(0) from None
    if b"<c" in buffer[: found.start()] or found.group(1):
        raise Unsupported(0)
    buffer = buffer[found.end() :]
    reader = _RowReader(cells)
    while True:
        chunk = next(chunks, None)
        if chunk is not None:
            buffer += chunk
        end = buffer.find(b"</sheetData>")
        final = end >= 0
        if final:
            text = buffer[:end]
        elif chunk is None:
            raise Unsupported(reader.last_row)
        else:
            cut = buffer.rfind(b"</row>")
            if cut < 0:
                if len(buffer) > _MAX_ROW_BYTES:
                    raise Unsupported(reader.last_row)
                continue
            cut += len(b"</row>")
            text, buffer = buffer[:cut], buffer[cut:]
        if b":row" in text or b":c" in text:
            raise Unsupported(reader.last_row)
        try:
            yield from reader.read(text)
        except Unsupported:
            raise Unsupported(reader.last_row) from None
        if final:
            if reader.open:
                raise Unsupported(reader.last_row)
            return


class _RowReader:
    """Rows out of sheet data text, which may stop after any row's end tag."""

    def __init__(self, cells: _Cells) -> None:
        self.cells = cells
        self.last_row = 0  # the last row given
        self.number = b""  # the open row's number, as written
        self.row_number = 0
        self.open = False
        self.row: list[Any] = []
        self.columns: dict[bytes, int] = {}
        self.rests: dict[bytes, Any] = {}

    def read(self, text: bytes) -> Iterator[tuple[int, tuple]]:
        # Row by row: cut at each row's end tag, so that a row's last cell ends at its own `</c>` as every other
        # cell does, and its rest (the bytes after its reference) is remembered like theirs.
        pieces = text.split(_ROW_END)
        for ended, piece in enumerate(pieces, start=1 - len(pieces)):
            parts = piece.split(_CELL_START)
            self._between(parts[0])
            if len(parts) > 1:
                self._cells(parts)
            if ended:  # a row's end tag followed the piece
                yield from self._end_row()

    def _cells(self, parts: list[bytes]) -> None:
        """The open row's cells: `parts[1:]`, each a cell's text after its start."""
        if not self.open:
            raise Unsupported(0)
        rests, columns, cells = self.rests, self.columns, self.cells
        number, row = self.number, self.row
        for part in parts[1:]:
            reference, _quote, rest = part.partition(b'"')
            if not reference.endswith(number):
                raise Unsupported(0)
            letters = reference[: len(reference) - len(number)]
            index = columns.get(letters)
            if index is None:
                if not (letters.isalpha() and letters.isupper() and 0 < len(letters) <= 3):
                    raise Unsupported(0)
                index = columns[letters] = column_index(letters)
            if index < len(row):
                raise Unsupported(0)
            value = rests.get(rest, rests)
            if value is rests:
                match = _CELL_REST.fullmatch(rest)
                if match is None:
                    raise Unsupported(0)
                attributes, content, trailer = match.groups()
                if trailer.strip():  # only white space may follow a cell within its row
                    raise Unsupported(0)
                cells.kind(attributes)
                value = cells.value(attributes, content) if content else None
                if not trailer:
                    if len(rests) >= _CACHE_SIZE:
                        rests.clear()
                    rests[rest] = value
            if value is not None:
                if index > len(row):
                    row.extend([None] * (index - len(row)))
                row.append(value)

    def _end_row(self) -> Iterator[tuple[int, tuple]]:
        if not self.open:
            raise Unsupported(0)
        self.open = False
        if self.row:
            self.last_row = self.row_number
            yield self.row_number, tuple(self.row)

    def _between(self, text: bytes) -> None:
        """What comes before a row's first cell: rows without cells (`<row r="7"/>`), then the row's start tag."""
        position = 0
        for match in _ROW_TAG.finditer(text):
            if match.start() != position:
                raise Unsupported(0)
            position = match.end()
            number = int(match.group(1))
            if self.open or number <= self.row_number:
                raise Unsupported(0)
            self.number, self.row_number, self.row = match.group(1), number, []
            self.open = not match.group(2)
        if text[position:].strip():
            raise Unsupported(0)


_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)})
_FORMAT = re.compile(rb'<numFmt\s+numFmtId="([0-9]+)"\s+formatCode="([^"]*)"\s*/>')
_CELL_FORMATS = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.DOTALL)
_XF = re.compile(rb"<xf\b([^>]*)>")
_FORMAT_ID = re.compile(rb'\bnumFmtId="([0-9]+)"')
# Letters of a date or time in a number format (outside quoted text, escapes and [colour] brackets).
_DATE_LETTERS = re.compile(rb"[dmyhsegbDMYHSEGB]")
_NOT_FORMAT = re.compile(rb'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def date_styles(archive: zipfile.ZipFile, name: str | None) -> frozenset[bytes] | None:
    """The style indexes (`s` of a cell) whose number format may show a date, or None when unsure.

    Generous on purpose: a number in any of these styles sends the sheet to calamine, which knows dates.
    """
    if name is None:
        return frozenset()
    data = archive.read(name)
    if b":cellXfs" in data or b":numFmt" in data:
        return None
    custom = {}
    for format_id, code in _FORMAT.findall(data):
        custom[format_id] = bool(_DATE_LETTERS.search(_NOT_FORMAT.sub(b"", code)))
    if data.count(b"<numFmt ") != len(custom):
        return None
    formats = _CELL_FORMATS.search(data)
    if formats is None:
        return frozenset() if b"cellXfs" not in data else None
    styles = set()
    for index, attributes in enumerate(_XF.findall(formats.group(1))):
        found = _FORMAT_ID.search(attributes)
        format_id = found.group(1) if found else b"0"
        if custom.get(format_id, int(format_id) in _DATE_FORMAT_IDS):
            styles.add(str(index).encode())
    return frozenset(styles)
