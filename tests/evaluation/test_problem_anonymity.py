"""Nobody can see which person raised a comment: no problems page names a ballot's rater."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.roles import Role
from departments.services import user_create
from evaluation.models import Problem, Source
from evaluation.services.problems import problem_answer, problem_create_from_comment
from tests.evaluation.test_problem_support import make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def raters(org):
    """A peer rater and a leader whose names must never appear."""
    peer = user_create(username="zhangsan_eqp", full_name="张三丰", roles=[Role.DEPARTMENT_REP], unit=org["EQP"])
    boss = user_create(username="lisi_leader", full_name="李四光", roles=[Role.LEADER])
    return peer, boss


@pytest.fixture
def tracked(evaluator, rep, raters, org, quarter) -> list[Problem]:
    peer, boss = raters
    comments = [
        make_comment(
            quarter=quarter,
            department=org["OPS"],
            text="互评意见：协同慢",
            source=Source.PEER,
            rater_unit=org["EQP"],
            rater=peer,
        ),
        make_comment(
            quarter=quarter, department=org["OPS"], text="领导意见：要主动", source=Source.LEADERSHIP, rater=boss
        ),
        make_comment(quarter=quarter, department=org["OPS"], text="基层意见：备件慢", rater_unit=org["HRM"]),
    ]
    problems = [problem_create_from_comment(actor=evaluator, comment=comment) for comment in comments]
    problem_answer(actor=rep, problem=problems[0], answer="已改进")
    return problems


FORBIDDEN = ["zhangsan_eqp", "张三丰", "lisi_leader", "李四光"]


def _pages(tracked: list[Problem]) -> list[str]:
    urls = [reverse("evaluation:problems"), reverse("evaluation:comments"), reverse("evaluation:my_problems")]
    urls += [reverse("evaluation:problem_detail", args=[problem.pk]) for problem in tracked]
    return urls


@pytest.mark.parametrize("persona", ["evaluator", "leader", "rep"])
def test_no_page_names_the_rater(request, client_for, tracked, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in _pages(tracked):
        response = client.get(url)
        if response.status_code != 200:
            continue
        page = response.content.decode()
        for name in FORBIDDEN:
            assert name not in page, (url, name)


def test_the_comment_forms_do_not_name_the_rater(client_for, evaluator, raters, org, quarter):
    peer, boss = raters
    peer_comment = make_comment(
        quarter=quarter,
        department=org["AUD"],
        text="审计口径不一",
        source=Source.PEER,
        rater_unit=org["EQP"],
        rater=peer,
    )
    leader_comment = make_comment(
        quarter=quarter, department=org["AUD"], text="要加快", source=Source.LEADERSHIP, rater=boss
    )
    client = client_for(evaluator)
    for comment in (peer_comment, leader_comment):
        page = client.get(reverse("evaluation:problem_from_comment", args=[comment.pk])).content.decode()
        for name in FORBIDDEN:
            assert name not in page


def test_the_unit_page_names_nobody(client_for, grassroots_rater, rep, evaluator, tracked):
    page = client_for(grassroots_rater).get(reverse("evaluation:unit_problems")).content.decode()
    assert "基层意见：备件慢" in page
    for name in [*FORBIDDEN, rep.username, str(rep), evaluator.username, str(evaluator)]:
        assert name not in page


def test_comment_rows_carry_no_rater(tracked, quarter):
    from evaluation.selectors.problems import quarter_comments

    for row in quarter_comments(quarter=quarter):
        assert not hasattr(row, "rater")
        assert not hasattr(row, "ballot")
