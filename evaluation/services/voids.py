"""Voiding ballots and undoing a void: a voided ballot stays stored but no longer counts.

docs/scoring.md, "Which ballots count". Both are corrections of the quarter's record and follow one rule:
allowed until the quarter is published (a published quarter is reopened first), each audited with its reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from evaluation.models import Ballot, Quarter, QuarterStatus, Source
from evaluation.services.results import results_version_bump


def ballot_description(ballot: Ballot) -> str:
    """How a ballot is named in lists and the audit log: never a grassroots rater's identity. Another programme's
    ballot is named with its programme's source (群众评议评分表)."""
    programme = ballot.quarter.programme
    if not programme.is_workstyle:
        return _own_programme_description(ballot, ballot.quarter.source_label(ballot.source))
    if ballot.source == Source.GRASSROOTS:
        return _("grassroots ballot of %(unit)s on %(day)s") % {"unit": ballot.rater_unit, "day": ballot.submitted_on}
    if ballot.source == Source.PEER:
        return _("peer ballot of %(unit)s") % {"unit": ballot.rater_unit}
    return _("leadership ballot of %(leader)s") % {"leader": ballot.rater}


def _own_programme_description(ballot: Ballot, source: str) -> str:
    if ballot.source == Source.GRASSROOTS:
        return _("%(source)s ballot of %(unit)s on %(day)s") % {
            "source": source,
            "unit": ballot.rater_unit,
            "day": ballot.submitted_on,
        }
    if ballot.source == Source.PEER:
        return _("%(source)s ballot of %(unit)s") % {"source": source, "unit": ballot.rater_unit}
    return _("%(source)s ballot of %(leader)s") % {"source": source, "leader": ballot.rater}


def ballot_correction_refusal(quarter: Quarter) -> str | None:
    """Why a ballot of `quarter` cannot be voided or restored now, or None when it can."""
    if quarter.status == QuarterStatus.PUBLISHED:
        return _("The quarter is published; reopen it before voiding a ballot or undoing a void.")
    if quarter.status == QuarterStatus.ANNOUNCED:
        return _("The results are announced; take them back to closed before voiding a ballot or undoing a void.")
    return None


def _lock_for_correction(ballot: Ballot, reason: str, *, missing: str) -> tuple[Quarter, Ballot, str]:
    """Lock the quarter, then the ballot, and check what every correction needs: a reason, an unpublished quarter.

    The quarter row is locked so a correction cannot slip in while the quarter is being published.
    """
    quarter = Quarter.objects.select_for_update().get(pk=ballot.quarter_id)
    # Only the ballot's own row: PostgreSQL cannot lock the nullable side of the joins to its rater.
    ballot = (
        Ballot.objects.select_for_update(of=("self",))
        .select_related("rater_unit", "rater", "voided_by")
        .get(pk=ballot.pk)
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(missing)
    if refusal := ballot_correction_refusal(quarter):
        raise ValidationError(refusal)
    return quarter, ballot, reason


def _details(ballot: Ballot) -> dict[str, Any]:
    """What the audit log records of a ballot: its source and rating unit, never a grassroots rater."""
    return {"source": ballot.source, "unit": ballot.rater_unit.code if ballot.rater_unit else None}


@transaction.atomic
def ballot_void(*, ballot: Ballot, actor: Any, reason: str) -> Ballot:
    """Void a counted ballot with a reason, while its quarter is not published; audited."""
    quarter, ballot, reason = _lock_for_correction(ballot, reason, missing=_("Voiding a ballot needs a reason."))
    if ballot.is_void:
        raise ValidationError(_("This ballot is already void."))
    ballot.voided_at = timezone.now()
    ballot.voided_by = actor if getattr(actor, "is_authenticated", False) else None
    ballot.void_reason = reason
    ballot.full_clean()
    ballot.save(update_fields=["voided_at", "voided_by", "void_reason"])
    results_version_bump(quarter_id=quarter.pk)
    audit_record(
        action=AuditAction.BALLOT_VOIDED,
        summary=lambda: _("Voided the %(ballot)s") % {"ballot": ballot_description(ballot)},
        actor=actor,
        quarter=quarter,
        reason=reason,
        details=_details(ballot),
    )
    return ballot


def _counted_twin(ballot: Ballot) -> Ballot | None:
    """The counted ballot that restoring `ballot` would duplicate: one peer ballot per department, one per leader."""
    counted = Ballot.objects.filter(quarter_id=ballot.quarter_id, source=ballot.source, voided_at__isnull=True)
    if ballot.source == Source.PEER:
        return counted.filter(rater_unit_id=ballot.rater_unit_id).select_related("rater_unit").first()
    if ballot.source == Source.LEADERSHIP:
        return counted.filter(rater_id=ballot.rater_id).select_related("rater").first()
    return None  # a unit casts many grassroots ballots


@transaction.atomic
def ballot_unvoid(*, ballot: Ballot, actor: Any, reason: str) -> Ballot:
    """Undo a void with a reason, while the quarter is not published: the ballot counts again; audited.

    The audit entry keeps the void being undone (when, by whom, why), since the ballot's own fields are cleared.
    Refused when the rater has cast another counted ballot since: void that one first.
    """
    quarter, ballot, reason = _lock_for_correction(ballot, reason, missing=_("Undoing a void needs a reason."))
    if not ballot.is_void:
        raise ValidationError(_("This ballot is not void."))
    if twin := _counted_twin(ballot):
        raise ValidationError(
            _("The %(ballot)s already counts with another ballot; void that one first.")
            % {"ballot": ballot_description(twin)}
        )
    undone = {
        "voided_at": ballot.voided_at.isoformat(),
        "voided_by": ballot.voided_by.username if ballot.voided_by else None,
        "void_reason": ballot.void_reason,
    }
    ballot.voided_at, ballot.voided_by, ballot.void_reason = None, None, ""
    ballot.save(update_fields=["voided_at", "voided_by", "void_reason"])
    results_version_bump(quarter_id=quarter.pk)
    audit_record(
        action=AuditAction.BALLOT_UNVOIDED,
        summary=lambda: _("Restored the %(ballot)s") % {"ballot": ballot_description(ballot)},
        actor=actor,
        quarter=quarter,
        reason=reason,
        details={**_details(ballot), "void": undone},
    )
    return ballot
