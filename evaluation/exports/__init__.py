"""Workbooks handed on as Excel files: a quarter's results, a year's results, an empty quarter workbook.

`writer` writes sheets in streaming mode and formula-safe; `results`, `annual` and
`template` describe the sheets of each workbook; `evaluation.selectors.counted_ballots` reads the
counted ballots for the listing and the matrices without holding them all at once.
"""

from evaluation.exports.annual import annual_sheet, export_annual, year_quarters
from evaluation.exports.common import yes_no
from evaluation.exports.results import export_quarter, quarter_filename, quarter_sheets, quarter_title
from evaluation.exports.template import current_quarter_code, export_quarter_template, template_sheets
from evaluation.exports.writer import (
    COUNT_FORMAT,
    SCORE_FORMAT,
    Column,
    SheetData,
    cell_value,
    count,
    is_formula_like,
    safe_text,
    score,
    write_workbook,
)
from evaluation.selectors.counted_ballots import CountedBallots, load_counted_ballots

__all__ = [
    "COUNT_FORMAT",
    "SCORE_FORMAT",
    "Column",
    "CountedBallots",
    "SheetData",
    "annual_sheet",
    "cell_value",
    "count",
    "current_quarter_code",
    "export_annual",
    "export_quarter",
    "export_quarter_template",
    "is_formula_like",
    "load_counted_ballots",
    "quarter_filename",
    "quarter_sheets",
    "quarter_title",
    "safe_text",
    "score",
    "template_sheets",
    "write_workbook",
    "year_quarters",
    "yes_no",
]
