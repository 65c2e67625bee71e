"""Bad input on the problems pages gives a clear message and changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from evaluation.models import Problem, ProblemStatus
from evaluation.services.problems import problem_answer
from tests.evaluation.test_problem_support import make_comment, make_problem

pytestmark = pytest.mark.django_db


def test_it_records_a_problem_reported_in_a_meeting(client_for, evaluator, org, quarter):
    data = {
        "quarter": quarter.pk,
        "department": org["EQP"].pk,
        "raising_unit": org["NFM"].pk,
        "title": "矿山设备备件缺",
        "description": "生产例会上提出",
        "due_on": "",
    }
    response = client_for(evaluator).post(reverse("evaluation:problem_create"), data)
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert (problem.department, problem.raising_unit, problem.created_by) == (org["EQP"], org["NFM"], evaluator)


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"department": "999999"},
        {"department": "HRM"},  # a grassroots unit is not an addressee
        {"raising_unit": "EQP"},  # a department does not raise a problem with itself
        {"due_on": "2000-01-01"},
        {"due_on": "not a date"},
    ],
)
def test_bad_input_creates_nothing(client_for, evaluator, org, quarter, changes):
    data = {"quarter": quarter.pk, "department": org["EQP"].pk, "raising_unit": org["NFM"].pk, "title": "t"}
    for key, value in changes.items():
        data[key] = org[value].pk if value in org else value
    response = client_for(evaluator).post(reverse("evaluation:problem_create"), data)
    assert response.status_code == 400
    assert "invalid" in response.content.decode()
    assert not Problem.objects.exists()


def test_the_comment_form_starts_with_the_comments_text(client_for, evaluator, org, quarter):
    comment = make_comment(quarter=quarter, department=org["OPS"], text="检修计划下达太晚", rater_unit=org["HRM"])
    page = client_for(evaluator).get(reverse("evaluation:problem_from_comment", args=[comment.pk])).content.decode()
    assert 'value="检修计划下达太晚"' in page


def test_a_chosen_due_date_is_kept(client_for, evaluator, org, quarter):
    comment = make_comment(quarter=quarter, department=org["OPS"], text="x", rater_unit=org["HRM"])
    due = datetime.date.today() + datetime.timedelta(days=30)
    client_for(evaluator).post(
        reverse("evaluation:problem_from_comment", args=[comment.pk]),
        {"title": "x", "description": "x", "due_on": due.isoformat()},
    )
    assert Problem.objects.get().due_on == due


def test_an_empty_answer_is_refused_with_a_message(client_for, evaluator, rep, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    response = client_for(rep).post(reverse("evaluation:problem_answer", args=[problem.pk]), {"answer": ""})
    assert response.status_code == 400
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


def test_closing_an_unanswered_problem_without_a_remark_is_refused(client_for, evaluator, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    response = client_for(evaluator).post(reverse("evaluation:problem_close", args=[problem.pk]), {"remark": ""})
    assert response.status_code == 400
    assert "alert" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


def test_reopening_needs_a_remark(client_for, evaluator, rep, org, quarter):
    problem = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"])
    problem_answer(actor=rep, problem=problem, answer="答复")
    client = client_for(evaluator)
    assert client.post(reverse("evaluation:problem_reopen", args=[problem.pk]), {"remark": ""}).status_code == 400
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ANSWERED
    response = client.post(reverse("evaluation:problem_reopen", args=[problem.pk]), {"remark": "仍未解决"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


def test_the_board_ignores_bad_filters_with_a_message(client_for, evaluator, org, quarter):
    make_problem(actor=evaluator, quarter=quarter, department=org["OPS"], title="某问题")
    response = client_for(evaluator).get(reverse("evaluation:problems"), {"status": "nonsense", "department": "abc"})
    assert response.status_code == 200
    assert "text-danger" in response.content.decode()


def test_the_board_filters_by_status_and_every_quarter(client_for, evaluator, rep, org, quarter):
    answered = make_problem(actor=evaluator, quarter=quarter, department=org["OPS"], title="已答问题")
    problem_answer(actor=rep, problem=answered, answer="答复")
    make_problem(actor=evaluator, quarter=quarter, department=org["OPS"], title="未答问题")
    client = client_for(evaluator)
    page = client.get(reverse("evaluation:problems"), {"status": "answered", "quarter": ""}).content.decode()
    assert "已答问题" in page
    assert "未答问题" not in page


def test_the_board_and_the_comments_are_filtered_by_codes(client_for, evaluator, org, quarter):
    """Filtered addresses name quarters and units by code (?quarter=2026Q3&department=OPS), so they can be shared."""
    make_problem(actor=evaluator, quarter=quarter, department=org["OPS"], raising_unit=org["HRM"], title="运营的问题")
    make_problem(actor=evaluator, quarter=quarter, department=org["EQP"], raising_unit=org["HRM"], title="设备的问题")
    make_comment(quarter=quarter, department=org["OPS"], text="运营的意见", rater_unit=org["HRM"])
    make_comment(quarter=quarter, department=org["EQP"], text="设备的意见", rater_unit=org["HRM"])
    client = client_for(evaluator)
    by_code = {"quarter": quarter.code, "department": "OPS", "raising_unit": "HRM"}
    board = client.get(reverse("evaluation:problems"), by_code).content.decode()
    assert "运营的问题" in board
    assert "设备的问题" not in board
    assert f'<option value="{quarter.code}" selected>' in board
    comments = client.get(reverse("evaluation:comments"), {"quarter": quarter.code, "department": "OPS"})
    assert "运营的意见" in comments.content.decode()
    assert "设备的意见" not in comments.content.decode()
    # A database id is not a code: the filter is refused with a message, not silently applied.
    by_id = client.get(reverse("evaluation:problems"), {"department": org["EQP"].pk}).content.decode()
    assert "text-danger" in by_id
