"""Who may open each problems page: anonymous visitors go to the login page, wrong roles get 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import Problem, ProblemStatus
from evaluation.services.problems import problem_answer
from tests.evaluation.test_problem_support import make_comment, make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def problem(evaluator, org, quarter) -> Problem:
    return make_problem(actor=evaluator, quarter=quarter, department=org["OPS"], title="备件", raising_unit=org["HRM"])


@pytest.fixture
def comment(org, quarter):
    return make_comment(quarter=quarter, department=org["OPS"], text="意见", rater_unit=org["HRM"])


def _urls(problem: Problem, comment) -> dict[str, str]:
    return {
        "problems": reverse("evaluation:problems"),
        "problem_detail": reverse("evaluation:problem_detail", args=[problem.pk]),
        "problem_create": reverse("evaluation:problem_create"),
        "comments": reverse("evaluation:comments"),
        "problem_from_comment": reverse("evaluation:problem_from_comment", args=[comment.pk]),
        "my_problems": reverse("evaluation:my_problems"),
    }


POSTS = ["problem_answer", "problem_close", "problem_reopen"]


@pytest.mark.parametrize(
    "name", ["problems", "problem_detail", "problem_create", "comments", "problem_from_comment", "my_problems"]
)
def test_anonymous_visitors_are_sent_to_log_in(client_for, problem, comment, name):
    response = client_for(None).get(_urls(problem, comment)[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", POSTS)
def test_anonymous_posts_are_sent_to_log_in(client_for, problem, name):
    response = client_for(None).post(reverse(f"evaluation:{name}", args=[problem.pk]), {"answer": "x", "remark": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


@pytest.mark.parametrize(
    ("name", "allowed", "refused"),
    [
        ("problems", ["evaluator", "leader", "admin_user"], ["viewer", "rep", "grassroots_rater"]),
        ("problem_detail", ["evaluator", "leader", "rep", "grassroots_rater"], ["viewer", "other_rep"]),
        ("problem_create", ["evaluator", "admin_user"], ["viewer", "leader", "rep", "grassroots_rater"]),
        ("comments", ["evaluator"], ["viewer", "leader", "rep", "grassroots_rater"]),
        ("problem_from_comment", ["evaluator"], ["viewer", "leader", "rep", "grassroots_rater"]),
        ("my_problems", ["rep", "other_rep"], ["viewer", "leader", "evaluator", "grassroots_rater"]),
    ],
)
def test_each_page_is_open_to_its_roles_only(request, client_for, problem, comment, name, allowed, refused):
    url = _urls(problem, comment)[name]
    for persona in allowed:
        assert client_for(request.getfixturevalue(persona)).get(url).status_code == 200, persona
    for persona in refused:
        assert client_for(request.getfixturevalue(persona)).get(url).status_code == 403, persona


def test_a_grassroots_rater_of_another_unit_cannot_see_the_problem(client_for, problem, org):
    from departments.roles import Role
    from departments.services import user_create

    outsider = user_create(username="worker_nfm", full_name="W", roles=[Role.GRASSROOTS_RATER], unit=org["NFM"])
    assert client_for(outsider).get(reverse("evaluation:problem_detail", args=[problem.pk])).status_code == 403
    page = client_for(outsider).get(reverse("evaluation:unit_problems")).content.decode()
    assert "备件" not in page


def test_a_rep_cannot_answer_another_departments_problem(client_for, other_rep, problem):
    response = client_for(other_rep).post(reverse("evaluation:problem_answer", args=[problem.pk]), {"answer": "x"})
    assert response.status_code == 403
    problem.refresh_from_db()
    assert problem.answer == ""


@pytest.mark.parametrize("persona", ["evaluator", "leader", "viewer", "grassroots_rater"])
def test_only_the_departments_rep_answers(request, client_for, problem, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(reverse("evaluation:problem_answer", args=[problem.pk]), {"answer": "x"})
    assert response.status_code == 403
    problem.refresh_from_db()
    assert problem.answer == ""


@pytest.mark.parametrize("name", ["problem_close", "problem_reopen"])
@pytest.mark.parametrize("persona", ["rep", "leader", "viewer", "grassroots_rater", "other_rep"])
def test_only_evaluators_close_or_reopen(request, client_for, rep, problem, name, persona):
    problem_answer(actor=rep, problem=problem, answer="答复")
    user = request.getfixturevalue(persona)
    response = client_for(user).post(reverse(f"evaluation:{name}", args=[problem.pk]), {"remark": "x"})
    assert response.status_code == 403
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ANSWERED


def test_a_viewer_cannot_create_a_problem(client_for, viewer, org, quarter, comment):
    client = client_for(viewer)
    data = {"quarter": quarter.pk, "department": org["OPS"].pk, "raising_unit": org["HRM"].pk, "title": "t"}
    assert client.post(reverse("evaluation:problem_create"), data).status_code == 403
    from_comment = reverse("evaluation:problem_from_comment", args=[comment.pk])
    assert client.post(from_comment, {"title": "t", "description": "d"}).status_code == 403
    assert not Problem.objects.exists()


def test_answer_close_and_reopen_refuse_get(client_for, evaluator, rep, problem):
    assert client_for(rep).get(reverse("evaluation:problem_answer", args=[problem.pk])).status_code == 405
    assert client_for(evaluator).get(reverse("evaluation:problem_close", args=[problem.pk])).status_code == 405
    assert client_for(evaluator).get(reverse("evaluation:problem_reopen", args=[problem.pk])).status_code == 405


def test_an_unknown_problem_is_not_found(client_for, evaluator):
    assert client_for(evaluator).get(reverse("evaluation:problem_detail", args=[999999])).status_code == 404
