"""The announcement (公示): closed → announced → published, and back to closed to correct (docs/design.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from evaluation.models import ObjectionPoint, Quarter, QuarterStatus, ResultSnapshot
from evaluation.selectors.results import quarter_results
from evaluation.services.lifecycle import quarter_transition, transitions_for
from evaluation.services.objections import objection_file
from tests.evaluation.announcement_helpers import announced_quarter, closed_quarter

pytestmark = pytest.mark.usefixtures("english")


def _period_over(quarter: Quarter) -> Quarter:
    Quarter.objects.filter(pk=quarter.pk).update(announced_at=timezone.now() - dt.timedelta(days=30))
    quarter.refresh_from_db()
    return quarter


def test_it_freezes_the_results_when_announced_and_marks_the_end(org, rep, other_rep, evaluator) -> None:
    quarter = closed_quarter(org, [rep, other_rep], days=5)
    before = timezone.now()
    quarter_transition(quarter=quarter, to=QuarterStatus.ANNOUNCED, actor=evaluator)
    quarter.refresh_from_db()
    assert quarter.status == QuarterStatus.ANNOUNCED
    assert quarter.published_at is None
    assert before + dt.timedelta(days=5) <= quarter.announcement_ends_at <= timezone.now() + dt.timedelta(days=5)
    snapshot = ResultSnapshot.objects.get(quarter=quarter)
    assert snapshot.payload["status"] == "announced"
    results = quarter_results(quarter)
    assert results.provisional is False
    assert [row.code for row in results.departments] == [row["code"] for row in snapshot.payload["departments"]]


def test_it_refuses_to_publish_a_closed_quarter_that_has_an_announcement_period(org, rep, other_rep, evaluator):
    quarter = closed_quarter(org, [rep, other_rep], days=3)
    assert QuarterStatus.PUBLISHED not in transitions_for(quarter, evaluator)
    with pytest.raises(ValidationError, match="announce its results before"):
        quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=evaluator)
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.CLOSED


def test_it_refuses_to_announce_without_announcement_days(org, rep, other_rep, evaluator) -> None:
    quarter = closed_quarter(org, [rep, other_rep], days=0)
    assert transitions_for(quarter, evaluator) == [QuarterStatus.OPEN, QuarterStatus.PUBLISHED]
    with pytest.raises(ValidationError, match="no announcement period"):
        quarter_transition(quarter=quarter, to=QuarterStatus.ANNOUNCED, actor=evaluator)


def test_it_refuses_to_finalise_while_the_period_runs_unless_an_admin_gives_a_reason(
    org, rep, other_rep, evaluator, admin_user
) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    # Offered (the console lists what blocks it), but refused on confirming.
    assert QuarterStatus.PUBLISHED in transitions_for(quarter, evaluator)
    with pytest.raises(ValidationError, match="announcement runs until"):
        quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=evaluator, reason="urgent")
    with pytest.raises(ValidationError, match="Give a reason"):
        quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=admin_user)
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.ANNOUNCED
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=admin_user, reason="董事会提前审定")
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.PUBLISHED
    entry = AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGED).first()
    assert (entry.details, entry.reason, entry.actor) == (
        {"from": "announced", "to": "published"},
        "董事会提前审定",
        admin_user,
    )


def test_it_refuses_to_finalise_with_an_open_objection_after_the_period(org, rep, other_rep, evaluator) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    objection_file(quarter=quarter, actor=rep, department=org["OPS"], point=ObjectionPoint.RANK, text="名次有误")
    quarter = _period_over(quarter)
    with pytest.raises(ValidationError, match="1 objection is waiting"):
        quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=evaluator)
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.ANNOUNCED


def test_it_finalises_once_the_period_is_over_and_nothing_is_open(org, rep, other_rep, evaluator) -> None:
    quarter = _period_over(announced_quarter(org, [rep, other_rep]))
    assert QuarterStatus.PUBLISHED in transitions_for(quarter, evaluator)
    frozen = ResultSnapshot.objects.get(quarter=quarter).payload["departments"]
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=evaluator)
    quarter.refresh_from_db()
    assert quarter.published_at is not None
    snapshot = ResultSnapshot.objects.get(quarter=quarter)
    assert snapshot.payload["status"] == "published"
    assert snapshot.payload["departments"] == frozen


def test_taking_announced_results_back_needs_a_reason_and_drops_the_snapshot(org, rep, other_rep, evaluator) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    with pytest.raises(ValidationError, match="needs a reason"):
        quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=evaluator)
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=evaluator, reason="申诉成立，更正加分")
    quarter.refresh_from_db()
    assert (quarter.status, quarter.announced_at) == (QuarterStatus.CLOSED, None)
    assert not ResultSnapshot.objects.filter(quarter=quarter).exists()


def test_it_tells_the_representatives_when_the_announcement_starts(
    org, rep, other_rep, evaluator, django_capture_on_commit_callbacks
) -> None:
    type(rep).objects.filter(pk=rep.pk).update(email="ops@example.com")
    quarter = closed_quarter(org, [rep, other_rep])
    with django_capture_on_commit_callbacks(execute=True):
        quarter_transition(quarter=quarter, to=QuarterStatus.ANNOUNCED, actor=evaluator)
    assert [message.to for message in mail.outbox] == [["ops@example.com"]]
    assert "2026Q3" in mail.outbox[0].subject
    assert "/objections/2026Q3/" in mail.outbox[0].body
    entry = AuditEntry.objects.get(action=AuditAction.REMINDER_SENT)
    assert entry.details == {"sent": 1, "without_email": 1, "announcement": True}


def test_the_command_announces_and_finalises_as_the_buttons_do(org, rep, other_rep) -> None:
    quarter = closed_quarter(org, [rep, other_rep])
    with pytest.raises(CommandError, match="announce its results before"):
        call_command("set_quarter_status", "2026Q3", "published")
    call_command("set_quarter_status", "2026Q3", "announced")
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.ANNOUNCED
    with pytest.raises(CommandError, match="announcement runs until"):
        call_command("set_quarter_status", "2026Q3", "published")
    call_command("set_quarter_status", "2026Q3", "published", "--reason", "提前定稿")
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.PUBLISHED
