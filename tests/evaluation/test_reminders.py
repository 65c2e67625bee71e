"""The remind action e-mails exactly the logged-in raters who have not voted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from audit.models import AuditAction, AuditEntry
from departments.models import User
from departments.roles import Role
from departments.services import user_create
from evaluation.models import Quarter, QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.reminders import non_voters, reminders_send

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def raters(quarter, org, rep, other_rep, leader, grassroots_rater, viewer, evaluator) -> dict[str, User]:
    """Everyone has an address but other_rep; rep and grassroots_rater have voted; leader2 and worker2 not."""
    people = {
        "rep": rep,
        "other_rep": other_rep,
        "leader": leader,
        "grassroots_rater": grassroots_rater,
        "viewer": viewer,
        "evaluator": evaluator,
        "leader2": user_create(username="leader2", full_name="L2", roles=[Role.LEADER], password="p-123456"),
        "worker2": user_create(
            username="worker_nfm", full_name="W2", roles=[Role.GRASSROOTS_RATER], unit=org["NFM"], password="p-123456"
        ),
    }
    for name, user in people.items():
        if name != "other_rep":
            user.email = f"{user.username}@example.com"
            user.save()
    criterion = quarter.criteria.first()
    values = {(org["AUD"].pk, criterion.pk): Decimal(80)}
    ballot_submit(quarter=quarter, source=Source.PEER, values=values, rater=rep)
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, rater=grassroots_rater)
    return people


def test_it_finds_exactly_the_non_voters(raters, quarter) -> None:
    names = {user.username for user in non_voters(quarter)}
    assert names == {"rep_eqp", "leader1", "leader2", "worker_nfm"}


def test_it_emails_the_non_voters_that_have_an_address(raters, quarter, evaluator) -> None:
    result = reminders_send(quarter=quarter, actor=evaluator, link="https://example.com/")
    assert (result.sent, result.without_email) == (3, 1)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["leader1@example.com", "leader2@example.com", "worker_nfm@example.com"]
    assert all("2026Q3" in message.subject and "https://example.com/" in message.body for message in mail.outbox)
    entry = AuditEntry.objects.get(action=AuditAction.REMINDER_SENT)
    assert (entry.actor, entry.details) == (evaluator, {"sent": 3, "without_email": 1, "cannot_log_in": 0})


def test_sources_with_weight_zero_are_not_reminded(raters, quarter, evaluator) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(weight_leadership=0, weight_grassroots=70)
    quarter.refresh_from_db()
    assert {user.username for user in non_voters(quarter)} == {"rep_eqp", "worker_nfm"}


def test_reminders_are_refused_unless_the_quarter_is_open(raters, quarter, evaluator) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    quarter.refresh_from_db()
    with pytest.raises(ValidationError, match="only while the quarter is open"):
        reminders_send(quarter=quarter, actor=evaluator, link="x")
    assert mail.outbox == []


def test_the_remind_button_reports_the_counts(raters, quarter, client_for, evaluator) -> None:
    response = client_for(evaluator).post(reverse("evaluation:remind", args=[quarter.code]), follow=True, **EN)
    assert "Reminders sent: 3. Raters without an e-mail address: 1." in response.content.decode()
    assert len(mail.outbox) == 3
    assert "http://testserver/" in mail.outbox[0].body
