from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from departments.imports import org_import
from departments.workbook import WorkbookInvalid


class Command(BaseCommand):
    help = "Import units and people from an organisation workbook (docs/workbooks.md); all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = org_import(source=options["file"])
        except WorkbookInvalid as refused:
            for issue in refused.issues:
                self.stderr.write(str(issue))
            raise CommandError(
                _("Nothing was imported: %(count)d problem(s) found.") % {"count": len(refused.issues)}
            ) from None
        self.stdout.write(self.style.SUCCESS(result.summary()))
