"""Reminding logged-in raters who have not voted yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from departments.models import Unit, User
from departments.roles import Role
from evaluation import ballot_rules as rules
from evaluation.models import Quarter, QuarterStatus, Source
from evaluation.selectors.participation import offered_counts, role_members

MODEL_BACKEND = "departments.auth.AccountBackend"


@dataclass(frozen=True)
class ReminderResult:
    sent: int
    without_email: int
    cannot_log_in: int = 0


def can_log_in(user: User) -> bool:
    """Whether a reminder's link could take `user` to the ballot: an active account with a way to log in.

    An account without a usable password (created by an organisation import) can log in only through another
    backend, such as a directory, when one is configured.
    """
    if not user.is_active:
        return False
    other_backends = any(backend != MODEL_BACKEND for backend in settings.AUTHENTICATION_BACKENDS)
    return user.has_usable_password() or other_backends


def non_voters(quarter: Quarter) -> list[User]:
    """Accounts that could vote in `quarter` (for a source it collects) and have not; in a programme with a rater
    scope, only those with something to rate (docs/design.md, "Participation console")."""
    users: list[User] = []
    if quarter.weight_peer > 0:
        voted_units = rules.voters(quarter, Source.PEER)
        reps = (
            role_members(Role.DEPARTMENT_REP)
            .filter(unit__in=Unit.objects.evaluated(quarter.programme))
            .exclude(unit__in=voted_units)
        )
        users += _with_targets(quarter, Source.PEER, list(reps.select_related("unit")))
    if quarter.weight_leadership > 0:
        leaders = role_members(Role.LEADER).exclude(pk__in=rules.voters(quarter, Source.LEADERSHIP))
        users += _with_targets(quarter, Source.LEADERSHIP, list(leaders.select_related("unit")))
    if quarter.weight_grassroots > 0:
        voted = rules.voters(quarter, Source.GRASSROOTS)
        workers = role_members(Role.GRASSROOTS_RATER).filter(unit__in=Unit.objects.grassroots()).exclude(pk__in=voted)
        users += _with_targets(quarter, Source.GRASSROOTS, list(workers.select_related("unit")))
    unique = {user.pk: user for user in users}
    return list(unique.values())


def _with_targets(quarter: Quarter, source: str, users: list[User]) -> list[User]:
    """The accounts whose ballot of `source` offers at least one target: the leader's own scope, or its unit's."""
    raters = users if source == Source.LEADERSHIP else list({user.unit_id: user.unit for user in users}.values())
    counts = offered_counts(quarter, source, raters)
    if counts is None:
        return users
    return [user for user in users if counts[user.pk if source == Source.LEADERSHIP else user.unit_id]]


def reminders_send(*, quarter: Quarter, actor: Any, link: str) -> ReminderResult:
    """E-mail every non-voter that has an address; audited with the counts. Only while the quarter is open."""
    if quarter.status != QuarterStatus.OPEN:
        raise ValidationError(_("Reminders can be sent only while the quarter is open."))
    sent = without_email = cannot_log_in = 0
    for user in non_voters(quarter):
        if not can_log_in(user):
            cannot_log_in += 1
            continue
        if not user.email:
            without_email += 1
            continue
        send_mail(
            subject=_("Please rate the departments for %(quarter)s") % {"quarter": quarter.full_name},
            message=_(
                "Hello %(name)s,\n\nthe evaluation %(quarter)s is open and your ballot is not in yet.\n%(link)s\n"
            )
            % {"name": user, "quarter": quarter.full_name, "link": link},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
        sent += 1
    audit_record(
        action=AuditAction.REMINDER_SENT,
        summary=lambda: (
            _("Reminders sent: %(sent)s; without an e-mail address: %(missing)s; cannot log in: %(locked)s")
            % {"sent": sent, "missing": without_email, "locked": cannot_log_in}
        ),
        actor=actor,
        quarter=quarter,
        details={"sent": sent, "without_email": without_email, "cannot_log_in": cannot_log_in},
    )
    return ReminderResult(sent=sent, without_email=without_email, cannot_log_in=cannot_log_in)


def announcement_reminders_send(*, quarter: Quarter, actor: Any) -> ReminderResult:
    """Tell every evaluated department's representative that the results are announced and until when; audited.

    Sent when an announcement starts (evaluation.services.lifecycle), after its transaction commits.
    """
    ends = quarter.announcement_ends_at
    until = date_format(timezone.localtime(ends), "SHORT_DATETIME_FORMAT") if ends is not None else ""
    link = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/") + reverse(
        "evaluation:objections_mine", args=[quarter.key]
    )
    sent = without_email = 0
    for user in role_members(Role.DEPARTMENT_REP).filter(
        unit__in=Unit.objects.evaluated(quarter.programme), is_active=True
    ):
        if not user.email:
            without_email += 1
            continue
        send_mail(
            subject=_("Results of %(quarter)s announced") % {"quarter": quarter.full_name},
            message=_(
                "Hello %(name)s,\n\nthe results of %(quarter)s are announced until %(until)s. Your department "
                "may object in writing to its result until then.\n%(link)s\n"
            )
            % {"name": user, "quarter": quarter.full_name, "until": until, "link": link},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
        sent += 1
    audit_record(
        action=AuditAction.REMINDER_SENT,
        summary=lambda: (
            _("Announcement notices sent: %(sent)s; without an e-mail address: %(missing)s")
            % {"sent": sent, "missing": without_email}
        ),
        actor=actor,
        quarter=quarter,
        details={"sent": sent, "without_email": without_email, "announcement": True},
    )
    return ReminderResult(sent=sent, without_email=without_email)
