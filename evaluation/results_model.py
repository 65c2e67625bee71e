"""A quarter's (and a year's) results as frozen dataclasses, and their versioned snapshot form.

Every page, export and command reads results through these attributes. Numbers are `Decimal`s already rounded
half up to two decimals by `evaluation.scoring.round_half_up` (docs/scoring.md rule 5), the one rounding there is;
the unrounded final score travels beside them as a `Fraction` (rule 8 averages it). Empty values are None.

A published quarter keeps its results as `ResultSnapshot.payload`, written by `QuarterResults.to_snapshot()` and
read back by `QuarterResults.from_snapshot()`. Version 1 is the plain results dict of earlier releases (floats, no
"version" key); version 2 adds "version", writes numbers as decimal strings and carries the roster (unit names,
rating units, participation) that the results workbook names, so that nothing of a published quarter is read
from the live tables. Grades, last places and the top-level cap were added to version 2 as optional keys: a
snapshot written before them reads back without grades, without last places and without a cap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from departments.models import WORKSTYLE
from evaluation.scoring import SOURCES, collected_sources, round_half_up

SNAPSHOT_VERSION = 2
Number = Decimal | None
# How a snapshot version writes a number: a float in version 1, a decimal string in version 2.
ReadNumber = Callable[[Any], Decimal | None]


def shown(value: Fraction | Decimal | None) -> Decimal | None:
    """A number as shown and exported: rounded half up to 2 decimals (rule 5)."""
    return round_half_up(value)


# --- the model ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelUsed:
    label: str
    points: Decimal


@dataclass(frozen=True)
class CriterionUsed:
    code: str
    name: str
    weight: Decimal


@dataclass(frozen=True)
class GradeUsed:
    """One grade of the quarter (docs/scoring.md rule 9): a quota or a minimum score."""

    label: str
    quota: int | None
    min_score: Decimal | None


@dataclass(frozen=True)
class SettingsUsed:
    """The quarter's settings the results were computed with."""

    scale: str
    levels: tuple[LevelUsed, ...]
    criteria: tuple[CriterionUsed, ...]
    weights: Mapping[str, int]
    trim: bool
    trim_min_n: int
    min_ballots: Mapping[str, int]
    anonymity_k: int
    grades: tuple[GradeUsed, ...] = ()
    top_level_cap: int | None = None


@dataclass(frozen=True)
class AdjustmentInfo:
    points: Decimal
    reason: str


@dataclass(frozen=True)
class SourceResult:
    """One source's part of a department's results."""

    source: str
    score: Number
    ballots: int
    cells: Mapping[str, Decimal]  # criterion code -> rounded cell mean; non-empty cells only, in criteria order

    def cell(self, criterion: str) -> Decimal | None:
        """The criterion's cell mean; None for an empty cell (every rater abstained)."""
        return self.cells.get(criterion)


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    code: str
    name: str
    group: str
    order: int
    rank: int | None
    rank_change: int | None
    score: Number  # the final score F
    composite: Number
    adjustment: Decimal  # Σ points of the department's adjustments
    final_exact: Fraction | None
    sources: Mapping[str, SourceResult]  # every source of SOURCES, in that order
    adjustments: tuple[AdjustmentInfo, ...] = ()
    grade: str | None = None  # rule 9; None without grades or when unscored
    last_place: bool = False  # rule 11
    last_place_streak: int = 0

    @property
    def scored(self) -> bool:
        return self.final_exact is not None


@dataclass(frozen=True)
class UnitName:
    """A unit as the results workbook names it (at publication, once published)."""

    pk: int
    code: str
    name: str
    order: int


@dataclass(frozen=True)
class ParticipationRow:
    """One row of the workbook's participation sheet."""

    source: str
    unit: str | None
    name: str | None  # None for the leaders' row, which the workbook names itself
    ballots: int
    codes_issued: int | None
    codes_used: int | None
    account_votes: int | None
    expected: int


