"""The adjustments sheet."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from departments.models import Unit
from departments.workbook import (
    ImportIssue,
    SheetRow,
)
from evaluation.imports.common import ImportContext
from evaluation.imports.settings import parse_decimal

# --- adjustments ---------------------------------------------------------------------------------------------------


@dataclass
class ParsedAdjustment:
    department: Unit
    points: Decimal
    reason: str
    row: SheetRow


def read_adjustments(rows: list[SheetRow], context: ImportContext, issues: list[ImportIssue]) -> list[ParsedAdjustment]:
    found = []
    for row in rows:
        code = str(row.get("department") or "").strip()
        department = context.departments.get(code)
        points = parse_decimal(row.get("points"))
        reason = str(row.get("reason") or "").strip()
        if department is None:
            issues.append(row.issue("department", _("%(code)s is not an evaluated department.") % {"code": code}))
        if points is None or abs(points) >= 10000 or points != points.quantize(Decimal("0.01")):
            issues.append(row.issue("points", _("Points are a number with at most two decimals, such as -1.5.")))
        if not reason:
            issues.append(row.issue("reason", _("Every adjustment needs a reason.")))
        if department is not None and points is not None and reason and abs(points) < 10000:
            found.append(ParsedAdjustment(department, points.quantize(Decimal("0.01")), reason, row))
    return found
