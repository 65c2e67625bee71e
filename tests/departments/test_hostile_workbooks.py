"""Hostile workbooks are refused before any reader parses them: a message, no traceback, nothing changed, and
little memory (README, "Hostile workbooks")."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from departments.models import Unit, User
from departments.workbook import WorkbookInvalid, open_workbook
from evaluation.models import Quarter
from tests.departments import hostile

LIMIT = 10 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
DAMAGED = "damaged"
TOO_FAR = "A sheet of the workbook reaches cell"


def _duplicate_entry() -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate name it is asked to write
        return hostile.duplicate_entry()


# Each small hostile file: how it is built, and what its refusal says.
SMALL: dict[str, tuple[Callable[[], bytes], str]] = {
    "one cell at XFD1048576": (lambda: hostile.cell_at("XFD1048576"), "XFD1048576"),
    "one cell at CV1048576": (lambda: hostile.cell_at("CV1048576"), "CV1048576"),
    "damaged deflate data": (hostile.damaged_deflate, DAMAGED),
    "a Deflate64 entry": (hostile.deflate64, "method 9"),
    "a declared dimension of the whole sheet": (lambda: hostile.declared_dimension("A1:XFD1048576"), "XFD1048576"),
    "a row beyond Excel's last": (lambda: hostile.with_cells(b'<row r="1048577"/>'), TOO_FAR),
    "cells without references, too many in a row": (
        lambda: hostile.with_cells(b'<row r="30">' + b"<c><v>1</v></c>" * 101 + b"</row>"),
        "CW30",
    ),
    "a cell with a namespace prefix": (
        lambda: hostile.with_sheet(
            lambda xml: xml.replace(b"</sheetData>", b'<x:row r="9"><x:c r="XFD9"/></x:row></sheetData>')
        ),
        "XFD9",
    ),
    "a sheet with bytes before its XML": (
        lambda: hostile.with_sheet(
            lambda xml: b"garbage" + xml.replace(b"</sheetData>", b'<row r="9"><c r="XFD9"/></row></sheetData>')
        ),
        "XFD9",
    ),
    "a cell with a prefix of two parts": (
        lambda: hostile.with_cells(b'<row r="9"><a:b:c r="XFD9"/></row>'),
        "XFD9",
    ),
    "a reference after other attributes": (
        lambda: hostile.with_cells(b'<row r="9"><c t="n" s="0" r="ZZ9"><v>1</v></c></row>'),
        "ZZ9",
    ),
    "an attribute value holding >": (
        lambda: hostile.with_cells(b'<row r="9"><c t="n" x=">" r="ZZ9"><v>1</v></c></row>'),
        "ZZ9",
    ),
    "a reference written with a character reference": (
        lambda: hostile.with_cells(b'<row r="9"><c r="&#88;FD9"><v>1</v></c></row>'),
        DAMAGED,
    ),
    "an entity expansion (billion laughs)": (
        lambda: hostile.with_sheet(
            lambda xml: xml.replace(
                b"<worksheet",
                b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                b"<worksheet",
                1,
            )
        ),
        DAMAGED,
    ),
    "a sheet in UTF-16": (lambda: hostile.with_sheet(lambda xml: xml.decode().encode("utf-16")), DAMAGED),
    "a size both headers understate": (lambda: hostile.lying_size(20 * 1024 * 1024), DAMAGED),
    "a wrong checksum": (lambda: hostile.patched(hostile.base(), hostile.PEOPLE_SHEET, crc=1234), DAMAGED),
    "a packed size past the end of the file": (
        lambda: hostile.patched(hostile.base(), hostile.PEOPLE_SHEET, packed=50_000_000),
        DAMAGED,
    ),
    "a truncated archive": (lambda: hostile.base()[:-30], DAMAGED),
    "a second end record": (hostile.second_end_record, DAMAGED),
    "an end record whose comment runs past the file": (
        lambda: hostile.base()[:-2] + b"\x10\x00",
        DAMAGED,
    ),
    "two entries of one name": (_duplicate_entry, DAMAGED),
    "an encrypted entry": (lambda: hostile.patched(hostile.base(), hostile.PEOPLE_SHEET, flags=1), "encrypted"),
    "parts declaring 600 MB together": (
        lambda: hostile.declared_sizes(200_000_000, [hostile.PEOPLE_SHEET, hostile.UNITS_SHEET, "xl/styles.xml"]),
        "unpacks to more than",
    ),
    "shared text of 70 MB": (lambda: hostile.shared_string_workbook(70_000_000), "shared text unpacks to"),
    "two thousand parts": (lambda: hostile.many_entries(2000), "parts; the limit is"),
}


def refusal(data: bytes) -> str:
    with pytest.raises(WorkbookInvalid) as caught:
        open_workbook(SimpleUploadedFile("org.xlsx", data), max_bytes=LIMIT)
    return " ".join(str(issue) for issue in caught.value.issues)


@pytest.mark.parametrize("case", SMALL)
def test_it_refuses_the_hostile_file(case: str, english) -> None:
    build, expected = SMALL[case]
    assert expected in refusal(build())


def test_the_cases_start_from_a_good_workbook(english) -> None:
    """Each hostile file is the good workbook with one thing wrong; the good one opens."""
    workbook = open_workbook(SimpleUploadedFile("org.xlsx", hostile.base()), max_bytes=LIMIT)
    assert [sheet.title for sheet in workbook.worksheets] == ["departments", "people"]


def test_a_cell_within_the_limits_is_read(english) -> None:
    workbook = open_workbook(SimpleUploadedFile("org.xlsx", hostile.cell_at("CV20")), max_bytes=LIMIT)
    rows = dict(workbook.worksheets[1].iter_numbered_rows())
    assert rows[20][99] == "x"


def test_shared_text_within_the_limits_is_read(english) -> None:
    data = hostile.shared_string_workbook(5000)
    rows = dict(open_workbook(SimpleUploadedFile("org.xlsx", data), max_bytes=LIMIT).worksheets[1].iter_numbered_rows())
    assert rows[20][0] == "a" * (5000 - len(hostile.SHARED_HEAD) - len(hostile.SHARED_TAIL))


def test_the_limits_come_from_the_settings(settings, english) -> None:
    settings.WORKBOOK_MAX_COLUMNS = 5
    message = refusal(hostile.with_cells(b'<row r="1"><c r="F1"><v>1</v></c></row>'))
    assert "column 6" in message
    assert "5 columns" in message


def test_the_refusal_is_in_the_users_language() -> None:
    with translation.override("zh-hans"):
        assert "损坏" in refusal(hostile.damaged_deflate())


@pytest.mark.parametrize("case", SMALL)
def test_the_command_refuses_it_and_changes_nothing(case: str, tmp_path: Path, admin_user, english) -> None:
    build, expected = SMALL[case]
    path = tmp_path / "org.xlsx"
    path.write_bytes(build())
    before = (Unit.objects.count(), User.objects.count(), AuditEntry.objects.count())
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stderr=(errors := _Text()))
    assert expected in errors.text
    assert (Unit.objects.count(), User.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("case", SMALL)
def test_the_upload_page_refuses_it_and_changes_nothing(case: str, client_for, admin_user, english) -> None:
    build, expected = SMALL[case]
    before = (Unit.objects.count(), User.objects.count(), AuditEntry.objects.count())
    response = client_for(admin_user).post(
        reverse("departments:import"), {"file": SimpleUploadedFile("org.xlsx", build())}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page
    assert "Traceback" not in page
    assert (Unit.objects.count(), User.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("case", ["one cell at XFD1048576", "a Deflate64 entry", "damaged deflate data"])
def test_the_quarter_upload_page_refuses_it(case: str, client_for, evaluator, english) -> None:
    build, expected = SMALL[case]
    response = client_for(evaluator).post(
        reverse("evaluation:import_quarter"), {"file": SimpleUploadedFile("q.xlsx", build())}
    )
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not Quarter.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_upload_page_says_it_in_chinese(client_for, admin_user) -> None:
    response = client_for(admin_user).post(
        reverse("departments:import"), {"file": SimpleUploadedFile("org.xlsx", hostile.deflate64())}
    )
    assert response.status_code == 400
    assert "Excel 不使用的压缩方式" in response.content.decode()


# --- the large ones: built once, as streams ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {
        # 1.26 GB of shared text in about 1.2 MB.
        "shared string": hostile.huge_shared_string(folder / "shared.xlsx", 1_260_000_000),
        # A sheet unpacking to 1.19 GB.
        "sheet": hostile.huge_sheet(folder / "sheet.xlsx", 1_190_000_000),
    }


@pytest.mark.parametrize("case", ["shared string", "sheet"])
def test_it_refuses_a_file_unpacking_to_gigabytes(case: str, large_files, english) -> None:
    path = large_files[case]
    assert path.stat().st_size < 1_300_000
    with pytest.raises(WorkbookInvalid) as caught:
        open_workbook(path, max_bytes=LIMIT)
    assert "bytes; the limit is" in str(caught.value) or "unpacks to more than" in str(caught.value)


@pytest.mark.parametrize("case", ["shared string", "sheet"])
def test_the_upload_page_refuses_a_file_unpacking_to_gigabytes(case: str, large_files, client_for, admin_user) -> None:
    upload = SimpleUploadedFile("org.xlsx", large_files[case].read_bytes())
    response = client_for(admin_user).post(reverse("departments:import"), {"file": upload})
    assert response.status_code == 400
    assert len(response.context["issues"]) == 1
    assert not AuditEntry.objects.exists()


# Runs its arguments as a child and prints the child's exit code and peak resident memory (kB). Linux counts in a
# process's peak the memory of the process it was forked from until it executes a program, so the test suite's
# own memory would show in a direct child; this small launcher's does instead, and it is a fraction of the bound.
LAUNCHER = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_pid, status, usage = os.wait4(child.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
)


def _peak_memory_of_import(path: Path, tmp_path: Path) -> tuple[int, str]:
    """Run the organisation import of `path` in a process of its own: (its peak resident memory in bytes, stderr)."""
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'child.sqlite3'}"}
    command = [sys.executable, "-c", LAUNCHER, sys.executable, str(ROOT / "manage.py"), "import_org", str(path)]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    exit_code, peak_kilobytes = map(int, finished.stdout.split())
    assert exit_code == 1  # refused (CommandError), neither a success nor a crash
    return peak_kilobytes * 1024, finished.stderr


ISSUE_FILES: dict[str, Callable[[dict[str, Path], Path], Path]] = {
    "one cell at XFD1048576": lambda large, folder: _written(folder, hostile.cell_at("XFD1048576")),
    "one cell at CV1048576": lambda large, folder: _written(folder, hostile.cell_at("CV1048576")),
    "a 1.26 GB shared string": lambda large, folder: large["shared string"],
    "a sheet unpacking to 1.19 GB": lambda large, folder: large["sheet"],
    "damaged deflate data": lambda large, folder: _written(folder, hostile.damaged_deflate()),
    "a Deflate64 entry": lambda large, folder: _written(folder, hostile.deflate64()),
    "a size both headers understate": lambda large, folder: _written(folder, hostile.lying_size(60 * 1024 * 1024)),
}


def _written(folder: Path, data: bytes) -> Path:
    path = folder / "hostile.xlsx"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", ISSUE_FILES)
def test_a_refused_hostile_file_needs_less_than_200_mb(case: str, large_files, tmp_path: Path) -> None:
    path = ISSUE_FILES[case](large_files, tmp_path)
    peak, errors = _peak_memory_of_import(path, tmp_path)
    assert "Traceback" not in errors
    assert "CommandError" in errors  # the command's own refusal, its message above it
    assert peak < 200 * 1024 * 1024


class _Text:
    """A stream for a command's stderr."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
