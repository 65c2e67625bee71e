"""Reads of results: a quarter's (live, or its snapshot once published) and a year's, as `evaluation.results_model`.

Nothing here writes: `evaluation.services.results` freezes a quarter's results at publication.
"""

from __future__ import annotations

import uuid
import zlib
from collections import defaultdict
from fractions import Fraction

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from config.cache import ProcessKept
from departments.models import Programme, Unit, workstyle
from evaluation.models import FROZEN_STATUSES, DepartmentResult, Quarter, QuarterStatus, ResultSnapshot, Source
from evaluation.results_model import (
    AdjustmentInfo,
    AnnualResults,
    AnnualRow,
    DepartmentRow,
    GradeUsed,
    LevelUsed,
    ParticipationRow,
    QuarterResults,
    Roster,
    SettingsUsed,
    SourceResult,
    UnitName,
    shown,
)
from evaluation.scoring import (
    SOURCES,
    AnnualInput,
    DepartmentInput,
    DepartmentScore,
    GradeRule,
    compute_annual,
    compute_quarter,
)
from evaluation.selectors.counted_ballots import load_counted_ballots
from evaluation.selectors.participation import grassroots_rows, leadership_rows, peer_rows
from evaluation.selectors.scoring import QuarterScoringData, quarter_scoring_data


def _department_row(score: DepartmentScore, adjustments: tuple[AdjustmentInfo, ...]) -> DepartmentRow:
    department = score.department
    return DepartmentRow(
        id=department.id,
        code=department.code,
        name=department.name,
        group=department.group,
        order=department.order,
        rank=score.rank,
        rank_change=score.rank_change,
        score=score.shown_final,
        composite=score.shown_composite,
        adjustment=shown(score.adjustment),  # type: ignore[arg-type]
        final_exact=score.final,
        sources={
            source: SourceResult(
                source=source,
                score=score.shown_sources[source],
                ballots=score.ballots[source],
                cells=score.shown_cells[source],
            )
            for source in SOURCES
        },
        adjustments=adjustments,
        grade=score.grade,
        last_place=score.last_place,
        last_place_streak=score.last_place_streak,
    )


def _adjustments_by_department(data: QuarterScoringData) -> dict[int, tuple[AdjustmentInfo, ...]]:
    listed: dict[int, list[AdjustmentInfo]] = defaultdict(list)
    for adjustment in data.adjustments:
        listed[adjustment.department_id].append(
            AdjustmentInfo(points=shown(adjustment.points), reason=adjustment.reason)
        )  # type: ignore[arg-type]
    return {department_id: tuple(infos) for department_id, infos in listed.items()}


def _settings_used(quarter: Quarter, data: QuarterScoringData) -> SettingsUsed:
    settings = data.scoring_input.settings
    return SettingsUsed(
        scale=quarter.scale,
        levels=tuple(LevelUsed(label, points) for label, points in data.levels),
        criteria=data.criteria,
        weights={source: settings.weight(source) for source in SOURCES},
        trim=settings.trim,
        trim_min_n=settings.trim_min_n,
        min_ballots={source: settings.minimum(source) for source in SOURCES},
        anonymity_k=quarter.anonymity_k,
        grades=tuple(GradeUsed(g.label, g.quota, g.min_score) for g in data.grades),
        top_level_cap=quarter.top_level_cap,
    )


def results_compute(quarter: Quarter) -> QuarterResults:
    """Compute the quarter's results live from its counted ballots (docs/scoring.md)."""
    data = quarter_scoring_data(quarter)
    scores = compute_quarter(data.scoring_input)
    adjustments = _adjustments_by_department(data)
    return QuarterResults(
        quarter=quarter.code,
        status=quarter.status,
        title=quarter.title,
        provisional=quarter.status not in FROZEN_STATUSES,
        computed_at=timezone.now().isoformat(),
        weights={source: quarter.weight(source) for source in SOURCES},
        groups=scores.groups,
        counted_ballots=dict(data.counted_ballots),
        settings=_settings_used(quarter, data),
        departments=tuple(
            _department_row(score, adjustments.get(score.department.id, ())) for score in scores.departments
        ),
    )


def snapshot_results(snapshot_id: int) -> QuarterResults | None:
    """The results frozen in this snapshot, or None when it is gone (the quarter was reopened meanwhile)."""
    payload = ResultSnapshot.objects.filter(pk=snapshot_id).values_list("payload", flat=True).first()
    return None if payload is None else QuarterResults.from_snapshot(payload)


