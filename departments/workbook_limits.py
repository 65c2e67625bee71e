"""Checks an xlsx archive against size limits before any reader parses it (README, "Hostile workbooks").

The readers trust what a file says: calamine builds a dense range from A1 to the farthest cell, so one
cell at XFD1048576 asks for half a terabyte; a few megabytes of deflate data can unpack to gigabytes;
a damaged or Deflate64 entry raises errors no import expects. So before parsing, every entry of the
archive is decompressed here, as a stream and a megabyte at a time, and checked:

- the entry count, each entry's declared and actual unpacked size and their total, the shared strings'
  size, against `WorkbookLimits` (settings `WORKBOOK_MAX_*`);
- the compression method (stored or deflate: what Excel, WPS and LibreOffice write), the deflate data
  and its CRC, and that each entry ends where the archive says;
- in every part (XML or not: a lenient reader finds XML after leading bytes too): no document type
  declaration (the only way to entity expansion), no UTF-16 or UTF-32, and the farthest row and column
  any sheet declares (`<dimension ref>`) or uses (`<row r>`, `<c r>`; a cell without a reference is
  counted after the one before it).

Cells are found with regular expressions over the decompressed text rather than an XML parser: the
parser's callback per element costs a second on the largest real workbook, the scan a fifth of that.
The scan errs only towards counting more: a tag it cannot read exactly sends it to a slower exact path,
and a cell reference it cannot read refuses the file.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# What Excel itself allows (docs/workbooks.md: workbooks are Excel's); also the widest sheet a limit may allow.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384

# Output is decompressed a megabyte at a time, so checking an archive needs little memory whatever it holds.
_CHUNK = 1 << 20
# Excel caps a cell's text at 32,767 characters; no tag of a real workbook comes near this.
_MAX_TAG = 4 << 20

_STORED, _DEFLATED = 0, 8
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_END_SIGNATURE = b"PK\x05\x06"
_END_64_SIGNATURE = b"PK\x06\x06"
# The end-of-archive record sits in the last 22 bytes, after a comment of at most 65,535 bytes.
_END_SEARCH = 22 + 65_535


@dataclass(frozen=True)
class WorkbookLimits:
    """How large a workbook may be once unpacked; the defaults are in config/settings.py."""

    entries: int
    unpacked_bytes: int
    shared_strings_bytes: int
    rows: int
    columns: int
    cells: int

    @classmethod
    def from_settings(cls) -> WorkbookLimits:
        return cls(
            entries=settings.WORKBOOK_MAX_ENTRIES,
            unpacked_bytes=settings.WORKBOOK_MAX_UNPACKED_BYTES,
            shared_strings_bytes=settings.WORKBOOK_MAX_SHARED_STRINGS_BYTES,
            rows=min(settings.WORKBOOK_MAX_ROWS, EXCEL_MAX_ROWS),
            columns=min(settings.WORKBOOK_MAX_COLUMNS, EXCEL_MAX_COLUMNS),
            cells=settings.WORKBOOK_MAX_CELLS,
        )


class ArchiveRefused(Exception):
    """The archive is damaged or exceeds a limit; the message says which, in the user's language."""


def check_archive(data: bytes, limits: WorkbookLimits) -> None:
    """Raise ArchiveRefused unless the xlsx archive `data` is sound and within `limits`."""
    entries = _central_directory(data, limits)
    total = 0
    for entry in entries:
        total += entry.size
        if entry.size > limits.unpacked_bytes or total > limits.unpacked_bytes:
            raise ArchiveRefused(_too_large_message(limits))
        if _is_shared_strings(entry.name) and entry.size > limits.shared_strings_bytes:
            raise ArchiveRefused(
                _("The workbook's shared text unpacks to %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": entry.size, "limit": limits.shared_strings_bytes}
            )
    for entry in entries:
        scanner = _PartScanner(limits)
        for chunk in _unpacked_chunks(data, entry):
            scanner.feed(chunk)
        scanner.close()


# --- the archive's directory -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    name: bytes
    method: int
    flags: int
    crc: int
    packed: int
    size: int
    offset: int


