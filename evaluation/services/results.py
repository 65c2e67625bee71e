"""A quarter's results as one plain dict: computed live, or frozen at publication.

The results dict (what `results_compute`, `quarter_results` and `ResultSnapshot.payload` hold) is the JSON of
docs/workbooks.md's `compute_rankings`, in that key order, plus extra keys for pages and exports. Numbers are
already rounded half up to 2 decimals (docs/scoring.md rule 5) and given as floats; empty values are None::

    {
      "quarter": "2026Q3",
      "status": "open",                       # the quarter's status; "published" in a snapshot
      "weights": {"grassroots": 40, "peer": 30, "leadership": 30},
      "departments": [                        # group by group (order of "groups"); in each group ranked ones
        {                                     # by rank (ties by department order, then code), then unscored
          "code": "OPS", "name": "运营改善部", "group": "functional",
          "rank": 1,                          # None when unscored
          "rank_change": None,                # previous rank − rank (rule 7); None when none or unscored
          "score": 89.93,                     # final score F, None when unscored
          "composite": 91.43,                 # C, None when unscored
          "adjustment": -1.5,                 # Σ points of the department's adjustments (0.0 when none)
          "sources": {"grassroots": 100.0, "peer": None, "leadership": 80.0},
          "ballots": {"grassroots": 1, "peer": 0, "leadership": 1},
          "cells": {"grassroots": {"efficiency": 100.0, ...}, "peer": {}, "leadership": {...}},  # non-empty only
          # --- extra keys ---
          "id": 7,                            # Unit.pk
          "order": 1,                         # Unit.order (display order)
          "scored": True,
          "final_exact": "630/7",             # unrounded F as a fraction "p/q" (None when unscored)
          "adjustments": [{"points": -1.5, "reason": "…"}],   # in the order they were made
        },
      ],
      # --- extra keys ---
      "title": "",
      "provisional": True,                    # False only for a published quarter's snapshot
      "computed_at": "2026-10-08T09:30:00+08:00",
      "groups": ["functional", "affiliated"], # ranking groups, by their first department's display order
      "sources": ["grassroots", "peer", "leadership"],
      "counted_ballots": {"grassroots": 12, "peer": 3, "leadership": 2},   # counted (not voided) ballots
      "settings": {
        "scale": "levels",
        "levels": [{"label": "优秀", "points": 100.0}, ...],
        "criteria": [{"code": "efficiency", "name": "办事效率", "weight": 1.0}, ...],
        "weights": {...}, "trim": False, "trim_min_n": 5,
        "min_ballots": {"grassroots": 1, "peer": 1, "leadership": 1},
        "anonymity_k": 3,
      },
    }

`annual_results(year)` returns::

    {"year": 2026,
     "departments": [{"code", "name", "group", "rank", "score", "quarters",   # docs/workbooks.md, in this order
                      "id", "order"}],                                        # extra keys
     "groups": [...], "quarters": ["2026Q1", "2026Q2"]}                     # published quarters of the year
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone

from evaluation.models import DepartmentResult, Quarter, QuarterStatus, ResultSnapshot
from evaluation.scoring import SOURCES, DepartmentScore, compute_annual, compute_quarter, round_half_up
from evaluation.selectors.annual import annual_inputs
from evaluation.selectors.scoring import QuarterScoringData, quarter_scoring_data

# The keys and their order in docs/workbooks.md's JSON; the commands print exactly these.
RANKING_KEYS = ("quarter", "status", "weights", "departments")
RANKING_DEPARTMENT_KEYS = (
    "code",
    "name",
    "group",
    "rank",
    "rank_change",
    "score",
    "composite",
    "adjustment",
    "sources",
    "ballots",
    "cells",
)
ANNUAL_KEYS = ("year", "departments")
ANNUAL_DEPARTMENT_KEYS = ("code", "name", "group", "rank", "score", "quarters")


def shown(value: Fraction | Decimal | None) -> float | None:
    """A number as shown and exported: rounded half up to 2 decimals (rule 5), as a JSON float."""
    rounded = round_half_up(value)
    return None if rounded is None else float(rounded)


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _department_dict(score: DepartmentScore, data: QuarterScoringData) -> dict[str, Any]:
    department = score.department
    return {
        "code": department.code,
        "name": department.name,
        "group": department.group,
        "rank": score.rank,
        "rank_change": score.rank_change,
        "score": shown(score.final),
        "composite": shown(score.composite),
        "adjustment": shown(score.adjustment),
        "sources": {source: shown(score.sources[source]) for source in SOURCES},
        "ballots": dict(score.ballots),
        "cells": {source: {code: shown(mean) for code, mean in score.cells[source].items()} for source in SOURCES},
        "id": department.id,
        "order": department.order,
        "scored": score.scored,
        "final_exact": _fraction_text(score.final),
        "adjustments": [
            {"points": shown(a.points), "reason": a.reason}
            for a in data.adjustments
            if a.department_id == department.id
        ],
    }


def _settings_dict(quarter: Quarter, data: QuarterScoringData) -> dict[str, Any]:
    settings = data.scoring_input.settings
    return {
        "scale": quarter.scale,
        "levels": [{"label": label, "points": float(points)} for label, points in data.levels],
        "criteria": [{"code": c.code, "name": c.name, "weight": float(c.weight)} for c in data.criteria],
        "weights": {source: settings.weight(source) for source in SOURCES},
        "trim": settings.trim,
        "trim_min_n": settings.trim_min_n,
        "min_ballots": {source: settings.minimum(source) for source in SOURCES},
        "anonymity_k": quarter.anonymity_k,
    }


def results_compute(quarter: Quarter) -> dict[str, Any]:
    """Compute the quarter's results live from its counted ballots (docs/scoring.md), as the results dict."""
    data = quarter_scoring_data(quarter)
    scores = compute_quarter(data.scoring_input)
    return {
        "quarter": quarter.code,
        "status": quarter.status,
        "weights": {source: quarter.weight(source) for source in SOURCES},
        "departments": [_department_dict(score, data) for score in scores.departments],
        "title": quarter.title,
        "provisional": quarter.status != QuarterStatus.PUBLISHED,
        "computed_at": timezone.now().isoformat(),
        "groups": list(scores.groups),
        "sources": list(SOURCES),
        "counted_ballots": dict(data.counted_ballots),
        "settings": _settings_dict(quarter, data),
    }


