"""Keying in paper ballots: the grid, the level shortcuts, the same validation as the ballot form."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from evaluation.models import Ballot, BallotComment, BallotValue, Origin, QuarterStatus

pytestmark = pytest.mark.usefixtures("english")


def entry_url(**params: str) -> str:
    return f"{reverse('evaluation:entry')}?{urlencode(params)}"


@pytest.fixture
def client(client_for, evaluator):
    return client_for(evaluator)


def cell(org, quarter, department: str, criterion: str) -> str:
    return f"v-{org[department].pk}-{quarter.criteria.get(code=criterion).pk}"


def test_the_grid_runs_down_each_column(client, org, quarter):
    response = client.get(entry_url(quarter=quarter.code, source="grassroots", unit="HRM"))
    assert response.status_code == 200
    rows = response.context["grid"].rows()
    assert [row["department"].code for row in rows] == ["OPS", "EQP", "AUD", "RET"]
    assert [row["cells"][0]["tabindex"] for row in rows] == [1, 2, 3, 4]
    assert rows[0]["cells"][1]["tabindex"] == 5
    assert b"js/entry.js" in response.content
    assert b"<script>" not in response.content  # no inline script


def test_level_shortcuts_save_one_keyed_ballot_and_clear_the_grid(client, org, quarter, evaluator):
    url = entry_url(quarter=quarter.code, source="grassroots", unit="HRM")
    data = {
        cell(org, quarter, "OPS", "efficiency"): "1",
        cell(org, quarter, "OPS", "quality"): "2",
        cell(org, quarter, "OPS", "service"): "0",
        cell(org, quarter, "EQP", "efficiency"): "4",
        f"c-{org['EQP'].pk}": "+SUM(A1)",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == url
    ballot = Ballot.objects.get()
    assert (ballot.origin, ballot.source, ballot.rater_id, ballot.rater_unit_id) == (
        Origin.KEYED,
        "grassroots",
        None,
        org["HRM"].pk,
    )
    assert sorted(BallotValue.objects.values_list("value_centi", flat=True)) == [4000, 8000, 10000]
    assert BallotComment.objects.get().text == "+SUM(A1)"
    assert AuditEntry.objects.filter(action=AuditAction.BALLOT_KEYED, actor=evaluator).count() == 1
    page = client.get(url)
    assert page.context["keyed"] == 1
    assert all(not c["value"] for row in page.context["grid"].rows() for c in row["cells"])


def test_a_bad_cell_is_marked_and_nothing_is_saved(client, org, quarter):
    url = entry_url(quarter=quarter.code, source="grassroots", unit="HRM")
    response = client.post(url, {cell(org, quarter, "OPS", "efficiency"): "7"})
    assert response.status_code == 400
    assert Ballot.objects.count() == 0
    assert b"is-invalid" in response.content


def test_refusals_of_ballot_submit_are_shown(client, org, quarter):
    url = entry_url(quarter=quarter.code, source="grassroots", unit="HRM")
    response = client.post(url, {}, follow=True)  # an empty ballot
    assert Ballot.objects.count() == 0
    assert any("empty" in str(m).lower() or "rate at least" in str(m) for m in response.context["messages"])


def test_a_peer_grid_leaves_out_the_raters_own_department(client, org, quarter):
    response = client.get(entry_url(quarter=quarter.code, source="peer", unit="OPS"))
    assert "OPS" not in [row["department"].code for row in response.context["grid"].rows()]


def test_a_leadership_ballot_needs_a_leader(client, org, quarter, leader, viewer):
    response = client.get(entry_url(quarter=quarter.code, source="leadership"))
    assert response.context["grid"] is None
    response = client.post(
        entry_url(quarter=quarter.code, source="leadership", rater=leader.username),
        {cell(org, quarter, "AUD", "quality"): "3"},
    )
    assert response.status_code == 302
    assert Ballot.objects.get().rater == leader
    picked = client.get(entry_url(quarter=quarter.code, source="leadership", rater=viewer.username))
    assert picked.context["grid"] is None


def test_the_points_scale_takes_numbers(client, org, quarter):
    quarter.scale = "points"
    quarter.save()
    url = entry_url(quarter=quarter.code, source="grassroots", unit="NFM")
    client.post(url, {cell(org, quarter, "OPS", "efficiency"): "73", cell(org, quarter, "OPS", "quality"): "0"})
    assert sorted(BallotValue.objects.values_list("value_centi", flat=True)) == [0, 7300]
    response = client.post(url, {cell(org, quarter, "OPS", "efficiency"): "101"})
    assert response.status_code == 400
    assert Ballot.objects.count() == 1


def test_a_grassroots_ballot_needs_a_grassroots_unit(client, org, quarter):
    response = client.get(entry_url(quarter=quarter.code, source="grassroots", unit="OPS"))
    assert response.context["grid"] is None


def test_published_quarters_cannot_be_picked(client, org, quarter):
    quarter.status = QuarterStatus.PUBLISHED
    quarter.save()
    response = client.get(entry_url(quarter=quarter.code, source="grassroots", unit="HRM"))
    assert response.context["grid"] is None


@pytest.mark.parametrize("typed", ["²", "¹", "9" * 5000, "1\x00"])
def test_a_level_shortcut_that_is_no_number_is_marked(client, org, quarter, typed):
    # int() could not read "²" (isdigit() said it was a digit) nor 5000 digits: a server error before.
    url = entry_url(quarter=quarter.code, source="grassroots", unit="HRM")
    name = cell(org, quarter, "OPS", "efficiency")
    response = client.post(url, {name: typed})
    assert response.status_code == 400
    shown = typed.replace("\x00", "?") if len(typed) < 20 else "9" * 19 + "…"
    expected = f"运营改善部, 办事效率: “{shown}” is not one of the levels (优秀、良好、一般、较差) nor Not familiar."
    assert response.context["grid"].errors[name] == expected
    assert Ballot.objects.count() == 0


def test_full_width_level_shortcuts_still_work(client, org, quarter):
    url = entry_url(quarter=quarter.code, source="grassroots", unit="HRM")
    assert client.post(url, {cell(org, quarter, "OPS", "efficiency"): "２"}).status_code == 302
    assert list(BallotValue.objects.values_list("value_centi", flat=True)) == [8000]


def test_a_null_character_in_a_comment_or_the_ballot_number_is_refused(client, org, quarter):
    # PostgreSQL cannot store NUL in text: a message, and nothing is saved.
    url = entry_url(quarter=quarter.code, source="grassroots", unit="HRM")
    values = {cell(org, quarter, "OPS", "efficiency"): "1"}
    for data, message in (
        ({f"c-{org['EQP'].pk}": "好\x00"}, "The comment for 设备部 contains a null character, which is not allowed."),
        ({"label": "P\x001"}, "The paper ballot number contains a null character, which is not allowed."),
    ):
        response = client.post(url, values | data, follow=True)
        assert [str(m) for m in response.context["messages"]] == [message]
        assert Ballot.objects.count() == 0
        assert BallotComment.objects.count() == 0
