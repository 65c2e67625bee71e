"""The department detail page: who may open it, and the k-rule as the reader sees it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from evaluation.models import Problem
from tests.evaluation.results_pages_data import example_published


@pytest.fixture
def published(org, leader):
    return example_published(org, leader)


def _url(quarter_code: str, department_code: str) -> str:
    return reverse("evaluation:department", args=[quarter_code, department_code])


def test_anonymous_visitors_are_sent_to_log_in(published, client_for):
    response = client_for(None).get(_url("2026Q2", "OPS"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_a_role_is_refused(published, client_for, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x")

    assert client_for(nobody).get(_url("2026Q2", "OPS")).status_code == 403


def test_a_rep_opens_their_own_department(published, client_for, rep):
    response = client_for(rep).get(_url("2026Q2", "OPS"))

    assert response.status_code == 200
    assert "运营改善部" in response.text


def test_a_rep_cannot_open_another_department(published, client_for, rep):
    assert client_for(rep).get(_url("2026Q2", "EQP")).status_code == 403


def test_an_unpublished_quarter_is_hidden_from_reps_and_viewers(quarter, client_for, rep, viewer):
    for user in (rep, viewer):
        assert client_for(user).get(_url(quarter.code, "OPS")).status_code == 404


def test_the_evaluation_group_opens_a_provisional_detail_with_a_banner(quarter, client_for, evaluator, leader):
    for user in (evaluator, leader):
        response = client_for(user).get(_url(quarter.code, "OPS"))
        assert response.status_code == 200
        assert 'class="alert alert-warning provisional-banner"' in response.text


def test_the_page_hides_a_breakdown_below_k_from_the_rep(published, client_for, rep):
    page = client_for(rep).get(_url("2026Q2", "OPS")).text

    assert "PEER-SECRET-COMMENT" not in page
    for hidden in ("66.61", "66.63"):  # peer cell means
        assert hidden not in page
    assert "66.62" not in page  # the peer source score: two raters' own ratings (docs/design.md)
    assert "86.05" in page and "85.55" in page  # the composite and the final score stay
    assert "81.11" in page and "GRASSROOTS-COMMENT" in page
    assert "71.71" in page and "LEADERSHIP-COMMENT" in page


def test_the_page_shows_every_breakdown_to_the_evaluation_group(published, client_for, evaluator):
    page = client_for(evaluator).get(_url("2026Q2", "OPS")).text

    assert "PEER-SECRET-COMMENT" in page
    assert "66.61" in page and "66.63" in page


def test_a_viewer_opens_other_departments_under_the_k_rule(published, client_for, viewer):
    client = client_for(viewer)

    assert client.get(_url("2026Q2", "EQP")).status_code == 200
    assert "PEER-SECRET-COMMENT" not in client.get(_url("2026Q2", "OPS")).text


def test_the_page_explains_adjustments_and_score(published, client_for, rep):
    page = client_for(rep).get(_url("2026Q2", "OPS")).text

    assert "未按期答复基层问题" in page
    assert "-0.50" in page
    assert "85.55" in page and "86.05" in page


def test_unknown_or_unevaluated_departments_are_not_found(published, client_for, evaluator):
    client = client_for(evaluator)

    assert client.get(_url("2026Q2", "NOPE")).status_code == 404
    assert client.get(_url("2026Q2", "HRM")).status_code == 404  # a grassroots unit is never rated
    assert client.get(_url("2026Q4", "OPS")).status_code == 404


def test_the_trend_chart_data_is_on_the_page(published, client_for, rep):
    response = client_for(rep).get(_url("2026Q2", "OPS"))

    assert '<script id="trend-chart" type="application/json">' in response.text
    assert 'data-chart="trend-chart"' in response.text
    # Plotly is loaded only when the reader asks for the chart (static/js/charts.js).
    assert '<script src="/static/plotly/plotly.min.js"' not in response.text
    assert 'data-chart-show="trend-chart" data-plotly-src="/static/plotly/plotly.min.js"' in response.text
    assert "/static/js/charts.js" in response.text


def test_the_page_shows_the_departments_problem_figures(published, org, client_for, rep):
    Problem.objects.create(quarter=published, department=org["OPS"], title="T", due_on=datetime.date(2026, 7, 1))
    response = client_for(rep).get(_url("2026Q2", "OPS"))

    assert response.context["detail"].problems["raised"] == 1
