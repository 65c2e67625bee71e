"""Path converters for the codes that appear in the evaluation group's URLs.

A URL whose code cannot exist is a 404 before any view or query runs: text such as `2026%00Q3`
would otherwise reach the database (PostgreSQL refuses NUL characters in text).
"""

from __future__ import annotations

from django.urls.converters import StringConverter

from departments.models import UNIT_CODE_PATTERN
from evaluation.models import ANNUAL_KEY_PATTERN, QUARTER_KEY_PATTERN


class QuarterCodeConverter(StringConverter):
    """A quarter: YYYYQn (2026Q3) in work style, PROGRAMME.YYYYQn in another programme (the format of Quarter.key)."""

    regex = QUARTER_KEY_PATTERN


class UnitCodeConverter(StringConverter):
    """A unit (department or grassroots unit): 1 to 32 of A–Z, a–z, 0–9, _ and - (the format of Unit.code)."""

    regex = UNIT_CODE_PATTERN


class AnnualKeyConverter(StringConverter):
    """A year of a programme: 2026 in work style, PROGRAMME.2026 in another (evaluation.models.annual_key)."""

    regex = ANNUAL_KEY_PATTERN

    def to_url(self, value: object) -> str:
        return str(value)
