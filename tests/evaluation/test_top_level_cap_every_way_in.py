"""docs/scoring.md rule 10 on every way in: the ballot page, keyed paper entry, the service and the import.

The org has four evaluated departments; the cap is 50 %: a leader's ballot offers 4 (2 may be 优秀), a peer
ballot of 运营改善部 offers 3 (1 may be 优秀: its own department is not counted in T).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape

from departments.workbook import WorkbookInvalid
from evaluation.imports import quarter_import
from evaluation.models import Ballot, Quarter, Source
from evaluation.services.ballots import BallotRefused, ballot_submit
from tests.evaluation.test_import_quarter import write_workbook

pytestmark = pytest.mark.django_db

LEADER_REFUSAL = "办事效率: 3 departments rated 优秀, more than the cap of 2 (50% of 4)."
PEER_REFUSAL = "办事效率: 2 departments rated 优秀, more than the cap of 1 (50% of 3)."


@pytest.fixture
def capped(quarter, english) -> Quarter:
    Quarter.objects.filter(pk=quarter.pk).update(top_level_cap=50)
    quarter.refresh_from_db()
    return quarter


def _efficiency(quarter: Quarter):
    return quarter.criteria.get(code="efficiency")


def _values(quarter: Quarter, org: dict, codes: list[str]) -> dict:
    """优秀 for `codes` on efficiency, 良好 for the other evaluated departments."""
    criterion = _efficiency(quarter)
    evaluated = ["OPS", "EQP", "AUD", "RET"]
    return {(org[c].pk, criterion.pk): "优秀" if c in codes else "良好" for c in evaluated}


def _post(quarter: Quarter, org: dict, codes: list[str], *, without: str = "") -> dict[str, str]:
    """Every cell filled: 优秀 (100) on efficiency for `codes`, 良好 (80) elsewhere."""
    data = {"quarter": quarter.code}
    for criterion in quarter.criteria.all():
        for code in ("OPS", "EQP", "AUD", "RET"):
            if code != without:
                top = code in codes and criterion.code == "efficiency"
                data[f"v-{org[code].pk}-{criterion.pk}"] = "100" if top else "80"
    return data


def test_the_service_accepts_the_cap_exactly_reached(capped, org, leader) -> None:
    ballot = ballot_submit(
        quarter=capped, source=Source.LEADERSHIP, values=_values(capped, org, ["OPS", "EQP"]), rater=leader
    )
    assert ballot.values.filter(value_centi=10000).count() == 2


def test_the_service_refuses_one_over_the_cap_and_stores_nothing(capped, org, leader) -> None:
    with pytest.raises(BallotRefused) as refused:
        ballot_submit(
            quarter=capped, source=Source.LEADERSHIP, values=_values(capped, org, ["OPS", "EQP", "AUD"]), rater=leader
        )
    assert refused.value.messages == [LEADER_REFUSAL]
    assert not Ballot.objects.exists()


def test_a_peer_ballot_does_not_count_its_own_department(capped, org, rep) -> None:
    values = _values(capped, org, ["EQP", "AUD"])
    del values[(org["OPS"].pk, _efficiency(capped).pk)]
    with pytest.raises(BallotRefused) as refused:
        ballot_submit(quarter=capped, source=Source.PEER, values=values, rater=rep, rater_unit=org["OPS"])
    assert refused.value.messages == [PEER_REFUSAL]


def test_the_ballot_page_refuses_it_with_the_same_message(capped, org, leader, rep, client_for) -> None:
    page = client_for(leader).post(reverse("evaluation:ballot_leadership"), _post(capped, org, ["OPS", "EQP", "AUD"]))
    assert page.status_code == 400 and escape(LEADER_REFUSAL) in page.content.decode()
    peer = client_for(rep).post(reverse("evaluation:ballot_peer"), _post(capped, org, ["EQP", "AUD"], without="OPS"))
    assert peer.status_code == 400 and escape(PEER_REFUSAL) in peer.content.decode()
    assert not Ballot.objects.exists()
    accepted = client_for(leader).post(reverse("evaluation:ballot_leadership"), _post(capped, org, ["OPS", "EQP"]))
    assert accepted.status_code == 302 and Ballot.objects.count() == 1


def test_the_ballot_page_tells_the_allowance_for_its_own_targets(capped, org, leader, rep, client_for) -> None:
    leader_page = client_for(leader).get(reverse("evaluation:ballot_leadership")).content.decode()
    peer_page = client_for(rep).get(reverse("evaluation:ballot_peer")).content.decode()
    assert 'data-top-value="100" data-top-allowance="2"' in leader_page
    assert 'data-top-allowance="1"' in peer_page
    assert 'class="ballot-cap-left">2<' in leader_page and "<script>" not in leader_page.split("</header>")[-1]


def test_the_ballot_page_shows_no_allowance_without_a_cap(quarter, leader, client_for) -> None:
    assert "data-top-allowance" not in client_for(leader).get(reverse("evaluation:ballot_leadership")).content.decode()


def test_keyed_entry_refuses_it_with_the_same_message(capped, org, leader, evaluator, client_for) -> None:
    pick = urlencode({"quarter": capped.code, "source": Source.LEADERSHIP, "rater": "leader1"})
    response = client_for(evaluator).post(
        f"{reverse('evaluation:entry')}?{pick}", _post(capped, org, ["OPS", "EQP", "AUD"])
    )
    shown = [str(message) for message in response.context["messages"]]
    shown += list(response.context["grid"].errors.values()) if response.context["grid"] is not None else []
    assert LEADER_REFUSAL in shown
    assert not Ballot.objects.exists()


def _workbook(tmp_path: Path, quarter: Quarter, top: list[str]) -> Path:
    rows = [["ballot", "source", "rater_unit", "rater", "target", "efficiency", "quality", "service"]]
    rows += [
        ["b1", "leadership", None, "leader1", code, "优秀" if code in top else "良好"]
        for code in ("OPS", "EQP", "AUD", "RET")
    ]
    return write_workbook(
        tmp_path / "cap.xlsx", {"settings": [["key", "value"], ["quarter", quarter.code]], "ballots": rows}
    )


def test_the_import_refuses_it_naming_the_ballots_row(capped, org, leader, tmp_path) -> None:
    with pytest.raises(WorkbookInvalid) as refused:
        quarter_import(source=_workbook(tmp_path, capped, ["OPS", "EQP", "AUD"]))
    assert [(issue.row, issue.message) for issue in refused.value.issues] == [(2, LEADER_REFUSAL)]
    assert not Ballot.objects.exists()
    quarter_import(source=_workbook(tmp_path, capped, ["OPS", "EQP"]))
    assert Ballot.objects.count() == 1
