"""Adjustments (加减分): bonus or penalty points with a reason, added by the evaluation group while a quarter is closed.

docs/scoring.md rule 4: F = C + Σ points; every change is audited with the old and new values.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from departments.models import Unit
from evaluation.models import Adjustment, Origin, Quarter, QuarterStatus
from evaluation.services.results import results_version_bump

# The model stores 6 digits with 2 decimals.
POINTS_LIMIT = Decimal("9999.99")


def adjustment_refusal(quarter: Quarter) -> str | None:
    """Why adjustments of `quarter` cannot be changed now, or None when they can."""
    if quarter.status != QuarterStatus.CLOSED:
        return _("Adjustments can be changed only while the quarter is closed; %(quarter)s is %(status)s.") % {
            "quarter": quarter.code,
            "status": QuarterStatus(quarter.status).label,
        }
    return None


def clean_points(points: Any) -> Decimal:
    """Points as a Decimal with two places (e.g. -1.50), or ValidationError."""
    try:
        value = points if isinstance(points, Decimal) else Decimal(str(points).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        raise ValidationError(_("Points must be a number, for example -1.50 or 2."))
    # The range first, by comparison only: quantize() and abs() fail on numbers such as 1e30 or 1e999999999.
    if not -POINTS_LIMIT <= value <= POINTS_LIMIT:
        raise ValidationError(_("Points must lie between -9999.99 and 9999.99."))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("Points have at most two decimal places."))
    if not value:
        # An adjustment of nothing would stand on the page and in the exports as if it changed the score.
        raise ValidationError(_("An adjustment of 0.00 changes nothing: enter a bonus or a penalty."))
    return value.quantize(Decimal("0.01"))


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("An adjustment needs a reason."))
    return reason


def _check_department(department: Unit, quarter: Quarter) -> None:
    if not Unit.objects.evaluated(quarter.programme).filter(pk=department.pk).exists():
        raise ValidationError(_("%(unit)s is not an evaluated department.") % {"unit": department})


def _lock_closed_quarter(quarter_id: int) -> Quarter:
    # Locking the quarter row keeps a change from slipping in while the quarter is being published.
    quarter = Quarter.objects.select_for_update().get(pk=quarter_id)
    refusal = adjustment_refusal(quarter)
    if refusal is not None:
        raise ValidationError(refusal)
    return quarter


def _describe(adjustment: Adjustment) -> dict[str, str]:
    return {
        "department": adjustment.department.code,
        "points": f"{adjustment.points:.2f}",
        "reason": adjustment.reason,
    }


@transaction.atomic
def adjustment_add(
    *,
    quarter: Quarter,
    department: Unit,
    points: Decimal | str,
    reason: str,
    actor: Any = None,
    origin: str = Origin.ONLINE,
) -> Adjustment:
    """Add an adjustment to an evaluated department of a closed quarter; audited."""
    locked = _lock_closed_quarter(quarter.pk)
    _check_department(department, locked)
    adjustment = Adjustment(
        quarter=locked,
        department=department,
        points=clean_points(points),
        reason=_clean_reason(reason),
        origin=origin,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    adjustment.full_clean()
    adjustment.save()
    results_version_bump(quarter_id=locked.pk)
    audit_record(
        action=AuditAction.ADJUSTMENT_ADDED,
        summary=lambda: (
            _("Adjustment of %(points)s for %(department)s")
            % {"points": f"{adjustment.points:+.2f}", "department": department.name}
        ),
        actor=actor,
        quarter=locked,
        reason=adjustment.reason,
        details={"new": _describe(adjustment)},
    )
    return adjustment


@transaction.atomic
def adjustment_update(
    *,
    adjustment: Adjustment,
    points: Decimal | str,
    reason: str,
    department: Unit | None = None,
    actor: Any = None,
) -> Adjustment:
    """Change an adjustment's points, reason (and department) while its quarter is closed; audited."""
    locked = _lock_closed_quarter(adjustment.quarter_id)
    adjustment = Adjustment.objects.select_for_update().select_related("department").get(pk=adjustment.pk)
    old = _describe(adjustment)
    if department is not None:
        _check_department(department, locked)
        adjustment.department = department
    adjustment.points = clean_points(points)
    adjustment.reason = _clean_reason(reason)
    adjustment.full_clean()
    adjustment.save()
    results_version_bump(quarter_id=locked.pk)
    audit_record(
        action=AuditAction.ADJUSTMENT_CHANGED,
        summary=lambda: (
            _("Adjustment for %(department)s changed from %(old)s to %(new)s")
            % {
                "department": adjustment.department.name,
                "old": f"{Decimal(old['points']):+.2f}",
                "new": f"{adjustment.points:+.2f}",
            }
        ),
        actor=actor,
        quarter=locked,
        reason=adjustment.reason,
        details={"old": old, "new": _describe(adjustment)},
    )
    return adjustment


@transaction.atomic
def adjustment_remove(*, adjustment: Adjustment, actor: Any = None) -> None:
    """Remove an adjustment while its quarter is closed; audited with what it was."""
    locked = _lock_closed_quarter(adjustment.quarter_id)
    adjustment = Adjustment.objects.select_for_update().select_related("department").get(pk=adjustment.pk)
    old = _describe(adjustment)
    adjustment.delete()
    results_version_bump(quarter_id=locked.pk)
    audit_record(
        action=AuditAction.ADJUSTMENT_REMOVED,
        summary=lambda: (
            _("Adjustment of %(points)s for %(department)s removed")
            % {"points": f"{Decimal(old['points']):+.2f}", "department": adjustment.department.name}
        ),
        actor=actor,
        quarter=locked,
        reason=old["reason"],
        details={"old": old},
    )