_CENTRAL = struct.Struct("<4s6H3L5H2L")
_CENTRAL_SIGNATURE = b"PK\x01\x02"


def _central_directory(data: bytes, limits: WorkbookLimits) -> list[_Entry]:
    """The archive's entries, read from its central directory without building anything per entry first: an
    archive can declare millions of them in a few megabytes."""
    end = data.rfind(_END_SIGNATURE, max(0, len(data) - _END_SEARCH))
    # The record's comment must end the file: a record found elsewhere (inside a comment, say) is one that
    # another reader might not take, and the archive would not be the same to both.
    if end < 0 or end + 22 > len(data) or end + 22 + struct.unpack_from("<H", data, end + 20)[0] != len(data):
        raise ArchiveRefused(damaged_message())
    count, _size, directory_offset = struct.unpack_from("<HLL", data, end + 10)
    if count == 0xFFFF or directory_offset == 0xFFFFFFFF:
        count, directory_offset = _zip64_directory(data, end)
    if count > limits.entries:
        raise ArchiveRefused(
            _("The workbook holds %(count)s parts; the limit is %(limit)s.") % {"count": count, "limit": limits.entries}
        )
    entries: list[_Entry] = []
    names: set[bytes] = set()
    position = directory_offset
    for _index in range(count):
        entry, position = _central_entry(data, position)
        if entry.name in names:
            # Two entries of one name: readers disagree on which one counts.
            raise ArchiveRefused(damaged_message())
        names.add(entry.name)
        entries.append(entry)
    return entries


def _zip64_directory(data: bytes, end: int) -> tuple[int, int]:
    locator = end - 20
    if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
        raise ArchiveRefused(damaged_message())
    (record,) = struct.unpack_from("<Q", data, locator + 8)
    if record + 56 > len(data) or data[record : record + 4] != _END_64_SIGNATURE:
        raise ArchiveRefused(damaged_message())
    count, _size, offset = struct.unpack_from("<QQQ", data, record + 32)
    return count, offset


def _central_entry(data: bytes, position: int) -> tuple[_Entry, int]:
    if position + _CENTRAL.size > len(data):
        raise ArchiveRefused(damaged_message())
    fields = _CENTRAL.unpack_from(data, position)
    signature, _made, _needed, flags, method, _time, _date, crc, packed, size, name_length, extra_length = fields[:12]
    comment_length, offset = fields[12], fields[16]
    if signature != _CENTRAL_SIGNATURE:
        raise ArchiveRefused(damaged_message())
    name_start = position + _CENTRAL.size
    name = data[name_start : name_start + name_length]
    extra = data[name_start + name_length : name_start + name_length + extra_length]
    packed, size, offset = _zip64_sizes(extra, packed, size, offset)
    if flags & 0x1:
        raise ArchiveRefused(_("The workbook is encrypted; save it without a password and try again."))
    if method not in (_STORED, _DEFLATED):
        raise ArchiveRefused(
            _(
                "The workbook is compressed in a way Excel does not use (method %(method)s); open it in Excel or "
                "WPS, save it again and try again."
            )
            % {"method": method}
        )
    entry = _Entry(name=name, method=method, flags=flags, crc=crc, packed=packed, size=size, offset=offset)
    return entry, name_start + name_length + extra_length + comment_length


def _zip64_sizes(extra: bytes, packed: int, size: int, offset: int) -> tuple[int, int, int]:
    """Sizes and offset a zip64 extra field gives for the fields the directory marks 0xFFFFFFFF."""
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + length]
        if kind == 0x0001:
            values = list(struct.unpack_from(f"<{len(body) // 8}Q", body))
            if size == 0xFFFFFFFF and values:
                size = values.pop(0)
            if packed == 0xFFFFFFFF and values:
                packed = values.pop(0)
            if offset == 0xFFFFFFFF and values:
                offset = values.pop(0)
        position += 4 + length
    return packed, size, offset


def _is_shared_strings(name: bytes) -> bool:
    return name.lower().rsplit(b"/", 1)[-1].startswith(b"sharedstrings")


