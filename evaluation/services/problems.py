"""Problems raised by the units and answered by the departments.

A problem names the unit that raised it, never the person: a grassroots ballot
has no person, and the rater of a peer or leadership ballot is never copied
onto the problem nor shown through it. Which peer department raised a problem
is kept for the evaluation group and that department; the department it is
addressed to never reads it (see `evaluation.selectors.problems.as_read_by`).

A comment becomes a problem only when its department may read it under the
k-rule (docs/design.md, "Anonymity and trust"), decided exactly as the department's
detail page decides (`evaluation.selectors.results.comment_sources_shown`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from departments.models import Unit
from evaluation.models import BallotComment, Problem, ProblemStatus, Quarter, QuarterStatus, Source
from evaluation.selectors.results import comment_sources_shown

DEFAULT_DAYS_TO_ANSWER = 15
TITLE_FROM_COMMENT_LENGTH = 60


class ProblemRefused(ValidationError):
    """A problem action that the rules refuse; the message is translated and safe to show."""


def default_due_on(created_at: datetime.datetime | None = None) -> datetime.date:
    """The default due date: 15 days after the (Asia/Shanghai) local date of creation."""
    created_at = created_at or timezone.now()
    return timezone.localdate(created_at) + datetime.timedelta(days=DEFAULT_DAYS_TO_ANSWER)


def comment_raising_unit(comment: BallotComment) -> Unit | None:
    """The unit a comment speaks for: the grassroots unit, the rating department, or none for a leader."""
    ballot = comment.ballot
    if ballot.source in (Source.GRASSROOTS, Source.PEER):
        return ballot.rater_unit
    return None


def comment_k_refusal(comment: BallotComment, shown: dict[str, set[str]] | None = None) -> str | None:
    """Why the k-rule keeps `comment` from becoming a problem, or None when its department may read it.

    The department may read it when at least the quarter's `anonymity_k` counted ballots of the comment's source
    rated the department, counted as the department's detail page counts them. `shown` is
    `comment_sources_shown(quarter)` when the caller has it already.
    """
    ballot = comment.ballot
    quarter = ballot.quarter
    shown = comment_sources_shown(quarter) if shown is None else shown
    if ballot.source in shown.get(comment.department.code, set()):
        return None
    return _(
        "This comment cannot become a problem: fewer than %(k)d ballots of its source (%(source)s) rated "
        "%(department)s, so the anonymity rule keeps its comments from the department. Record the problem in "
        "your own words with “New problem” instead, without quoting the comment."
    ) % {"k": quarter.anonymity_k, "source": quarter.source_label(ballot.source), "department": comment.department.name}


def title_from_text(text: str) -> str:
    """A short title taken from the start of a comment's first line."""
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    if len(first_line) <= TITLE_FROM_COMMENT_LENGTH:
        return first_line
    return first_line[: TITLE_FROM_COMMENT_LENGTH - 1] + "…"


def _require_evaluator(actor: Any) -> None:
    if actor is None or not actor.has_perm("evaluation.manage_quarters"):
        raise PermissionDenied(_("Only the evaluation group may do this."))


def _record(problem: Problem, *, action: AuditAction, summary: Callable[[], str], actor: Any, reason: str = "") -> None:
    audit_record(
        action=action,
        summary=summary,
        actor=actor,
        quarter=problem.quarter,
        reason=reason,
        details={"problem": problem.pk, "status": problem.status},
    )


def _check_new_problem(*, quarter: Quarter, department: Unit, raising_unit: Unit | None) -> None:
    if quarter.status == QuarterStatus.DRAFT:
        raise ProblemRefused(_("Problems cannot be raised in a quarter that is still a draft."))
    if not department.is_evaluated:
        raise ProblemRefused(_("A problem must be addressed to an evaluated department."))
    if raising_unit is not None and raising_unit.pk == department.pk:
        raise ProblemRefused(_("A department cannot raise a problem addressed to itself."))


@transaction.atomic
def problem_create(
    *,
    actor: Any,
    quarter: Quarter,
    department: Unit,
    title: str,
    description: str = "",
    raising_unit: Unit | None = None,
    due_on: datetime.date | None = None,
    comment: BallotComment | None = None,
) -> Problem:
    """Open a tracked problem addressed to `department` (an evaluator only).

    Without `due_on` it is due 15 days after today (Asia/Shanghai). Audited.
    """
    _require_evaluator(actor)
    _check_new_problem(quarter=quarter, department=department, raising_unit=raising_unit)
    now = timezone.now()
    if due_on is not None and due_on < timezone.localdate(now):
        raise ProblemRefused(_("The due date cannot be in the past."))
    problem = Problem(
        quarter=quarter,
        department=department,
        raising_unit=raising_unit,
        comment=comment,
        title=title.strip(),
        description=description.strip(),
        due_on=due_on or default_due_on(now),
        status=ProblemStatus.OPEN,
        created_by=actor,
        created_at=now,
    )
    problem.full_clean()
    problem.save()
    _record(
        problem,
        action=AuditAction.PROBLEM_CREATED,
        summary=lambda: (
            _("Problem “%(title)s” raised with %(department)s")
            % {"title": problem.title[:80], "department": department.name}
        ),
        actor=actor,
    )
    return problem


