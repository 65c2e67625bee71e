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


# --- A problem made from a peer comment never tells the rated department which department raised it ---------


@pytest.fixture
def third_rep(org):
    """The representative of 审计部 (AUD): neither the raising nor the rated department."""
    return user_create(username="rep_aud", full_name="Rep_Aud", roles=[Role.DEPARTMENT_REP], unit=org["AUD"])


@pytest.fixture
def peer_problem(client_for, evaluator, other_rep, org, quarter) -> Problem:
    """设备部 (EQP) commented on 运营改善部 (OPS) as a peer; an evaluator turned it into a problem on the page."""
    comment = make_comment(
        quarter=quarter,
        department=org["OPS"],
        text="互评意见：协同配合不及时",
        source=Source.PEER,
        rater_unit=org["EQP"],
        rater=other_rep,
    )
    response = client_for(evaluator).post(
        reverse("evaluation:problem_from_comment", args=[comment.pk]),
        {"title": "协同配合不及时", "description": comment.text, "due_on": ""},
    )
    assert response.status_code == 302
    problem = Problem.objects.get(comment=comment)
    assert problem.raising_unit == org["EQP"]  # recorded, for the evaluation group and for 设备部 itself
    return problem


def test_the_rated_department_never_learns_which_peer_raised_it(english, client_for, rep, org, peer_problem):
    client = client_for(rep)
    for url in (reverse("evaluation:my_problems"), reverse("evaluation:problem_detail", args=[peer_problem.pk])):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert "协同配合不及时" in page, url
        assert org["EQP"].name not in page, url
        assert "EQP" not in page, url
        assert "a peer department (not named)" in page, url
        assert "the group leadership" not in page, url


def test_answering_does_not_reveal_it_either(english, client_for, rep, org, peer_problem):
    client = client_for(rep)
    url = reverse("evaluation:problem_answer", args=[peer_problem.pk])
    refused = client.post(url, {"answer": ""})  # the page comes back with the form
    assert refused.status_code == 400
    assert org["EQP"].name not in refused.content.decode()
    assert client.post(url, {"answer": "已建立协同机制"}).status_code == 302
    assert org["EQP"].name not in client.get(reverse("evaluation:my_problems")).content.decode()


def test_the_raising_peer_department_reads_the_answer(client_for, rep, other_rep, org, peer_problem):
    problem_answer(actor=rep, problem=peer_problem, answer="已建立协同机制")
    client = client_for(other_rep)
    detail = client.get(reverse("evaluation:problem_detail", args=[peer_problem.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "已建立协同机制" in page
    assert org["EQP"].name in page  # its own name: it raised the problem
    assert rep.username not in page
    assert str(rep) not in page
    unit_page = client.get(reverse("evaluation:unit_problems")).content.decode()
    assert "协同配合不及时" in unit_page
    assert "已建立协同机制" in unit_page
    # 设备部 cannot answer it: the problem is not addressed to it.
    assert client.post(reverse("evaluation:problem_answer", args=[peer_problem.pk]), {"answer": "x"}).status_code == 403


def test_another_department_sees_nothing_of_it(client_for, third_rep, peer_problem):
    client = client_for(third_rep)
    assert client.get(reverse("evaluation:problem_detail", args=[peer_problem.pk])).status_code == 403
    assert "协同配合不及时" not in client.get(reverse("evaluation:unit_problems")).content.decode()
    assert "协同配合不及时" not in client.get(reverse("evaluation:my_problems")).content.decode()


@pytest.mark.parametrize("persona", ["evaluator", "leader", "admin_user"])
def test_the_evaluation_group_and_the_leaders_see_the_raising_department(
    request, client_for, org, peer_problem, persona
):
    page = client_for(request.getfixturevalue(persona)).get(
        reverse("evaluation:problem_detail", args=[peer_problem.pk])
    )
    assert org["EQP"].name in page.content.decode()


def test_the_selectors_hand_the_department_no_raising_department(rep, evaluator, org, peer_problem):
    from evaluation.selectors.problems import as_read_by, department_problems, readable_problems

    [seen] = department_problems(org["OPS"], reader=rep)
    assert seen.raiser_withheld
    assert seen.raising_unit_id is None
    assert seen.raising_unit is None
    assert seen.comment is None  # not even the comment behind it
    assert seen.origin_label == Source.PEER.label
    [full] = as_read_by(evaluator, readable_problems().filter(pk=peer_problem.pk))
    assert (full.raiser_withheld, full.raising_unit) == (False, org["EQP"])
    assert Problem.objects.get(pk=peer_problem.pk).raising_unit == org["EQP"]  # nothing was changed in the database


def test_grassroots_and_leadership_problems_still_say_who_raised_them(
    english, client_for, evaluator, rep, org, tracked
):
    page = client_for(rep).get(reverse("evaluation:my_problems")).content.decode()
    assert org["HRM"].name in page  # a grassroots unit is named to the department, as before
    assert "the group leadership" in page
    assert org["EQP"].name not in page  # the peer problem of `tracked`
