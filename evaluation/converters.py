"""Path converters for the codes that appear in the evaluation group's URLs.

A URL whose code cannot exist is a 404 before any view or query runs: text such as `2026%00Q3`
would otherwise reach the database (PostgreSQL refuses NUL characters in text).
"""

from __future__ import annotations

from django.urls.converters import StringConverter

from departments.models import UNIT_CODE_PATTERN
from evaluation.models import QUARTER_CODE_PATTERN


class QuarterCodeConverter(StringConverter):
    """A quarter: YYYYQn, for example 2026Q3 (the format of Quarter.code)."""

    regex = QUARTER_CODE_PATTERN


class UnitCodeConverter(StringConverter):
    """A unit (department or grassroots unit): 1 to 32 of A–Z, a–z, 0–9, _ and - (the format of Unit.code)."""

    regex = UNIT_CODE_PATTERN
