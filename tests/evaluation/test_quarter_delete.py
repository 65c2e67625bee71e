"""Deleting a draft quarter: only a draft without ballots; audited, its earlier log entries kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from audit.models import AuditAction, AuditEntry
from evaluation.models import BallotCode, Criterion, Quarter, QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.codes import codes_issue
from evaluation.services.quarters import quarter_create, quarter_delete
from evaluation.services.voids import ballot_void

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft(org, evaluator) -> Quarter:
    return quarter_create(code="2026Q4", title="四季度", actor=evaluator)


def test_it_deletes_a_draft_with_its_criteria_and_codes_and_audits(draft, org, evaluator, admin_user) -> None:
    codes_issue(quarter=draft, unit=org["HRM"], count=3, actor=evaluator)
    quarter_delete(quarter=draft, actor=admin_user)
    assert not Quarter.objects.filter(code="2026Q4").exists()
    assert not Criterion.objects.filter(quarter_id=draft.pk).exists()
    assert not BallotCode.objects.filter(quarter_id=draft.pk).exists()
    entry = AuditEntry.objects.get(action=AuditAction.QUARTER_DELETED)
    assert entry.actor == admin_user
    assert entry.details == {"code": "2026Q4", "title": "四季度", "codes_discarded": 3}
    assert "2026Q4" in entry.summary


def test_the_log_keeps_what_happened_to_the_quarter_before(draft, admin_user) -> None:
    quarter_delete(quarter=draft, actor=admin_user)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.QUARTER_CREATED, AuditAction.QUARTER_DELETED} <= actions


@pytest.mark.parametrize("status", [QuarterStatus.OPEN, QuarterStatus.CLOSED, QuarterStatus.PUBLISHED])
def test_it_refuses_a_quarter_that_is_not_a_draft(draft, admin_user, status) -> None:
    Quarter.objects.filter(pk=draft.pk).update(status=status)
    draft.refresh_from_db()
    with pytest.raises(ValidationError, match="Only a draft"):
        quarter_delete(quarter=draft, actor=admin_user)
    assert Quarter.objects.filter(pk=draft.pk).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.QUARTER_DELETED).exists()


def test_it_refuses_a_draft_holding_a_voided_ballot(draft, org, rep, admin_user) -> None:
    Quarter.objects.filter(pk=draft.pk).update(status=QuarterStatus.OPEN)
    draft.refresh_from_db()
    values = {(org["AUD"].pk, draft.criteria.first().pk): Decimal(60)}
    ballot = ballot_submit(quarter=draft, source=Source.PEER, values=values, rater=rep)
    ballot_void(ballot=ballot, actor=admin_user, reason="test")
    Quarter.objects.filter(pk=draft.pk).update(status=QuarterStatus.DRAFT)
    draft.refresh_from_db()
    with pytest.raises(ValidationError, match="holds ballots"):
        quarter_delete(quarter=draft, actor=admin_user)
    assert Quarter.objects.filter(pk=draft.pk).exists()


def test_the_console_deletes_the_draft(draft, client_for, evaluator) -> None:
    client = client_for(evaluator)
    page = client.get(reverse("evaluation:console", args=["2026Q4"]), **EN).content.decode()
    assert reverse("evaluation:quarter_delete", args=["2026Q4"]) in page
    response = client.post(reverse("evaluation:quarter_delete", args=["2026Q4"]), **EN)
    assert response["Location"] == reverse("evaluation:quarter_list")
    assert "Draft quarter 2026Q4 deleted." in client.get(response["Location"], **EN).content.decode()
    assert not Quarter.objects.filter(code="2026Q4").exists()


def test_the_console_refuses_an_open_quarter_with_a_message(quarter, client_for, evaluator) -> None:
    client = client_for(evaluator)
    assert (
        reverse("evaluation:quarter_delete", args=["2026Q3"])
        not in client.get(reverse("evaluation:console", args=["2026Q3"]), **EN).content.decode()
    )
    response = client.post(reverse("evaluation:quarter_delete", args=["2026Q3"]), **EN)
    assert response["Location"] == reverse("evaluation:console", args=["2026Q3"])
    assert "Only a draft quarter can be deleted" in client.get(response["Location"], **EN).content.decode()
    assert Quarter.objects.filter(code="2026Q3").exists()


def test_the_delete_is_refused_on_get(draft, client_for, evaluator) -> None:
    assert client_for(evaluator).get(reverse("evaluation:quarter_delete", args=["2026Q4"])).status_code == 405
    assert Quarter.objects.filter(pk=draft.pk).exists()
