"""What the ballot page hands to ballot_submit: the sheet and the code it read, re-checked, never trusted blindly."""

from __future__ import annotations

import pytest

from evaluation.models import Ballot, BallotCode, Criterion, Quarter, QuarterStatus, Source
from evaluation.services.ballots import BallotRefused, ballot_sheet, ballot_submit
from evaluation.services.inbox import inbox_flush
from evaluation.services.quarters import quarter_create
from tests.evaluation.ballot_helpers import ballot_post, full_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_quarter(org) -> Quarter:
    return quarter_create(code="2026Q4")


def test_it_ignores_a_sheet_of_another_quarter(quarter, other_quarter, leader, org):
    foreign = Criterion.objects.filter(quarter=other_quarter).first()
    values = {(org["OPS"].pk, foreign.pk): 80}
    with pytest.raises(BallotRefused) as refused:
        ballot_submit(
            quarter=quarter, source=Source.LEADERSHIP, values=values, rater=leader, sheet=ballot_sheet(other_quarter)
        )
    assert refused.value.code == "criterion"
    assert not Ballot.objects.exists()


def test_it_refuses_a_code_row_of_another_quarter(quarter, other_quarter, org):
    code = BallotCode.objects.create(quarter=other_quarter, unit=org["HRM"], code="OTHERQ1111")
    with pytest.raises(BallotRefused) as refused:
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code=code)
    assert refused.value.code == "code"
    code.refresh_from_db()
    assert not code.used


def test_a_code_row_already_used_by_another_request_is_refused(quarter, org):
    code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="STALE11111")
    BallotCode.objects.filter(pk=code.pk).update(used=True)  # consumed after this request read it
    with pytest.raises(BallotRefused) as refused:
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code=code)
    assert refused.value.code == "code_used"
    assert not Ballot.objects.exists()


def test_it_refuses_when_the_quarter_was_closed_after_the_caller_read_it(quarter, org):
    code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="LATE111111")
    stale = Quarter.objects.get(pk=quarter.pk)
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    with pytest.raises(BallotRefused) as refused:
        ballot_submit(quarter=stale, source=Source.GRASSROOTS, values=full_values(quarter), code=code.code)
    assert refused.value.code == "closed"
    assert not Ballot.objects.exists()
    code.refresh_from_db()
    assert not code.used


def test_a_code_post_reads_each_thing_once(client, quarter, org, django_assert_max_num_queries):
    code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="QUERY11111")
    data = ballot_post(quarter, code=code.code)
    # code, departments, criteria, levels; quarter status; code update, ballot, values; savepoint and release.
    with django_assert_max_num_queries(10):
        response = client.post("/ballot/", data)
    assert response.status_code == 302
    assert inbox_flush(quarter=quarter) == 1
    assert Ballot.objects.count() == 1
