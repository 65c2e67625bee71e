"""Reads for problems: the board, per-department figures, timelines, comments.

Figures are computed in the database:

- raised: problems of the department (in the quarter, if one is given);
- answered: problems that have ever been answered (`first_answered_at` set),
  whatever their status now;
- open: problems whose status is open (new or reopened);
- closed: problems whose status is closed;
- overdue: problems whose status is open and whose due date is before
  `today` (Asia/Shanghai local date). An answered or closed problem is never
  overdue, even if it was answered late;
- median_days_to_answer: the median of the elapsed time, in days (fractions
  kept, rounded to one decimal only for display), from a problem's creation to
  its first answer, over answered problems. On PostgreSQL it is the
  `percentile_cont(0.5) WITHIN GROUP (ORDER BY days)` aggregate; on SQLite,
  which has no percentile aggregate, a window-function query numbers each
  department's answered problems by their days (`ROW_NUMBER()` and `COUNT(*)`
  over the department) and averages the one or two middle rows. Both give the
  same (continuous) median (`evaluation.sql.medians`). `None` when nothing has been answered.

"Today" is an argument everywhere so that tests can fix it.

What a reader may see of a problem (`as_read_by`; the pages read problems only through it, or through
`readable_problems` and `department_problems`, which apply it):

- the evaluation group, the leaders and the admins (view_provisional_results) see every problem as recorded;
- the raising unit itself (a grassroots unit's raters, a peer department's representatives) sees its problems
  as recorded: the answer is for it (docs/design.md, "Problems raised and answered");
- anyone else, first of all the department the problem is addressed to, gets no raising unit for a problem made
  from a peer-review comment (logged-in ballots are shown to departments only as aggregates), and no title or
  description for a problem made from a comment that the k-rule keeps from the department (such a problem can
  no longer be made, but older ones exist, and a ballot voided later can bring a source below `anonymity_k`).
  The comment behind a problem is never handed to these readers, only its source.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from departments.models import WORKSTYLE, Unit
from evaluation.models import BallotComment, Problem, ProblemStatus, Quarter, QuarterStatus, Source
from evaluation.selectors.results import comment_sources_shown
from evaluation.sql import DaysBetween, medians

# Readers who see every problem as recorded: the evaluation group, the leaders and the admins.
SEES_EVERY_PROBLEM_PERM = "evaluation.view_provisional_results"

FIGURE_KEYS = (
    "raised",
    "answered",
    "open",
    "closed",
    "overdue",
    "median_days_to_answer",
    "followed_up",
    "satisfied",
    "satisfaction_percent",
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def overdue_q(today: datetime.date) -> Q:
    """Open problems past their due date."""
    return Q(status=ProblemStatus.OPEN, due_on__lt=today)


def empty_figures() -> dict[str, Any]:
    return {
        "raised": 0,
        "answered": 0,
        "open": 0,
        "closed": 0,
        "overdue": 0,
        "median_days_to_answer": None,
        "followed_up": 0,
        "satisfied": 0,
        "satisfaction_percent": None,
    }


def _problems(quarter: Quarter | None) -> QuerySet[Problem]:
    problems = Problem.objects.all()
    return problems if quarter is None else problems.filter(quarter=quarter)


def _counts(problems: QuerySet[Problem], today: datetime.date) -> QuerySet:
    return (
        problems.order_by()
        .values("department_id")
        .annotate(
            raised=Count("id"),
            answered=Count("id", filter=Q(first_answered_at__isnull=False)),
            open=Count("id", filter=Q(status=ProblemStatus.OPEN)),
            closed=Count("id", filter=Q(status=ProblemStatus.CLOSED)),
            overdue=Count("id", filter=overdue_q(today)),
            # 回访: the raising unit's latest say on the answer (docs/design.md "Problems raised and answered").
            followed_up=Count("id", filter=Q(satisfied__isnull=False)),
            satisfied=Count("id", filter=Q(satisfied=True)),
        )
    )


def _answered_days(problems: QuerySet[Problem]) -> QuerySet:
    return (
        problems.filter(first_answered_at__isnull=False)
        .order_by()
        .annotate(days=DaysBetween(F("created_at"), F("first_answered_at")))
    )


def median_days_to_answer(problems: QuerySet[Problem]) -> dict[int, Decimal]:
    """Per department, the median days from creation to first answer, rounded half-up to 0.1."""
    found = medians(_answered_days(problems), group="department_id", value="days")
    return {
        department_id: Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        for department_id, value in found.items()
        if value is not None
    }


def department_problem_figures(
    *, quarter: Quarter | None = None, today: datetime.date | None = None
) -> dict[int, dict[str, Any]]:
    """Problem figures per department id, over one quarter or all of them.

    Every active department the quarter's programme rates (any programme's, over all quarters) appears (zeros
    when it has no problem), as does any other department that has problems. Keys: raised, answered,
    open, closed, overdue (int) and median_days_to_answer (Decimal or None);
    see the module docstring for their definitions. Three queries.
    """
    today = _today(today)
    problems = _problems(quarter)
    units = Unit.objects.evaluated(quarter.programme) if quarter is not None else Unit.objects.evaluated_in_any()
    figures = {pk: empty_figures() for pk in units.values_list("pk", flat=True)}
    for row in _counts(problems, today):
        department_id = row.pop("department_id")
        figures.setdefault(department_id, empty_figures()).update(row)
    for department_id, median in median_days_to_answer(problems).items():
        figures.setdefault(department_id, empty_figures())["median_days_to_answer"] = median
    for row in figures.values():
        row["satisfaction_percent"] = satisfaction_percent(row["satisfied"], row["followed_up"])
    return figures


def satisfaction_percent(satisfied: int, followed_up: int) -> Decimal | None:
    """The share of followed-up answers the raising unit was satisfied with, in percent to 0.1; None without any."""
    if not followed_up:
        return None
    return (Decimal(100) * satisfied / followed_up).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def previous_quarter(quarter: Quarter) -> Quarter | None:
    """The quarter of the same programme just before `quarter` (by code) that is not a draft."""
    return (
        Quarter.objects.filter(programme_id=quarter.programme_id, code__lt=quarter.code)
        .exclude(status=QuarterStatus.DRAFT)
        .order_by("-code")
        .first()
    )


def current_problem_quarter() -> Quarter | None:
    """The latest quarter that is not a draft, work style's before another programme's of the same code: the
    board's default."""
    return (
        Quarter.objects.exclude(status=QuarterStatus.DRAFT)
        .annotate(other_programme=Case(When(programme__code=WORKSTYLE, then=0), default=1))
        .order_by("-code", "other_programme")
        .first()
    )


