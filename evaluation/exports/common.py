"""Helpers shared by the exporters: rounding, labels, and the results dict."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from departments.models import UnitKind
from evaluation.models import Quarter, Source
from evaluation.services.results import quarter_results as results_for


def round_score(value: Fraction | Decimal | float | None) -> float | None:
    """docs/scoring.md rule 5: half up to two decimals."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def group_label(group: str) -> str:
    return str(UnitKind(group).label) if group in UnitKind.values else group


def source_label(source: str) -> str:
    return str(Source(source).label) if source in Source.values else source


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def quarter_results(quarter: Quarter) -> dict:
    return results_for(quarter)


def active_sources(results: dict) -> list[str]:
    weights = results.get("weights") or {}
    return [source for source in Source.values if (weights.get(source) or 0) > 0]


def grouped(departments: list[dict]) -> list[dict]:
    """Departments grouped by ranking group (in order of first appearance), ranking order kept within a group."""
    first_seen: dict[str, int] = {}
    for entry in departments:
        first_seen.setdefault(entry.get("group") or "", len(first_seen))
    return sorted(departments, key=lambda entry: first_seen[entry.get("group") or ""])