# Live results are kept per (quarter, version) (docs/design.md, "Live results computed once per change").
# The version is a random token in the cache; every writer that changes what a quarter's results show
# drops it after its commit (`evaluation.services.results.results_version_bump`), so the next read draws a
# new token and computes once. The expiry bounds what no writer reports (a unit renamed in the admin); without
# Redis every server process keeps its own cache and sees only its own writers, so it keeps results briefly.
LIVE_RESULTS_SECONDS = 3600
LIVE_RESULTS_SECONDS_PER_PROCESS = 10


def results_version_key(quarter_id: int) -> str:
    return f"results-version:{quarter_id}"


def results_version(quarter_id: int) -> str:
    """The quarter's current results version; a new one when none is kept (first read, or after a change)."""
    key = results_version_key(quarter_id)
    version = cache.get(key)
    if version is None:
        # `add` keeps the first token of two simultaneous readers; the other reads it back.
        version = uuid.uuid4().hex
        if not cache.add(key, version, timeout=None):
            version = cache.get(key) or version
    return version


# A process also keeps the last few results it read, for a few seconds: a key names one version's results, so
# they cannot change under it, and a page of a large quarter then costs neither the transfer from the cache nor
# the unpickling of every number (about 10 ms at 200 departments). A writer's change draws a new version, hence a
# new key, at once.
PROCESS_RESULTS_KEPT = 4
_process_results = ProcessKept(PROCESS_RESULTS_KEPT, LIVE_RESULTS_SECONDS_PER_PROCESS)


def live_results(quarter: Quarter) -> QuarterResults:
    """The quarter's live results, computed once per version and then read from the cache."""
    # The status and title are part of the key: the row passed in is the caller's, read in this request.
    title = zlib.crc32(quarter.title.encode())
    key = f"results-live:{quarter.pk}:{results_version(quarter.pk)}:{quarter.status}:{title}"
    results = _process_results.get(key)
    if results is not None:
        return results
    results = cache.get(key)
    if results is None:
        results = results_compute(quarter)
        shared = bool(settings.REDIS_URL)
        cache.set(key, results, timeout=LIVE_RESULTS_SECONDS if shared else LIVE_RESULTS_SECONDS_PER_PROCESS)
    _process_results.keep(key, results)
    return results


def quarter_results(quarter: Quarter) -> QuarterResults:
    """The results to show: an announced or published quarter's frozen snapshot, otherwise the live results
    (cached per change)."""
    if quarter.status in FROZEN_STATUSES:
        payload = ResultSnapshot.objects.filter(quarter=quarter).values_list("payload", flat=True).first()
        if payload is not None:
            return QuarterResults.from_snapshot(payload)
    return live_results(quarter)


def comment_sources_shown(quarter: Quarter, results: QuarterResults | None = None) -> dict[str, set[str]]:
    """Per department code: the sources whose comments the department itself (a reader under the k-rule) may
    read in the quarter, exactly as its detail page decides. `results` defaults to `quarter_results(quarter)`.

    A department the quarter's results do not include is absent: none of its comments may be read.
    """
    results = quarter_results(quarter) if results is None else results
    return {row.code: set(results.sources_shown(row, quarter.anonymity_k)) for row in results.departments}


# --- the roster a published quarter's workbook names -----------------------------------------------------------


def _unit_name(unit: Unit) -> UnitName:
    return UnitName(pk=unit.pk, code=unit.code, name=unit.name, order=unit.order)


def participation_rows(quarter: Quarter) -> tuple[ParticipationRow, ...]:
    """The participation sheet's rows as of now: per rating unit, counted ballots beside codes and accounts."""
    rows = [
        ParticipationRow(
            Source.GRASSROOTS,
            row["unit"],
            row["name"],
            row["ballots"],
            row["codes_issued"],
            row["codes_used"],
            row["account_votes"],
            row["expected"],
        )
        for row in grassroots_rows(quarter)
    ]
    rows += [
        ParticipationRow(
            Source.PEER, row["unit"], row["name"], int(row["voted"]), None, None, None, int(row["expected"])
        )
        for row in peer_rows(quarter)
    ]
    leaders = leadership_rows(quarter)
    voted = sum(1 for row in leaders if row["voted"])
    expected = sum(1 for row in leaders if row["expected"])
    rows.append(ParticipationRow(Source.LEADERSHIP, None, None, voted, None, None, None, expected))
    return tuple(rows)


