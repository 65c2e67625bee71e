"""Voiding ballots: a reason is required, published quarters refuse, voided ballots are listed apart, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from audit.models import AuditAction, AuditEntry
from evaluation.models import Ballot, Quarter, QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.codes import codes_issue
from evaluation.services.inbox import inbox_flush
from evaluation.services.voids import ballot_void

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def ballots(quarter, org, evaluator, rep, leader) -> dict[str, Ballot]:
    criterion = quarter.criteria.first()
    values = {(org["AUD"].pk, criterion.pk): Decimal(60)}
    code = codes_issue(quarter=quarter, unit=org["HRM"], count=1, actor=evaluator)[0]
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, code=code.code)
    inbox_flush(quarter=quarter)
    return {
        "grassroots": Ballot.objects.get(source=Source.GRASSROOTS),
        "peer": ballot_submit(quarter=quarter, source=Source.PEER, values=values, rater=rep),
        "leadership": ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=values, rater=leader),
    }


def test_it_voids_with_a_reason_and_audits(ballots, evaluator) -> None:
    ballot_void(ballot=ballots["peer"], actor=evaluator, reason="  keyed twice  ")
    ballot = Ballot.objects.get(pk=ballots["peer"].pk)
    assert ballot.is_void
    assert (ballot.voided_by, ballot.void_reason) == (evaluator, "keyed twice")
    entry = AuditEntry.objects.get(action=AuditAction.BALLOT_VOIDED)
    assert (entry.actor, entry.reason) == (evaluator, "keyed twice")
    assert "运营改善部" in entry.summary


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_without_a_reason(ballots, evaluator, reason) -> None:
    with pytest.raises(ValidationError, match="needs a reason"):
        ballot_void(ballot=ballots["peer"], actor=evaluator, reason=reason)
    assert not Ballot.objects.get(pk=ballots["peer"].pk).is_void
    assert not AuditEntry.objects.filter(action=AuditAction.BALLOT_VOIDED).exists()


def test_it_refuses_on_a_published_quarter(ballots, evaluator, quarter) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="published"):
        ballot_void(ballot=ballots["leadership"], actor=evaluator, reason="late")
    assert not Ballot.objects.get(pk=ballots["leadership"].pk).is_void


def test_it_refuses_to_void_twice(ballots, evaluator) -> None:
    ballot_void(ballot=ballots["peer"], actor=evaluator, reason="one")
    with pytest.raises(ValidationError, match="already void"):
        ballot_void(ballot=ballots["peer"], actor=evaluator, reason="two")
    assert AuditEntry.objects.filter(action=AuditAction.BALLOT_VOIDED).count() == 1


def test_a_closed_quarter_still_allows_voids(ballots, evaluator, quarter) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    ballot_void(ballot=ballots["grassroots"], actor=evaluator, reason="spoiled")
    assert Ballot.objects.get(pk=ballots["grassroots"].pk).is_void


def test_the_list_shows_grassroots_ballots_by_unit_and_day_only(ballots, client_for, evaluator) -> None:
    page = client_for(evaluator).get(reverse("evaluation:ballots", args=["2026Q3"]), **EN).content.decode()
    assert "板材热连轧厂" in page
    assert "运营改善部" in page
    assert "Leader1" in page
    for ballot in ballots.values():
        assert reverse("evaluation:void", args=["2026Q3", ballot.pk]) in page


def test_the_void_page_voids_and_lists_the_ballot_apart(ballots, client_for, evaluator) -> None:
    client = client_for(evaluator)
    url = reverse("evaluation:void", args=["2026Q3", ballots["leadership"].pk])
    assert "Void this ballot" in client.get(url, **EN).content.decode()
    response = client.post(url, {"reason": "the leader asked to redo it"})
    assert response.status_code == 302
    assert Ballot.objects.get(pk=ballots["leadership"].pk).is_void
    page = client.get(reverse("evaluation:ballots", args=["2026Q3"]), **EN).content.decode()
    _counted, voided = page.split("Voided ballots")
    assert "the leader asked to redo it" in voided
    assert url not in page


def test_the_void_page_refuses_an_empty_reason(ballots, client_for, evaluator) -> None:
    url = reverse("evaluation:void", args=["2026Q3", ballots["peer"].pk])
    response = client_for(evaluator).post(url, {"reason": "  "}, **EN)
    assert response.status_code == 200
    assert not Ballot.objects.get(pk=ballots["peer"].pk).is_void


def test_the_void_page_refuses_on_a_published_quarter(ballots, client_for, evaluator, quarter) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.PUBLISHED)
    url = reverse("evaluation:void", args=["2026Q3", ballots["peer"].pk])
    response = client_for(evaluator).post(url, {"reason": "late"}, **EN)
    assert "reopen it before voiding" in response.content.decode()
    assert not Ballot.objects.get(pk=ballots["peer"].pk).is_void


def test_a_ballot_of_another_quarter_is_not_found(ballots, client_for, evaluator) -> None:
    from evaluation.services.quarters import quarter_create

    quarter_create(code="2026Q4")
    url = reverse("evaluation:void", args=["2026Q4", ballots["peer"].pk])
    assert client_for(evaluator).post(url, {"reason": "x"}).status_code == 404
