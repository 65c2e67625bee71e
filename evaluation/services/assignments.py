"""Changing a quarter's rater relations (测评关系): replace them from a workbook, add a pair, remove a pair.

docs/design.md, "Rater scopes": the pairs of a quarter whose programme's scope is `assigned` change while its
ballots can still come in (draft, open, closed) and never under a stored ballot: a pair that a ballot relies on
(assignments_held_refusal) stays. Announced and published quarters keep theirs. Every change is audited.

No change moves a score: a removed pair holds no value of any ballot and an added pair adds none, so the live
results' version stays (evaluation.services.results.results_version_bump).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from departments.models import RaterScope, Unit, User
from departments.workbook import ImportIssue, WorkbookInvalid
from evaluation.imports.assignments import assignments_workbook_read
from evaluation.imports.common import ASSIGNMENTS_SHEET
from evaluation.models import FROZEN_STATUSES, Assignment, Quarter, QuarterStatus
from evaluation.selectors.assignments import Pair, held_pairs, stored_pairs


def assignments_refusal(quarter: Quarter) -> str | None:
    """Why the quarter's pairs cannot change now, or None when they can."""
    if quarter.programme.scope != RaterScope.ASSIGNED:
        return _("%(programme)s has no rater relations: its raters are not assigned their targets.") % {
            "programme": quarter.programme.name
        }
    if quarter.status in FROZEN_STATUSES:
        return _("%(quarter)s is %(status)s: its rater relations can no longer change.") % {
            "quarter": quarter.code,
            "status": QuarterStatus(quarter.status).label,
        }
    return None


def pair_label(pair: Pair, *, units: dict[int, Unit] | None = None, users: dict[int, User] | None = None) -> str:
    """A pair as messages name it: "EG 二钢厂 → 轧钢一支部" or "leader1 → 轧钢一支部"."""
    unit_id, user_id, target_id = pair
    units = units if units is not None else Unit.objects.in_bulk({i for i in (unit_id, target_id) if i})
    target = units[target_id].name if target_id in units else str(target_id)
    if unit_id is not None:
        unit = units.get(unit_id)
        rater = f"{unit.code} {unit.name}" if unit is not None else str(unit_id)
    else:
        users = users if users is not None else User.objects.in_bulk([user_id])
        rater = users[user_id].username if user_id in users else str(user_id)
    return f"{rater} → {target}"


def assignments_held_refusals(quarter: Quarter, kept: Iterable[Pair], *, but_imported: bool = False) -> list[str]:
    """For each pair the quarter's ballots rely on that `kept` leaves out: why it cannot go. Empty when none."""
    missing = held_pairs(quarter, but_imported=but_imported) - set(kept)
    if not missing:
        return []
    units, users = _named(missing)
    return sorted(_held_message(pair_label(pair, units=units, users=users)) for pair in missing)


def _held_message(label: str) -> str:
    return _("A ballot of this quarter already rates %(pair)s, so the pair must stay.") % {"pair": label}


def _listed_message(label: str) -> str:
    return _("%(pair)s is already listed.") % {"pair": label}


def _locked(quarter: Quarter) -> Quarter:
    """The quarter locked until the change commits, so no ballot is stored meanwhile; refused when frozen."""
    locked = Quarter.objects.select_for_update().select_related("programme").get(pk=quarter.pk)
    if refusal := assignments_refusal(locked):
        raise ValidationError(refusal)
    return locked


def _named(pairs: Iterable[Pair]) -> tuple[dict[int, Unit], dict[int, User]]:
    """The units and leaders the pairs name, by id, in two queries."""
    pairs = list(pairs)
    units = Unit.objects.in_bulk({i for unit, _user, target in pairs for i in (unit, target) if i})
    users = User.objects.in_bulk({user for _unit, user, _target in pairs if user})
    return units, users


