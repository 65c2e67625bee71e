"""Participation: expected against submitted, per source and unit, as the console polls it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.roles import Role
from departments.services import user_create
from evaluation.models import Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.codes import codes_issue
from evaluation.services.voids import ballot_void


@pytest.fixture
def voting(quarter, org, evaluator, rep, other_rep, leader, grassroots_rater) -> dict:
    """HRM: 5 codes, 2 used, its one account voted; NFM: 3 codes unused; OPS voted, EQP's vote voided;
    leader1 voted, leader2 did not."""
    user_create(username="leader2", full_name="Leader Two", roles=[Role.LEADER], password="x-pass-123")
    criterion = quarter.criteria.first()

    def values(*codes: str) -> dict:
        return {(org[code].pk, criterion.pk): Decimal(80) for code in codes}

    hrm = codes_issue(quarter=quarter, unit=org["HRM"], count=5, actor=evaluator)
    codes_issue(quarter=quarter, unit=org["NFM"], count=3, actor=evaluator)
    for code in hrm[:2]:
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values("OPS"), code=code.code)
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values("OPS"), rater=grassroots_rater)
    ballot_submit(quarter=quarter, source=Source.PEER, values=values("EQP"), rater=rep)
    eqp = ballot_submit(quarter=quarter, source=Source.PEER, values=values("OPS"), rater=other_rep)
    ballot_void(ballot=eqp, actor=evaluator, reason="test")
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=values("OPS", "EQP"), rater=leader)
    return {"quarter": quarter}


def test_the_json_holds_the_expected_numbers(voting, client_for, evaluator) -> None:
    quarter = voting["quarter"]
    response = client_for(evaluator).get(reverse("evaluation:participation_json", args=[quarter.code]))
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["quarter"] == "2026Q3"
    assert data["status"] == "open"
    grassroots = data["sources"]["grassroots"]
    assert grassroots["units"] == [
        {
            "unit": "HRM",
            "name": "板材热连轧厂",
            "codes_issued": 5,
            "codes_used": 2,
            "accounts": 1,
            "account_votes": 1,
            "expected": 6,
            "submitted": 3,
            "ballots": 3,
        },
        {
            "unit": "NFM",
            "name": "矿业南芬露天矿",
            "codes_issued": 3,
            "codes_used": 0,
            "accounts": 0,
            "account_votes": 0,
            "expected": 3,
            "submitted": 0,
            "ballots": 0,
        },
    ]
    assert (grassroots["expected"], grassroots["submitted"], grassroots["weight"]) == (9, 3, 40)
    peer = data["sources"]["peer"]
    assert [(row["unit"], row["voted"]) for row in peer["units"]] == [
        ("OPS", True),
        ("EQP", False),
        ("AUD", False),
        ("RET", False),
    ]
    assert (peer["expected"], peer["submitted"]) == (4, 1)
    leadership = data["sources"]["leadership"]
    assert [(row["username"], row["voted"]) for row in leadership["leaders"]] == [("leader1", True), ("leader2", False)]
    assert (leadership["expected"], leadership["submitted"]) == (2, 1)


def test_the_json_never_names_a_grassroots_rater(voting, client_for, evaluator, grassroots_rater) -> None:
    body = client_for(evaluator).get(reverse("evaluation:participation_json", args=["2026Q3"])).content.decode()
    assert grassroots_rater.username not in body
    assert str(grassroots_rater) not in body


def test_the_console_renders_the_panel_for_the_polling_script(voting, client_for, evaluator) -> None:
    page = client_for(evaluator).get(reverse("evaluation:console", args=["2026Q3"])).content.decode()
    assert 'id="participation-panel"' in page
    assert f'data-url="{reverse("evaluation:participation_json", args=["2026Q3"])}"' in page
    assert 'data-p="grassroots.HRM.codes_used">2<' in page
    assert 'data-voted="peer.EQP"' in page
    assert "js/participation.js" in page
    # CSP: no inline script on the console.
    assert "<script>" not in page


def test_the_polling_script_is_served(client) -> None:
    response = client.get("/static/js/participation.js")
    assert response.status_code == 200
