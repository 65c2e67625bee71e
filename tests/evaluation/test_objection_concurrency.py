"""On PostgreSQL an objection racing the finalising of announced results either lands before it or is refused:
none is ever stored on final results (both lock the quarter row)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from evaluation.models import Objection, ObjectionPoint, Quarter, QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.objections import objection_file
from tests.evaluation.announcement_helpers import announced_quarter
from tests.evaluation.test_lifecycle_concurrency import THREADS, run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_objections_racing_the_finalising_never_leave_one_waiting_on_final_results(org, rep, other_rep) -> None:
    quarter = announced_quarter(org, [rep, other_rep])
    # An hour of the period left, so filing is open; the system finalises over it with a reason.
    Quarter.objects.filter(pk=quarter.pk).update(announced_at=timezone.now() - dt.timedelta(days=5, hours=-1))

    def step(index: int) -> None:
        fresh = Quarter.objects.get(pk=quarter.pk)
        if index == 0:
            quarter_transition(quarter=fresh, to=QuarterStatus.PUBLISHED, reason="会议审定")
        else:
            objection_file(quarter=fresh, actor=rep, department=org["OPS"], point=ObjectionPoint.RANK, text="名次")

    ok, refused, errors = run_at_once(step)
    assert errors == []
    assert ok + refused == THREADS
    final = Quarter.objects.get(pk=quarter.pk)
    assert final.status == QuarterStatus.PUBLISHED
    stored = list(Objection.objects.filter(quarter=quarter).values_list("filed_at", flat=True))
    # Each filing ran before the finalising or was refused: none was stored on final results.
    assert all(filed < final.published_at for filed in stored)
    assert len(stored) == ok - 1