@dataclass(frozen=True)
class Roster:
    """Who the results workbook names, frozen at publication: units, rated departments, rating units."""

    units: Mapping[int, UnitName]
    departments: tuple[int, ...]  # the rated departments, in display order
    rating_units: Mapping[str, tuple[int, ...]]  # grassroots and peer: the rating units, in display order
    participation: tuple[ParticipationRow, ...]


@dataclass(frozen=True)
class QuarterResults:
    """A quarter's results: departments group by group, ranked ones by rank, then unscored (rule 6)."""

    quarter: str
    status: str
    title: str
    provisional: bool  # False only for a published quarter's snapshot
    computed_at: str
    weights: Mapping[str, int]
    groups: tuple[str, ...]
    counted_ballots: Mapping[str, int]
    settings: SettingsUsed
    departments: tuple[DepartmentRow, ...]
    roster: Roster | None = None  # set at publication (snapshot version 2 on)

    @property
    def active_sources(self) -> list[str]:
        """The sources collected in the quarter (weight above zero), in the usual order."""
        return collected_sources(self.weights)

    def sources_shown(self, row: DepartmentRow, k: int | None) -> list[str]:
        """The k-rule (docs/design.md, "Anonymity and trust"): the active sources whose score, breakdown and
        comments a reader under the rule sees for this department, those that at least `k` counted ballots of
        the source rated it. `k` None: a reader the rule does not apply to, who sees every active source."""
        return [s for s in self.active_sources if k is None or row.sources[s].ballots >= k]

    def department(self, code: str) -> DepartmentRow | None:
        return next((row for row in self.departments if row.code == code), None)

    def in_group(self, group: str) -> list[DepartmentRow]:
        return [row for row in self.departments if row.group == group]

    def grouped(self) -> list[DepartmentRow]:
        """Departments group by group (in order of first appearance), ranking order kept within a group."""
        return [row for group in dict.fromkeys(row.group for row in self.departments) for row in self.in_group(group)]

    def to_snapshot(self) -> dict[str, Any]:
        return _quarter_v2(self)

    @classmethod
    def from_snapshot(cls, payload: Mapping[str, Any]) -> QuarterResults:
        version = payload.get("version", 1)
        if version == 1:
            return _quarter_from_v1(payload)
        if version == 2:
            return _quarter_from_v2(payload)
        raise ValueError(f"unknown results snapshot version {version!r}")


@dataclass(frozen=True)
class AnnualRow:
    id: int
    code: str
    name: str
    group: str
    order: int
    rank: int | None
    score: Number
    quarters: int
    grade: str | None = None


@dataclass(frozen=True)
class AnnualResults:
    year: int
    departments: tuple[AnnualRow, ...]
    groups: tuple[str, ...]
    quarters: tuple[str, ...]  # the published quarters of the year, oldest first
    programme: str = WORKSTYLE  # the programme whose quarters these are; programmes never mix

    def grouped(self) -> list[AnnualRow]:
        """Departments group by group (in order of first appearance), ranking order kept within a group."""
        groups = dict.fromkeys(row.group for row in self.departments)
        return [row for group in groups for row in self.departments if row.group == group]


# --- docs/workbooks.md's JSON: the only place numbers become floats ----------------------------------------------


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def interchange_json(results: QuarterResults) -> dict[str, Any]:
    """docs/workbooks.md's compute_rankings JSON: exactly its keys, in its order."""
    return {
        "quarter": results.quarter,
        "status": results.status,
        "weights": dict(results.weights),
        "departments": [
            {
                "code": row.code,
                "name": row.name,
                "group": row.group,
                "rank": row.rank,
                "rank_change": row.rank_change,
                "score": _float(row.score),
                "composite": _float(row.composite),
                "adjustment": _float(row.adjustment),
                "sources": {s: _float(part.score) for s, part in row.sources.items()},
                "ballots": {s: part.ballots for s, part in row.sources.items()},
                "grade": row.grade,
                "last_place": row.last_place,
                "last_place_streak": row.last_place_streak,
                "cells": {s: {c: float(v) for c, v in part.cells.items()} for s, part in row.sources.items()},
            }
            for row in results.departments
        ],
    }


