"""Grades and the top-level cap in the quarter settings form: saved, refused, carried to the next quarter, locked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from evaluation.grades import GradeSpec
from evaluation.models import Quarter, QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.quarters import grade_specs, quarter_create_from_previous, quarter_update_settings
from tests.evaluation.ballot_helpers import full_values
from tests.evaluation.test_console_pages import EN, _settings_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(quarter) -> Quarter:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    quarter.refresh_from_db()
    return quarter


def _post(client, quarter: Quarter, **overrides: str):
    return client.post(reverse("evaluation:console", args=[quarter.code]), _settings_post(quarter, **overrides), **EN)


def test_the_form_saves_grades_by_quota_and_the_cap_and_audits_them(closed, client_for, evaluator) -> None:
    response = _post(
        client_for(evaluator), closed, grade_mode="quota", grades_text="好, 20\n较好, 50\n一般, 30", top_level_cap="30"
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    assert grade_specs(closed) == [GradeSpec("好", 20), GradeSpec("较好", 50), GradeSpec("一般", 30)]
    assert closed.top_level_cap == 30
    details = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED).details
    assert details["grades"]["new"] == [["好", 20, None], ["较好", 50, None], ["一般", 30, None]]
    assert details["top_level_cap"] == {"old": None, "new": 30}


def test_the_form_saves_grades_by_minimum_score_and_shows_them_again(closed, client_for, evaluator) -> None:
    client = client_for(evaluator)
    assert _post(client, closed, grade_mode="min_score", grades_text="好, 90\n差, 0").status_code == 302
    closed.refresh_from_db()
    assert grade_specs(closed) == [GradeSpec("好", None, Decimal("90.00")), GradeSpec("差", None, Decimal("0.00"))]
    page = client.get(reverse("evaluation:console", args=[closed.code])).content.decode()
    assert "好, 90\n差, 0" in page and '<option value="min_score" selected>' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"grades_text": "好, 20\n较好, 50\n一般, 20"}, "must add up to 100 (now 90)"),
        ({"grades_text": "好, 20.5\n差, 79.5"}, "a quota is a whole percentage"),
        ({"grades_text": "好"}, "write a label and a number"),
        ({"grades_text": "好, 50\n好, 50"}, "appears more than once"),
        ({"grade_mode": "min_score", "grades_text": "好, 90.123"}, "at most two decimals"),
        ({"top_level_cap": "101"}, "less than or equal to 100"),
        ({"top_level_cap": "30", "scale": "points", "levels_text": ""}, "levels scale only"),
    ],
)
def test_bad_grades_and_caps_are_refused_with_a_message(closed, client_for, evaluator, overrides, message) -> None:
    response = _post(client_for(evaluator), closed, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    closed.refresh_from_db()
    assert (grade_specs(closed), closed.top_level_cap, closed.scale) == ([], None, "levels")
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


def test_grades_and_the_cap_are_carried_to_the_next_quarter(closed, evaluator) -> None:
    grades = [GradeSpec("好", None, Decimal("85")), GradeSpec("差", None, Decimal("0"))]
    quarter_update_settings(quarter=closed, actor=evaluator, grades=grades, top_level_cap=25)
    following = quarter_create_from_previous(code="2026Q4", actor=evaluator)
    assert grade_specs(following) == grades and following.top_level_cap == 25


def test_grades_are_locked_once_the_quarter_holds_ballots(quarter, org, leader, evaluator, english) -> None:
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=full_values(quarter), rater=leader)
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    quarter.refresh_from_db()
    with pytest.raises(ValidationError, match="holds ballots"):
        quarter_update_settings(quarter=quarter, actor=evaluator, grades=[GradeSpec("好", 100)])
    with pytest.raises(ValidationError, match="holds ballots"):
        quarter_update_settings(quarter=quarter, actor=evaluator, top_level_cap=30)
    assert grade_specs(quarter) == []
