"""Results pages: the rankings index, a quarter's ranking, a department's detail, the annual ranking, the method.

Every number comes from the results dict (a published quarter's snapshot, or the live results that evaluators,
leaders and admins follow before publication); the selectors cut it down to what the reader may see.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from departments.models import Unit
from evaluation.models import Quarter, QuarterStatus
from evaluation.selectors.department import department_detail, openable_departments
from evaluation.selectors.rankings import (
    active_sources,
    annual_groups,
    annual_quarter_codes,
    may_view_results,
    published_years,
    quarter_method,
    quarter_results_visible,
    ranking_groups,
    sees_provisional,
    source_label,
    visible_quarters,
)
from evaluation.services.results import annual_results, quarter_results

# Years outside this range cannot hold a quarter worth showing; they are refused rather than queried.
YEARS = range(2000, 2200)


def _require_results_access(request: HttpRequest) -> None:
    if not may_view_results(request.user):
        raise PermissionDenied


def _get_quarter_for_user(request: HttpRequest, code: str) -> Quarter:
    """The quarter whose results the user may see; unpublished quarters do not exist for ordinary readers."""
    _require_results_access(request)
    quarter = get_object_or_404(Quarter, code=code)
    if not quarter_results_visible(request.user, quarter):
        raise Http404
    return quarter


def _get_method_quarter_for_user(request: HttpRequest, code: str) -> Quarter:
    """Settings are not results: every reader may see them once the quarter is no longer a draft."""
    _require_results_access(request)
    quarter = get_object_or_404(Quarter, code=code)
    if quarter.status == QuarterStatus.DRAFT and not sees_provisional(request.user):
        raise Http404
    return quarter


@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    """The quarters whose ranking the user may open, and the years with an annual ranking."""
    _require_results_access(request)
    context = {"quarters": visible_quarters(request.user), "years": published_years()}
    return render(request, "evaluation/results/rankings.html", context)


@login_required
def ranking(request: HttpRequest, code: str) -> HttpResponse:
    """One quarter's ranking, one table and one bar chart per ranking group."""
    quarter = _get_quarter_for_user(request, code)
    results = quarter_results(quarter)
    sources = active_sources(results)
    context = {
        "quarter": quarter,
        "provisional": quarter.status != QuarterStatus.PUBLISHED,
        "groups": ranking_groups(results),
        "sources": [(source, source_label(source)) for source in sources],
        "openable": openable_departments(request.user, quarter, results),
        "computed_at": results.get("computed_at"),
    }
    return render(request, "evaluation/results/ranking.html", context)


@login_required
def department(request: HttpRequest, code: str, department_code: str) -> HttpResponse:
    """One department's detail: cell means, source scores, adjustments, comments, problems and trend."""
    quarter = _get_quarter_for_user(request, code)
    unit = get_object_or_404(Unit, code=department_code)
    try:
        detail = department_detail(quarter=quarter, department=unit, user=request.user)
    except LookupError as missing:
        raise Http404 from missing
    return render(request, "evaluation/results/department.html", {"quarter": quarter, "detail": detail})


@login_required
def annual(request: HttpRequest, year: int) -> HttpResponse:
    """The annual ranking of a year (SCORING.md rule 8) beside each published quarter's score and rank."""
    _require_results_access(request)
    if year not in YEARS:
        raise Http404
    results = annual_results(year)
    codes = annual_quarter_codes(results)
    context = {"year": year, "quarter_codes": codes, "groups": annual_groups(results, codes)}
    return render(request, "evaluation/results/annual.html", context)


@login_required
def method(request: HttpRequest, code: str) -> HttpResponse:
    """How the quarter's scores are computed, from its own settings."""
    quarter = _get_method_quarter_for_user(request, code)
    context = {
        "quarter": quarter,
        "method": quarter_method(quarter),
        "results_visible": quarter_results_visible(request.user, quarter),
    }
    return render(request, "evaluation/results/method.html", context)
