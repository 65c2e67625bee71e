"""`--programme CODE` of every command that names a quarter or a year (docs/workbooks.md)."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from departments.models import WORKSTYLE, Programme
from evaluation.models import Quarter


def add_programme_argument(parser: CommandParser) -> None:
    parser.add_argument("--programme", default=WORKSTYLE, help="the programme's code (default: workstyle)")


def command_programme(code: str) -> Programme:
    found = Programme.objects.filter(code=code.strip()).first()
    if found is None:
        raise CommandError(_("There is no programme %(code)s.") % {"code": code[:40]}, returncode=1)
    return found


def command_quarter(code: str, programme: str) -> Quarter | None:
    """The quarter `code` of the programme, or None when it has none."""
    return Quarter.objects.filter(programme=command_programme(programme), code=code.strip().upper()).first()
