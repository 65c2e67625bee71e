"""Helpers shared by the problem tests (no tests here): ballots with comments and dated problems."""

from __future__ import annotations

import datetime
import zoneinfo

from departments.models import Unit, User
from evaluation.models import Ballot, BallotComment, Problem, Quarter, Source
from evaluation.services.problems import problem_create

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date | str, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A fixed, aware datetime in Asia/Shanghai."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def make_comment(
    *,
    quarter: Quarter,
    department: Unit,
    text: str,
    source: str = Source.GRASSROOTS,
    rater_unit: Unit | None = None,
    rater: User | None = None,
) -> BallotComment:
    """A ballot of `source` carrying one comment for `department` (no values needed for problems)."""
    ballot = Ballot.objects.create(quarter=quarter, source=source, rater_unit=rater_unit, rater=rater)
    return BallotComment.objects.create(ballot=ballot, department=department, text=text)


def make_problem(
    *,
    actor: User,
    quarter: Quarter,
    department: Unit,
    title: str = "问题",
    raising_unit: Unit | None = None,
    created: datetime.datetime | None = None,
    due_on: datetime.date | str | None = None,
    answered: datetime.datetime | None = None,
    status: str | None = None,
) -> Problem:
    """A problem created through the service, then moved to fixed dates for the figures."""
    problem = problem_create(
        actor=actor, quarter=quarter, department=department, title=title, raising_unit=raising_unit
    )
    changes: dict = {}
    if created is not None:
        changes["created_at"] = created
    if due_on is not None:
        changes["due_on"] = datetime.date.fromisoformat(due_on) if isinstance(due_on, str) else due_on
    if answered is not None:
        changes.update(first_answered_at=answered, answer_updated_at=answered, answer="已答复", status="answered")
    if status is not None:
        changes["status"] = status
    if changes:
        Problem.objects.filter(pk=problem.pk).update(**changes)
        problem.refresh_from_db()
    return problem
