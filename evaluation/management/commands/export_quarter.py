"""`python manage.py export_quarter QUARTER --output FILE.xlsx` (docs/workbooks.md, "Results workbook")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from evaluation.exports import export_annual, export_quarter
from evaluation.management.programmes import add_programme_argument, command_programme, command_quarter


class Command(BaseCommand):
    help = "Write a quarter's results workbook (or, with --year, a year's annual workbook)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("quarter", help="the quarter, YYYYQn; with --annual the year, YYYY")
        add_programme_argument(parser)
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--annual", action="store_true", help="write the annual workbook of the year instead")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="language of the headers")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            if options["annual"]:
                self._annual(options["quarter"], options["output"], options["programme"])
            else:
                self._quarter(options["quarter"], options["output"], options["programme"])

    def _quarter(self, code: str, output: str, programme: str) -> None:
        quarter = command_quarter(code, programme)
        if quarter is None:
            raise CommandError(_("There is no quarter %(code)s.") % {"code": code})
        export_quarter(quarter, output)
        self.stdout.write(_("Wrote %(file)s.") % {"file": output})

    def _annual(self, year: str, output: str, programme: str) -> None:
        if not year.isdigit() or len(year) != 4:
            raise CommandError(_("A year is written YYYY, for example 2026."))
        export_annual(int(year), output, command_programme(programme))
        self.stdout.write(_("Wrote %(file)s.") % {"file": output})
