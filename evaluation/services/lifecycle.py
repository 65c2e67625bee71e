"""The quarter lifecycle: draft → open → closed → (announced →) published, and back where docs/design.md allows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AuditAction
from audit.services import audit_record
from evaluation.models import FROZEN_STATUSES, Quarter, QuarterStatus
from evaluation.selectors.objections import open_objection_count
from evaluation.services.inbox import inbox_flush, inbox_vacuum
from evaluation.services.reminders import announcement_reminders_send
from evaluation.services.results import results_discard, results_freeze, results_version_bump

ALLOWED_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (QuarterStatus.DRAFT, QuarterStatus.OPEN),
        (QuarterStatus.OPEN, QuarterStatus.CLOSED),
        (QuarterStatus.CLOSED, QuarterStatus.OPEN),
        (QuarterStatus.CLOSED, QuarterStatus.PUBLISHED),
        (QuarterStatus.PUBLISHED, QuarterStatus.CLOSED),
        # The announcement (公示), docs/design.md "Quarter lifecycle".
        (QuarterStatus.CLOSED, QuarterStatus.ANNOUNCED),
        (QuarterStatus.ANNOUNCED, QuarterStatus.PUBLISHED),
        (QuarterStatus.ANNOUNCED, QuarterStatus.CLOSED),
    }
)
# Transitions that must be justified; the reason is stored in the audit log.
REASON_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    {(QuarterStatus.PUBLISHED, QuarterStatus.CLOSED), (QuarterStatus.ANNOUNCED, QuarterStatus.CLOSED)}
)
# Transitions a user may run only with this permission (on top of manage_quarters).
EXTRA_PERMISSION: dict[tuple[str, str], str] = {
    (QuarterStatus.PUBLISHED, QuarterStatus.CLOSED): "evaluation.reopen_published_quarter",
}
FINALISE = (QuarterStatus.ANNOUNCED, QuarterStatus.PUBLISHED)
# Making announced results final while an objection is open or the period runs: an admin's override, with a reason.
OVERRIDE_PERMISSION = "evaluation.finalise_during_announcement"


def finalise_blockers(quarter: Quarter) -> list[str]:
    """Why an announced quarter cannot become final yet: open objections, the period still running."""
    blockers: list[str] = []
    waiting = open_objection_count(quarter)
    if waiting:
        blockers.append(
            ngettext(
                "%(count)d objection is waiting for an answer.",
                "%(count)d objections are waiting for an answer.",
                waiting,
            )
            % {"count": waiting}
        )
    ends = quarter.announcement_ends_at
    if ends is not None and timezone.now() < ends:
        blockers.append(
            _("The announcement runs until %(end)s.")
            % {"end": date_format(timezone.localtime(ends), "SHORT_DATETIME_FORMAT")}
        )
    return blockers


def needs_reason(quarter: Quarter, to: str) -> bool:
    """Whether this step must be justified now: the fixed ones, and finalising over a blocker (an override)."""
    step = (quarter.status, to)
    return step in REASON_REQUIRED or (step == FINALISE and bool(finalise_blockers(quarter)))


def transition_refusal(
    quarter: Quarter, to: str, actor: Any = None, reason: str = "", *, ignore_blockers: bool = False
) -> str | None:
    """Why `actor` may not move `quarter` to `to` now, or None when it may. `actor=None` is the system.

    `ignore_blockers` leaves out what blocks finalising announced results (open objections, the period).
    """
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
        if quarter.status == QuarterStatus.ANNOUNCED:
            return _("Taking announced results back to correct them needs a reason.")
        return _("Reopening a published quarter needs a reason.")
    announcement = _announcement_refusal(quarter, to, actor, reason, ignore_blockers)
    if announcement is not None:
        return announcement
    if to == QuarterStatus.OPEN and not quarter.criteria.exists():
        return _("The quarter has no criteria; add them before opening it.")
    return None


def _announcement_refusal(quarter: Quarter, to: str, actor: Any, reason: str, ignore_blockers: bool) -> str | None:
    """The announcement's rules: announce only with a period, publish a closed quarter only without one, and
    finalise only when no objection is open and the period has ended, unless overridden with a reason."""
    step = (quarter.status, to)
    if step == (QuarterStatus.CLOSED, QuarterStatus.ANNOUNCED) and quarter.announcement_days == 0:
        return _("The quarter has no announcement period (announcement days: 0); publish its results directly.")
    if step == (QuarterStatus.CLOSED, QuarterStatus.PUBLISHED) and quarter.announcement_days > 0:
        return _("The quarter has an announcement period; announce its results before they become final.")
    if step != FINALISE or ignore_blockers:
        return None
    blockers = finalise_blockers(quarter)
    if not blockers:
        return None
    may_override = actor is None or actor.has_perm(OVERRIDE_PERMISSION)
    if may_override and reason.strip():
        return None
    if may_override:
        blockers.append(_("Give a reason to make the results final anyway."))
    return " ".join([_("The results cannot become final yet."), *blockers])


def transitions_for(quarter: Quarter, actor: Any = None) -> list[str]:
    """The statuses `actor` may move `quarter` to (ignoring the reason, which is asked for separately).

    Finalising announced results is offered to every manager even while something blocks it: the console lists
    the blockers beside the button, and confirming says why it is refused unless an admin overrides them.
    """
    return [
        to
        for (start, to) in sorted(ALLOWED_TRANSITIONS)
        if start == quarter.status
        and transition_refusal(quarter, to, actor, reason="-", ignore_blockers=(start, to) == FINALISE) is None
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
    _stamp(locked, old, to)
    locked.full_clean()
    locked.save(update_fields=["status", "published_at", "announced_at"])
    results_version_bump(quarter_id=locked.pk)
    if to in (QuarterStatus.CLOSED, *FROZEN_STATUSES):
        _flush_inbox(locked)
    _apply_results(locked, old, to, actor)
    _audit(locked, old, to, actor, reason)
    if to == QuarterStatus.ANNOUNCED:
        transaction.on_commit(lambda: announcement_reminders_send(quarter=locked, actor=actor))
    quarter.status, quarter.published_at, quarter.announced_at = locked.status, locked.published_at, locked.announced_at
    return locked


def _stamp(quarter: Quarter, old: str, to: str) -> None:
    """When the results were announced and published; going back to closed forgets both (a new round follows)."""
    if to == QuarterStatus.ANNOUNCED:
        quarter.announced_at = timezone.now()
    if to == QuarterStatus.PUBLISHED:
        quarter.published_at = timezone.now()
    elif to == QuarterStatus.CLOSED and old in FROZEN_STATUSES:
        quarter.published_at = None
        quarter.announced_at = None


def _flush_inbox(quarter: Quarter) -> None:
    """Store every waiting grassroots ballot before anything reads the closed quarter's ballots."""
    if inbox_flush(quarter=quarter):
        transaction.on_commit(inbox_vacuum)


def _apply_results(quarter: Quarter, old: str, to: str, actor: Any) -> None:
    if to in FROZEN_STATUSES:
        results_freeze(quarter=quarter, actor=actor)
    elif old in FROZEN_STATUSES:
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
