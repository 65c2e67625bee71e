"""What the annual ranking (docs/scoring.md rule 8) reads: the frozen results of the year's published quarters."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from django.db.models import Q

from departments.models import Unit
from evaluation.models import DepartmentResult, Quarter, QuarterStatus
from evaluation.scoring import AnnualInput, DepartmentInput


def annual_inputs(year: int) -> tuple[list[AnnualInput], list[str]]:
    """Per department, the unrounded final scores of the year's published quarters where it was scored.

    Departments: every active evaluated unit, plus any unit holding a result in the year. Each takes its
    current ranking group. Three queries.
    """
    prefix = f"{year:04d}Q"
    quarter_codes = list(
        Quarter.objects.filter(code__startswith=prefix, status=QuarterStatus.PUBLISHED)
        .order_by("code")
        .values_list("code", flat=True)
    )
    rows = DepartmentResult.objects.filter(
        quarter__code__startswith=prefix, quarter__status=QuarterStatus.PUBLISHED
    ).values_list("department_id", "final_exact")
    finals: dict[int, list[Fraction]] = defaultdict(list)
    for department_id, exact in rows:
        finals.setdefault(department_id, [])
        if exact:
            finals[department_id].append(Fraction(exact))
    units = Unit.objects.filter(Q(id__in=list(finals)) | Q(pk__in=Unit.objects.evaluated().values("pk"))).order_by(
        "order", "code"
    )
    entries = [
        AnnualInput(
            department=DepartmentInput(id=u.id, code=u.code, name=u.name, group=u.group, order=u.order),
            finals=tuple(finals.get(u.id, ())),
        )
        for u in units
    ]
    return entries, quarter_codes
