"""Text in the cells of the workbooks the product writes: shown as text, never run as a formula.

Excel, WPS and LibreOffice take text beginning with `=`, `+`, `-` or `@` for a formula, and a
leading tab or carriage return is how a formula gets past a first-character check when the text is
pasted or edited (docs/workbooks.md, "Results workbook"). Every workbook the product writes keeps
such text a plain string cell with a quote prefix, so it stays text when someone edits the cell.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def keep_as_text(cell: Any) -> Any:
    """Make `cell` (an openpyxl cell, write-only or not) a string cell when its text looks like a formula."""
    if isinstance(cell.value, str) and is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
