"""One-time ballot codes for grassroots units.

A code is CODE_LENGTH characters drawn with `secrets` from an alphabet without
look-alikes (no 0/O, 1/I/L), so it can be read off a slip and typed on a
phone: 31 ** 10 ≈ 2 ** 49.5 possibilities. It is stored without separators and
shown in groups of five (ABCDE-FGHJK).
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from departments.models import Unit, UnitKind
from evaluation.models import BallotCode, Quarter, QuarterStatus

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
GROUP_SIZE = 5
MAX_CODES_PER_ISSUE = 500
CODE_BITS = CODE_LENGTH * math.log2(len(CODE_ALPHABET))
ISSUABLE_STATUSES = (QuarterStatus.DRAFT, QuarterStatus.OPEN)


def normalise_code(text: str) -> str:
    """The stored form of a typed or scanned code: full-width folded, upper case, no spaces or dashes."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Pd")


def format_code(code: str) -> str:
    """A stored code as printed: groups of five joined by dashes."""
    return "-".join(code[i : i + GROUP_SIZE] for i in range(0, len(code), GROUP_SIZE))


def generate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def codes_issue_refusal(*, quarter: Quarter, unit: Unit, count: int) -> str | None:
    """Why these codes cannot be issued, or None when they can."""
    if quarter.status not in ISSUABLE_STATUSES:
        return _("Codes can be issued only while the quarter is a draft or open.")
    if unit.kind != UnitKind.GRASSROOTS or not unit.active:
        return _("Codes are issued only to active grassroots units.")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CODES_PER_ISSUE:
        return _("Issue between 1 and %(max)s codes at a time.") % {"max": MAX_CODES_PER_ISSUE}
    return None


@transaction.atomic
def codes_issue(*, quarter: Quarter, unit: Unit, count: int, actor: Any) -> list[BallotCode]:
    """Issue `count` new one-time codes for a grassroots unit; the audit log records the count, never the codes."""
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    refusal = codes_issue_refusal(quarter=quarter, unit=unit, count=count)
    if refusal is not None:
        raise ValidationError(refusal)
    codes = _unique_codes(count)
    created = BallotCode.objects.bulk_create(BallotCode(quarter=quarter, unit=unit, code=code) for code in codes)
    audit_record(
        action=AuditAction.CODES_ISSUED,
        summary=lambda: _("%(count)s codes issued for %(unit)s") % {"count": count, "unit": unit.name},
        actor=actor,
        quarter=quarter,
        details={"unit": unit.code, "count": count},
    )
    return created


def _unique_codes(count: int) -> list[str]:
    # Collisions are astronomically rare at 49 bits, but checking costs one query per batch.
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {generate_code() for _ in range(count - len(codes))}
        taken = set(BallotCode.objects.filter(code__in=wanted).values_list("code", flat=True))
        codes |= wanted - taken
    return sorted(codes)