def _describe(pairs: Iterable[Pair]) -> list[list[Any]]:
    """Pairs as the audit log keeps them: [rating unit code, leader username, target code]."""
    pairs = list(pairs)
    units, users = _named(pairs)
    rows = [
        [units[unit].code if unit else None, users[user].username if user else None, units[target].code]
        for unit, user, target in pairs
    ]
    return sorted(rows, key=lambda row: [part or "" for part in row])


def assignments_replace(*, quarter: Quarter, source: Any, actor: Any) -> tuple[int, int]:
    """Replace the quarter's pairs by those of a workbook's assignments sheet: all of them, or none.

    Raises WorkbookInvalid naming every problem by sheet, row and column (and every pair a ballot relies on
    that the file leaves out). Returns how many pairs were added and removed; audited.
    """
    if refusal := assignments_refusal(quarter):
        raise WorkbookInvalid([ImportIssue(ASSIGNMENTS_SHEET.key, None, None, refusal)])
    pairs = assignments_workbook_read(source, quarter.programme)
    with transaction.atomic():
        try:
            locked = _locked(quarter)
        except ValidationError as error:
            raise WorkbookInvalid([ImportIssue(ASSIGNMENTS_SHEET.key, None, None, error.messages[0])]) from None
        held = assignments_held_refusals(locked, pairs)
        if held:
            raise WorkbookInvalid([ImportIssue(ASSIGNMENTS_SHEET.key, None, None, message) for message in held])
        before = set(stored_pairs(locked))
        after = set(pairs)
        Assignment.objects.filter(quarter=locked).delete()
        Assignment.objects.bulk_create(
            Assignment(quarter=locked, rater_unit_id=unit, rater_id=user, target_id=target)
            for unit, user, target in pairs
        )
        added, removed = after - before, before - after
        audit_record(
            action=AuditAction.ASSIGNMENTS_REPLACED,
            summary=lambda: (
                _("Rater relations replaced from a workbook: %(count)d pairs, %(added)d added, %(removed)d removed")
                % {"count": len(after), "added": len(added), "removed": len(removed)}
            ),
            actor=actor,
            quarter=locked,
            details={"count": len(after), "added": _describe(added), "removed": _describe(removed)},
        )
    return len(added), len(removed)


def assignment_add(*, quarter: Quarter, pair: Pair, actor: Any) -> Assignment:
    """Add one pair (as evaluation.imports.assignments.check_pair gives it) to the quarter; audited."""
    with transaction.atomic():
        locked = _locked(quarter)
        unit_id, user_id, target_id = pair
        assignment = Assignment(quarter=locked, rater_unit_id=unit_id, rater_id=user_id, target_id=target_id)
        label = pair_label(pair)
        if pair in set(stored_pairs(locked)):
            raise ValidationError(_listed_message(label))
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError:
            raise ValidationError(_listed_message(label)) from None
        audit_record(
            action=AuditAction.ASSIGNMENT_ADDED,
            summary=lambda: _("Rater relation added: %(pair)s") % {"pair": label},
            actor=actor,
            quarter=locked,
            details={"pair": _describe([pair])[0]},
        )
    return assignment


def assignment_remove(*, assignment: Assignment, actor: Any) -> None:
    """Remove one pair, unless a ballot of the quarter relies on it; audited."""
    with transaction.atomic():
        locked = _locked(assignment.quarter)
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        pair = (assignment.rater_unit_id, assignment.rater_id, assignment.target_id)
        rater = {"rater_unit": assignment.rater_unit, "rater": assignment.rater}
        label, described = pair_label(pair), _describe([pair])[0]
        if pair in held_pairs(locked, **rater):
            raise ValidationError(_held_message(label))
        assignment.delete()
        audit_record(
            action=AuditAction.ASSIGNMENT_REMOVED,
            summary=lambda: _("Rater relation removed: %(pair)s") % {"pair": label},
            actor=actor,
            quarter=locked,
            details={"pair": described},
        )