# --- unpacking ---------------------------------------------------------------------------------------------------


def _unpacked_chunks(data: bytes, entry: _Entry) -> Iterator[bytes]:
    """The entry's content a megabyte at a time, refusing it unless it unpacks to exactly its declared size and
    checksum and its deflate data ends where the archive says."""
    start = _data_start(data, entry)
    packed = memoryview(data)[start : start + entry.packed]
    crc, produced = 0, 0
    for chunk in _stored_chunks(packed) if entry.method == _STORED else _inflated_chunks(packed):
        produced += len(chunk)
        if produced > entry.size:
            raise ArchiveRefused(damaged_message())
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if produced != entry.size or crc != entry.crc:
        raise ArchiveRefused(damaged_message())


def _data_start(data: bytes, entry: _Entry) -> int:
    if entry.offset + _LOCAL_HEADER.size > len(data):
        raise ArchiveRefused(damaged_message())
    fields = _LOCAL_HEADER.unpack_from(data, entry.offset)
    signature, name_length, extra_length = fields[0], fields[9], fields[10]
    start = entry.offset + _LOCAL_HEADER.size
    if signature != _LOCAL_SIGNATURE or data[start : start + name_length] != entry.name:
        raise ArchiveRefused(damaged_message())
    start += name_length + extra_length
    if start + entry.packed > len(data):
        raise ArchiveRefused(damaged_message())
    return start


def _stored_chunks(packed: memoryview) -> Iterator[bytes]:
    for position in range(0, len(packed), _CHUNK):
        yield bytes(packed[position : position + _CHUNK])


def _inflated_chunks(packed: memoryview) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    position = 0
    pending = b""
    try:
        while not inflater.eof:
            if pending:
                chunk = inflater.decompress(pending, _CHUNK)
            elif position < len(packed):
                chunk = inflater.decompress(packed[position : position + _CHUNK], _CHUNK)
                position += _CHUNK
            else:
                break
            pending = inflater.unconsumed_tail
            if chunk:
                yield chunk
    except zlib.error as error:
        raise ArchiveRefused(damaged_message()) from error
    if not inflater.eof or pending or inflater.unused_data or position < len(packed):
        raise ArchiveRefused(damaged_message())


# --- XML parts ---------------------------------------------------------------------------------------------------

