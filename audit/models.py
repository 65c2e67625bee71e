"""The audit log: who did what, when and why, for the organisation and for every quarter.

Both `departments` (organisation imports) and `evaluation` (quarters, ballots, problems) write to it;
it depends on neither in Python (the quarter is a lazy model reference), so neither reaches into the
other for it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    QUARTER_CREATED = "quarter_created", _("Quarter created")
    QUARTER_RENAMED = "quarter_renamed", _("Quarter renamed")
    QUARTER_DELETED = "quarter_deleted", _("Draft quarter deleted")
    SETTINGS_CHANGED = "settings_changed", _("Settings changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    CODES_ISSUED = "codes_issued", _("Codes issued")
    BALLOT_VOIDED = "ballot_voided", _("Ballot voided")
    BALLOT_UNVOIDED = "ballot_unvoided", _("Void undone")
    BALLOT_KEYED = "ballot_keyed", _("Paper ballot keyed in")
    BALLOTS_IMPORTED = "ballots_imported", _("Ballots imported")
    ADJUSTMENT_ADDED = "adjustment_added", _("Adjustment added")
    ADJUSTMENT_CHANGED = "adjustment_changed", _("Adjustment changed")
    ADJUSTMENT_REMOVED = "adjustment_removed", _("Adjustment removed")
    REMINDER_SENT = "reminder_sent", _("Reminder sent")
    ORG_IMPORTED = "org_imported", _("Organisation imported")
    PROBLEM_CREATED = "problem_created", _("Problem created")
    PROBLEM_ANSWERED = "problem_answered", _("Problem answered")
    PROBLEM_CLOSED = "problem_closed", _("Problem closed")
    PROBLEM_REOPENED = "problem_reopened", _("Problem reopened")
    PROBLEM_FOLLOWED_UP = "problem_followed_up", _("Answer followed up")
    OBJECTION_FILED = "objection_filed", _("Objection filed")
    OBJECTION_ANSWERED = "objection_answered", _("Objection answered")
    ASSIGNMENTS_REPLACED = "assignments_replaced", _("Rater relations replaced")
    ASSIGNMENT_ADDED = "assignment_added", _("Rater relation added")
    ASSIGNMENT_REMOVED = "assignment_removed", _("Rater relation removed")


class AuditEntry(models.Model):
    """Who did what, when and why. `actor` empty means the system (a command)."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    quarter = models.ForeignKey(
        "evaluation.Quarter", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    summary = models.CharField(_("what"), max_length=255)  # in the site's default language
    summaries = models.JSONField(default=dict, blank=True)  # the summary in each language of the site, by code
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        db_table = "evaluation_auditentry"  # the table the log has always lived in

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.summary}"

    @property
    def localized_summary(self) -> str:
        """The summary in the active language, as it was written when the action ran."""
        return self.summaries.get(get_language() or "") or self.summary
