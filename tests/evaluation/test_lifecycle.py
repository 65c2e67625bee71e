"""The quarter lifecycle: allowed transitions, who may run them, reasons, publish and reopen, the audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from audit.models import AuditAction, AuditEntry
from evaluation.models import Quarter, QuarterStatus, ResultSnapshot
from evaluation.services.lifecycle import ALLOWED_TRANSITIONS, quarter_transition, transitions_for
from evaluation.services.quarters import quarter_create

STATUSES = list(QuarterStatus.values)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _quarter_in(status: str) -> Quarter:
    quarter = quarter_create(code="2026Q4")
    Quarter.objects.filter(pk=quarter.pk).update(status=status)
    quarter.refresh_from_db()
    return quarter


@pytest.mark.parametrize("start", STATUSES)
@pytest.mark.parametrize("to", STATUSES)
def test_the_system_may_run_exactly_the_allowed_transitions(org, start, to) -> None:
    quarter = _quarter_in(start)
    # Without announcement days (the default) a closed quarter is published directly, never announced; the
    # announcement's own rules are in test_announcement_lifecycle.py.
    allowed = (start, to) in ALLOWED_TRANSITIONS and (start, to) != (QuarterStatus.CLOSED, QuarterStatus.ANNOUNCED)
    if allowed:
        quarter_transition(quarter=quarter, to=to, actor=None, reason="because")
        assert Quarter.objects.get(pk=quarter.pk).status == to
    else:
        with pytest.raises(ValidationError):
            quarter_transition(quarter=quarter, to=to, actor=None, reason="because")
        assert Quarter.objects.get(pk=quarter.pk).status == start


def test_an_evaluator_runs_the_forward_transitions_and_each_is_audited(org, evaluator) -> None:
    quarter = _quarter_in(QuarterStatus.DRAFT)
    for to in (QuarterStatus.OPEN, QuarterStatus.CLOSED, QuarterStatus.OPEN, QuarterStatus.CLOSED):
        quarter_transition(quarter=quarter, to=to, actor=evaluator)
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=evaluator, reason="meeting held")
    entries = list(AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGED).order_by("id"))
    assert [(e.details["from"], e.details["to"]) for e in entries] == [
        ("draft", "open"),
        ("open", "closed"),
        ("closed", "open"),
        ("open", "closed"),
        ("closed", "published"),
    ]
    assert all(e.actor == evaluator for e in entries)
    assert entries[-1].reason == "meeting held"


def test_publishing_freezes_the_results_and_reopening_discards_them(org, admin_user) -> None:
    quarter = _quarter_in(QuarterStatus.CLOSED)
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED, actor=admin_user)
    quarter.refresh_from_db()
    assert quarter.published_at is not None
    assert ResultSnapshot.objects.filter(quarter=quarter).exists()
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=admin_user, reason="a ballot was miskeyed")
    quarter.refresh_from_db()
    assert quarter.status == QuarterStatus.CLOSED
    assert quarter.published_at is None
    assert not ResultSnapshot.objects.filter(quarter=quarter).exists()
    entry = AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGED).latest("id")
    assert (entry.actor, entry.reason, entry.details) == (
        admin_user,
        "a ballot was miskeyed",
        {"from": "published", "to": "closed"},
    )


def test_reopening_a_published_quarter_needs_a_reason_also_for_the_system(org, admin_user) -> None:
    quarter = _quarter_in(QuarterStatus.PUBLISHED)
    for actor in (admin_user, None):
        with pytest.raises(ValidationError, match="needs a reason"):
            quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=actor, reason="   ")
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.PUBLISHED


def test_only_an_admin_may_reopen_a_published_quarter(org, evaluator) -> None:
    quarter = _quarter_in(QuarterStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="may not"):
        quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=evaluator, reason="please")
    assert QuarterStatus.CLOSED not in transitions_for(quarter, evaluator)
    assert Quarter.objects.get(pk=quarter.pk).status == QuarterStatus.PUBLISHED


@pytest.mark.parametrize("persona", ["viewer", "rep", "leader", "grassroots_rater"])
def test_accounts_without_manage_quarters_may_not_change_the_status(org, request, persona) -> None:
    user = request.getfixturevalue(persona)
    quarter = _quarter_in(QuarterStatus.DRAFT)
    with pytest.raises(ValidationError):
        quarter_transition(quarter=quarter, to=QuarterStatus.OPEN, actor=user)
    assert transitions_for(quarter, user) == []


def test_the_system_is_recorded_as_no_actor(org) -> None:
    quarter = _quarter_in(QuarterStatus.DRAFT)
    quarter_transition(quarter=quarter, to=QuarterStatus.OPEN, actor=None)
    entry = AuditEntry.objects.get(action=AuditAction.STATUS_CHANGED)
    assert entry.actor is None


def test_it_refuses_to_open_a_quarter_without_criteria(org) -> None:
    quarter = _quarter_in(QuarterStatus.DRAFT)
    quarter.criteria.all().delete()
    with pytest.raises(ValidationError, match="no criteria"):
        quarter_transition(quarter=quarter, to=QuarterStatus.OPEN, actor=None)


def test_it_offers_the_transitions_of_each_status(org, admin_user, evaluator) -> None:
    expected = {
        QuarterStatus.DRAFT: ["open"],
        QuarterStatus.OPEN: ["closed"],
        QuarterStatus.CLOSED: ["open", "published"],
    }
    for status, targets in expected.items():
        quarter = _quarter_in(status)
        assert sorted(transitions_for(quarter, evaluator)) == targets
        quarter.delete()
    quarter = _quarter_in(QuarterStatus.PUBLISHED)
    assert transitions_for(quarter, evaluator) == []
    assert transitions_for(quarter, admin_user) == ["closed"]


def test_it_refuses_an_unknown_status(org) -> None:
    quarter = _quarter_in(QuarterStatus.DRAFT)
    with pytest.raises(ValidationError, match="Unknown status"):
        quarter_transition(quarter=quarter, to="archived", actor=None)
