"""The objection pages: a representative files and reads answers; the evaluation group lists, ages and answers
objections, and its home lists those waiting; announced results are marked on the readers' pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import Objection, ObjectionStatus
from tests.evaluation.announcement_helpers import announced_quarter, closed_quarter

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def announced(org, rep, other_rep):
    return announced_quarter(org, [rep, other_rep])


def test_a_representative_files_an_objection_from_the_page(announced, rep, client_for) -> None:
    url = reverse("evaluation:objections_mine", args=[announced.code])
    response = client_for(rep).post(url, {"point": "source_score", "text": "互评分数偏低"}, **EN)
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.department.code, objection.point, objection.text) == ("OPS", "source_score", "互评分数偏低")
    page = client_for(rep).get(url, **EN).content.decode()
    assert "互评分数偏低" in page
    assert "Waiting for an answer" in page


@pytest.mark.parametrize("data", [{"point": "rank", "text": ""}, {"point": "bogus", "text": "x"}])
def test_a_bad_objection_form_is_refused_with_a_message(announced, rep, client_for, data) -> None:
    response = client_for(rep).post(reverse("evaluation:objections_mine", args=[announced.code]), data, **EN)
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_outside_the_announcement_the_page_says_why_and_refuses(org, rep, other_rep, client_for) -> None:
    quarter = closed_quarter(org, [rep, other_rep])
    url = reverse("evaluation:objections_mine", args=[quarter.code])
    page = client_for(rep).get(url, **EN).content.decode()
    assert "Objections can be filed only while" in page
    assert 'id="objection-form"' not in page
    response = client_for(rep).post(url, {"point": "rank", "text": "名次有误"}, **EN)
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_the_evaluation_group_sees_answers_and_the_home_lists_waiting(announced, rep, evaluator, client_for) -> None:
    client_for(rep).post(
        reverse("evaluation:objections_mine", args=[announced.code]), {"point": "rank", "text": "名次"}
    )
    objection = Objection.objects.get()
    home = client_for(evaluator).get(reverse("home"), **EN).content.decode()
    assert "Objections waiting for an answer" in home
    assert f"#objection-{objection.pk}" in home
    listing = client_for(evaluator).get(reverse("evaluation:objections", args=[announced.code]), **EN)
    assert "ago)" in listing.content.decode()
    answer_url = reverse("evaluation:objection_answer", args=[announced.code, objection.pk])
    client_for(evaluator).post(answer_url, {"verdict": "rejected", "answer": "名次按规则计算"}, **EN)
    assert Objection.objects.get().status == ObjectionStatus.REJECTED
    mine = client_for(rep).get(reverse("evaluation:objections_mine", args=[announced.code]), **EN).content.decode()
    assert "名次按规则计算" in mine
    assert "No objection is waiting" in client_for(evaluator).get(reverse("home"), **EN).content.decode()


def test_upholding_without_a_correction_is_refused_with_a_message(announced, rep, evaluator, client_for) -> None:
    client_for(rep).post(
        reverse("evaluation:objections_mine", args=[announced.code]), {"point": "rank", "text": "名次"}
    )
    objection = Objection.objects.get()
    answer_url = reverse("evaluation:objection_answer", args=[announced.code, objection.pk])
    response = client_for(evaluator).post(answer_url, {"verdict": "upheld", "answer": "属实"}, follow=True, **EN)
    assert "names the void, adjustment or re-announcement" in response.content.decode()
    assert Objection.objects.get().status == ObjectionStatus.OPEN


def test_readers_see_the_results_marked_as_under_announcement(announced, viewer, rep, client_for) -> None:
    for user in (viewer, rep):
        page = client_for(user).get(reverse("evaluation:ranking", args=[announced.code]), **EN).content.decode()
        assert "Under announcement" in page
        assert "Provisional results" not in page
    rep_page = client_for(rep).get(reverse("evaluation:ranking", args=[announced.code]), **EN).content.decode()
    assert reverse("evaluation:objections_mine", args=[announced.code]) in rep_page
    listing = client_for(viewer).get(reverse("evaluation:rankings"), **EN).content.decode()
    assert "Under announcement until" in listing
