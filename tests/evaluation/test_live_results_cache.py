"""Live results are computed once per change: a repeated page reads them from the cache, and every
writer (a ballot, an inbox ballot, a void, an adjustment, a settings change) makes the next page see it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import Ballot, BallotValue, Criterion, Origin, QuarterStatus
from evaluation.selectors.results import quarter_results
from evaluation.services.adjustments import adjustment_add
from evaluation.services.ballots import ballot_submit
from evaluation.services.codes import codes_issue
from evaluation.services.quarters import quarter_update_settings
from evaluation.services.voids import ballot_void
from tests.evaluation.scoring_data import build_examples_1_and_2, example_org, make_leader, make_quarter

VALUE_TABLE = BallotValue._meta.db_table


def _aggregations(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if VALUE_TABLE in query["sql"]]


def _detail(client, quarter, code: str = "A") -> str:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("evaluation:department", args=[quarter.code, code]))
    assert page.status_code == 200
    _detail.aggregations = _aggregations(queries)  # type: ignore[attr-defined]
    return page.text


@pytest.fixture
def closed(db):
    units = example_org()
    leader = make_leader()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    build_examples_1_and_2(quarter, units, leader)
    return quarter, units, leader


@pytest.mark.parametrize("name", ["ranking", "department", "comments"])
def test_a_second_request_runs_no_aggregation_query(closed, client_for, evaluator, name) -> None:
    quarter, _units, _leader = closed
    client = client_for(evaluator)
    url = {
        "ranking": reverse("evaluation:ranking", args=[quarter.code]),
        "department": reverse("evaluation:department", args=[quarter.code, "A"]),
        "comments": reverse("evaluation:comments") + f"?quarter={quarter.code}",
    }[name]
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    assert _aggregations(first)
    assert _aggregations(second) == []
    assert len(second.captured_queries) < len(first.captured_queries)


def test_an_adjustment_shows_on_the_next_request(closed, client_for, evaluator) -> None:
    quarter, units, _leader = closed
    client = client_for(evaluator)
    assert "74.00" in _detail(client, quarter)
    assert "74.00" in _detail(client, quarter) and _detail.aggregations == []  # type: ignore[attr-defined]
    adjustment_add(quarter=quarter, department=units["A"], points="2.25", reason="表彰", actor=evaluator)
    page = _detail(client, quarter)
    assert "76.25" in page and _detail.aggregations  # type: ignore[attr-defined]


def test_a_void_shows_on_the_next_request(closed, client_for, evaluator) -> None:
    quarter, _units, _leader = closed
    client = client_for(evaluator)
    assert "74.00" in _detail(client, quarter)
    ballot_void(ballot=Ballot.objects.get(quarter=quarter, source="leadership"), actor=evaluator, reason="重复")
    assert "74.00" not in _detail(client, quarter)


def test_a_keyed_ballot_shows_on_the_next_request(closed, client_for, evaluator) -> None:
    quarter, units, _leader = closed
    client = client_for(evaluator)
    assert "74.00" in _detail(client, quarter)
    criteria = Criterion.objects.filter(quarter=quarter).order_by("order")
    values = {(units["A"].pk, criterion.pk): Decimal(20) for criterion in criteria}
    ballot_submit(
        quarter=quarter, source="peer", values=values, rater_unit=units["OFF"], origin=Origin.KEYED, actor=evaluator
    )
    assert "65.00" in _detail(client, quarter)  # peer cells 60, 50, 40: (40·80 + 30·50 + 30·60) / 100


def test_a_ballot_waiting_in_the_inbox_shows_on_the_next_request(db, client_for, evaluator) -> None:
    units = example_org()
    leader = make_leader()
    quarter = make_quarter("2026Q3", status=QuarterStatus.OPEN)
    build_examples_1_and_2(quarter, units, leader)
    client = client_for(evaluator)
    assert "74.00" in _detail(client, quarter)
    [code] = codes_issue(quarter=quarter, unit=units["G2"], count=1, actor=evaluator)
    criteria = Criterion.objects.filter(quarter=quarter).order_by("order")
    values = {(units["A"].pk, criterion.pk): Decimal(40) for criterion in criteria}
    assert ballot_submit(quarter=quarter, source="grassroots", values=values, code=code.code) is None  # waits
    assert "74.00" not in _detail(client, quarter)


def test_a_settings_change_shows_on_the_next_read(db, evaluator) -> None:
    example_org()
    quarter = make_quarter("2026Q3", status=QuarterStatus.DRAFT)
    assert quarter_results(quarter).settings.trim == quarter.trim
    with CaptureQueriesContext(connection) as again:
        quarter_results(quarter)
    assert _aggregations(again) == []
    quarter = quarter_update_settings(quarter=quarter, actor=evaluator, trim=not quarter.trim)
    assert quarter_results(quarter).settings.trim == quarter.trim
