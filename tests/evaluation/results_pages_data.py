"""Published quarters for the results-page tests, written straight as a snapshot (payload + DepartmentResult rows).

The payload is a version 1 snapshot (evaluation.results_model); the pages must show exactly its numbers.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from departments.models import Unit
from evaluation.models import BallotComment, DepartmentResult, Quarter, QuarterStatus, ResultSnapshot
from evaluation.services.quarters import quarter_create

SOURCES = ("grassroots", "peer", "leadership")


def _exact(score: float | None) -> str | None:
    if score is None:
        return None
    exact = Fraction(Decimal(str(score)))
    return f"{exact.numerator}/{exact.denominator}"


def entry(
    unit: Unit,
    *,
    rank: int | None,
    score: float | None,
    rank_change: int | None = None,
    composite: float | None = None,
    adjustment: float = 0.0,
    sources: dict[str, float | None] | None = None,
    ballots: dict[str, int] | None = None,
    cells: dict[str, dict[str, float]] | None = None,
    adjustments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One department's entry of a version 1 snapshot."""
    return {
        "code": unit.code,
        "name": unit.name,
        "group": unit.group,
        "rank": rank,
        "rank_change": rank_change,
        "score": score,
        "composite": score if composite is None else composite,
        "adjustment": adjustment,
        "sources": {source: (sources or {}).get(source) for source in SOURCES},
        "ballots": {source: (ballots or {}).get(source, 0) for source in SOURCES},
        "cells": {source: (cells or {}).get(source, {}) for source in SOURCES},
        "id": unit.pk,
        "order": unit.order,
        "scored": score is not None,
        "final_exact": _exact(score),
        "adjustments": adjustments or [],
    }


def payload(quarter: Quarter, departments: list[dict[str, Any]]) -> dict[str, Any]:
    """A snapshot payload of version 1, every key as the releases that wrote version 1 wrote it."""
    return {
        "quarter": quarter.code,
        "status": QuarterStatus.PUBLISHED.value,
        "weights": {source: quarter.weight(source) for source in SOURCES},
        "departments": departments,
        "title": quarter.title,
        "provisional": False,
        "computed_at": "2026-07-08T09:30:00+08:00",
        "groups": list(dict.fromkeys(d["group"] for d in departments)),
        "sources": list(SOURCES),
        "counted_ballots": {source: sum(d["ballots"][source] for d in departments) for source in SOURCES},
        "settings": {
            "scale": quarter.scale,
            "levels": [{"label": lv.label, "points": float(lv.points)} for lv in quarter.levels.order_by("order")],
            "criteria": [
                {"code": c.code, "name": c.name, "weight": float(c.weight)}
                for c in quarter.criteria.order_by("order", "code")
            ],
            "weights": {source: quarter.weight(source) for source in SOURCES},
            "trim": quarter.trim,
            "trim_min_n": quarter.trim_min_n,
            "min_ballots": {source: quarter.min_ballots(source) for source in SOURCES},
            "anonymity_k": quarter.anonymity_k,
        },
    }


def published_quarter(code: str, departments: list[dict[str, Any]], **settings: Any) -> Quarter:
    """A published quarter whose snapshot holds exactly these department entries."""
    quarter = quarter_create(code=code, **settings)
    quarter.status = QuarterStatus.PUBLISHED
    quarter.save(update_fields=["status"])
    snapshot = ResultSnapshot.objects.create(quarter=quarter, payload=payload(quarter, departments))
    DepartmentResult.objects.bulk_create(
        DepartmentResult(
            snapshot=snapshot,
            quarter=quarter,
            department_id=d["id"],
            group=d["group"],
            rank=d["rank"],
            score=None if d["score"] is None else Decimal(str(d["score"])),
            final_exact=d["final_exact"] or "",
        )
        for d in departments
    )
    return quarter


def comment(quarter: Quarter, source: str, department: Unit, text: str, **ballot_fields: Any) -> BallotComment:
    """A comment on a new counted ballot of the source (the ballot holds no values: the payload says the counts)."""
    from evaluation.models import Ballot

    ballot = Ballot.objects.create(quarter=quarter, source=source, **ballot_fields)
    return BallotComment.objects.create(ballot=ballot, department=department, text=text)


# Distinctive numbers, so that a test can tell which ones a page shows.
OPS_CELLS = {
    "grassroots": {"efficiency": 81.11, "quality": 82.22, "service": 83.33},
    "peer": {"efficiency": 66.61, "quality": 66.62, "service": 66.63},
    "leadership": {"efficiency": 71.71, "quality": 72.72},
}


def decimals(cells: dict[str, float]) -> dict[str, Decimal]:
    """Cell means as the results model holds them."""
    return {code: Decimal(str(value)) for code, value in cells.items()}


def example_published(org: dict[str, Unit], leader: Any, code: str = "2026Q2") -> Quarter:
    """A published quarter: OPS first with 5 grassroots, 2 peer (below k = 3) and 3 leadership ballots and a
    comment of each source; EQP second; AUD unscored; RET alone in the affiliated group."""
    departments = [
        entry(
            org["OPS"],
            rank=1,
            score=85.55,
            rank_change=2,
            composite=86.05,
            adjustment=-0.5,
            sources={"grassroots": 82.22, "peer": 66.62, "leadership": 72.05},
            ballots={"grassroots": 5, "peer": 2, "leadership": 3},
            cells=OPS_CELLS,
            adjustments=[{"points": -0.5, "reason": "未按期答复基层问题"}],
        ),
        entry(
            org["EQP"],
            rank=2,
            score=80.04,
            rank_change=-1,
            sources={"grassroots": 80.04},
            ballots={"grassroots": 4},
        ),
        entry(org["AUD"], rank=None, score=None),
        entry(org["RET"], rank=1, score=77.07, rank_change=0, sources={"grassroots": 77.07}, ballots={"grassroots": 3}),
    ]
    quarter = published_quarter(code, departments)
    comment(quarter, "grassroots", org["OPS"], "GRASSROOTS-COMMENT", rater_unit=org["HRM"])
    comment(quarter, "peer", org["OPS"], "PEER-SECRET-COMMENT", rater_unit=org["EQP"])
    comment(quarter, "leadership", org["OPS"], "LEADERSHIP-COMMENT", rater=leader)
    return quarter
