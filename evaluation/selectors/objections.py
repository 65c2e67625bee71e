"""Reading objections (申诉) to announced results: counts, a quarter's list, a department's own (docs/design.md)."""

from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditAction, AuditEntry
from evaluation.models import Objection, ObjectionStatus, Quarter

# The audited actions that can correct an upheld objection: a void, an adjustment, a re-announcement.
CORRECTION_ACTIONS: tuple[str, ...] = (
    AuditAction.BALLOT_VOIDED,
    AuditAction.BALLOT_UNVOIDED,
    AuditAction.ADJUSTMENT_ADDED,
    AuditAction.ADJUSTMENT_CHANGED,
    AuditAction.ADJUSTMENT_REMOVED,
    AuditAction.STATUS_CHANGED,
)


def open_objection_count(quarter: Quarter) -> int:
    return Objection.objects.filter(quarter=quarter, status=ObjectionStatus.OPEN).count()


def quarter_objections(quarter: Quarter) -> QuerySet[Objection]:
    """Every objection of the quarter, oldest first: what the evaluation group answers."""
    return (
        Objection.objects.filter(quarter=quarter).select_related("department", "correction").order_by("filed_at", "id")
    )


def department_objections(quarter: Quarter, department_id: int) -> QuerySet[Objection]:
    """A department's own objections of the quarter, with their answers."""
    return Objection.objects.filter(quarter=quarter, department_id=department_id).select_related("correction")


def waiting_objections() -> QuerySet[Objection]:
    """Objections of every quarter waiting for an answer, oldest first: the evaluation group's home lists them."""
    return (
        Objection.objects.filter(status=ObjectionStatus.OPEN)
        .select_related("quarter", "department")
        .order_by("filed_at", "id")
    )


def correction_choices(objection: Objection) -> QuerySet[AuditEntry]:
    """The audited corrections of the objection's quarter made since it was filed, newest first."""
    return AuditEntry.objects.filter(
        quarter_id=objection.quarter_id, action__in=CORRECTION_ACTIONS, at__gte=objection.filed_at
    ).order_by("-at", "-id")
