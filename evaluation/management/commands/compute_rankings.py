from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from evaluation.management.programmes import add_programme_argument, command_quarter, json_output
from evaluation.models import Quarter
from evaluation.results_model import QuarterResults, interchange_json
from evaluation.scoring import SOURCES
from evaluation.selectors.results import quarter_results


def display_width(text: str) -> int:
    """Columns a terminal uses for `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned table, numbers right-aligned, for people reading a terminal."""
    widths = [max(display_width(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str], header: bool = False) -> str:
        out = []
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            pad = " " * (width - display_width(str(cell)))
            numeric = not header and index > 0 and _looks_numeric(str(cell))
            out.append(pad + str(cell) if numeric else str(cell) + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers, header=True), rule, *(line(row) for row in rows)])


def _looks_numeric(text: str) -> bool:
    return text.lstrip("+-↑↓").replace(".", "", 1).isdigit() or text in {"–", "-"}


def number(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def rank_change(value: int | None) -> str:
    """↑2, ↓1, 0 for the same rank, and – when there is no earlier rank (docs/scoring.md rule 7)."""
    if value is None:
        return "–"
    if value == 0:
        return "0"
    return f"↑{value}" if value > 0 else f"↓{-value}"


def get_quarter(code: str, programme: str) -> Quarter:
    quarter = command_quarter(code, programme)
    if quarter is None:
        raise CommandError(_("There is no quarter %(code)s.") % {"code": code})
    return quarter


class Command(BaseCommand):
    help = "Print a quarter's results by docs/scoring.md (a published quarter: its frozen results); docs/workbooks.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("quarter", help="the quarter, YYYYQn")
        add_programme_argument(parser)
        parser.add_argument("--format", choices=("json", "table"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        results = quarter_results(get_quarter(options["quarter"], options["programme"]))
        if options["format"] == "json":
            self.stdout.write(json_output(interchange_json(results)))
            return
        self.stdout.write(self._table(results))

    def _table(self, results: QuarterResults) -> str:
        weights = results.weights
        title = _("Quarter %(quarter)s (%(status)s); weights: grassroots %(g)s, peer %(p)s, leadership %(l)s") % {
            "quarter": results.quarter,
            "status": results.status,
            "g": weights["grassroots"],
            "p": weights["peer"],
            "l": weights["leadership"],
        }
        headers = [
            _("Group"),
            _("Rank"),
            _("Code"),
            _("Department"),
            _("Score"),
            _("Composite"),
            _("Adjustment"),
            _("Grassroots"),
            _("Peer"),
            _("Leadership"),
            _("Ballots G/P/L"),
            _("Rank change"),
        ]
        rows = [
            [
                row.group,
                "–" if row.rank is None else str(row.rank),
                row.code,
                row.name,
                number(row.score),
                number(row.composite),
                number(row.adjustment),
                *(number(row.sources[source].score) for source in SOURCES),
                "/".join(str(row.sources[source].ballots) for source in SOURCES),
                rank_change(row.rank_change),
            ]
            for row in results.departments
        ]
        return title + "\n\n" + text_table(headers, rows)
