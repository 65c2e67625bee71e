"""Problem services: raising, answering, closing, reopening, and what they refuse."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from evaluation.models import Problem, ProblemStatus, QuarterStatus, Source
from evaluation.services.problems import (
    ProblemRefused,
    default_due_on,
    problem_answer,
    problem_close,
    problem_create,
    problem_create_from_comment,
    problem_reopen,
)
from tests.evaluation.test_problem_support import SHANGHAI, add_rating_ballots, make_comment, make_problem

pytestmark = pytest.mark.django_db


def test_it_raises_a_grassroots_comment_for_the_unit(evaluator, org, quarter):
    comment = make_comment(quarter=quarter, department=org["OPS"], text="流程太慢\n第二行", rater_unit=org["HRM"])
    problem = problem_create_from_comment(actor=evaluator, comment=comment)
    assert problem.raising_unit == org["HRM"]
    assert problem.department == org["OPS"]
    assert problem.quarter == quarter
    assert problem.title == "流程太慢"
    assert problem.description == "流程太慢\n第二行"
    assert problem.comment == comment
    assert problem.status == ProblemStatus.OPEN


def test_it_raises_a_peer_comment_for_the_rating_department(evaluator, other_rep, org, quarter):
    comment = make_comment(
        quarter=quarter,
        department=org["OPS"],
        text="配合不及时",
        source=Source.PEER,
        rater_unit=org["EQP"],
        rater=other_rep,
    )
    problem = problem_create_from_comment(actor=evaluator, comment=comment)
    assert problem.raising_unit == org["EQP"]


def test_a_leadership_comment_has_no_raising_unit(evaluator, leader, org, quarter):
    comment = make_comment(
        quarter=quarter, department=org["OPS"], text="要主动服务", source=Source.LEADERSHIP, rater=leader
    )
    problem = problem_create_from_comment(actor=evaluator, comment=comment)
    assert problem.raising_unit is None


def test_a_problem_keeps_no_trace_of_the_rater(evaluator, other_rep, org, quarter):
    comment = make_comment(
        quarter=quarter,
        department=org["OPS"],
        text="配合不及时",
        source=Source.PEER,
        rater_unit=org["EQP"],
        rater=other_rep,
    )
    problem = problem_create_from_comment(actor=evaluator, comment=comment)
    entry = AuditEntry.objects.get(action=AuditAction.PROBLEM_CREATED)
    stored = [str(value) for value in Problem.objects.filter(pk=problem.pk).values().get().values()]
    assert set(entry.details) == {"problem", "status"}
    assert other_rep.username not in " ".join(stored) + entry.summary
    assert entry.actor == evaluator


def test_the_due_date_defaults_to_fifteen_days_after_the_shanghai_date():
    # 2026-07-01 20:00 UTC is already 2026-07-02 in Shanghai.
    created = datetime.datetime(2026, 7, 1, 20, 0, tzinfo=datetime.UTC)
    assert default_due_on(created) == datetime.date(2026, 7, 17)
    assert default_due_on(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI)) == datetime.date(2026, 7, 16)


def test_a_new_problem_is_due_in_fifteen_days(evaluator, org, quarter):
    problem = problem_create(
        actor=evaluator, quarter=quarter, department=org["OPS"], title="t", raising_unit=org["HRM"]
    )
    assert problem.due_on == timezone.localdate() + datetime.timedelta(days=15)


def test_a_comment_becomes_a_problem_only_once(evaluator, org, quarter):
    comment = make_comment(quarter=quarter, department=org["OPS"], text="x", rater_unit=org["HRM"])
    problem_create_from_comment(actor=evaluator, comment=comment)
    with pytest.raises(ProblemRefused):
        problem_create_from_comment(actor=evaluator, comment=comment)
    assert Problem.objects.count() == 1


def test_a_voided_ballots_comment_is_refused(evaluator, org, quarter):
    comment = make_comment(quarter=quarter, department=org["OPS"], text="x", rater_unit=org["HRM"])
    comment.ballot.voided_at = timezone.now()
    comment.ballot.save()
    with pytest.raises(ProblemRefused):
        problem_create_from_comment(actor=evaluator, comment=comment)


@pytest.mark.parametrize("persona", ["viewer", "rep", "leader", "grassroots_rater"])
def test_only_evaluators_raise_problems(request, persona, org, quarter):
    with pytest.raises(PermissionDenied):
        problem_create(actor=request.getfixturevalue(persona), quarter=quarter, department=org["OPS"], title="t")
    assert not Problem.objects.exists()


def test_it_refuses_a_grassroots_unit_as_addressee_and_self_raised_problems(evaluator, org, quarter):
    with pytest.raises(ProblemRefused):
        problem_create(actor=evaluator, quarter=quarter, department=org["HRM"], title="t")
    with pytest.raises(ProblemRefused):
        problem_create(actor=evaluator, quarter=quarter, department=org["OPS"], title="t", raising_unit=org["OPS"])


def test_it_refuses_a_draft_quarter_and_a_past_due_date(evaluator, org, quarter):
    with pytest.raises(ProblemRefused):
        problem_create(
            actor=evaluator, quarter=quarter, department=org["OPS"], title="t", due_on=datetime.date(2000, 1, 1)
        )
    quarter.status = QuarterStatus.DRAFT
    quarter.save()
    with pytest.raises(ProblemRefused):
        problem_create(actor=evaluator, quarter=quarter, department=org["OPS"], title="t")


def test_a_blank_title_is_refused(evaluator, org, quarter):
    with pytest.raises(ValidationError):
        problem_create(actor=evaluator, quarter=quarter, department=org["OPS"], title="   ")


def test_revising_an_answer_keeps_the_first_answer_time(evaluator, rep, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    first = problem_answer(actor=rep, problem=problem, answer="第一次答复")
    assert first.status == ProblemStatus.ANSWERED
    first_time = first.first_answered_at
    revised = problem_answer(actor=rep, problem=problem, answer="修改后的答复")
    assert revised.first_answered_at == first_time
    assert revised.answer_updated_at >= first_time
    assert revised.answer == "修改后的答复"
    assert revised.answered_by == rep
    assert AuditEntry.objects.filter(action=AuditAction.PROBLEM_ANSWERED).count() == 2


def test_a_rep_cannot_answer_another_departments_problem(evaluator, other_rep, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    with pytest.raises(PermissionDenied):
        problem_answer(actor=other_rep, problem=problem, answer="不是我们的")
    problem.refresh_from_db()
    assert problem.answer == ""
    assert problem.status == ProblemStatus.OPEN


def test_evaluators_do_not_answer_for_departments(evaluator, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    with pytest.raises(PermissionDenied):
        problem_answer(actor=evaluator, problem=problem, answer="x")


def test_an_empty_answer_is_refused(evaluator, rep, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    with pytest.raises(ProblemRefused):
        problem_answer(actor=rep, problem=problem, answer="  ")


def test_a_closed_problem_cannot_be_answered(evaluator, rep, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    problem_answer(actor=rep, problem=problem, answer="答复")
    problem_close(actor=evaluator, problem=problem)
    with pytest.raises(ProblemRefused):
        problem_answer(actor=rep, problem=problem, answer="再改")


def test_closing_an_open_problem_needs_a_remark(evaluator, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    with pytest.raises(ProblemRefused):
        problem_close(actor=evaluator, problem=problem)
    closed = problem_close(actor=evaluator, problem=problem, remark="会上已解决")
    assert closed.status == ProblemStatus.CLOSED
    assert closed.closed_at is not None
    assert AuditEntry.objects.get(action=AuditAction.PROBLEM_CLOSED).reason == "会上已解决"


def test_a_closed_problem_cannot_be_closed_again(evaluator, rep, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    problem_answer(actor=rep, problem=problem, answer="答复")
    problem_close(actor=evaluator, problem=problem)
    with pytest.raises(ProblemRefused):
        problem_close(actor=evaluator, problem=problem, remark="again")


def test_reps_cannot_close_or_reopen(evaluator, rep, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    problem_answer(actor=rep, problem=problem, answer="答复")
    with pytest.raises(PermissionDenied):
        problem_close(actor=rep, problem=problem)
    with pytest.raises(PermissionDenied):
        problem_reopen(actor=rep, problem=problem, remark="x")


def test_reopening_sends_the_problem_back_with_a_remark(evaluator, rep, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    problem_answer(actor=rep, problem=problem, answer="答复")
    problem_close(actor=evaluator, problem=problem)
    with pytest.raises(ProblemRefused):
        problem_reopen(actor=evaluator, problem=problem, remark=" ")
    new_due = timezone.localdate() + datetime.timedelta(days=7)
    reopened = problem_reopen(actor=evaluator, problem=problem, remark="基层反映仍未解决", due_on=new_due)
    assert reopened.status == ProblemStatus.OPEN
    assert reopened.closed_at is None
    assert reopened.due_on == new_due
    assert reopened.answer == "答复"
    entry = AuditEntry.objects.get(action=AuditAction.PROBLEM_REOPENED)
    assert (entry.actor, entry.reason, entry.quarter) == (evaluator, "基层反映仍未解决", quarter)
    with pytest.raises(ProblemRefused):
        problem_reopen(actor=evaluator, problem=problem, remark="again")
    answered_again = problem_answer(actor=rep, problem=problem, answer="已彻底解决")
    assert answered_again.first_answered_at is not None
    assert answered_again.status == ProblemStatus.ANSWERED


# --- the k-rule: a comment the department may not read cannot become a problem ----------------------------------


def _publish(quarter) -> None:
    from evaluation.services.lifecycle import quarter_transition

    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED)
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)


def test_a_comment_below_k_is_refused_with_a_way_out(english, evaluator, leader, org, quarter):
    comment = make_comment(
        quarter=quarter, department=org["OPS"], text="要主动服务", source=Source.LEADERSHIP, rater=leader, rated_by=2
    )
    with pytest.raises(ProblemRefused) as refused:
        problem_create_from_comment(actor=evaluator, comment=comment, title="自己的话", description="自己的话")
    message = " ".join(refused.value.messages)
    assert "fewer than 3 ballots" in message
    assert "your own words" in message
    assert "New problem" in message
    assert not Problem.objects.exists()
    # What it suggests works: the evaluator records the problem in their own words.
    problem_create(actor=evaluator, quarter=quarter, department=org["OPS"], title="服务意识", raising_unit=None)
    assert Problem.objects.count() == 1


@pytest.mark.parametrize("source", [Source.GRASSROOTS, Source.PEER, Source.LEADERSHIP])
def test_every_source_needs_k_counted_ballots(evaluator, leader, other_rep, org, quarter, source):
    raters = {
        Source.GRASSROOTS: {"rater_unit": org["HRM"]},
        Source.PEER: {"rater_unit": org["EQP"], "rater": other_rep},
        Source.LEADERSHIP: {"rater": leader},
    }[source]
    below = make_comment(quarter=quarter, department=org["OPS"], text="少", source=source, rated_by=2, **raters)
    with pytest.raises(ProblemRefused):
        problem_create_from_comment(actor=evaluator, comment=below)
    add_rating_ballots(quarter, org["OPS"], source, 1)  # now 3 of the source rate 运营改善部
    assert problem_create_from_comment(actor=evaluator, comment=below).department == org["OPS"]


@pytest.mark.parametrize("counted", [2, 3])
def test_it_counts_ballots_as_the_department_page_does(evaluator, leader, rep, org, quarter, counted):
    """A ballot that only comments (every cell an abstention) does not count, here as on the department page."""
    from evaluation.selectors.department import department_detail

    comment = make_comment(
        quarter=quarter, department=org["OPS"], text="意见", source=Source.LEADERSHIP, rater=leader, rated_by=0
    )
    add_rating_ballots(quarter, org["OPS"], Source.LEADERSHIP, counted)  # 1 + counted ballots, counted of them count
    _publish(quarter)
    detail = department_detail(quarter=quarter, department=org["OPS"], k_rule=True)  # as the rep reads it
    leadership = next(source for source in detail.sources if source.source == Source.LEADERSHIP)
    assert leadership.breakdown_visible == (counted >= quarter.anonymity_k)
    assert ("意见" in leadership.comments) == leadership.breakdown_visible
    if leadership.breakdown_visible:
        assert problem_create_from_comment(actor=evaluator, comment=comment).comment == comment
    else:
        with pytest.raises(ProblemRefused):
            problem_create_from_comment(actor=evaluator, comment=comment)


def test_the_quarters_own_k_applies(evaluator, leader, org, quarter):
    quarter.anonymity_k = 2
    quarter.save(update_fields=["anonymity_k"])
    comment = make_comment(
        quarter=quarter, department=org["OPS"], text="意见", source=Source.LEADERSHIP, rater=leader, rated_by=2
    )
    assert problem_create_from_comment(actor=evaluator, comment=comment).comment == comment


def test_the_comment_list_says_which_comments_cannot_become_problems(leader, org, quarter):
    from evaluation.selectors.problems import quarter_comments

    make_comment(quarter=quarter, department=org["OPS"], text="够", source=Source.GRASSROOTS, rater_unit=org["HRM"])
    make_comment(
        quarter=quarter, department=org["OPS"], text="不够", source=Source.LEADERSHIP, rater=leader, rated_by=2
    )
    rows = {row.text: row for row in quarter_comments(quarter=quarter)}
    assert rows["够"].department_may_read is True
    assert rows["不够"].department_may_read is False
