from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from evaluation.management.commands.compute_rankings import number, text_table
from evaluation.management.programmes import add_programme_argument, command_programme, json_output
from evaluation.results_model import annual_interchange_json
from evaluation.selectors.results import annual_results


class Command(BaseCommand):
    help = "Print the annual ranking of a year (docs/scoring.md rule 8); docs/workbooks.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="the year, e.g. 2026")
        add_programme_argument(parser)
        parser.add_argument("--format", choices=("json", "table"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"].strip()
        if not (year.isdigit() and len(year) == 4):
            raise CommandError(_("A year is written with four digits, for example 2026."))
        results = annual_results(int(year), command_programme(options["programme"]))
        if options["format"] == "json":
            self.stdout.write(json_output(annual_interchange_json(results)))
            return
        counted = ", ".join(results.quarters) or _("none")
        title = _("Year %(year)s; published quarters: %(quarters)s") % {"year": year, "quarters": counted}
        headers = [_("Group"), _("Rank"), _("Code"), _("Department"), _("Score"), _("Quarters")]
        rows = [
            [
                row.group,
                "–" if row.rank is None else str(row.rank),
                row.code,
                row.name,
                number(row.score),
                str(row.quarters),
            ]
            for row in results.departments
        ]
        self.stdout.write(title + "\n\n" + text_table(headers, rows))
