"""Writing the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation

from audit.models import AuditAction, AuditEntry

if TYPE_CHECKING:
    from evaluation.models import Quarter


def audit_record(
    *,
    action: AuditAction,
    summary: str | Callable[[], str],
    actor: Any = None,
    quarter: Quarter | None = None,
    reason: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append an entry to the audit log. `actor=None` records the system (a command).

    `summary` is a function building the one-line summary with gettext: it is called once per language of the
    site, so that every reader sees the log in their own language whoever acted and in whichever language.
    `summary` holds the site's default language. A plain string is stored as it is, for every language.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    summaries = {code: _summary_in(code, summary) for code, _name in settings.LANGUAGES}
    return AuditEntry.objects.create(
        action=action,
        summary=summaries.get(settings.LANGUAGE_CODE) or _summary_in(settings.LANGUAGE_CODE, summary),
        summaries=summaries,
        actor=user,
        quarter=quarter,
        reason=reason,
        details=details or {},
    )


def _summary_in(language: str, summary: str | Callable[[], str]) -> str:
    if not callable(summary):
        return str(summary)[:255]
    with translation.override(language):
        return str(summary())[:255]
