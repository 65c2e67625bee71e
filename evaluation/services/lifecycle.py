"""The quarter lifecycle: draft → open → closed → published, and back where docs/design.md allows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from evaluation.models import Quarter, QuarterStatus
from evaluation.services.inbox import inbox_flush, inbox_vacuum
from evaluation.services.results import results_discard, results_freeze, results_version_bump

ALLOWED_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (QuarterStatus.DRAFT, QuarterStatus.OPEN),
        (QuarterStatus.OPEN, QuarterStatus.CLOSED),
        (QuarterStatus.CLOSED, QuarterStatus.OPEN),
        (QuarterStatus.CLOSED, QuarterStatus.PUBLISHED),
        (QuarterStatus.PUBLISHED, QuarterStatus.CLOSED),
    }
)
# Transitions that must be justified; the reason is stored in the audit log.
REASON_REQUIRED: frozenset[tuple[str, str]] = frozenset({(QuarterStatus.PUBLISHED, QuarterStatus.CLOSED)})
# Transitions a user may run only with this permission (on top of manage_quarters).
EXTRA_PERMISSION: dict[tuple[str, str], str] = {
    (QuarterStatus.PUBLISHED, QuarterStatus.CLOSED): "evaluation.reopen_published_quarter",
}


def transition_refusal(quarter: Quarter, to: str, actor: Any = None, reason: str = "") -> str | None:
    """Why `actor` may not move `quarter` to `to` now, or None when it may. `actor=None` is the system."""
    step = (quarter.status, to)
    if to not in QuarterStatus.values:
        return _("Unknown status: %(status)s.") % {"status": to}
    if step not in ALLOWED_TRANSITIONS:
        return _("A quarter cannot go from %(from)s to %(to)s.") % {
            "from": QuarterStatus(quarter.status).label,
            "to": QuarterStatus(to).label,
        }
    if actor is not None:
        needed = ["evaluation.manage_quarters", *([EXTRA_PERMISSION[step]] if step in EXTRA_PERMISSION else [])]
        if not all(actor.has_perm(perm) for perm in needed):
            return _("Your account may not make this change.")
    if step in REASON_REQUIRED and not reason.strip():
        return _("Reopening a published quarter needs a reason.")
    if to == QuarterStatus.OPEN and not quarter.criteria.exists():
        return _("The quarter has no criteria; add them before opening it.")
    return None


def transitions_for(quarter: Quarter, actor: Any = None) -> list[str]:
    """The statuses `actor` may move `quarter` to (ignoring the reason, which is asked for separately)."""
    return [
        to
        for (start, to) in sorted(ALLOWED_TRANSITIONS)
        if start == quarter.status and transition_refusal(quarter, to, actor, reason="-") is None
    ]


@transaction.atomic
def quarter_transition(*, quarter: Quarter, to: QuarterStatus | str, actor: Any = None, reason: str = "") -> Quarter:
    """Move a quarter to another status, audited; publishing freezes the results, reopening discards them.

    Closing and publishing first move every grassroots ballot still waiting in the inbox into the
    ballot tables, in this transaction, so the closed quarter's ballots and results are complete.

    The quarter row is locked for the whole step so two transitions (or a transition and a void or a
    submit that also locks it) run one after the other. Raises ValidationError with a translated message.
    """
    locked = Quarter.objects.select_for_update().get(pk=quarter.pk)
    to = str(to)
    reason = reason.strip()
    refusal = transition_refusal(locked, to, actor, reason)
    if refusal is not None:
        raise ValidationError(refusal)
    old = locked.status
    locked.status = to
    if to == QuarterStatus.PUBLISHED:
        locked.published_at = timezone.now()
    elif old == QuarterStatus.PUBLISHED:
        locked.published_at = None
    locked.full_clean()
    locked.save(update_fields=["status", "published_at"])
    results_version_bump(quarter_id=locked.pk)
    if to in (QuarterStatus.CLOSED, QuarterStatus.PUBLISHED):
        _flush_inbox(locked)
    _apply_results(locked, old, to, actor)
    _audit(locked, old, to, actor, reason)
    quarter.status, quarter.published_at = locked.status, locked.published_at
    return locked


def _flush_inbox(quarter: Quarter) -> None:
    """Store every waiting grassroots ballot before anything reads the closed quarter's ballots."""
    if inbox_flush(quarter=quarter):
        transaction.on_commit(inbox_vacuum)


def _apply_results(quarter: Quarter, old: str, to: str, actor: Any) -> None:
    if to == QuarterStatus.PUBLISHED:
        results_freeze(quarter=quarter, actor=actor)
    elif old == QuarterStatus.PUBLISHED:
        results_discard(quarter=quarter)


def _audit(quarter: Quarter, old: str, to: str, actor: Any, reason: str) -> None:
    audit_record(
        action=AuditAction.STATUS_CHANGED,
        summary=lambda: (
            _("%(code)s: %(from)s → %(to)s")
            % {"code": quarter.code, "from": QuarterStatus(old).label, "to": QuarterStatus(to).label}
        ),
        actor=actor,
        quarter=quarter,
        reason=reason,
        details={"from": old, "to": to},
    )
