"""Access rules of the evaluation pages: the evaluation group's, and who reads which results (docs/design.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from departments.models import Programme, Unit
from departments.roles import Role
from evaluation.models import FROZEN_STATUSES, Quarter, QuarterStatus, annual_lookup, quarter_lookup

MANAGE = "evaluation.manage_quarters"
# Years a URL may name.
YEARS = range(2000, 2200)


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; accounts without manage_quarters get 403."""
    return login_required(permission_required(MANAGE, raise_exception=True)(view))


def annual_programme(key: str) -> tuple[Programme, int]:
    """The programme and year an annual key names; a 404 for an unknown programme or a year out of range."""
    programme_code, year = annual_lookup(key)
    if year not in YEARS:
        raise Http404
    return get_object_or_404(Programme, code=programme_code), year


def managed_quarter(code: str) -> Quarter:
    """A quarter for the evaluation group: every manager may run every quarter."""
    return get_object_or_404(Quarter, **quarter_lookup(code))


# --- results: who reads which quarter, which department, and what of it ----------------------------------------

PUBLISHED_PERM = "evaluation.view_published_results"
PROVISIONAL_PERM = "evaluation.view_provisional_results"
# Quarters whose live results a provisional viewer may follow; a draft has no ballots yet.
LIVE_STATUSES = (QuarterStatus.OPEN, QuarterStatus.CLOSED)
# Roles whose holders read every department's published detail (under the k-rule); a representative only their own.
READ_EVERY_DEPARTMENT_ROLES = (Role.VIEWER, Role.GRASSROOTS_RATER)


def may_view_results(user: Any) -> bool:
    """Whether the user may open the results area at all (published or provisional)."""
    return user.has_perm(PUBLISHED_PERM) or user.has_perm(PROVISIONAL_PERM)


def sees_provisional(user: Any) -> bool:
    """Evaluators, leaders and admins: unpublished quarters, and every department's detail."""
    return user.has_perm(PROVISIONAL_PERM)


def under_k_rule(user: Any) -> bool:
    """docs/design.md: below k a reader sees the combined score only, on every page and export a non-evaluator
    reads. Only the evaluation group and admins (who run quarters) read sources built from fewer ballots."""
    return not user.has_perm(MANAGE)


def readable_statuses(user: Any) -> list[str]:
    """The statuses of the quarters whose ranking the user may open."""
    statuses: list[str] = []
    if may_view_results(user):
        statuses.extend(FROZEN_STATUSES)
    if sees_provisional(user):
        statuses.extend(LIVE_STATUSES)
    return statuses


def quarter_results_visible(user: Any, quarter: Quarter) -> bool:
    """Whether the user may see this quarter's ranking: announced or published to readers, live to provisional
    viewers."""
    if quarter.status in FROZEN_STATUSES:
        return may_view_results(user)
    return quarter.status in LIVE_STATUSES and sees_provisional(user)


def _reads_published(user: Any, quarter: Quarter) -> bool:
    # Announced results are shown to the readers of published ones, marked as under announcement.
    return quarter.status in FROZEN_STATUSES and user.has_perm(PUBLISHED_PERM)


def _reads_every_department(user: Any, quarter: Quarter) -> bool:
    if sees_provisional(user):
        return quarter_results_visible(user, quarter)
    return _reads_published(user, quarter) and user.has_role(*READ_EVERY_DEPARTMENT_ROLES)


def _own_department_id(user: Any, quarter: Quarter) -> int | None:
    """A representative's own department, readable once the quarter is published."""
    if _reads_published(user, quarter) and user.has_role(Role.DEPARTMENT_REP):
        return user.unit_id
    return None


def may_view_department(user: Any, quarter: Quarter, department: Unit) -> bool:
    """Whether the user may open this department's detail: every one for provisional viewers (while they may see
    the quarter), viewers and grassroots raters once published; a representative their own once published."""
    if _reads_every_department(user, quarter):
        return True
    own = _own_department_id(user, quarter)
    return own is not None and own == department.pk


def department_link_scope(user: Any, quarter: Quarter) -> str:
    """Which department details the user may open in the quarter, as a short key: "all", "own:<unit id>" or "none".

    Two readers with the same scope (and the same `under_k_rule`) get the same ranking tables, so a rendered
    ranking may be shared between them; `evaluation.selectors.department.openable_for_scope` derives the links
    from this very value.
    """
    if _reads_every_department(user, quarter):
        return "all"
    own = _own_department_id(user, quarter)
    return f"own:{own}" if own is not None else "none"
