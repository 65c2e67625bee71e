"""The whole flow through the pages: a comment becomes a problem, the rep answers, the evaluator closes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import AuditAction, AuditEntry, Problem, ProblemStatus, Source
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
