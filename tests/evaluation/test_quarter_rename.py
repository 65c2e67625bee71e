"""Renaming a quarter: in every status, audited with the old and the new title; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from audit.models import AuditAction, AuditEntry
from evaluation.models import Quarter, QuarterStatus
from evaluation.services.quarters import quarter_rename

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("status", list(QuarterStatus.values))
def test_it_renames_in_every_status_and_audits_old_and_new(quarter, evaluator, status) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=status, title="三季度")
    quarter_rename(quarter=quarter, actor=evaluator, title="  2026年第三季度作风考核 ")
    quarter.refresh_from_db()
    assert quarter.title == "2026年第三季度作风考核"
    entry = AuditEntry.objects.get(action=AuditAction.QUARTER_RENAMED)
    assert entry.details == {"title": {"old": "三季度", "new": "2026年第三季度作风考核"}}
    assert (entry.actor, entry.quarter) == (evaluator, quarter)
    assert "三季度" in entry.summary and "2026年第三季度作风考核" in entry.summary


def test_the_same_title_is_no_change(quarter, evaluator) -> None:
    quarter_rename(quarter=quarter, actor=evaluator, title="")
    assert not AuditEntry.objects.filter(action=AuditAction.QUARTER_RENAMED).exists()


def test_it_refuses_a_title_over_100_characters(quarter, evaluator) -> None:
    with pytest.raises(ValidationError):
        quarter_rename(quarter=quarter, actor=evaluator, title="长" * 101)
    quarter.refresh_from_db()
    assert quarter.title == ""
    assert not AuditEntry.objects.filter(action=AuditAction.QUARTER_RENAMED).exists()


def test_the_console_renames(quarter, client_for, evaluator) -> None:
    client = client_for(evaluator)
    response = client.post(reverse("evaluation:quarter_rename", args=["2026Q3"]), {"title": "第三季度"}, **EN)
    assert response.status_code == 302
    assert Quarter.objects.get(pk=quarter.pk).title == "第三季度"
    page = client.get(response["Location"], **EN).content.decode()
    assert "Title saved." in page
    assert "第三季度" in page


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "This field is required."), ("   ", "This field is required."), ("长" * 101, "at most 100 characters")],
)
def test_the_console_refuses_a_bad_title_with_a_message(quarter, client_for, evaluator, title, message) -> None:
    client = client_for(evaluator)
    response = client.post(reverse("evaluation:quarter_rename", args=["2026Q3"]), {"title": title}, **EN)
    assert response.status_code == 302
    assert Quarter.objects.get(pk=quarter.pk).title == ""
    page = client.get(response["Location"], **EN).content.decode()
    assert message in page
    assert not AuditEntry.objects.filter(action=AuditAction.QUARTER_RENAMED).exists()


def test_the_console_renames_a_published_quarter(quarter, client_for, evaluator) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.PUBLISHED)
    page = client_for(evaluator).get(reverse("evaluation:console", args=["2026Q3"]), **EN).content.decode()
    assert reverse("evaluation:quarter_rename", args=["2026Q3"]) in page
    client_for(evaluator).post(reverse("evaluation:quarter_rename", args=["2026Q3"]), {"title": "定稿"})
    assert Quarter.objects.get(pk=quarter.pk).title == "定稿"


def test_the_settings_form_no_longer_carries_the_title(quarter, client_for, evaluator) -> None:
    page = client_for(evaluator).get(reverse("evaluation:console", args=["2026Q3"]), **EN).content.decode()
    assert page.count('name="title"') == 1