def quarter_results(quarter: Quarter) -> dict[str, Any]:
    """The results to show: a published quarter's frozen snapshot, otherwise computed live."""
    if quarter.status == QuarterStatus.PUBLISHED:
        snapshot = ResultSnapshot.objects.filter(quarter=quarter).only("payload").first()
        if snapshot is not None:
            return in_results_order(snapshot.payload)
    return results_compute(quarter)


# The order results_compute builds the dict in; PostgreSQL's jsonb stores an object's keys in an order of its own.
_RESULTS_ORDER = (*RANKING_KEYS, "title", "provisional", "computed_at", "groups", "sources", "counted_ballots")
_DEPARTMENT_ORDER = (*RANKING_DEPARTMENT_KEYS, "id", "order", "scored", "final_exact", "adjustments")
_SETTINGS_ORDER = ("scale", "levels", "criteria", "weights", "trim", "trim_min_n", "min_ballots", "anonymity_k")


def in_results_order(payload: dict[str, Any]) -> dict[str, Any]:
    """A stored results dict with its keys back in the order `results_compute` gives them.

    Printed JSON and every mapping a page walks (sources, criteria) then read the same before and after
    publication. Keys this release does not know keep their place after the known ones.
    """
    results = _ordered(payload, (*_RESULTS_ORDER, "settings"))
    settings = results.get("settings")
    criteria = [criterion["code"] for criterion in settings["criteria"]] if settings else []
    for key in ("weights", "counted_ballots"):
        if isinstance(results.get(key), dict):
            results[key] = _ordered(results[key], SOURCES)
    if settings:
        settings = _ordered(settings, _SETTINGS_ORDER)
        settings["weights"] = _ordered(settings["weights"], SOURCES)
        settings["min_ballots"] = _ordered(settings["min_ballots"], SOURCES)
        settings["levels"] = [_ordered(level, ("label", "points")) for level in settings["levels"]]
        settings["criteria"] = [_ordered(criterion, ("code", "name", "weight")) for criterion in settings["criteria"]]
        results["settings"] = settings
    results["departments"] = [_department_in_order(row, criteria) for row in results["departments"]]
    return results