@dataclass(frozen=True)
class FiguresRow:
    department: Unit
    current: dict[str, Any]
    previous: dict[str, Any] | None

    @property
    def raised_change(self) -> int | None:
        return None if self.previous is None else self.current["raised"] - self.previous["raised"]


def figures_table(*, quarter: Quarter | None, today: datetime.date | None = None) -> list[FiguresRow]:
    """The board's table: each department's figures this quarter next to the previous quarter's.

    Without a quarter, the figures cover every quarter and there is nothing to compare with.
    """
    current = department_problem_figures(quarter=quarter, today=today)
    before = previous_quarter(quarter) if quarter is not None else None
    previous = department_problem_figures(quarter=before, today=today) if before else None
    departments = Unit.objects.filter(pk__in=current.keys())
    return [
        FiguresRow(department=unit, current=current[unit.pk], previous=previous.get(unit.pk) if previous else None)
        for unit in departments
    ]


def figures_totals(rows: list[FiguresRow]) -> dict[str, int]:
    return {key: sum(row.current[key] for row in rows) for key in ("raised", "answered", "open", "closed", "overdue")}


def problem_board(
    *,
    quarter: Quarter | None = None,
    department: Unit | None = None,
    raising_unit: Unit | None = None,
    status: str = "",
    overdue: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[Problem]:
    """Problems matching the board's filters, overdue ones first, then by due date."""
    problems = Problem.objects.select_related("quarter__programme", "department", "raising_unit")
    if quarter is not None:
        problems = problems.filter(quarter=quarter)
    if department is not None:
        problems = problems.filter(department=department)
    if raising_unit is not None:
        problems = problems.filter(raising_unit=raising_unit)
    if status:
        problems = problems.filter(status=status)
    if overdue:
        problems = problems.filter(overdue_q(_today(today)))
    overdue_first = Case(When(overdue_q(_today(today)), then=Value(0)), default=Value(1))
    return problems.order_by(overdue_first, "due_on", "pk")


def readable_problems() -> QuerySet[Problem]:
    """Problems with what `as_read_by` needs: quarter, department, raising unit and `origin_source`.

    `origin_source` is the source of the ballot comment a problem was made from, "" for one recorded by hand.
    """
    return Problem.objects.select_related("quarter__programme", "department", "raising_unit").annotate(
        origin_source=Coalesce(F("comment__ballot__source"), Value(""), output_field=CharField())
    )


def sees_every_problem(user: Any) -> bool:
    return bool(user is not None and user.has_perm(SEES_EVERY_PROBLEM_PERM))


def _is_raising_unit(user: Any, problem: Problem) -> bool:
    unit_id = getattr(user, "unit_id", None)
    return unit_id is not None and unit_id == problem.raising_unit_id


def as_read_by(user: Any, problems: Iterable[Problem]) -> list[Problem]:
    """The problems (from `readable_problems`) cut down to what `user` may read (see the module docstring).

    Each problem gets `origin_label` (the comment's source, "" when recorded by hand), `raiser_withheld`,
    `text_withheld` (the reader gets neither raising unit, resp. title and description) and
    `department_text_withheld` (the department it is addressed to does not get its title and description).
    What a reader may not see is removed from the instance itself, so no template can show it: the instances are
    for display only and must never be saved.
    """
    problems = list(problems)
    shown_by_quarter: dict[int, dict[str, set[str]]] = {}

    def below_k(problem: Problem) -> bool:
        if not problem.origin_source:
            return False
        if problem.quarter_id not in shown_by_quarter:
            shown_by_quarter[problem.quarter_id] = comment_sources_shown(problem.quarter)
        return problem.origin_source not in shown_by_quarter[problem.quarter_id].get(problem.department.code, set())

    sees_all = sees_every_problem(user)
    for problem in problems:
        problem.origin_label = problem.quarter.source_label(problem.origin_source) if problem.origin_source else ""
        problem.department_text_withheld = below_k(problem)
        full = sees_all or _is_raising_unit(user, problem)
        problem.raiser_withheld = not full and problem.origin_source == Source.PEER
        problem.text_withheld = not full and problem.department_text_withheld
        if full:
            continue
        problem.comment = None
        if problem.raiser_withheld:
            problem.raising_unit = None
        if problem.text_withheld:
            problem.title = _("Text withheld (anonymity rule)")
            problem.description = _(
                "This problem was made from a ballot comment that fewer than %(k)d ballots of its source back, "
                "so the anonymity rule keeps its text from your department. The evaluation group will state the "
                "problem in its own words."
            ) % {"k": problem.quarter.anonymity_k}
    return problems


def may_read_department_problems(reader: Any, department: Unit) -> bool:
    """Whether `reader` may open the department's problems: the board's readers and the department's own reps."""
    if reader is None or not reader.is_authenticated:
        return False
    if sees_every_problem(reader):
        return True
    return reader.has_perm("evaluation.answer_problem") and reader.unit_id == department.pk


def department_problems(department: Unit, *, reader: Any) -> list[Problem]:
    """A department's problems as `reader` may read them: open ones first, then answered, then closed; by due date."""
    return as_read_by(reader, readable_problems().filter(department=department).order_by("status", "due_on", "pk"))


def unit_problems(unit: Unit) -> QuerySet[Problem]:
    """The problems a unit raised, newest quarter first: for the unit's own eyes."""
    return (
        Problem.objects.filter(raising_unit=unit)
        .select_related("quarter__programme", "department")
        .order_by("-quarter__code", "department__order", "due_on", "pk")
    )


def problem_timeline(problem: Problem) -> QuerySet[AuditEntry]:
    """The audit entries of one problem, oldest first."""
    return AuditEntry.objects.filter(details__problem=problem.pk).select_related("actor").order_by("at", "id")


@dataclass(frozen=True)
class CommentRow:
    """A ballot comment as evaluators see it: the unit it speaks for, never a person."""

    id: Any
    text: str
    department_id: int
    department_name: str
    source: str
    raising_unit_name: str | None
    problem_id: int | None
    # False when the k-rule keeps the comment from its department: then it cannot become a problem.
    department_may_read: bool = True


def quarter_comments(
    *, quarter: Quarter, department: Unit | None = None, source: str = "", untracked: bool = False
) -> list[CommentRow]:
    """The comments of a quarter's valid ballots, by department.

    Only plain values are read, so no rater (user) ever leaves the database. `department_may_read` applies the
    k-rule as the department's detail page does.
    """
    comments = BallotComment.objects.filter(ballot__quarter=quarter, ballot__voided_at__isnull=True)
    if department is not None:
        comments = comments.filter(department=department)
    if source:
        comments = comments.filter(ballot__source=source)
    problem_ids = Problem.objects.filter(comment=OuterRef("pk")).order_by("pk").values("pk")[:1]
    comments = comments.annotate(problem_id=Subquery(problem_ids))
    if untracked:
        comments = comments.filter(problem_id__isnull=True)
    rows = comments.order_by(
        "department__order", "department__code", "ballot__source", "ballot__rater_unit__order", "text"
    )
    shown = comment_sources_shown(quarter)
    return [
        CommentRow(
            id=row["pk"],
            text=row["text"],
            department_id=row["department_id"],
            department_name=row["department__name"],
            source=row["ballot__source"],
            # A leader speaks for no unit; a grassroots or peer ballot for its unit.
            raising_unit_name=None if row["ballot__source"] == Source.LEADERSHIP else row["ballot__rater_unit__name"],
            problem_id=row["problem_id"],
            department_may_read=row["ballot__source"] in shown.get(row["department__code"], set()),
        )
        for row in rows.values(
            "pk",
            "text",
            "department_id",
            "department__code",
            "department__name",
            "ballot__source",
            "ballot__rater_unit__name",
            "problem_id",
        )
    ]
