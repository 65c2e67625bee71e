"""The problems board opens on what needs attention: open problems of every quarter, overdue ones first."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from evaluation.models import QuarterStatus
from evaluation.services.quarters import quarter_create
from tests.evaluation.test_problem_support import make_problem

ATTENTION = {"zh-hans": "当前显示需要处理的问题", "en": "Showing what needs attention"}


@pytest.fixture
def problems(quarter, org, evaluator):
    """An overdue problem of an older quarter, an open one and a closed one of the current quarter."""
    older = quarter_create(code="2026Q2")
    older.status = QuarterStatus.PUBLISHED
    older.save(update_fields=["status"])
    today = timezone.localdate()
    late = today - datetime.timedelta(3)
    return {
        "overdue": make_problem(
            actor=evaluator,
            quarter=older,
            department=org["EQP"],
            title="旧季度逾期",
            due_on=late,
        ),
        "open": make_problem(actor=evaluator, quarter=quarter, department=org["OPS"], title="本季度未答复"),
        "closed": make_problem(
            actor=evaluator,
            quarter=quarter,
            department=org["AUD"],
            title="已关闭",
            due_on=today - datetime.timedelta(30),
            status="closed",
        ),
    }


def titles(response) -> list[str]:
    return [problem.title for problem in response.context["page"].object_list]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_board_opens_on_open_problems_of_every_quarter_overdue_first(client_for, evaluator, problems, language):
    client = client_for(evaluator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("evaluation:problems"))
    assert titles(response) == ["旧季度逾期", "本季度未答复"]
    assert ATTENTION[language] in response.content.decode()
    assert response.context["form"]["status"].value() == "open"


def test_a_filtered_board_shows_what_was_asked(client_for, evaluator, problems, quarter):
    response = client_for(evaluator).get(reverse("evaluation:problems"), {"quarter": quarter.code})
    assert titles(response) == ["本季度未答复", "已关闭"] or titles(response) == ["已关闭", "本季度未答复"]
    assert "board-attention" not in response.content.decode()


def test_every_status_overdue_first(client_for, evaluator, problems):
    response = client_for(evaluator).get(reverse("evaluation:problems"), {"quarter": "", "status": ""})
    # The closed problem's due date is the earliest, yet the overdue open one comes first.
    assert titles(response)[0] == "旧季度逾期"
    assert set(titles(response)) == {"旧季度逾期", "本季度未答复", "已关闭"}