def annual_interchange_json(results: AnnualResults) -> dict[str, Any]:
    """docs/workbooks.md's compute_annual JSON: exactly its keys, in its order."""
    return {
        "year": results.year,
        "departments": [
            {
                "code": row.code,
                "name": row.name,
                "group": row.group,
                "rank": row.rank,
                "score": _float(row.score),
                "quarters": row.quarters,
            }
            for row in results.departments
        ],
    }


# --- snapshot version 1: the results dict of earlier releases, floats -------------------------------------------


def _v1_number(value: float | int | None) -> Decimal | None:
    # A v1 float was written from a value rounded to two decimals; its shortest repr gives that decimal back.
    return None if value is None else Decimal(str(value))


def _fraction(text: str | None) -> Fraction | None:
    return Fraction(text) if text else None


def _settings_from(data: Mapping[str, Any], number: ReadNumber) -> SettingsUsed:
    return SettingsUsed(
        scale=data["scale"],
        levels=tuple(LevelUsed(item["label"], number(item["points"])) for item in data["levels"]),
        criteria=tuple(CriterionUsed(item["code"], item["name"], number(item["weight"])) for item in data["criteria"]),
        weights={source: int(data["weights"][source]) for source in SOURCES},
        trim=bool(data["trim"]),
        trim_min_n=int(data["trim_min_n"]),
        min_ballots={source: int(data["min_ballots"][source]) for source in SOURCES},
        anonymity_k=int(data["anonymity_k"]),
        # Snapshots written before grades and the cap existed have neither.
        grades=tuple(
            GradeUsed(item["label"], item.get("quota"), number(item.get("min_score")))
            for item in data.get("grades", ())
        ),
        top_level_cap=data.get("top_level_cap"),
    )


def _department_from(data: Mapping[str, Any], criteria: tuple[CriterionUsed, ...], number: ReadNumber) -> DepartmentRow:
    codes = [criterion.code for criterion in criteria]
    cells = data["cells"]
    sources = {}
    for source in SOURCES:
        given = cells.get(source) or {}
        ordered = [code for code in codes if code in given] + [code for code in given if code not in codes]
        sources[source] = SourceResult(
            source=source,
            score=number(data["sources"].get(source)),
            ballots=int(data["ballots"].get(source) or 0),
            cells={code: number(given[code]) for code in ordered if given[code] is not None},
        )
    return DepartmentRow(
        id=int(data["id"]),
        code=data["code"],
        name=data["name"],
        group=data["group"],
        order=int(data["order"]),
        rank=data["rank"],
        rank_change=data["rank_change"],
        score=number(data["score"]),
        composite=number(data["composite"]),
        adjustment=number(data["adjustment"]) or Decimal("0.00"),
        final_exact=_fraction(data.get("final_exact")),
        sources=sources,
        adjustments=tuple(
            AdjustmentInfo(number(item["points"]), item.get("reason", "")) for item in data.get("adjustments", ())
        ),
        grade=data.get("grade"),
        last_place=bool(data.get("last_place", False)),
        last_place_streak=int(data.get("last_place_streak") or 0),
    )


def _quarter_from(payload: Mapping[str, Any], number: ReadNumber, roster: Roster | None) -> QuarterResults:
    settings = _settings_from(payload["settings"], number)
    return QuarterResults(
        quarter=payload["quarter"],
        status=payload["status"],
        title=payload.get("title", ""),
        provisional=bool(payload.get("provisional", False)),
        computed_at=payload.get("computed_at", ""),
        weights={source: int(payload["weights"][source]) for source in SOURCES},
        groups=tuple(payload["groups"]),
        counted_ballots={source: int((payload.get("counted_ballots") or {}).get(source, 0)) for source in SOURCES},
        settings=settings,
        departments=tuple(_department_from(row, settings.criteria, number) for row in payload["departments"]),
        roster=roster,
    )


