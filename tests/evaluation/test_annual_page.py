"""The annual ranking page: access, the annual score with its quarter count, and each quarter's score and rank."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.evaluation.results_pages_data import entry, example_published, published_quarter


@pytest.fixture
def year_2026(org, leader):
    published_quarter(
        "2026Q1",
        [
            entry(org["OPS"], rank=2, score=80.0),
            entry(org["EQP"], rank=1, score=90.01),
            entry(org["AUD"], rank=None, score=None),
            entry(org["RET"], rank=1, score=70.0),
        ],
    )
    return example_published(org, leader)  # 2026Q2: OPS 85.55 (1), EQP 80.04 (2), AUD unscored, RET 77.07


def _url(year: int = 2026) -> str:
    return reverse("evaluation:annual", args=[year])


def _row(page: str, name: str) -> str:
    return next(row for row in re.findall(r"<tr.*?</tr>", page, flags=re.S) if name in row)


def test_anonymous_visitors_are_sent_to_log_in(year_2026, client_for):
    response = client_for(None).get(_url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_a_role_is_refused(year_2026, client_for, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x")

    assert client_for(nobody).get(_url()).status_code == 403


def test_every_reader_sees_the_annual_ranking(year_2026, client_for, evaluator, rep, viewer, grassroots_rater):
    for user in (evaluator, rep, viewer, grassroots_rater):
        assert client_for(user).get(_url()).status_code == 200


def test_rows_show_the_annual_score_quarters_counted_and_each_quarter(year_2026, client_for, viewer):
    page = client_for(viewer).get(_url()).text

    eqp = _row(page, "设备部")  # (90.01 + 80.04) / 2 = 85.025 → 85.03, above OPS (80 + 85.55) / 2 = 82.775 → 82.78
    ops = _row(page, "运营改善部")
    assert "85.03" in eqp and "82.78" in ops
    assert page.index("设备部") < page.index("运营改善部")
    assert re.search(r'class="sticky-rank">1<', eqp) and re.search(r'class="sticky-rank">2<', ops)
    assert "90.01 · 1" in eqp and "80.04 · 2" in eqp
    assert "80.00 · 2" in ops and "85.55 · 1" in ops
    assert re.search(r'class="score">2</td>', ops)  # quarters counted


def test_a_department_never_scored_is_unranked_with_no_quarter(year_2026, client_for, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"

    aud = _row(client.get(_url()).text, "审计部")

    assert "Unranked" in aud
    assert re.search(r'class="score">0</td>', aud)


def test_quarters_columns_link_to_their_ranking(year_2026, client_for, viewer):
    page = client_for(viewer).get(_url()).text

    assert reverse("evaluation:ranking", args=["2026Q1"]) in page
    assert reverse("evaluation:ranking", args=["2026Q2"]) in page


def test_a_year_without_published_quarter_says_so(org, client_for, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    response = client.get(_url(2025))

    assert response.status_code == 200
    assert "No quarter of this year has been published yet." in response.text


def test_years_out_of_range_are_not_found(org, client_for, viewer):
    assert client_for(viewer).get(_url(1999)).status_code == 404
