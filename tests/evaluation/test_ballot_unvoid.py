"""Undoing a void: a reason, not once published, not over a ballot that replaced it; audited with the void undone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.models import AuditAction, AuditEntry
from evaluation.models import Ballot, Quarter, QuarterStatus, Source
from evaluation.scoring import compute_quarter
from evaluation.selectors.scoring import quarter_scoring_data
from evaluation.services.ballots import ballot_submit
from evaluation.services.voids import ballot_unvoid, ballot_void

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _values(quarter, org, points: int = 60) -> dict:
    return {(org["AUD"].pk, quarter.criteria.first().pk): Decimal(points)}


@pytest.fixture
def voided(quarter, org, rep, evaluator) -> Ballot:
    ballot = ballot_submit(quarter=quarter, source=Source.PEER, values=_values(quarter, org), rater=rep)
    return ballot_void(ballot=ballot, actor=evaluator, reason="keyed twice")


def test_it_restores_the_ballot_and_audits_the_void_it_undoes(voided, evaluator, admin_user) -> None:
    ballot_unvoid(ballot=voided, actor=admin_user, reason="  it was the only one  ")
    ballot = Ballot.objects.get(pk=voided.pk)
    assert (ballot.voided_at, ballot.voided_by, ballot.void_reason) == (None, None, "")
    entry = AuditEntry.objects.get(action=AuditAction.BALLOT_UNVOIDED)
    assert (entry.actor, entry.reason) == (admin_user, "it was the only one")
    assert entry.details["void"]["void_reason"] == "keyed twice"
    assert entry.details["void"]["voided_by"] == evaluator.username
    assert "运营改善部" in entry.summary


def test_a_restored_ballot_counts_again(voided, quarter, admin_user) -> None:
    def peer_ballots() -> dict[str, int]:
        scores = compute_quarter(quarter_scoring_data(quarter).scoring_input).departments
        return {score.department.code: score.ballots.get(Source.PEER, 0) for score in scores}

    before = peer_ballots()
    ballot_unvoid(ballot=voided, actor=admin_user, reason="mistake")
    after = peer_ballots()
    assert (before["AUD"], after["AUD"]) == (0, 1)


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_without_a_reason(voided, admin_user, reason) -> None:
    with pytest.raises(ValidationError, match="needs a reason"):
        ballot_unvoid(ballot=voided, actor=admin_user, reason=reason)
    assert Ballot.objects.get(pk=voided.pk).is_void
    assert not AuditEntry.objects.filter(action=AuditAction.BALLOT_UNVOIDED).exists()


def test_it_refuses_on_a_published_quarter(voided, quarter, admin_user) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="published"):
        ballot_unvoid(ballot=voided, actor=admin_user, reason="mistake")
    assert Ballot.objects.get(pk=voided.pk).is_void


def test_it_refuses_a_ballot_that_counts(quarter, org, leader, admin_user) -> None:
    ballot = ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=_values(quarter, org), rater=leader)
    with pytest.raises(ValidationError, match="not void"):
        ballot_unvoid(ballot=ballot, actor=admin_user, reason="mistake")
    assert not AuditEntry.objects.filter(action=AuditAction.BALLOT_UNVOIDED).exists()


def test_it_refuses_when_the_rater_has_voted_again(voided, quarter, org, rep, admin_user) -> None:
    ballot_submit(quarter=quarter, source=Source.PEER, values=_values(quarter, org, 80), rater=rep)
    with pytest.raises(ValidationError, match="void that one first"):
        ballot_unvoid(ballot=voided, actor=admin_user, reason="mistake")
    assert Ballot.objects.get(pk=voided.pk).is_void
    assert Ballot.objects.filter(quarter=quarter, voided_at__isnull=True).count() == 1


def test_the_page_undoes_the_void(voided, client_for, evaluator) -> None:
    client = client_for(evaluator)
    page = client.get(reverse("evaluation:ballot", args=["2026Q3", voided.pk]), **EN).content.decode()
    assert "Undo the void" in page
    assert "keyed twice" in page
    response = client.post(reverse("evaluation:unvoid", args=["2026Q3", voided.pk]), {"reason": "mistake"})
    assert response.status_code == 302
    assert not Ballot.objects.get(pk=voided.pk).is_void


def test_the_page_refuses_an_empty_reason_and_keeps_the_void(voided, client_for, evaluator) -> None:
    url = reverse("evaluation:unvoid", args=["2026Q3", voided.pk])
    response = client_for(evaluator).post(url, {"reason": " "}, **EN)
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert Ballot.objects.get(pk=voided.pk).is_void


def test_the_page_shows_the_refusal_in_a_published_quarter(voided, quarter, client_for, evaluator) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.PUBLISHED)
    url = reverse("evaluation:unvoid", args=["2026Q3", voided.pk])
    page = client_for(evaluator).post(url, {"reason": "mistake"}, **EN).content.decode()
    assert "reopen it before voiding a ballot or undoing a void" in page
    assert Ballot.objects.get(pk=voided.pk).is_void


def test_the_undo_is_refused_on_get(voided, client_for, evaluator) -> None:
    url = reverse("evaluation:unvoid", args=["2026Q3", voided.pk])
    assert client_for(evaluator).get(url).status_code == 405
    assert Ballot.objects.get(pk=voided.pk).is_void


def test_the_undo_needs_the_csrf_token(voided, evaluator) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(evaluator)
    response = client.post(reverse("evaluation:unvoid", args=["2026Q3", voided.pk]), {"reason": "mistake"})
    assert response.status_code == 403
    assert Ballot.objects.get(pk=voided.pk).is_void