def results_roster(quarter: Quarter) -> Roster:
    """Who the quarter's results workbook names, as of now: frozen into the snapshot at publication."""
    ballots = load_counted_ballots(quarter)
    return Roster(
        units={unit.pk: unit for unit in ballots.units.values()},
        departments=tuple(unit.pk for unit in ballots.departments),
        rating_units={
            source: tuple(unit.pk for unit in ballots.rating_units(source))
            for source in (Source.GRASSROOTS, Source.PEER)
        },
        participation=participation_rows(quarter),
    )


# --- rule 8 ------------------------------------------------------------------------------------------------------


def _year_snapshots(prefix: str, programme: Programme) -> list[QuarterResults]:
    payloads = (
        ResultSnapshot.objects.filter(
            quarter__code__startswith=prefix, quarter__status=QuarterStatus.PUBLISHED, quarter__programme=programme
        )
        .order_by("quarter__code")
        .values_list("payload", flat=True)
    )
    return [QuarterResults.from_snapshot(payload) for payload in payloads]


def _annual_departments(
    snapshots: list[QuarterResults], finals: dict[int, list[Fraction]], programme: Programme
) -> list[DepartmentInput]:
    """The year's departments as the latest snapshot naming each one froze them (name, group, order).

    A year without a published quarter has nothing frozen: it lists the units evaluated today, none scored.
    """
    listed: dict[int, DepartmentInput] = {}
    for results in snapshots:
        for row in results.departments:
            listed[row.id] = DepartmentInput(id=row.id, code=row.code, name=row.name, group=row.group, order=row.order)
    missing = [pk for pk in finals if pk not in listed]
    if snapshots and not missing:
        return list(listed.values())
    wanted = (
        Q(id__in=missing) if snapshots else Q(id__in=missing) | Q(pk__in=Unit.objects.evaluated(programme).values("pk"))
    )
    for u in Unit.objects.filter(wanted):
        listed[u.id] = DepartmentInput(id=u.id, code=u.code, name=u.name, group=u.group, order=u.order)
    return list(listed.values())


def annual_grades(snapshots: list[QuarterResults]) -> tuple[GradeRule, ...]:
    """Rule 9 on annual scores uses the grade settings of the year's latest published quarter (none without one)."""
    if not snapshots:
        return ()
    return tuple(GradeRule(g.label, g.quota, g.min_score) for g in snapshots[-1].settings.grades)


def annual_results(year: int, programme: Programme | None = None) -> AnnualResults:
    """Rule 8: each department's mean unrounded final score over the year's published quarters, ranked by rule 6.

    Only the quarters of `programme` (default: work style) count: programmes never mix (docs/design.md).
    Names, groups and display order are those the year's snapshots froze (the latest quarter's). Departments
    never scored in the year are listed after the ranked ones of their group with rank and score None.
    """
    programme = programme or workstyle()
    prefix = f"{year:04d}Q"
    snapshots = _year_snapshots(prefix, programme)
    rows = DepartmentResult.objects.filter(
        quarter__code__startswith=prefix, quarter__status=QuarterStatus.PUBLISHED, quarter__programme=programme
    ).values_list("department_id", "final_exact")
    finals: dict[int, list[Fraction]] = defaultdict(list)
    for department_id, exact in rows:
        finals.setdefault(department_id, [])
        if exact:
            finals[department_id].append(Fraction(exact))
    departments = sorted(_annual_departments(snapshots, finals, programme), key=lambda d: (d.order, d.code))
    entries = [AnnualInput(department=d, finals=tuple(finals.get(d.id, ()))) for d in departments]
    annual = compute_annual(entries, annual_grades(snapshots))
    return AnnualResults(
        year=year,
        departments=tuple(
            AnnualRow(
                id=a.department.id,
                code=a.department.code,
                name=a.department.name,
                group=a.department.group,
                order=a.department.order,
                rank=a.rank,
                score=shown(a.score),
                quarters=a.quarters,
                grade=a.grade,
            )
            for a in annual.departments
        ),
        groups=annual.groups,
        quarters=tuple(results.quarter for results in snapshots),
        programme=programme.code,
    )
