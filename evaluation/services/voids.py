"""Voiding ballots: a voided ballot stays stored but no longer counts (docs/scoring.md, "Which ballots count")."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from evaluation.models import Ballot, Quarter, QuarterStatus, Source


def ballot_description(ballot: Ballot) -> str:
    """How a ballot is named in lists and the audit log: never a grassroots rater's identity."""
    if ballot.source == Source.GRASSROOTS:
        return _("grassroots ballot of %(unit)s on %(day)s") % {"unit": ballot.rater_unit, "day": ballot.submitted_on}
    if ballot.source == Source.PEER:
        return _("peer ballot of %(unit)s") % {"unit": ballot.rater_unit}
    return _("leadership ballot of %(leader)s") % {"leader": ballot.rater}


@transaction.atomic
def ballot_void(*, ballot: Ballot, actor: Any, reason: str) -> Ballot:
    """Void a counted ballot with a reason, while its quarter is not published; audited.

    The quarter row is locked so a void cannot slip in while the quarter is being published.
    """
    quarter = Quarter.objects.select_for_update().get(pk=ballot.quarter_id)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Voiding a ballot needs a reason."))
    if quarter.status == QuarterStatus.PUBLISHED:
        raise ValidationError(_("The quarter is published; reopen it before voiding a ballot."))
    if ballot.is_void:
        raise ValidationError(_("This ballot is already void."))
    ballot.voided_at = timezone.now()
    ballot.voided_by = actor if getattr(actor, "is_authenticated", False) else None
    ballot.void_reason = reason
    ballot.full_clean()
    ballot.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(
        action=AuditAction.BALLOT_VOIDED,
        summary=lambda: _("Voided the %(ballot)s") % {"ballot": ballot_description(ballot)},
        actor=actor,
        quarter=quarter,
        reason=reason,
        details={"source": ballot.source, "unit": ballot.rater_unit.code if ballot.rater_unit else None},
    )
    return ballot
