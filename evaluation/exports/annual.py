"""The annual workbook: departments × the year's published quarters, then the annual score and rank."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO

from django.utils.translation import gettext as _

from evaluation.exports.common import group_label, grouped, quarter_results
from evaluation.exports.printing import annual_heading
from evaluation.exports.writer import Column, SheetData, count, score, write_workbook
from evaluation.models import Quarter, QuarterStatus


def year_quarters(year: int) -> list[Quarter]:
    return list(Quarter.objects.filter(code__startswith=f"{year}Q", status=QuarterStatus.PUBLISHED).order_by("code"))


def annual_sheet(year: int, annual: dict, quarters: Sequence[Quarter]) -> SheetData:
    """Departments × the year's published quarters (final score and rank), then the annual score and rank."""
    per_quarter = {
        quarter.code: {entry["code"]: entry for entry in quarter_results(quarter).get("departments") or []}
        for quarter in quarters
    }
    columns = [
        Column(_("Group"), 14),
        count(_("Annual rank")),
        Column(_("Department code"), 12),
        Column(_("Department name"), 22),
        score(_("Annual score")),
        count(_("Quarters counted")),
    ]
    for quarter in quarters:
        columns += [
            score(_("%(quarter)s score") % {"quarter": quarter.code}),
            count(_("%(quarter)s rank") % {"quarter": quarter.code}),
        ]

    def rows() -> Iterator[list]:
        for entry in grouped(list(annual.get("departments") or [])):
            row = [
                group_label(entry.get("group") or ""),
                entry.get("rank"),
                entry.get("code"),
                entry.get("name"),
                entry.get("score"),
                entry.get("quarters"),
            ]
            for quarter in quarters:
                found = per_quarter[quarter.code].get(entry.get("code")) or {}
                row += [found.get("score"), found.get("rank")]
            yield row

    return SheetData(str(year), _("Annual ranking"), columns, rows())


def export_annual(year: int, output: str | IO[bytes]) -> None:
    """Write the annual workbook of `year` (docs/scoring.md rule 8) to `output`."""
    from evaluation.services.results import annual_results

    quarters = year_quarters(year)
    title = _("Work-style evaluation %(year)s, annual results") % {"year": year}
    heading = annual_heading(year, len(quarters))
    write_workbook([annual_sheet(year, annual_results(year), quarters)], output, title=title, heading=heading)
