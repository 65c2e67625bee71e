"""The "how the score is computed" page: the quarter's own settings in words, in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from evaluation.criteria_templates import CriterionSpec, LevelSpec
from evaluation.models import QuarterStatus
from evaluation.services.quarters import quarter_create
from tests.evaluation.results_pages_data import example_published


def _url(code: str) -> str:
    return reverse("evaluation:method", args=[code])


@pytest.fixture
def custom(org):
    """A closed quarter with its own settings: trim from 6 values, peer not collected, points scale, k = 4."""
    quarter = quarter_create(
        code="2026Q1",
        scale="points",
        weight_grassroots=60,
        weight_peer=0,
        weight_leadership=40,
        trim=True,
        trim_min_n=6,
        min_ballots_grassroots=3,
        anonymity_k=4,
        criteria=[CriterionSpec("speed", "办事效率", Decimal("2")), CriterionSpec("care", "服务意识", Decimal("1"))],
    )
    quarter.status = QuarterStatus.CLOSED
    quarter.save(update_fields=["status"])
    return quarter


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def test_anonymous_visitors_are_sent_to_log_in(custom, client_for):
    response = client_for(None).get(_url(custom.code))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_a_role_is_refused(custom, client_for, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x")

    assert client_for(nobody).get(_url(custom.code)).status_code == 403


def test_a_draft_quarter_is_hidden_from_readers_but_not_from_the_evaluation_group(org, client_for, viewer, evaluator):
    draft = quarter_create(code="2026Q4")

    assert client_for(viewer).get(_url(draft.code)).status_code == 404
    assert client_for(evaluator).get(_url(draft.code)).status_code == 200


def test_it_states_the_quarters_settings(custom, client_for, viewer):
    page = _english(client_for(viewer)).get(_url(custom.code)).text

    assert "60%" in page and "40%" in page
    assert "Peer review has weight 0: it is not collected this quarter." in page
    assert "when a cell has at least 6 values, one highest and one lowest value are removed" in page
    assert "whole number of points from 0 to 100" in page
    assert "办事效率" in page and "66.7%" in page and "33.3%" in page
    assert "at least 4" in page
    assert "(60 × Grassroots + 40 × Leadership) / 100" in page


def test_it_lists_the_levels_of_a_levels_quarter(org, client_for, viewer):
    levels = [LevelSpec("优秀", Decimal("100")), LevelSpec("合格", Decimal("75.5"))]
    quarter = quarter_create(code="2026Q2", levels=levels)
    quarter.status = QuarterStatus.OPEN
    quarter.save(update_fields=["status"])

    page = _english(client_for(viewer)).get(_url(quarter.code)).text

    assert "Excellent = 100" in page and "合格 = 75.5" in page  # a default label in English, a typed one as typed
    assert "Trimming is off: every value counts, none is dropped." in page
    assert "is an abstention" in page


def test_it_explains_the_rules_of_scoring(custom, client_for, viewer):
    page = _english(client_for(viewer)).get(_url(custom.code)).text

    for rule in ("never counts as 0", "rounded half up to two decimals", "72.125 is shown as 72.13", "(1, 2, 2, 4)"):
        assert rule in page


def test_it_renders_in_chinese_by_default(custom, client_for, viewer):
    response = client_for(viewer).get(_url(custom.code))

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text


def test_the_ranking_links_to_it(org, leader, client_for, viewer):
    quarter = example_published(org, leader)

    page = client_for(viewer).get(reverse("evaluation:ranking", args=[quarter.code])).text

    assert _url(quarter.code) in page


def test_source_labels_follow_the_active_language(custom, client_for, viewer):
    with translation.override("en"):
        page = _english(client_for(viewer)).get(_url(custom.code)).text
    assert "Grassroots" in page
