"""Every lifecycle state × every action: what is allowed and what is refused (issue 3, acceptance)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from evaluation.models import Adjustment, Ballot, Objection, ObjectionPoint, Quarter, QuarterStatus, Source
from evaluation.services.adjustments import adjustment_add
from evaluation.services.ballots import ballot_submit
from evaluation.services.codes import codes_issue
from evaluation.services.inbox import inbox_flush
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.objections import objection_file
from evaluation.services.quarters import quarter_create, quarter_delete, quarter_rename, quarter_update_settings
from evaluation.services.voids import ballot_unvoid, ballot_void

DRAFT, OPEN, CLOSED, ANNOUNCED, PUBLISHED = (s.value for s in QuarterStatus)
Y, N = True, False

# action: {status: allowed}
EXPECTED: dict[str, dict[str, bool]] = {
    "submit": {DRAFT: N, OPEN: Y, CLOSED: N, ANNOUNCED: N, PUBLISHED: N},
    "change settings (no ballot yet)": {DRAFT: Y, OPEN: N, CLOSED: Y, ANNOUNCED: N, PUBLISHED: N},
    "change settings (with a ballot)": {DRAFT: N, OPEN: N, CLOSED: N, ANNOUNCED: N, PUBLISHED: N},
    "change the voting window": {DRAFT: Y, OPEN: Y, CLOSED: Y, ANNOUNCED: N, PUBLISHED: N},
    "void": {DRAFT: Y, OPEN: Y, CLOSED: Y, ANNOUNCED: N, PUBLISHED: N},
    "undo a void": {DRAFT: Y, OPEN: Y, CLOSED: Y, ANNOUNCED: N, PUBLISHED: N},
    "rename": {DRAFT: Y, OPEN: Y, CLOSED: Y, ANNOUNCED: Y, PUBLISHED: Y},
    "delete (no ballot)": {DRAFT: Y, OPEN: N, CLOSED: N, ANNOUNCED: N, PUBLISHED: N},
    "delete (with a ballot)": {DRAFT: N, OPEN: N, CLOSED: N, ANNOUNCED: N, PUBLISHED: N},
    "issue codes": {DRAFT: Y, OPEN: Y, CLOSED: N, ANNOUNCED: N, PUBLISHED: N},
    "to open": {DRAFT: Y, OPEN: N, CLOSED: Y, ANNOUNCED: N, PUBLISHED: N},
    "to closed": {DRAFT: N, OPEN: Y, CLOSED: N, ANNOUNCED: Y, PUBLISHED: Y},
    "to published": {DRAFT: N, OPEN: N, CLOSED: Y, ANNOUNCED: Y, PUBLISHED: N},
    "to draft": {DRAFT: N, OPEN: N, CLOSED: N, ANNOUNCED: N, PUBLISHED: N},
    "to announced (no announcement days)": {DRAFT: N, OPEN: N, CLOSED: N, ANNOUNCED: N, PUBLISHED: N},
    "to announced (with announcement days)": {DRAFT: N, OPEN: N, CLOSED: Y, ANNOUNCED: N, PUBLISHED: N},
    "to published (with announcement days)": {DRAFT: N, OPEN: N, CLOSED: N, ANNOUNCED: Y, PUBLISHED: N},
    "file an objection": {DRAFT: N, OPEN: N, CLOSED: N, ANNOUNCED: Y, PUBLISHED: N},
    "add an adjustment": {DRAFT: N, OPEN: N, CLOSED: Y, ANNOUNCED: N, PUBLISHED: N},
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _set_status(quarter: Quarter, status: str) -> Quarter:
    Quarter.objects.filter(pk=quarter.pk).update(status=status)
    quarter.refresh_from_db()
    return quarter


@pytest.fixture
def world(org, admin_user, rep, other_rep):
    """Two quarters in the same status: one holding a peer ballot (OPS's) and a voided grassroots ballot, one without
    ballots."""

    def build(status: str) -> dict:
        with_ballot = quarter_create(code="2026Q3")
        _set_status(with_ballot, OPEN)
        criterion = with_ballot.criteria.first()
        values = {(org["EQP"].pk, criterion.pk): Decimal(80)}
        ballot = ballot_submit(quarter=with_ballot, source=Source.PEER, values=values, rater=rep)
        code = codes_issue(quarter=with_ballot, unit=org["HRM"], count=1, actor=admin_user)[0]
        ballot_submit(quarter=with_ballot, source=Source.GRASSROOTS, values=values, code=code.code)
        inbox_flush(quarter=with_ballot)
        voided = Ballot.objects.get(quarter=with_ballot, source=Source.GRASSROOTS)
        ballot_void(ballot=voided, actor=admin_user, reason="spoiled")
        _set_status(with_ballot, status)
        empty = _set_status(quarter_create(code="2026Q4"), status)
        return {"quarter": with_ballot, "ballot": ballot, "voided": voided, "empty": empty}

    return build


def _actions(org, admin_user, other_rep) -> dict[str, Callable[[dict], object]]:
    def submit(w: dict) -> object:
        criterion = w["quarter"].criteria.first()
        return ballot_submit(
            quarter=w["quarter"],
            source=Source.PEER,
            values={(org["OPS"].pk, criterion.pk): Decimal(60)},
            rater=other_rep,
        )

    closes = timezone.now() + dt.timedelta(days=2)
    return {
        "submit": submit,
        "change settings (no ballot yet)": lambda w: quarter_update_settings(
            quarter=w["empty"], actor=admin_user, trim=True
        ),
        "change settings (with a ballot)": lambda w: quarter_update_settings(
            quarter=w["quarter"], actor=admin_user, trim=True
        ),
        "change the voting window": lambda w: quarter_update_settings(
            quarter=w["quarter"], actor=admin_user, closes_at=closes
        ),
        "void": lambda w: ballot_void(ballot=w["ballot"], actor=admin_user, reason="duplicate paper"),
        "undo a void": lambda w: ballot_unvoid(ballot=w["voided"], actor=admin_user, reason="voided by mistake"),
        "rename": lambda w: quarter_rename(quarter=w["quarter"], actor=admin_user, title="第三季度"),
        "delete (no ballot)": lambda w: quarter_delete(quarter=w["empty"], actor=admin_user),
        "delete (with a ballot)": lambda w: quarter_delete(quarter=w["quarter"], actor=admin_user),
        "issue codes": lambda w: codes_issue(quarter=w["quarter"], unit=org["HRM"], count=3, actor=admin_user),
        "to open": lambda w: quarter_transition(quarter=w["quarter"], to=OPEN, actor=admin_user, reason="r"),
        "to closed": lambda w: quarter_transition(quarter=w["quarter"], to=CLOSED, actor=admin_user, reason="r"),
        "to published": lambda w: quarter_transition(quarter=w["quarter"], to=PUBLISHED, actor=admin_user, reason="r"),
        "to draft": lambda w: quarter_transition(quarter=w["quarter"], to=DRAFT, actor=admin_user, reason="r"),
        "to announced (no announcement days)": lambda w: quarter_transition(
            quarter=w["quarter"], to=ANNOUNCED, actor=admin_user, reason="r"
        ),
        "to announced (with announcement days)": lambda w: quarter_transition(
            quarter=_with_announcement_days(w["quarter"]), to=ANNOUNCED, actor=admin_user, reason="r"
        ),
        # An announcement whose period has ended (announced_at unset) and without objections: final for anyone.
        "to published (with announcement days)": lambda w: quarter_transition(
            quarter=_with_announcement_days(w["quarter"]), to=PUBLISHED, actor=admin_user
        ),
        "file an objection": lambda w: objection_file(
            quarter=w["quarter"], actor=other_rep, department=other_rep.unit, point=ObjectionPoint.RANK, text="名次有误"
        ),
        "add an adjustment": lambda w: adjustment_add(
            quarter=w["quarter"], department=org["OPS"], points=Decimal(1), reason="表彰", actor=admin_user
        ),
    }


def _with_announcement_days(quarter: Quarter) -> Quarter:
    Quarter.objects.filter(pk=quarter.pk).update(announcement_days=3)
    quarter.refresh_from_db()
    return quarter


@pytest.mark.parametrize("status", [DRAFT, OPEN, CLOSED, ANNOUNCED, PUBLISHED])
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_action_in_each_state(world, org, admin_user, other_rep, status, action) -> None:
    w = world(status)
    run = _actions(org, admin_user, other_rep)[action]
    ballots_before = Ballot.objects.count()
    if EXPECTED[action][status]:
        run(w)
    else:
        with pytest.raises(ValidationError):
            run(w)
        # A refusal changes nothing.
        assert Ballot.objects.count() == ballots_before
        assert Quarter.objects.get(pk=w["quarter"].pk).status == status
        assert Ballot.objects.get(pk=w["ballot"].pk).voided_at is None
        assert Ballot.objects.get(pk=w["voided"].pk).is_void
        assert Quarter.objects.get(pk=w["empty"].pk).status == status
        assert Quarter.objects.get(pk=w["quarter"].pk).title == ""
        assert not Objection.objects.exists()
        assert not Adjustment.objects.exists()