# The fast, usual form of a cell and a row, as Excel, WPS, LibreOffice and openpyxl write them: reference first.
_FAST_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_FAST_ROW = re.compile(rb'<row r="([0-9]{1,7})"')
# Any row, cell or dimension tag, with any namespace prefix and attributes in any order (values may hold ">").
_TAG = re.compile(rb"""<(?:[^\s<>/!?]+:)?(row|c|dimension)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTRIBUTE = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE = re.compile(rb"([A-Za-z]+)([0-9]+)")
_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class _PartScanner:
    """Follows one part's text as it unpacks: how far its cells reach."""

    def __init__(self, limits: WorkbookLimits) -> None:
        self.limits = limits
        self.started = False
        self.tail = b""
        self.max_row = 0
        self.max_column = 0
        self.row_columns = 0

    def feed(self, chunk: bytes) -> None:
        if not self.started:
            self.started = True
            # XML in UTF-16 or UTF-32 (which Excel does not write) would hide its tags from this scan.
            is_xml = chunk.removeprefix(_BOM).lstrip()[:1] == b"<"
            if chunk.startswith(_WIDE_BOMS) or (is_xml and b"\x00" in chunk[:4096]):
                raise ArchiveRefused(damaged_message())
        # Every part is scanned, whatever it seems to be: a lenient reader finds cells after leading garbage too.
        text = self.tail + chunk
        cut = text.rfind(b"<")
        text, self.tail = (text[:cut], text[cut:]) if cut >= 0 else (text, b"")
        if len(self.tail) > _MAX_TAG:
            raise ArchiveRefused(damaged_message())
        self._scan(text)

    def close(self) -> None:
        self._scan(self.tail)
        self.tail = b""

    def _scan(self, text: bytes) -> None:
        if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
            # Entities (and their expansion into gigabytes) need a document type declaration; Excel writes none.
            raise ArchiveRefused(damaged_message())
        if not self._scan_fast(text):
            self._scan_exact(text)
        self._check(self.max_row, self.max_column)

    def _scan_fast(self, text: bytes) -> bool:
        """Scan text whose every cell and row tag has the usual form; False (nothing counted) otherwise."""
        if b":c" in text or b":row" in text or b"dimension" in text:
            return False
        cells = _FAST_CELL.findall(text)
        rows = _FAST_ROW.findall(text)
        if len(cells) != text.count(b"<c") or len(rows) != text.count(b"<row"):
            return False
        if rows:
            self.max_row = max(self.max_row, max(map(int, rows)))
        if cells:
            columns, cell_rows = zip(*cells, strict=True)
            self.max_row = max(self.max_row, max(map(int, cell_rows)))
            self.max_column = max(self.max_column, max(map(column_number, set(columns))))
        # A cell without a reference after this text is placed, at the farthest, after the farthest column.
        self.row_columns = self.max_column
        return True

    def _scan_exact(self, text: bytes) -> None:
        for tag in _TAG.finditer(text):
            name, attributes = tag.group(1), dict(_attributes(tag.group(2)))
            if name == b"dimension":
                self._check_declared(attributes.get(b"ref", b""))
            elif name == b"row":
                reference = attributes.get(b"r")
                row = _number(reference) if reference is not None else self.max_row + 1
                self.max_row = max(self.max_row, row)
                self.row_columns = 0
            else:
                self._count_cell(attributes.get(b"r"))

    def _count_cell(self, reference: bytes | None) -> None:
        if reference is None:
            column, row = self.row_columns + 1, max(self.max_row, 1)
        else:
            column, row = _cell(reference)
        self.row_columns = max(self.row_columns, column)
        self.max_row = max(self.max_row, row)
        self.max_column = max(self.max_column, column)

    def _check_declared(self, ref: bytes) -> None:
        if not ref:
            return
        for corner in ref.replace(b"$", b"").split(b":"):
            column, row = _cell(corner)
            self._check(row, column)

    def _check(self, row: int, column: int) -> None:
        limits = self.limits
        if row > limits.rows or column > limits.columns or row * column > limits.cells:
            raise ArchiveRefused(
                _(
                    "A sheet of the workbook reaches cell %(cell)s (row %(row)s, column %(column)s); the limits are "
                    "%(rows)s rows, %(columns)s columns and %(cells)s cells from A1. Delete what lies beyond the "
                    "data, or save only the data in a new workbook."
                )
                % {
                    "cell": f"{column_letters(column)}{row}",
                    "row": row,
                    "column": column,
                    "rows": limits.rows,
                    "columns": limits.columns,
                    "cells": limits.cells,
                }
            )


def _attributes(text: bytes) -> Iterator[tuple[bytes, bytes]]:
    for match in _ATTRIBUTE.finditer(text):
        yield match.group(1), match.group(2) if match.group(2) is not None else match.group(3)


def _number(text: bytes) -> int:
    if not text.isdigit():
        raise ArchiveRefused(damaged_message())
    return int(text)


def _cell(reference: bytes) -> tuple[int, int]:
    """(column number, row number) of a reference such as b"XFD1048576"; a reference that is not one refuses."""
    match = _REFERENCE.fullmatch(reference)
    if match is None:
        raise ArchiveRefused(damaged_message())
    return column_number(match.group(1)), int(match.group(2))


def column_number(letters: bytes) -> int:
    """1 for A, 27 for AA, 16384 for XFD."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters or "A"


def _too_large_message(limits: WorkbookLimits) -> str:
    return _("The workbook unpacks to more than %(limit)s bytes, the limit; remove what the import does not need.") % {
        "limit": limits.unpacked_bytes
    }


def damaged_message() -> str:
    return _("This file is not an Excel workbook (.xlsx) or it is damaged.")
