"""The assignments sheet (测评关系): the rater → target pairs of a quarter whose programme's scope is `assigned`.

One reader serves the quarter workbook's sheet and the rater relations page's upload, and one check of a pair
serves both and the page's form (docs/workbooks.md, "Sheet `assignments` [测评关系]").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.utils.translation import gettext as _

from departments.models import Programme, RaterScope, Unit, UnitKind, User
from departments.roles import Role
from departments.usernames import fold_username
from departments.workbook import ImportIssue, SheetRow, WorkbookInvalid, open_workbook, read_sheet
from evaluation import ballot_rules as rules
from evaluation.imports.common import ASSIGNMENTS_SHEET, ImportContext
from evaluation.selectors.assignments import Pair


class PairRefused(Exception):
    """A pair that cannot be listed: the column at fault ("rater_unit", "rater" or "target") and why."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class PairLookups:
    """What a pair may name in a programme: units by code, leaders and accounts by username, its targets."""

    programme: Programme
    units: Mapping[str, Unit]
    leaders: Mapping[str, User]
    accounts: Collection[str]
    targets: Mapping[str, Unit]

    @classmethod
    def from_context(cls, context: ImportContext) -> PairLookups:
        """The lookups the quarter workbook import has already loaded."""
        return cls(context.programme, context.all_units, context.leaders, context.users, context.departments)

    @classmethod
    def load(cls, programme: Programme, *, codes: Collection[str] | None = None) -> PairLookups:
        """Read from the database: every unit and account, or only those named in `codes` (a form's few)."""
        units = Unit.objects.all()
        accounts = User.objects.all()
        if codes is not None:
            units = units.filter(code__in=codes)
            accounts = accounts.filter(username__in=codes)
        units_by_code = {unit.code: unit for unit in units}
        leaders = accounts.filter(is_active=True, groups__name=Role.LEADER).distinct()
        return cls(
            programme=programme,
            units=units_by_code,
            leaders={user.username: user for user in leaders},
            accounts=set(accounts.values_list("username", flat=True)),
            targets={
                code: unit for code, unit in units_by_code.items() if unit.active and unit.kind in programme.kinds
            },
        )


def check_pair(unit_code: Any, username: Any, target_code: Any, lookups: PairLookups) -> Pair:
    """The pair a row (or the form) names, or PairRefused with the column at fault.

    A pair names either a rating unit (a grassroots unit, or a unit the programme evaluates) or a leader's
    account, and a target the programme evaluates.
    """
    unit_code = str(unit_code or "").strip()
    username = fold_username(str(username or "").strip())
    target_code = str(target_code or "").strip()
    if bool(unit_code) == bool(username):
        raise PairRefused("rater_unit", _("Name either the rating unit or the leader, not both."))
    unit = leader = None
    if unit_code:
        unit = lookups.units.get(unit_code)
        if unit is None:
            raise PairRefused("rater_unit", _("There is no unit %(code)s.") % {"code": unit_code})
        if unit.kind != UnitKind.GRASSROOTS and unit.kind not in lookups.programme.kinds:
            raise PairRefused(
                "rater_unit",
                _("%(unit)s hands in no ballot of this programme: name a grassroots unit or a unit it evaluates.")
                % {"unit": unit.name},
            )
    else:
        leader = lookups.leaders.get(username)
        if leader is None:
            unknown = username not in lookups.accounts
            message = _("There is no account %(user)s.") % {"user": username} if unknown else rules.leader_refusal()
            raise PairRefused("rater", message)
    target = lookups.targets.get(target_code)
    if target is None:
        message = _("%(code)s is not a unit this programme rates.") % {"code": target_code} if target_code else None
        raise PairRefused("target", message or _("Name the unit rated (target)."))
    return (getattr(unit, "pk", None), getattr(leader, "pk", None), target.pk)


def read_pairs(rows: list[SheetRow], lookups: PairLookups, issues: list[ImportIssue]) -> list[Pair]:
    """The pairs of the sheet's rows, each listed once; each bad row is reported by sheet, row and column."""
    pairs: list[Pair] = []
    for row in rows:
        try:
            pairs.append(check_pair(row.get("rater_unit"), row.get("rater"), row.get("target"), lookups))
        except PairRefused as refused:
            issues.append(row.issue(refused.column, refused.message))
    return list(dict.fromkeys(pairs))


def scope_refusal(programme: Programme) -> str | None:
    """Why the programme takes no assignments sheet, or None: only a programme with scope assigned does."""
    if programme.scope != RaterScope.ASSIGNED:
        return _("Only a programme with scope assigned takes an assignments sheet.")
    return None


def read_assignments(rows: list[SheetRow] | None, context: ImportContext, issues: list[ImportIssue]) -> None:
    """The quarter workbook's pairs into `context.pairs` (None: the file has no such sheet)."""
    if rows is None:
        return
    if refusal := scope_refusal(context.programme):
        issues.append(ImportIssue(ASSIGNMENTS_SHEET.key, None, None, refusal))
        return
    context.pairs = read_pairs(rows, PairLookups.from_context(context), issues)


def assignments_workbook_read(source: Any, programme: Programme) -> list[Pair]:
    """The pairs of a workbook holding (at least) an assignments sheet, the rater relations page's upload.

    Raises WorkbookInvalid with every problem found, each by sheet, row and column.
    """
    workbook = open_workbook(source, max_bytes=django_settings.IMPORT_MAX_BYTES)
    issues: list[ImportIssue] = []
    rows = read_sheet(workbook, dataclasses.replace(ASSIGNMENTS_SHEET, required=True), issues)
    workbook.close()
    refusal = scope_refusal(programme)
    if refusal:
        issues.append(ImportIssue(ASSIGNMENTS_SHEET.key, None, None, refusal))
    pairs = read_pairs(rows, PairLookups.load(programme), issues) if rows is not None and not refusal else []
    if issues:
        raise WorkbookInvalid(issues)
    return pairs
