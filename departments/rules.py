"""Which unit an account's roles allow: one rule for the organisation workbook and the directory login."""

from __future__ import annotations

from collections.abc import Collection

from django.utils.translation import gettext as _

from departments.models import EVALUATED_KINDS, UnitKind
from departments.roles import ROLES_NEEDING_UNIT, Role


def role_unit_problem(*, roles: Collection[str], code: str | None, kind: str | None) -> str | None:
    """Why an account with `roles` cannot belong to the unit `code` (of `kind`, None if unknown), or None."""
    if code is None:
        needing = sorted(set(roles) & {role.value for role in ROLES_NEEDING_UNIT})
        return _("The role %(role)s needs a department (a unit code).") % {"role": needing[0]} if needing else None
    if kind is None:
        return _("Unknown unit code %(code)s.") % {"code": code}
    # A representative speaks for a rated unit: a department, or a party branch (docs/design.md, "Programmes").
    if Role.DEPARTMENT_REP in roles and kind not in (*EVALUATED_KINDS, UnitKind.PARTY_BRANCH):
        return _("A department representative belongs to an evaluated department, not to %(code)s.") % {"code": code}
    if Role.GRASSROOTS_RATER in roles and kind != UnitKind.GRASSROOTS:
        return _("A grassroots rater belongs to a grassroots unit, not to %(code)s.") % {"code": code}
    return None
