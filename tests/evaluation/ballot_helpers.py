"""Building ballot POSTs the way the ballot page sends them."""

from __future__ import annotations

from decimal import Decimal

from departments.models import Unit
from evaluation.models import Criterion, Quarter


def ballot_post(quarter: Quarter, *, exclude: tuple[str, ...] = (), value: str = "80", **extra: str) -> dict[str, str]:
    """Every evaluated department (but `exclude`) × every criterion set to `value`."""
    data = {"quarter": quarter.code}
    criteria = list(Criterion.objects.filter(quarter=quarter))
    for unit in Unit.objects.evaluated():
        if unit.code in exclude:
            continue
        for criterion in criteria:
            data[f"v-{unit.pk}-{criterion.pk}"] = value
    data.update(extra)
    return data


def full_values(quarter: Quarter, *, exclude: tuple[str, ...] = (), points: Decimal = Decimal("80")):
    """ballot_submit's `values`: every evaluated department (but `exclude`) × every criterion."""
    criteria = list(Criterion.objects.filter(quarter=quarter))
    return {
        (unit.pk, criterion.pk): points
        for unit in Unit.objects.evaluated()
        if unit.code not in exclude
        for criterion in criteria
    }
