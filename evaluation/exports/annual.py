"""The annual workbook: departments × the year's published quarters, then the annual score and rank."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.utils.translation import gettext as _

from departments.models import Programme, workstyle
from evaluation.exports.printing import annual_heading
from evaluation.exports.writer import Column, SheetData, count, score, write_workbook
from evaluation.labels import group_label
from evaluation.models import Quarter, QuarterStatus
from evaluation.results_model import AnnualResults, DepartmentRow
from evaluation.selectors.results import annual_results, quarter_results


def year_quarters(year: int, programme: Programme | None = None) -> list[Quarter]:
    """The programme's (default: work style) published quarters of the year, oldest first."""
    return list(
        Quarter.objects.filter(
            code__startswith=f"{year}Q", status=QuarterStatus.PUBLISHED, programme=programme or workstyle()
        ).order_by("code")
    )


def annual_sheet(year: int, annual: AnnualResults, quarters: Sequence[Quarter]) -> SheetData:
    """Departments × the year's published quarters (final score and rank), then the annual score and rank."""
    per_quarter: dict[str, dict[int, DepartmentRow]] = {
        quarter.code: {row.id: row for row in quarter_results(quarter).departments} for quarter in quarters
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
    # Annual grades (docs/scoring.md rule 9, with the latest published quarter's grades), last, when there are any.
    graded = any(entry.grade is not None for entry in annual.departments)
    if graded:
        columns.append(Column(_("Annual grade"), 10))

    def rows() -> Iterator[list[Any]]:
        for entry in annual.grouped():
            row: list[Any] = [group_label(entry.group), entry.rank, entry.code, entry.name, entry.score, entry.quarters]
            for quarter in quarters:
                found = per_quarter[quarter.code].get(entry.id)
                row += [None, None] if found is None else [found.score, found.rank]
            if graded:
                row.append(entry.grade)
            yield row

    return SheetData(str(year), _("Annual ranking"), columns, rows())


def export_annual(year: int, output: str | IO[bytes], programme: Programme | None = None) -> None:
    """Write the annual workbook of `year` (docs/scoring.md rule 8) of one programme to `output`."""
    programme = programme or workstyle()
    quarters = year_quarters(year, programme)
    if programme.is_workstyle:
        title = _("Work-style evaluation %(year)s, annual results") % {"year": year}
    else:
        title = _("%(programme)s %(year)s, annual results") % {"programme": programme.name, "year": year}
    heading = annual_heading(year, len(quarters))
    write_workbook(
        [annual_sheet(year, annual_results(year, programme), quarters)], output, title=title, heading=heading
    )