def problem_create_from_comment(
    *,
    actor: Any,
    comment: BallotComment,
    title: str = "",
    description: str = "",
    due_on: datetime.date | None = None,
) -> Problem:
    """Turn a ballot comment into a problem for the comment's department.

    Title and description default to the comment's text; the raising unit is the
    grassroots unit (grassroots), the rating department (peer) or none (leadership).
    Refused when the k-rule keeps the comment from its department (`comment_k_refusal`).
    """
    ballot = comment.ballot
    if ballot.is_void:
        raise ProblemRefused(_("This comment belongs to a voided ballot."))
    if Problem.objects.filter(comment=comment).exists():
        raise ProblemRefused(_("This comment is already a tracked problem."))
    refusal = comment_k_refusal(comment)
    if refusal is not None:
        raise ProblemRefused(refusal)
    return problem_create(
        actor=actor,
        quarter=ballot.quarter,
        department=comment.department,
        title=title.strip() or title_from_text(comment.text),
        description=description.strip() or comment.text,
        raising_unit=comment_raising_unit(comment),
        due_on=due_on,
        comment=comment,
    )


def can_answer(user: Any, problem: Problem) -> bool:
    """Whether `user` is a representative of the department the problem is addressed to."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm("evaluation.answer_problem")
        and user.unit_id is not None
        and user.unit_id == problem.department_id
    )


@transaction.atomic
def problem_answer(*, actor: Any, problem: Problem, answer: str) -> Problem:
    """Answer (or revise the answer to) an open or answered problem of the actor's own department.

    The first answer's time is kept; each revision updates `answer_updated_at`. Audited.
    """
    if not can_answer(actor, problem):
        raise PermissionDenied(_("Only the department's representative may answer this problem."))
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.status == ProblemStatus.CLOSED:
        raise ProblemRefused(_("This problem is closed; its answer can no longer change."))
    answer = answer.strip()
    if not answer:
        raise ProblemRefused(_("Write an answer."))
    revising = problem.first_answered_at is not None
    now = timezone.now()
    problem.answer = answer
    problem.answered_by = actor
    problem.first_answered_at = problem.first_answered_at or now
    problem.answer_updated_at = now
    problem.status = ProblemStatus.ANSWERED
    problem.full_clean()
    problem.save()

    def summary() -> str:
        text = _("Answer to “%(title)s” revised") if revising else _("Problem “%(title)s” answered")
        return text % {"title": problem.title[:80]}

    _record(problem, action=AuditAction.PROBLEM_ANSWERED, summary=summary, actor=actor)
    return problem


@transaction.atomic
def problem_close(*, actor: Any, problem: Problem, remark: str = "") -> Problem:
    """Close a problem (an evaluator only): an answered one, or an open one with a remark. Audited."""
    _require_evaluator(actor)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    remark = remark.strip()
    if problem.status == ProblemStatus.CLOSED:
        raise ProblemRefused(_("This problem is already closed."))
    if problem.status == ProblemStatus.OPEN and not remark:
        raise ProblemRefused(_("Closing a problem that has not been answered needs a remark."))
    problem.status = ProblemStatus.CLOSED
    problem.closed_at = timezone.now()
    if remark:
        problem.remark = remark
    problem.full_clean()
    problem.save()
    _record(
        problem,
        action=AuditAction.PROBLEM_CLOSED,
        summary=lambda: _("Problem “%(title)s” closed") % {"title": problem.title[:80]},
        actor=actor,
        reason=remark,
    )
    return problem


@transaction.atomic
def problem_reopen(*, actor: Any, problem: Problem, remark: str, due_on: datetime.date | None = None) -> Problem:
    """Send an answered or closed problem back to the department as open (an evaluator only).

    The answer stays for the record; `due_on`, if given, sets a new due date. Audited.
    """
    _require_evaluator(actor)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    remark = remark.strip()
    if problem.status == ProblemStatus.OPEN:
        raise ProblemRefused(_("This problem is already open."))
    if not remark:
        raise ProblemRefused(_("Say why the problem is reopened."))
    if due_on is not None and due_on < timezone.localdate():
        raise ProblemRefused(_("The due date cannot be in the past."))
    problem.status = ProblemStatus.OPEN
    problem.closed_at = None
    problem.remark = remark
    if due_on is not None:
        problem.due_on = due_on
    problem.full_clean()
    problem.save()
    _record(
        problem,
        action=AuditAction.PROBLEM_REOPENED,
        summary=lambda: _("Problem “%(title)s” reopened") % {"title": problem.title[:80]},
        actor=actor,
        reason=remark,
    )
    return problem


def follow_up_refusal(problem: Problem, unit: Unit | None) -> str | None:
    """Why `unit` may not say now whether the answer to `problem` satisfied it, or None when it may."""
    if unit is None or problem.raising_unit_id != unit.pk:
        return _("Only the unit that raised a problem says whether its answer satisfied it.")
    if problem.status == ProblemStatus.OPEN or not problem.answer:
        return _("The problem has no answer to follow up yet.")
    return None


@transaction.atomic
def problem_follow_up(
    *, problem: Problem, unit: Unit | None, satisfied: bool, remark: str = "", actor: Any = None
) -> Problem:
    """回访: the raising unit says whether the answer satisfied it, with an optional remark; audited.

    An unsatisfied answer reopens the problem, so the department answers again. `actor` is the unit's account
    when one is signed in, None when the unit is known by one of its slip codes: no person is recorded then.
    """
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    refusal = follow_up_refusal(problem, unit)
    if refusal is not None:
        raise ProblemRefused(refusal)
    problem.satisfied = satisfied
    problem.follow_up_remark = remark.strip()
    problem.followed_up_at = timezone.now()
    if not satisfied:
        problem.status = ProblemStatus.OPEN
        problem.closed_at = None
    problem.full_clean()
    problem.save()

    def summary() -> str:
        names = {"unit": unit.name, "title": problem.title[:80]}
        if satisfied:
            return _("%(unit)s satisfied with the answer to “%(title)s”") % names
        return _("%(unit)s not satisfied with the answer to “%(title)s”; problem reopened") % names

    _record(
        problem, action=AuditAction.PROBLEM_FOLLOWED_UP, summary=summary, actor=actor, reason=problem.follow_up_remark
    )
    return problem
