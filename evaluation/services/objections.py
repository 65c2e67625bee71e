"""Objections (申诉) to announced results and the evaluation group's answers (docs/design.md "Quarter lifecycle").

A department's representative objects to their own department's result while it is announced; the evaluation
group answers each one, upheld (pointing at the audited void, adjustment or re-announcement that corrected it)
or rejected, with reasons. Every step is audited. The quarter row is locked, as the lifecycle locks it, so an
objection cannot slip in while the results are being made final.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from departments.models import Unit
from departments.roles import Role
from evaluation.models import Objection, ObjectionPoint, ObjectionStatus, Quarter, QuarterStatus
from evaluation.selectors.objections import correction_choices

OBJECTION_MAX_LENGTH = 2000


def objection_filing_refusal(quarter: Quarter, actor: Any, department: Unit) -> str | None:
    """Why `actor` may not object to `department`'s result in `quarter` now, or None when they may."""
    if not (actor.has_perm("evaluation.file_objection") and actor.has_role(Role.DEPARTMENT_REP)):
        return _("Only a department's representative may object to its result.")
    if actor.unit_id != department.pk:
        return _("You may object only to your own department's result.")
    if quarter.status != QuarterStatus.ANNOUNCED:
        return _("Objections can be filed only while the quarter's results are announced.")
    ends = quarter.announcement_ends_at
    if ends is not None and timezone.now() >= ends:
        return _("The announcement has ended; objections can no longer be filed.")
    return None


@transaction.atomic
def objection_file(*, quarter: Quarter, actor: Any, department: Unit, point: str, text: str) -> Objection:
    """File a representative's written objection on their own department's announced result; audited."""
    locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
    refusal = objection_filing_refusal(locked, actor, department)
    if refusal is not None:
        raise ValidationError(refusal)
    text = text.strip()
    if not text:
        raise ValidationError(_("Write what the objection is about."))
    if len(text) > OBJECTION_MAX_LENGTH:
        raise ValidationError(_("An objection has at most %(max)d characters.") % {"max": OBJECTION_MAX_LENGTH})
    if point not in ObjectionPoint.values:
        raise ValidationError(_("Choose which point of the result the objection concerns."))
    objection = Objection.objects.create(quarter=locked, department=department, point=point, text=text, filed_by=actor)
    audit_record(
        action=AuditAction.OBJECTION_FILED,
        summary=lambda: (
            _("Objection by %(department)s on %(point)s")
            % {"department": department.name, "point": ObjectionPoint(point).label}
        ),
        actor=actor,
        quarter=locked,
        reason=text,
        details={"objection": objection.pk, "department": department.code, "point": point},
    )
    return objection


@transaction.atomic
def objection_answer(
    *, objection: Objection, actor: Any, upheld: bool, answer: str, correction: AuditEntry | None = None
) -> Objection:
    """Answer an objection once: upheld with the audited correction it led to, or rejected; reasons required."""
    if not actor.has_perm("evaluation.manage_quarters"):
        raise ValidationError(_("Only the evaluation group answers objections."))
    Quarter.objects.select_for_update().get(pk=objection.quarter_id)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError(_("This objection has already been answered."))
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("Give the reasons of the answer."))
    if upheld and correction is None:
        raise ValidationError(
            _("An upheld objection names the void, adjustment or re-announcement that corrected the result.")
        )
    if correction is not None and not correction_choices(objection).filter(pk=correction.pk).exists():
        raise ValidationError(_("Choose a correction made in this quarter since the objection was filed."))
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
    objection.answer = answer
    objection.correction = correction if upheld else None
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    audit_record(
        action=AuditAction.OBJECTION_ANSWERED,
        summary=lambda: (
            _("Objection by %(department)s: %(status)s")
            % {"department": objection.department.name, "status": objection.get_status_display()}
        ),
        actor=actor,
        quarter=objection.quarter,
        reason=answer,
        details={
            "objection": objection.pk,
            "status": objection.status,
            "correction": objection.correction_id,
        },
    )
    return objection