def _quarter_from_v1(payload: Mapping[str, Any]) -> QuarterResults:
    return _quarter_from(payload, _v1_number, roster=None)


# --- snapshot version 2: numbers as decimal strings, the roster beside the results -------------------------------


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _v2_number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _settings_v2(settings: SettingsUsed) -> dict[str, Any]:
    return {
        "scale": settings.scale,
        "levels": [{"label": level.label, "points": _text(level.points)} for level in settings.levels],
        "criteria": [{"code": c.code, "name": c.name, "weight": _text(c.weight)} for c in settings.criteria],
        "weights": dict(settings.weights),
        "trim": settings.trim,
        "trim_min_n": settings.trim_min_n,
        "min_ballots": dict(settings.min_ballots),
        "anonymity_k": settings.anonymity_k,
        "grades": [{"label": g.label, "quota": g.quota, "min_score": _text(g.min_score)} for g in settings.grades],
        "top_level_cap": settings.top_level_cap,
    }


def _department_v2(row: DepartmentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "name": row.name,
        "group": row.group,
        "order": row.order,
        "rank": row.rank,
        "rank_change": row.rank_change,
        "score": _text(row.score),
        "composite": _text(row.composite),
        "adjustment": _text(row.adjustment),
        "final_exact": fraction_text(row.final_exact),
        "sources": {s: _text(part.score) for s, part in row.sources.items()},
        "ballots": {s: part.ballots for s, part in row.sources.items()},
        "cells": {s: {c: _text(v) for c, v in part.cells.items()} for s, part in row.sources.items()},
        "adjustments": [{"points": _text(a.points), "reason": a.reason} for a in row.adjustments],
        "grade": row.grade,
        "last_place": row.last_place,
        "last_place_streak": row.last_place_streak,
    }


def _roster_v2(roster: Roster) -> dict[str, Any]:
    return {
        # A list, not an object: jsonb keeps neither key order nor integer keys.
        "units": [[u.pk, u.code, u.name, u.order] for u in roster.units.values()],
        "departments": list(roster.departments),
        "rating_units": {source: list(ids) for source, ids in roster.rating_units.items()},
        "participation": [
            [p.source, p.unit, p.name, p.ballots, p.codes_issued, p.codes_used, p.account_votes, p.expected]
            for p in roster.participation
        ],
    }


def _roster_from_v2(data: Mapping[str, Any] | None) -> Roster | None:
    if data is None:
        return None
    return Roster(
        units={int(pk): UnitName(int(pk), code, name, int(order)) for pk, code, name, order in data["units"]},
        departments=tuple(int(pk) for pk in data["departments"]),
        rating_units={source: tuple(int(pk) for pk in ids) for source, ids in data["rating_units"].items()},
        participation=tuple(ParticipationRow(*row) for row in data["participation"]),
    )


def _quarter_v2(results: QuarterResults) -> dict[str, Any]:
    return {
        "version": SNAPSHOT_VERSION,
        "quarter": results.quarter,
        "status": results.status,
        "title": results.title,
        "provisional": results.provisional,
        "computed_at": results.computed_at,
        "weights": dict(results.weights),
        "groups": list(results.groups),
        "counted_ballots": dict(results.counted_ballots),
        "settings": _settings_v2(results.settings),
        "departments": [_department_v2(row) for row in results.departments],
        "roster": None if results.roster is None else _roster_v2(results.roster),
    }


def _quarter_from_v2(payload: Mapping[str, Any]) -> QuarterResults:
    return _quarter_from(payload, _v2_number, roster=_roster_from_v2(payload.get("roster")))