def _department_in_order(row: dict[str, Any], criteria: list[str]) -> dict[str, Any]:
    row = _ordered(row, _DEPARTMENT_ORDER)
    row["sources"] = _ordered(row["sources"], SOURCES)
    row["ballots"] = _ordered(row["ballots"], SOURCES)
    row["cells"] = {source: _ordered(cells, criteria) for source, cells in _ordered(row["cells"], SOURCES).items()}
    row["adjustments"] = [_ordered(item, ("points", "reason")) for item in row.get("adjustments", [])]
    return row


def _ordered(mapping: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    ordered = {key: mapping[key] for key in keys if key in mapping}
    ordered.update((key, value) for key, value in mapping.items() if key not in ordered)
    return ordered


@transaction.atomic
def results_freeze(*, quarter: Quarter, actor: Any = None) -> ResultSnapshot:
    """Freeze the quarter's results at publication: the whole dict plus one DepartmentResult row per department.

    Replaces an existing snapshot of the quarter. Called by the publish transition, inside its transaction.
    """
    payload = results_compute(quarter)
    payload["status"] = QuarterStatus.PUBLISHED.value
    payload["provisional"] = False
    results_discard(quarter=quarter)
    snapshot = ResultSnapshot.objects.create(quarter=quarter, payload=payload)
    DepartmentResult.objects.bulk_create(
        DepartmentResult(
            snapshot=snapshot,
            quarter=quarter,
            department_id=row["id"],
            group=row["group"],
            rank=row["rank"],
            score=round_half_up(Fraction(row["final_exact"])) if row["final_exact"] else None,
            final_exact=row["final_exact"] or "",
        )
        for row in payload["departments"]
    )
    return snapshot


@transaction.atomic
def results_discard(*, quarter: Quarter) -> None:
    """Drop the quarter's snapshot and result rows (re-opening a published quarter); the next publish recomputes."""
    ResultSnapshot.objects.filter(quarter=quarter).delete()
    DepartmentResult.objects.filter(quarter=quarter).delete()


def annual_results(year: int) -> dict[str, Any]:
    """Rule 8: each department's mean unrounded final score over the year's published quarters, ranked by rule 6.

    A department is ranked in its current ranking group. Departments never scored in the year are listed
    after the ranked ones of their group with rank and score None and quarters 0.
    """
    entries, quarter_codes = annual_inputs(year)
    annual = compute_annual(entries)
    return {
        "year": year,
        "departments": [
            {
                "code": a.department.code,
                "name": a.department.name,
                "group": a.department.group,
                "rank": a.rank,
                "score": shown(a.score),
                "quarters": a.quarters,
                "id": a.department.id,
                "order": a.department.order,
            }
            for a in annual.departments
        ],
        "groups": list(annual.groups),
        "quarters": quarter_codes,
    }


def interchange_view(results: dict[str, Any]) -> dict[str, Any]:
    """Only the keys of docs/workbooks.md's compute_rankings JSON, in its order."""
    view = {key: results[key] for key in RANKING_KEYS}
    view["departments"] = [{key: row[key] for key in RANKING_DEPARTMENT_KEYS} for row in results["departments"]]
    return view


def annual_interchange_view(results: dict[str, Any]) -> dict[str, Any]:
    """Only the keys of docs/workbooks.md's compute_annual JSON, in its order."""
    return {
        "year": results["year"],
        "departments": [{key: row[key] for key in ANNUAL_DEPARTMENT_KEYS} for row in results["departments"]],
    }
