"""The whole flow through the pages: a comment becomes a problem, the rep answers, the evaluator closes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from evaluation.models import Problem, ProblemStatus, Source
from tests.evaluation.test_problem_support import make_comment

pytestmark = pytest.mark.django_db


def test_it_runs_from_comment_to_closed_problem(client_for, evaluator, rep, leader, grassroots_rater, org, quarter):
    comment = make_comment(
        quarter=quarter, department=org["OPS"], text="备件审批流程太慢，希望简化。", rater_unit=org["HRM"]
    )
    evaluator_client = client_for(evaluator)
    page = evaluator_client.get(reverse("evaluation:comments"))
    assert page.status_code == 200
    assert "备件审批流程太慢" in page.content.decode()

    form_page = evaluator_client.get(reverse("evaluation:problem_from_comment", args=[comment.pk]))
    assert form_page.status_code == 200
    assert "板材热连轧厂" in form_page.content.decode()

    response = evaluator_client.post(
        reverse("evaluation:problem_from_comment", args=[comment.pk]),
        {"title": "备件审批慢", "description": comment.text, "due_on": ""},
    )
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:problem_detail", args=[problem.pk])
    assert problem.raising_unit == org["HRM"]
    assert problem.department == org["OPS"]
    assert problem.status == ProblemStatus.OPEN

    rep_client = client_for(rep)
    assert "备件审批慢" in rep_client.get(reverse("evaluation:my_problems")).content.decode()
    response = rep_client.post(
        reverse("evaluation:problem_answer", args=[problem.pk]), {"answer": "已简化为两级审批。", "next": "mine"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:my_problems")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ANSWERED
    assert problem.answer == "已简化为两级审批。"

    unit_page = client_for(grassroots_rater).get(reverse("evaluation:unit_problems")).content.decode()
    assert "已简化为两级审批。" in unit_page

    response = evaluator_client.post(reverse("evaluation:problem_close", args=[problem.pk]), {"remark": "已核实"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED

    detail = client_for(leader).get(reverse("evaluation:problem_detail", args=[problem.pk]))
    assert detail.status_code == 200
    actions = list(AuditEntry.objects.filter(details__problem=problem.pk).values_list("action", flat=True))
    assert sorted(actions) == sorted(
        [AuditAction.PROBLEM_CREATED, AuditAction.PROBLEM_ANSWERED, AuditAction.PROBLEM_CLOSED]
    )


def test_the_board_shows_each_departments_figures(client_for, evaluator, org, quarter):
    comment = make_comment(
        quarter=quarter,
        department=org["EQP"],
        text="设备检修计划下达太晚",
        source=Source.GRASSROOTS,
        rater_unit=org["NFM"],
    )
    client = client_for(evaluator)
    client.post(
        reverse("evaluation:problem_from_comment", args=[comment.pk]), {"title": "检修计划晚", "description": "x"}
    )
    page = client.get(reverse("evaluation:problems")).content.decode()
    assert "检修计划晚" in page
    assert 'data-department="EQP"' in page


def test_the_comment_page_links_a_tracked_comment_to_its_problem(client_for, evaluator, org, quarter):
    comment = make_comment(quarter=quarter, department=org["OPS"], text="意见", rater_unit=org["HRM"])
    client = client_for(evaluator)
    client.post(reverse("evaluation:problem_from_comment", args=[comment.pk]), {"title": "意见", "description": "意见"})
    problem = Problem.objects.get()
    page = client.get(reverse("evaluation:comments")).content.decode()
    assert reverse("evaluation:problem_detail", args=[problem.pk]) in page
    again = client.get(reverse("evaluation:problem_from_comment", args=[comment.pk]))
    assert again.status_code == 302


# --- the k-rule through the pages, from the representative's point of view --------------------------------------


def _publish(quarter) -> None:
    from evaluation.models import QuarterStatus
    from evaluation.services.lifecycle import quarter_transition

    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED)
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)


def test_a_comment_hidden_by_the_k_rule_stays_hidden(english, client_for, evaluator, leader, rep, org, quarter):
    """Two leadership ballots (k = 3): the comment is not on the department's page, nor can a problem show it."""
    text = "领导意见：服务意识有待加强"
    comment = make_comment(
        quarter=quarter, department=org["OPS"], text=text, source=Source.LEADERSHIP, rater=leader, rated_by=2
    )
    _publish(quarter)
    rep_client = client_for(rep)
    department_page = rep_client.get(reverse("evaluation:department", args=[quarter.code, "OPS"]))
    assert department_page.status_code == 200
    assert text not in department_page.content.decode()

    evaluator_client = client_for(evaluator)
    from_comment = reverse("evaluation:problem_from_comment", args=[comment.pk])
    listing = evaluator_client.get(reverse("evaluation:comments")).content.decode()
    assert text in listing  # evaluators read every comment
    assert from_comment not in listing  # but are not offered to turn this one into a problem
    assert "Cannot become a problem: fewer than 3 ballots of this source rated the department" in listing
    assert reverse("evaluation:problem_create") in listing

    form_page = evaluator_client.get(from_comment)
    assert form_page.status_code == 200
    assert "your own words" in form_page.content.decode()
    assert 'name="title"' not in form_page.content.decode()
    response = evaluator_client.post(from_comment, {"title": "服务意识", "description": text, "due_on": ""})
    assert response.status_code == 400
    assert "your own words" in response.content.decode()
    assert not Problem.objects.exists()
    assert evaluator_client.get(reverse("evaluation:problem_create")).status_code == 200

    for url in (reverse("evaluation:my_problems"), reverse("evaluation:department", args=[quarter.code, "OPS"])):
        assert text not in rep_client.get(url).content.decode(), url


