"""Helpers shared by the problem tests (no tests here): ballots with comments and dated problems."""

from __future__ import annotations

import datetime
import zoneinfo

from departments.models import Unit, UnitKind, User
from evaluation.models import Ballot, BallotComment, BallotValue, Criterion, Problem, Quarter, Source
from evaluation.services.problems import problem_create
from evaluation.services.results import results_version_bump
from tests.evaluation.scoring_data import insert_values

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date | str, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A fixed, aware datetime in Asia/Shanghai."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def rate(ballot: Ballot, department: Unit, points: int = 80) -> None:
    """Give `ballot` a value for `department` on the quarter's first criterion: it now counts as rating it."""
    criterion = Criterion.objects.filter(quarter=ballot.quarter).order_by("order", "code").first()
    # The ballot's rows are written again as a whole, so that its counting flags are those of the service.
    values = [
        *BallotValue.objects.filter(ballot=ballot),
        BallotValue(ballot=ballot, department=department, criterion=criterion, value_centi=points * 100),
    ]
    BallotValue.objects.filter(ballot=ballot).delete()
    insert_values(values)


def counted_ballots(quarter: Quarter, department: Unit, source: str) -> int:
    """Counted ballots of `source` rating `department`, as scoring (and so the k-rule) counts them."""
    return (
        BallotValue.objects.filter(
            ballot__quarter=quarter, ballot__source=source, ballot__voided_at__isnull=True, department=department
        )
        .values("ballot_id")
        .distinct()
        .count()
    )


def add_rating_ballots(quarter: Quarter, department: Unit, source: str, count: int) -> None:
    """`count` more counted ballots of `source` rating `department`, without comments.

    Peer and leadership ballots need a rating department or leader of their own (one ballot each): fresh,
    inactive units and plain users are made for them, so the fixtures' units and people stay free.
    """
    for _index in range(count):
        number = Ballot.objects.count() + 1
        rater_unit, rater = None, None
        if source == Source.GRASSROOTS:
            rater_unit = Unit.objects.filter(kind=UnitKind.GRASSROOTS).order_by("code").first()
        elif source == Source.PEER:
            rater_unit = Unit.objects.create(
                code=f"PEER{number}", name=f"互评部门{number}", kind=UnitKind.FUNCTIONAL, order=900, active=False
            )
        else:
            rater = User.objects.create(username=f"leader_filler{number}")
        ballot = Ballot.objects.create(quarter=quarter, source=source, rater_unit=rater_unit, rater=rater)
        rate(ballot, department)
    results_version_bump(quarter_id=quarter.pk)  # written past the services, which report their writes


def make_comment(
    *,
    quarter: Quarter,
    department: Unit,
    text: str,
    source: str = Source.GRASSROOTS,
    rater_unit: Unit | None = None,
    rater: User | None = None,
    rated_by: int | None = None,
) -> BallotComment:
    """A ballot of `source` carrying one comment for `department`.

    `rated_by` is how many counted ballots of `source` rate the department once it is made (this one included):
    by default the quarter's `anonymity_k`, so that the department may read the comment and it may become a
    problem; 0 leaves this ballot without values (it does not count).
    """
    ballot = Ballot.objects.create(quarter=quarter, source=source, rater_unit=rater_unit, rater=rater)
    comment = BallotComment.objects.create(ballot=ballot, department=department, text=text)
    results_version_bump(quarter_id=quarter.pk)
    rated_by = quarter.anonymity_k if rated_by is None else rated_by
    if rated_by > 0:
        rate(ballot, department)
        missing = rated_by - counted_ballots(quarter, department, source)
        add_rating_ballots(quarter, department, source, max(missing, 0))
    return comment


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
