"""Path converters for the codes that appear in the evaluation group's URLs.

A URL whose code cannot exist is a 404 before any view or query runs: text such as `2026%00Q3`
would otherwise reach the database (PostgreSQL refuses NUL characters in text).
"""

from __future__ import annotations

from django.urls.converters import StringConverter


class QuarterCodeConverter(StringConverter):
    """A quarter: YYYYQn, for example 2026Q3 (the format of Quarter.code)."""

    regex = "[0-9]{4}Q[1-4]"


class UnitCodeConverter(StringConverter):
    """A unit (department or grassroots unit): 1 to 32 of A–Z, a–z, 0–9, _ and - (the format of Unit.code)."""

    regex = "[A-Za-z0-9_-]{1,32}"
