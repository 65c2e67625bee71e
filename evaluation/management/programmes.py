"""What the commands that name a quarter or a year share: `--programme CODE` and the `--format json` output
(docs/workbooks.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from departments.models import WORKSTYLE, Programme
from evaluation.models import Quarter
from evaluation.selectors.quarters import quarter_with_programme


def add_programme_argument(parser: CommandParser) -> None:
    parser.add_argument("--programme", default=WORKSTYLE, help="the programme's code (default: workstyle)")


def command_programme(code: str) -> Programme:
    found = Programme.objects.filter(code=code.strip()).first()
    if found is None:
        raise CommandError(_("There is no programme %(code)s.") % {"code": code[:40]}, returncode=1)
    return found


def command_quarter(code: str, programme: str) -> Quarter | None:
    """The quarter `code` of the programme (read with it), or None when it has none; CommandError when there is no
    such programme."""
    found = quarter_with_programme(programme.strip(), code.strip().upper())
    if found is None:
        command_programme(programme)  # no such programme: say so rather than "no such quarter"
    return found


def json_output(payload: Any) -> str:
    """A command's `--format json` output: one line, written by the json module's C encoder (an indented dump
    goes through its pure-Python encoder, about 60 ms for a quarter of 247 branches); keys and values as
    docs/workbooks.md gives them, which `jq .` lays out for reading."""
    return json.dumps(payload, ensure_ascii=False)
