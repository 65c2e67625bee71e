"""The evaluation group's home: what needs its attention now.

Open quarters with their participation per source and the online grassroots ballots still waiting in the inbox
(evaluation.selectors.inbox), overdue problems, objections waiting, and departments ranked last in their group
(末位) in consecutive published quarters (docs/design.md, "Last places"). Published
results are read through `quarter_results`, the frozen snapshots' one public reader.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from evaluation.labels import group_label
from evaluation.models import Objection, Problem, Quarter, QuarterStatus
from evaluation.results_model import DepartmentRow, QuarterResults
from evaluation.scoring import PlaceKey, last_in_groups, last_place_streaks
from evaluation.selectors.inbox import waiting_per_quarter
from evaluation.selectors.objections import waiting_objections
from evaluation.selectors.participation import SourceTurnout, quarter_participation, source_turnout
from evaluation.selectors.problems import overdue_q
from evaluation.selectors.results import quarter_results

# A department last this many published quarters running is listed.
LAST_PLACE_STREAK = 2


@dataclass(frozen=True)
class OpenQuarter:
    quarter: Quarter
    turnout: list[SourceTurnout]
    waiting: int = 0  # grassroots ballots in the inbox: counted in live results, not yet moved to the ballots


@dataclass
class LastPlace:
    code: str
    name: str
    group: str
    quarters: list[str] = field(default_factory=list)  # newest first

    @property
    def streak(self) -> int:
        return len(self.quarters)


@dataclass(frozen=True)
class EvaluationGroupHome:
    open_quarters: list[OpenQuarter]
    overdue: int
    overdue_url: str
    last_places: list[LastPlace]
    last_place_streak: int = LAST_PLACE_STREAK
    # Objections (申诉) to announced results waiting for the evaluation group's answer, oldest first.
    waiting_objections: list[Objection] = field(default_factory=list)


def open_quarters() -> list[OpenQuarter]:
    quarters = list(Quarter.objects.filter(status=QuarterStatus.OPEN).select_related("programme").order_by("code"))
    waiting = waiting_per_quarter(quarters)
    return [
        OpenQuarter(quarter, source_turnout(quarter, quarter_participation(quarter)), waiting.get(quarter.pk, 0))
        for quarter in quarters
    ]


def overdue_problems(today: datetime.date | None = None) -> int:
    """Open problems past their due date, in every quarter."""
    return Problem.objects.filter(overdue_q(today or timezone.localdate())).count()


def overdue_board_url() -> str:
    """The problems board showing only overdue problems, of every quarter (an empty quarter means all)."""
    return reverse("evaluation:problems") + "?" + urlencode({"quarter": "", "overdue": "on"})


def _last_in_group(results: QuarterResults) -> dict[PlaceKey, DepartmentRow]:
    """The rows ranked last in their group (docs/scoring.md rule 11), by (department id, group)."""
    rows = {(row.id, row.group): row for row in results.departments}
    return {key: rows[key] for key in last_in_groups((key, row.group, row.rank) for key, row in rows.items())}


def last_places(*, at_least: int = LAST_PLACE_STREAK) -> list[LastPlace]:
    """Departments last in their group in the latest published quarter of their programme and the ones just
    before it, at least `at_least` running; longest streak first. Each programme's quarters are read newest
    first until no streak goes on; programmes never mix (docs/design.md, "Programmes").
    """
    published = Quarter.objects.filter(status=QuarterStatus.PUBLISHED).select_related("programme")
    rows: list[LastPlace] = []
    for programme_id in published.values_list("programme_id", flat=True).distinct().order_by("programme_id"):
        rows += _programme_last_places(published.filter(programme_id=programme_id).order_by("-code"), at_least)
    return sorted(rows, key=lambda row: (-row.streak, row.group, row.name))


def _programme_last_places(quarters_newest_first: Iterable[Quarter], at_least: int) -> list[LastPlace]:
    codes: list[str] = []
    history: list[dict[PlaceKey, DepartmentRow]] = []
    for quarter in quarters_newest_first:
        history.append(_last_in_group(quarter_results(quarter)))
        codes.append(quarter.key)
        if not set(history[0]).intersection(*history):
            break
    if not history:
        return []
    streaks = last_place_streaks(history[0], [frozenset(places) for places in history[1:]])
    return [
        LastPlace(row.code, row.name, group_label(row.group), codes[: streaks[key]])
        for key, row in history[0].items()
        if streaks[key] >= at_least
    ]


def evaluation_group_home() -> EvaluationGroupHome:
    """The evaluation group's part of the home page."""
    return EvaluationGroupHome(
        open_quarters=open_quarters(),
        overdue=overdue_problems(),
        overdue_url=overdue_board_url(),
        last_places=last_places(),
        waiting_objections=list(waiting_objections()),
    )
