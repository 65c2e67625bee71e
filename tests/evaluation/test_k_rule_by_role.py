"""docs/design.md: a source's score built from fewer than k ballots is shown to no non-evaluator, on any page or
export they read; the composite and final score stay. Evaluators and admins read everything.

The published quarter of `example_published`: 运营改善部 (OPS) has 5 grassroots, 2 peer (below k = 3) and 3
leadership ballots; its peer score is 66.62 and its peer cells 66.61, 66.62, 66.63; composite 86.05, final 85.55.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from evaluation.selectors.rankings import ranking_groups
from evaluation.selectors.results import quarter_results
from tests.evaluation.results_pages_data import example_published

PEER_NUMBERS = ("66.61", "66.62", "66.63")
KEPT = ("85.55", "86.05", "82.22", "72.05")  # final, composite, grassroots and leadership scores


@pytest.fixture
def published(org, leader):
    return example_published(org, leader)


def _ops_row(page: str) -> str:
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page, flags=re.S)
    return next(row for row in rows if "运营改善部" in row)


def _pages(client, code: str) -> dict[str, str]:
    ranking = client.get(reverse("evaluation:ranking", args=[code]))
    detail = client.get(reverse("evaluation:department", args=[code, "OPS"]))
    annual = client.get(reverse("evaluation:annual", args=[2026]))
    assert (ranking.status_code, detail.status_code, annual.status_code) == (200, 200, 200)
    return {"ranking": _ops_row(ranking.text), "detail": detail.text, "annual": annual.text}


@pytest.mark.parametrize("persona", ["viewer", "rep", "leader", "grassroots_rater"])
def test_non_evaluators_never_see_a_source_score_below_k(published, client_for, request, persona):
    pages = _pages(client_for(request.getfixturevalue(persona)), published.code)

    for name, page in pages.items():
        for number in PEER_NUMBERS:
            assert number not in page, (persona, name, number)
        assert "PEER-SECRET-COMMENT" not in page
    assert "85.55" in pages["ranking"] and "85.55" in pages["detail"] and "86.05" in pages["detail"]
    for number in KEPT[2:]:  # sources from k ballots on are shown
        assert number in pages["ranking"] and number in pages["detail"]
    assert "k-hidden" in pages["ranking"] and "k-hidden" in pages["detail"]


@pytest.mark.parametrize("persona", ["evaluator", "admin_user"])
def test_the_evaluation_group_sees_every_source_score(published, client_for, request, persona):
    pages = _pages(client_for(request.getfixturevalue(persona)), published.code)

    assert "66.62" in pages["ranking"]
    for number in PEER_NUMBERS:
        assert number in pages["detail"]
    assert "PEER-SECRET-COMMENT" in pages["detail"]
    assert "k-hidden" not in pages["ranking"] + pages["detail"]


def test_the_rows_handed_to_the_template_hold_no_hidden_number(published):
    results = quarter_results(published)
    ops = next(row for group in ranking_groups(results, published.anonymity_k) for row in group.rows)

    assert ops.code == "OPS"
    peer = ops.source_scores[results.active_sources.index("peer")]
    assert peer.hidden and peer.score is None
    assert "66.62" not in repr(ops)
    assert ops.score is not None and ops.composite is not None


def test_viewers_and_evaluators_never_share_cached_tables(published, client_for, viewer, evaluator):
    """Both may open every department (the same link scope), yet their tables differ: the cache keeps them apart."""
    url = reverse("evaluation:ranking", args=[published.code])
    assert "66.62" in client_for(evaluator).get(url).text
    assert "66.62" not in client_for(viewer).get(url).text
    assert "66.62" in client_for(evaluator).get(url).text


@pytest.mark.parametrize("persona", ["viewer", "rep", "leader", "grassroots_rater"])
def test_non_evaluators_download_no_results_workbook(published, client_for, request, persona):
    """The workbooks hold every source's numbers, so only the evaluation group and admins download them."""
    client = client_for(request.getfixturevalue(persona))
    for url in (
        reverse("evaluation:export_quarter", args=[published.code]),
        reverse("evaluation:export_annual", args=[2026]),
    ):
        assert client.get(url).status_code == 403
