"""The evaluation group's home: what needs its attention now.

Open quarters with their participation per source, overdue problems, and departments ranked last in their group
(末位) in consecutive published quarters (docs/design.md, "Last places"). Published
results are read through `quarter_results`, the frozen snapshots' one public reader.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from evaluation.labels import group_label
from evaluation.models import Problem, Quarter, QuarterStatus
from evaluation.results_model import DepartmentRow, QuarterResults
from evaluation.selectors.participation import SourceTurnout, quarter_participation, source_turnout
from evaluation.selectors.problems import overdue_q
from evaluation.selectors.results import quarter_results

# A department last this many published quarters running is listed.
LAST_PLACE_STREAK = 2


@dataclass(frozen=True)
class OpenQuarter:
    quarter: Quarter
    turnout: list[SourceTurnout]


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


def open_quarters() -> list[OpenQuarter]:
    return [
        OpenQuarter(quarter, source_turnout(quarter_participation(quarter)))
        for quarter in Quarter.objects.filter(status=QuarterStatus.OPEN).select_related("programme").order_by("code")
    ]


def overdue_problems(today: datetime.date | None = None) -> int:
    """Open problems past their due date, in every quarter."""
    return Problem.objects.filter(overdue_q(today or timezone.localdate())).count()


def overdue_board_url() -> str:
    """The problems board showing only overdue problems, of every quarter (an empty quarter means all)."""
    return reverse("evaluation:problems") + "?" + urlencode({"quarter": "", "overdue": "on"})


def _last_in_group(results: QuarterResults) -> dict[str, DepartmentRow]:
    """The rows ranked last in their group, by department code; a group of one ranked department has no last."""
    last: dict[str, DepartmentRow] = {}
    for group in results.groups:
        ranked = [row for row in results.in_group(group) if row.rank is not None]
        if len(ranked) < 2:
            continue
        bottom = max(row.rank for row in ranked)
        last.update((row.code, row) for row in ranked if row.rank == bottom)
    return last


def last_places(*, at_least: int = LAST_PLACE_STREAK) -> list[LastPlace]:
    """Departments last in their group in the latest published quarter and the ones just before it, at least
    `at_least` running; longest streak first. Reads published quarters newest first until no streak goes on.
    """
    streaks: dict[str, LastPlace] = {}
    going: set[str] | None = None  # the departments whose streak is still running; None before the first quarter
    for quarter in Quarter.objects.filter(status=QuarterStatus.PUBLISHED).select_related("programme").order_by("-code"):
        last = _last_in_group(quarter_results(quarter))
        if going is None:
            streaks = {code: LastPlace(code, row.name, group_label(row.group)) for code, row in last.items()}
            going = set(streaks)
        going &= set(last)
        for code in going:
            streaks[code].quarters.append(quarter.code)
        if not going:
            break
    rows = [row for row in streaks.values() if row.streak >= at_least]
    return sorted(rows, key=lambda row: (-row.streak, row.group, row.name))


def evaluation_group_home() -> EvaluationGroupHome:
    """The evaluation group's part of the home page."""
    return EvaluationGroupHome(
        open_quarters=open_quarters(),
        overdue=overdue_problems(),
        overdue_url=overdue_board_url(),
        last_places=last_places(),
    )
