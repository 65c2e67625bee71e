"""The default levels read in the reader's language; levels the evaluation group typed are shown as typed."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.criteria_templates import DEFAULT_LEVEL_NAMES, DEFAULT_LEVELS, LevelSpec
from evaluation.models import QuarterStatus
from evaluation.services.quarters import quarter_create

ENGLISH = ("Excellent", "Good", "Fair", "Poor")
CHINESE = ("优秀", "良好", "一般", "较差")


def _page(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _buttons(page: str) -> list[str]:
    return re.findall(r'<label class="btn btn-outline-primary"[^>]*>([^<]*)</label>', page)


def test_every_default_level_has_a_translation():
    assert set(DEFAULT_LEVEL_NAMES) == {level.label for level in DEFAULT_LEVELS}


def test_the_english_ballot_shows_the_default_levels_in_english(quarter, leader, client_for):
    page = _page(client_for(leader), reverse("evaluation:ballot_leadership"), "en")

    assert set(_buttons(page)) == set(ENGLISH)
    assert "Excellent = 100" in page
    assert not any(label in page for label in CHINESE)


def test_the_chinese_ballot_shows_the_default_levels_in_chinese(quarter, leader, client_for):
    page = _page(client_for(leader), reverse("evaluation:ballot_leadership"), "zh-hans")

    assert set(_buttons(page)) == set(CHINESE)
    assert "优秀 = 100" in page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_levels_the_group_typed_are_shown_as_typed(org, leader, client_for, language):
    typed = [LevelSpec("非常满意", Decimal("100")), LevelSpec("满意", Decimal("80")), LevelSpec("Good", Decimal(50))]
    created = quarter_create(code="2026Q3", levels=typed)
    created.status = QuarterStatus.OPEN
    created.save(update_fields=["status"])
    page = _page(client_for(leader), reverse("evaluation:ballot_leadership"), language)

    assert set(_buttons(page)) == {"非常满意", "满意", "Good"}


@pytest.mark.parametrize(("language", "labels"), [("en", ENGLISH), ("zh-hans", CHINESE)])
def test_the_paper_entry_page_translates_the_default_levels(quarter, evaluator, client_for, language, labels):
    client = client_for(evaluator)
    entry = _page(client, reverse("evaluation:entry") + f"?quarter={quarter.code}&source=grassroots&unit=HRM", language)
    assert all(f"= {label}</span>" in entry for label in labels)
    script = re.search(r'<script id="entry-levels" type="application/json">(.*?)</script>', entry).group(1)
    assert [level["label"] for level in json.loads(script)] == list(labels)
