"""How the sheets of the results and annual workbooks print (README, "Printing").

Leadership meetings read the ranking on paper: every titled sheet prints landscape on A4, one page wide
(as many pages tall as it needs), with its column header repeated on every page, a page header naming
the programme, the quarter (or year) and its status, and a footer with the page number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from evaluation.models import Quarter

# Excel refuses a header or footer section longer than this.
_SECTION_LENGTH = 80
# Quarters in a year: the annual heading says how many of them are published.
QUARTERS_PER_YEAR = 4


@dataclass(frozen=True)
class PrintHeading:
    """What the top of every printed page says: the programme, the period, and the period's status."""

    programme: str
    period: str
    status: str


def programme_name() -> str:
    """The programme the workbooks belong to; for now the site's title."""
    return str(settings.SITE_TITLE)


def quarter_heading(quarter: Quarter) -> PrintHeading:
    return PrintHeading(programme=programme_name(), period=quarter.code, status=str(quarter.get_status_display()))


def annual_heading(year: int, quarters_published: int) -> PrintHeading:
    status = (
        _("all quarters published")
        if quarters_published >= QUARTERS_PER_YEAR
        else _("%(count)d of %(total)d quarters published, provisional")
        % {"count": quarters_published, "total": QUARTERS_PER_YEAR}
    )
    return PrintHeading(programme=programme_name(), period=str(year), status=status)


def prepare_sheet(worksheet: Any) -> None:
    """What must be set on a write-only sheet before its first row: it is written with the sheet's top."""
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def set_up_printing(worksheet: Any, heading: PrintHeading, *, caption: str, header_row: int, exported: str) -> None:
    """Landscape A4, one page wide, the header row repeated, the page header and footer."""
    setup = worksheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages tall as the rows need
    worksheet.print_options.horizontalCentered = True
    worksheet.print_title_rows = f"{header_row}:{header_row}"
    header = worksheet.oddHeader
    header.left.text = _section(heading.programme)
    header.center.text = _section(f"{heading.period} · {caption}")
    header.right.text = _section(heading.status)
    footer = worksheet.oddFooter
    footer.left.text = _section(_("Exported %(time)s") % {"time": exported})
    footer.center.text = _("Page %(page)s of %(pages)s") % {"page": "&P", "pages": "&N"}


def _section(text: str) -> str:
    # "&" starts a code in a header (&P is the page number); a literal one is written "&&".
    return text[:_SECTION_LENGTH].replace("&", "&&")
