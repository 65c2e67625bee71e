"""Hostile xlsx files, built in the tests with zipfile (never stored): each is small packed and says one thing a
reader must not trust (README, "Hostile workbooks")."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from tests.departments.workbooks import PEOPLE, PEOPLE_HEADERS, UNIT_HEADERS, UNITS, xlsx_bytes

UNITS_SHEET = "xl/worksheets/sheet1.xml"
PEOPLE_SHEET = "xl/worksheets/sheet2.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
_MB = 1 << 20
SHARED_HEAD = (
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
)
SHARED_TAIL = b"</t></si></sst>"


def base() -> bytes:
    """A good organisation workbook, as openpyxl writes it."""
    return xlsx_bytes({"departments": [UNIT_HEADERS, *UNITS], "people": [PEOPLE_HEADERS, *PEOPLE]})


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(parts: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_sheet(edit: Callable[[bytes], bytes]) -> bytes:
    """The good workbook with its people sheet's XML edited."""
    parts = parts_of(base())
    parts[PEOPLE_SHEET] = edit(parts[PEOPLE_SHEET])
    return rezip(parts)


def with_cells(cells: bytes) -> bytes:
    """The good workbook with raw row/cell XML added at the end of the people sheet's data."""
    return with_sheet(lambda xml: xml.replace(b"</sheetData>", cells + b"</sheetData>"))


def cell_at(reference: str) -> bytes:
    row = re.sub(r"[A-Z]", "", reference)
    return with_cells(f'<row r="{row}"><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'.encode())


def declared_dimension(ref: str) -> bytes:
    return with_sheet(lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml))


def streamed(path: Path | IO[bytes], parts: dict[str, bytes], name: str, pieces: Iterable[bytes]) -> Path | IO[bytes]:
    """A workbook whose part `name` is written from `pieces` as a stream (it may unpack to gigabytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part, content in parts.items():
            if part != name:
                archive.writestr(part, content)
        with archive.open(name, "w", force_zip64=True) as stream:
            for piece in pieces:
                stream.write(piece)
    return path


def huge_shared_string(path: Path | IO[bytes], size: int) -> Path | IO[bytes]:
    """A workbook whose one text cell is a shared string of `size` bytes."""
    parts = parts_of(base())
    parts[PEOPLE_SHEET] = parts[PEOPLE_SHEET].replace(
        b"</sheetData>", b'<row r="20"><c r="A20" t="s"><v>0</v></c></row></sheetData>'
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return streamed(path, parts, SHARED_STRINGS, _padded(SHARED_HEAD, b"a", size, SHARED_TAIL))


def shared_string_workbook(size: int) -> bytes:
    buffer = io.BytesIO()
    huge_shared_string(buffer, size)
    return buffer.getvalue()


def huge_sheet(path: Path | IO[bytes], size: int) -> Path | IO[bytes]:
    """A workbook whose people sheet unpacks to `size` bytes (spaces between its rows)."""
    parts = parts_of(base())
    sheet = parts[PEOPLE_SHEET]
    head, tail = sheet.split(b"</sheetData>")
    return streamed(path, parts, PEOPLE_SHEET, _padded(head, b" ", size, b"</sheetData>" + tail))


def _padded(head: bytes, filler: bytes, size: int, tail: bytes) -> Iterable[bytes]:
    yield head
    left = size - len(head) - len(tail)
    block = filler * _MB
    while left > 0:
        yield block[: min(left, _MB)]
        left -= _MB
    yield tail


# --- byte-level damage ------------------------------------------------------------------------------------------


def _entry_offsets(data: bytes, name: str) -> tuple[int, int, zipfile.ZipInfo]:
    """(central directory record offset, local header offset, info) of entry `name`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    encoded = name.encode()
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(encoded)] != encoded:
        central = data.index(b"PK\x01\x02", central + 4)
    return central, info.header_offset, info


def patched(data: bytes, name: str, **fields: int) -> bytes:
    """`data` with fields of entry `name` rewritten in both its headers: method, flags, crc, packed, size."""
    central, local, _info = _entry_offsets(data, name)
    out = bytearray(data)
    # Offsets of each field in the local header and in the central directory record.
    places = {"flags": (6, 8, "<H"), "method": (8, 10, "<H"), "crc": (14, 16, "<L"), "size": (22, 24, "<L")}
    places["packed"] = (18, 20, "<L")
    for field_name, value in fields.items():
        local_at, central_at, layout = places[field_name]
        struct.pack_into(layout, out, local + local_at, value)
        struct.pack_into(layout, out, central + central_at, value)
    return bytes(out)


def damaged_deflate() -> bytes:
    """The people sheet's deflate data begins with a block of the reserved type: zlib.error in every reader."""
    data = base()
    _central, local, info = _entry_offsets(data, PEOPLE_SHEET)
    name_length, extra_length = struct.unpack_from("<HH", data, local + 26)
    start = local + 30 + name_length + extra_length
    out = bytearray(data)
    out[start] = 0xFF  # final block, type 3 (reserved)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    return bytes(out)


def deflate64() -> bytes:
    """The people sheet marked as compressed with Deflate64 (method 9), which Python's zipfile cannot read."""
    return patched(base(), PEOPLE_SHEET, method=9)


def lying_size(actual: int) -> bytes:
    """A people sheet that unpacks to `actual` bytes while both headers say 1,000."""
    parts = parts_of(base())
    head, tail = parts[PEOPLE_SHEET].split(b"</sheetData>")
    parts[PEOPLE_SHEET] = head + b" " * actual + b"</sheetData>" + tail
    data = rezip(parts)
    # The checksum of what a reader trusting the size would read, so only the stream's true end gives it away.
    prefix = parts[PEOPLE_SHEET][:1000]
    return patched(data, PEOPLE_SHEET, size=1000, crc=zlib.crc32(prefix))


def declared_sizes(size: int, names: Iterable[str]) -> bytes:
    data = base()
    for name in names:
        data = patched(data, name, size=size)
    return data


def duplicate_entry() -> bytes:
    parts = parts_of(base())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        bad = parts[PEOPLE_SHEET].replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"/></row></sheetData>')
        archive.writestr(PEOPLE_SHEET, bad)
    return buffer.getvalue()


def many_entries(count: int) -> bytes:
    parts = parts_of(base())
    parts.update({f"xl/media/empty{n}.bin": b"" for n in range(count)})
    return rezip(parts)


def second_end_record() -> bytes:
    """The good workbook with a second end record after its own: readers disagree on where its directory is."""
    data = base()
    end = data.rindex(b"PK\x05\x06")
    return data + data[end : end + 22]