def test_with_k_ballots_the_comment_becomes_a_problem(client_for, evaluator, leader, rep, org, quarter):
    text = "领导意见：服务意识有待加强"
    comment = make_comment(quarter=quarter, department=org["OPS"], text=text, source=Source.LEADERSHIP, rater=leader)
    _publish(quarter)
    assert text in client_for(rep).get(reverse("evaluation:department", args=[quarter.code, "OPS"])).content.decode()
    client = client_for(evaluator)
    from_comment = reverse("evaluation:problem_from_comment", args=[comment.pk])
    assert from_comment in client.get(reverse("evaluation:comments")).content.decode()
    assert client.post(from_comment, {"title": "服务意识", "description": text}).status_code == 302
    assert text in client_for(rep).get(reverse("evaluation:my_problems")).content.decode()


def test_an_older_problem_below_the_k_rule_keeps_its_text_from_the_department(
    english, client_for, evaluator, leader, rep, org, quarter
):
    """Made when 3 leaders had rated the department; one ballot was voided since, as if made before the rule."""
    from evaluation.models import Ballot
    from evaluation.services.problems import problem_create_from_comment
    from evaluation.services.voids import ballot_void

    text = "领导意见：会议太多"
    comment = make_comment(quarter=quarter, department=org["OPS"], text=text, source=Source.LEADERSHIP, rater=leader)
    problem = problem_create_from_comment(actor=evaluator, comment=comment)
    other = Ballot.objects.filter(quarter=quarter, source=Source.LEADERSHIP).exclude(pk=comment.ballot_id).first()
    ballot_void(ballot=other, actor=evaluator, reason="重复提交")

    rep_client = client_for(rep)
    for url in (reverse("evaluation:my_problems"), reverse("evaluation:problem_detail", args=[problem.pk])):
        page = rep_client.get(url).content.decode()
        assert text not in page, url
        assert "Text withheld (anonymity rule)" in page, url
    assert (
        rep_client.post(reverse("evaluation:problem_answer", args=[problem.pk]), {"answer": "请说明"}).status_code
        == 302
    )

    evaluator_page = client_for(evaluator).get(reverse("evaluation:problem_detail", args=[problem.pk])).content.decode()
    assert text in evaluator_page
    assert 'id="problem-text-withheld"' in evaluator_page
    problem.refresh_from_db()
    assert problem.title == text  # only what is shown is cut; the record is unchanged
