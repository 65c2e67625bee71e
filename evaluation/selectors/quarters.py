"""Reads for the quarter console."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from departments.models import User
from evaluation.models import AuditEntry, Ballot, BallotCode, Quarter


def quarter_list() -> QuerySet[Quarter]:
    """Every quarter, newest first, with its counted and voided ballot numbers."""
    return Quarter.objects.annotate(
        ballots_counted=Count("ballots", filter=Q(ballots__voided_at__isnull=True)),
        ballots_voided=Count("ballots", filter=Q(ballots__voided_at__isnull=False)),
    ).order_by("-code")


def quarter_ballots(quarter: Quarter, *, voided: bool) -> QuerySet[Ballot]:
    """The quarter's counted (or voided) ballots, grouped by source; never ordered by submission."""
    return (
        Ballot.objects.filter(quarter=quarter, voided_at__isnull=not voided)
        .select_related("rater_unit", "rater", "voided_by")
        .annotate(cells=Count("values"))
        .order_by("source", "rater_unit__order", "rater_unit__code", "rater__username", "submitted_on", "id")
    )


def unused_codes(quarter: Quarter, unit_id: int) -> QuerySet[BallotCode]:
    return BallotCode.objects.filter(quarter=quarter, unit_id=unit_id, used=False).order_by("created_at", "code")


def code_counts(quarter: Quarter) -> list[dict[str, Any]]:
    """Per unit that holds codes: issued, used, unused."""
    rows = (
        BallotCode.objects.filter(quarter=quarter)
        .values("unit", "unit__code", "unit__name")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used=True)))
        .order_by("unit__code")
    )
    return [{**row, "unused": row["issued"] - row["used"]} for row in rows]


def quarter_audit(quarter: Quarter) -> QuerySet[AuditEntry]:
    return audit_log(quarter=quarter)


def audit_log(*, actor: Any = None, action: str = "", quarter: Quarter | None = None) -> QuerySet[AuditEntry]:
    """Audit entries, newest first, narrowed to an actor, an action and a quarter when given."""
    entries = AuditEntry.objects.select_related("actor", "quarter")
    if actor is not None:
        entries = entries.filter(actor=actor)
    if action:
        entries = entries.filter(action=action)
    if quarter is not None:
        entries = entries.filter(quarter=quarter)
    return entries.order_by("-at", "-id")


def audit_actors() -> QuerySet[User]:
    """The accounts that appear in the audit log, by username."""
    return User.objects.filter(pk__in=AuditEntry.objects.filter(actor__isnull=False).values("actor")).order_by(
        "username"
    )
