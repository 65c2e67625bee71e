"""The evaluation group's home: open quarters with participation per source, overdue problems linked to the board
filtered, and departments last in their group two or more published quarters running."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Unit
from evaluation.models import Problem, Quarter, QuarterStatus, Source
from evaluation.selectors.dashboard import last_places, overdue_board_url
from evaluation.services.ballots import ballot_submit
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.problems import problem_create
from evaluation.services.quarters import quarter_create

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _published(code: str, leader, points: dict[str, int]) -> Quarter:
    """A published quarter ranked by one leadership ballot: department code → points on every criterion."""
    quarter = quarter_create(code=code)
    quarter_transition(quarter=quarter, to=QuarterStatus.OPEN)
    values = {
        (Unit.objects.get(code=unit).pk, criterion.pk): Decimal(value)
        for unit, value in points.items()
        for criterion in quarter.criteria.all()
    }
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=values, rater=leader)
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED)
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)
    return quarter


AUD_LAST = {"OPS": 100, "EQP": 80, "AUD": 60, "RET": 40}
EQP_LAST = {"OPS": 100, "EQP": 60, "AUD": 80, "RET": 40}


def test_a_department_last_two_quarters_running_is_listed(org, leader) -> None:
    _published("2025Q4", leader, EQP_LAST)
    _published("2026Q1", leader, AUD_LAST)
    _published("2026Q2", leader, AUD_LAST)
    rows = last_places()
    assert [(row.code, row.quarters) for row in rows] == [("AUD", ["2026Q2", "2026Q1"])]


def test_the_streak_counts_back_until_the_department_was_not_last(org, leader) -> None:
    _published("2025Q3", leader, AUD_LAST)
    _published("2025Q4", leader, EQP_LAST)
    for code in ("2026Q1", "2026Q2", "2026Q3"):
        _published(code, leader, AUD_LAST)
    assert [(row.code, row.streak) for row in last_places()] == [("AUD", 3)]


def test_last_once_or_not_in_the_latest_quarter_is_not_listed(org, leader) -> None:
    _published("2026Q1", leader, AUD_LAST)
    assert last_places() == []
    _published("2026Q2", leader, EQP_LAST)
    assert last_places() == []


def test_a_department_alone_in_its_group_is_never_last(org, leader) -> None:
    # RET is the only affiliated unit: ranked first and last of its group, it has no last place.
    _published("2026Q1", leader, AUD_LAST)
    _published("2026Q2", leader, AUD_LAST)
    assert "RET" not in {row.code for row in last_places()}


def test_unpublished_quarters_do_not_break_or_make_a_streak(org, leader) -> None:
    _published("2026Q1", leader, AUD_LAST)
    Quarter.objects.filter(pk=quarter_create(code="2026Q2").pk).update(status=QuarterStatus.CLOSED)
    _published("2026Q3", leader, AUD_LAST)
    assert [(row.code, row.quarters) for row in last_places()] == [("AUD", ["2026Q3", "2026Q1"])]


def _home(client, lang: dict | None = None) -> str:
    response = client.get(reverse("home"), **(lang or EN))
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_lists_last_places_with_a_link_to_the_department(org, leader, evaluator, client_for) -> None:
    _published("2026Q1", leader, AUD_LAST)
    _published("2026Q2", leader, AUD_LAST)
    page = _home(client_for(evaluator))
    section = page.split('id="last-places"')[1]
    assert "审计部" in section
    assert "last 2 published quarters running" in section
    assert reverse("evaluation:department", args=["2026Q2", "AUD"]) in section


def test_the_home_shows_open_quarters_with_participation_per_source(quarter, org, rep, evaluator, client_for) -> None:
    ballot_submit(
        quarter=quarter,
        source=Source.PEER,
        values={(org["AUD"].pk, quarter.criteria.first().pk): Decimal(80)},
        rater=rep,
    )
    page = _home(client_for(evaluator))
    section = page.split('id="open-quarters"')[1].split("</section>")[0]
    assert reverse("evaluation:console", args=["2026Q3"]) in section
    assert "Peer review" in section
    assert "1 / 4" in section and "(25%)" in section


def test_the_home_counts_overdue_problems_and_links_the_filtered_board(quarter, org, evaluator, client_for) -> None:
    for title in ("备件审批慢", "报销流程长"):
        problem_create(actor=evaluator, quarter=quarter, department=org["OPS"], title=title, raising_unit=org["HRM"])
    problem_create(actor=evaluator, quarter=quarter, department=org["EQP"], title="未到期", raising_unit=org["HRM"])
    Problem.objects.exclude(title="未到期").update(due_on=datetime.date(2020, 1, 1))
    client = client_for(evaluator)
    section = _home(client).split('id="overdue-problems"')[1].split("</div></div>")[0]
    assert "2 problems past their due date" in section
    assert overdue_board_url().replace("&", "&amp;") in section
    board = client.get(overdue_board_url(), **EN).content.decode()
    assert "备件审批慢" in board and "报销流程长" in board
    assert "未到期" not in board


def test_the_home_reads_in_chinese(quarter, evaluator, client_for) -> None:
    page = _home(client_for(evaluator), {"HTTP_ACCEPT_LANGUAGE": "zh-hans"})
    assert "进行中的季度" in page


def test_the_evaluation_group_gets_links_instead_of_cards(quarter, evaluator, client_for) -> None:
    page = _home(client_for(evaluator))
    assert 'id="evaluation-group"' in page
    assert "card-text small" not in page  # the generic page cards
    assert reverse("evaluation:quarter_list") in page
    assert reverse("evaluation:entry") in page


@pytest.mark.parametrize("role", ["leader", "rep", "grassroots_rater", "viewer"])
def test_other_accounts_do_not_get_the_evaluation_group_home(quarter, client_for, request, role) -> None:
    page = _home(client_for(request.getfixturevalue(role)))
    assert 'id="evaluation-group"' not in page


def test_the_evaluation_group_home_takes_few_queries(org, leader, evaluator, client_for, django_assert_max_num_queries):
    for code in ("2025Q2", "2025Q3", "2025Q4", "2026Q1"):
        _published(code, leader, AUD_LAST)
    for code in ("2026Q2", "2026Q3"):
        Quarter.objects.filter(pk=quarter_create(code=code).pk).update(status=QuarterStatus.OPEN)
    client = client_for(evaluator)
    # Session, user and permissions (5); per open quarter its participation (10, the ballots waiting in the
    # inbox included); the waiting ballots of every open quarter (1); the overdue count (1); the published
    # programmes (1), each one's quarters (1) and one snapshot per quarter of the streak (4); the objections
    # waiting, with their quarter and department (1); the current quarter of each programme (1) and the
    # programmes' annual rankings in the navigation (1). Measured: 37.
    with django_assert_max_num_queries(37):
        page = _home(client)
    assert "last 4 published quarters running" in page
