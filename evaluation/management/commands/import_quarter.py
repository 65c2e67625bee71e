"""`python manage.py import_quarter FILE.xlsx [--replace]` (docs/workbooks.md, "Quarter workbook")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from departments.workbook import WorkbookInvalid
from evaluation.imports import quarter_import


class Command(BaseCommand):
    help = "Import a quarter workbook: settings, paper ballots and adjustments; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace every ballot and adjustment imported into the quarter before (browser ballots are kept)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = quarter_import(source=options["file"], replace=options["replace"])
        except WorkbookInvalid as refused:
            for issue in refused.issues:
                self.stderr.write(str(issue))
            raise CommandError(
                _("Nothing was imported: %(count)d problem(s) found.") % {"count": len(refused.issues)}
            ) from None
        self.stdout.write(self.style.SUCCESS(result.summary()))
