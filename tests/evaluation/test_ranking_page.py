"""The quarter ranking page and the rankings index: access, provisional banner, rank changes, unscored order."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import QuarterStatus
from evaluation.services.quarters import quarter_create
from tests.evaluation.results_pages_data import example_published


@pytest.fixture
def published(org, leader):
    return example_published(org, leader)


def _url(code: str) -> str:
    return reverse("evaluation:ranking", args=[code])


def _rows(page: str) -> list[str]:
    """The body rows of every ranking table, in page order."""
    bodies = re.findall(r"<tbody>.*?</tbody>", page, flags=re.S)
    return [row for body in bodies for row in re.findall(r"<tr.*?</tr>", body, flags=re.S)]


@pytest.mark.parametrize("name", ["evaluation:rankings", "evaluation:ranking"])
def test_anonymous_visitors_are_sent_to_log_in(published, client_for, name):
    url = reverse(name, args=["2026Q2"] if name == "evaluation:ranking" else [])
    response = client_for(None).get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["evaluation:rankings", "evaluation:ranking"])
def test_a_user_without_a_role_is_refused(published, client_for, django_user_model, name):
    nobody = django_user_model.objects.create_user(username="nobody", password="x")
    url = reverse(name, args=["2026Q2"] if name == "evaluation:ranking" else [])

    assert client_for(nobody).get(url).status_code == 403


def test_every_role_reads_a_published_ranking(
    published, client_for, admin_user, evaluator, leader, rep, grassroots_rater, viewer
):
    for user in (admin_user, evaluator, leader, rep, grassroots_rater, viewer):
        response = client_for(user).get(_url("2026Q2"))
        assert response.status_code == 200
        assert "provisional-banner" not in response.text


def test_an_unpublished_quarter_is_hidden_from_readers(quarter, client_for, rep, viewer, grassroots_rater):
    for user in (rep, viewer, grassroots_rater):
        assert client_for(user).get(_url(quarter.code)).status_code == 404


def test_the_evaluation_group_sees_live_results_marked_provisional(quarter, client_for, admin_user, evaluator, leader):
    for user in (admin_user, evaluator, leader):
        response = client_for(user).get(_url(quarter.code))
        assert response.status_code == 200
        assert 'class="alert alert-warning provisional-banner"' in response.text


def test_a_draft_quarter_has_no_ranking(org, client_for, evaluator):
    draft = quarter_create(code="2026Q4")

    assert client_for(evaluator).get(_url(draft.code)).status_code == 404


def test_unknown_quarters_are_not_found(org, client_for, evaluator):
    assert client_for(evaluator).get("/results/2026Q9/").status_code == 404
    assert client_for(evaluator).get(_url("2030Q1")).status_code == 404


def test_rows_show_rank_change_arrows(published, client_for, viewer):
    page = client_for(viewer).get(_url("2026Q2")).text

    ops, eqp, _aud, ret = _rows(page)[:4]
    assert "↑2" in ops
    assert "↓1" in eqp
    assert 'class="rank-same"' in ret and "↑" not in ret and "↓" not in ret


def test_unscored_departments_come_after_the_ranked_ones_of_their_group(published, client_for, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    page = client.get(_url("2026Q2")).text

    rows = _rows(page)
    names = [next(name for name in ("运营改善部", "设备部", "审计部", "退管中心") if name in row) for row in rows]
    assert names == ["运营改善部", "设备部", "审计部", "退管中心"]
    assert 'class="unranked"' in rows[2] and "Unranked" in rows[2]
    assert page.index("Functional department") < page.index("审计部") < page.index("Affiliated unit")


def test_rows_show_scores_adjustment_and_ballots_per_source(published, client_for, evaluator):
    ops = _rows(client_for(evaluator).get(_url("2026Q2")).text)[0]

    for number in ("85.55", "82.22", "66.62", "72.05", "-0.50", "5 / 2 / 3"):
        assert number in ops


def test_a_bar_chart_per_group_gets_its_data(published, client_for, viewer):
    response = client_for(viewer).get(_url("2026Q2"))

    functional = response.context["groups"][0].chart
    assert functional["labels"] == ["运营改善部", "设备部"]  # unscored AUD has no bar
    assert functional["values"] == [85.55, 80.04]
    assert '<script id="ranking-chart-1" type="application/json">' in response.text
    assert '<script id="ranking-chart-2" type="application/json">' in response.text
    assert 'data-chart="ranking-chart-1"' in response.text
    assert '<script src="/static/plotly/plotly.min.js"' not in response.text
    assert 'data-chart-show="ranking-chart-1" data-plotly-src="/static/plotly/plotly.min.js"' in response.text


def test_department_links_follow_what_the_reader_may_open(published, client_for, rep, viewer):
    ops = reverse("evaluation:department", args=["2026Q2", "OPS"])
    eqp = reverse("evaluation:department", args=["2026Q2", "EQP"])

    rep_page = client_for(rep).get(_url("2026Q2")).text
    viewer_page = client_for(viewer).get(_url("2026Q2")).text

    assert ops in rep_page and eqp not in rep_page
    assert ops in viewer_page and eqp in viewer_page


def test_the_page_renders_in_english(published, client_for, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    page = client.get(_url("2026Q2")).text

    assert '<html lang="en">' in page
    for text in ("Final score", "Adjustment", "Ballots", "Grassroots", "Peer review", "Leadership", "Rank change"):
        assert text in page


def test_the_page_renders_in_chinese_by_default(published, client_for, viewer):
    response = client_for(viewer).get(_url("2026Q2"))

    assert '<html lang="zh-hans">' in response.text
    assert "85.55" in response.text


def test_the_index_lists_the_quarters_each_reader_may_see(published, quarter, client_for, viewer, evaluator):
    quarter_create(code="2026Q4")  # a draft: nobody's ranking

    viewer_page = client_for(viewer).get(reverse("evaluation:rankings")).text
    evaluator_page = client_for(evaluator).get(reverse("evaluation:rankings")).text

    assert _url("2026Q2") in viewer_page and _url("2026Q3") not in viewer_page
    assert _url("2026Q2") in evaluator_page and _url("2026Q3") in evaluator_page
    assert _url("2026Q4") not in evaluator_page
    assert reverse("evaluation:annual", args=[2026]) in viewer_page


def test_the_navigation_offers_the_rankings(published, client_for, viewer):
    page = client_for(viewer).get(reverse("home")).text

    assert reverse("evaluation:rankings") in page


def test_a_quarter_with_no_status_change_keeps_its_status(published):
    # Guard for the fixture itself: the pages above read a published quarter.
    assert published.status == QuarterStatus.PUBLISHED


def test_the_navigation_offers_this_years_annual_ranking(published, client_for, viewer):
    page = client_for(viewer).get(reverse("home")).text

    assert reverse("evaluation:annual", args=[timezone.localdate().year]) in page
