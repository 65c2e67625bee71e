"""The adjustments sheet."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from departments.models import Unit
from departments.workbook import (
    ImportIssue,
    SheetRow,
)
from evaluation.imports.common import ImportContext
from evaluation.imports.settings import parse_decimal
from evaluation.services.adjustments import clean_points

# --- adjustments ---------------------------------------------------------------------------------------------------


@dataclass
class ParsedAdjustment:
    department: Unit
    points: Decimal
    reason: str
    row: SheetRow


def _points(row: SheetRow, issues: list[ImportIssue]) -> Decimal | None:
    """The row's points by the rule the console's adjustments follow (evaluation.services.adjustments)."""
    points = parse_decimal(row.get("points"))
    if points is None:
        issues.append(row.issue("points", _("Points are a number with at most two decimals, such as -1.5.")))
        return None
    try:
        return clean_points(points)
    except ValidationError as refused:
        issues.append(row.issue("points", refused.messages[0]))
        return None


def read_adjustments(rows: list[SheetRow], context: ImportContext, issues: list[ImportIssue]) -> list[ParsedAdjustment]:
    found = []
    for row in rows:
        code = str(row.get("department") or "").strip()
        department = context.departments.get(code)
        points = _points(row, issues)
        reason = str(row.get("reason") or "").strip()
        if department is None:
            issues.append(row.issue("department", _("%(code)s is not an evaluated department.") % {"code": code}))
        if not reason:
            issues.append(row.issue("reason", _("Every adjustment needs a reason.")))
        if department is not None and points is not None and reason:
            found.append(ParsedAdjustment(department, points, reason, row))
    return found
