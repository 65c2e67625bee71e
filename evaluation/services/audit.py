from __future__ import annotations

from typing import Any

from evaluation.models import AuditAction, AuditEntry, Quarter


def audit_record(
    *,
    action: AuditAction,
    summary: str,
    actor: Any = None,
    quarter: Quarter | None = None,
    reason: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append an entry to the audit log. `actor=None` records the system (a command).

    `summary` is stored as text in the language active when the action ran.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        action=action,
        summary=str(summary)[:255],
        actor=user,
        quarter=quarter,
        reason=reason,
        details=details or {},
    )
