"""The publish confirmation shows participation per collected source against its expected raters, and warns below
the threshold (setting PARTICIPATION_WARNING_PERCENT)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import Quarter, QuarterStatus, Source
from evaluation.selectors.participation import quarter_participation, source_turnout
from evaluation.services.ballots import ballot_submit
from evaluation.services.codes import codes_issue
from evaluation.services.quarters import quarter_update_settings

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
WARNING = "fewer than 50% of its expected raters"


@pytest.fixture
def voting(quarter, org, evaluator, rep, other_rep, leader) -> Quarter:
    """Grassroots: 1 of 4 codes used (25 %); peer: 2 of 4 departments (50 %, the threshold); leadership: 1 of 1."""
    criterion = quarter.criteria.first()
    values = {(org["AUD"].pk, criterion.pk): Decimal(80)}
    codes = codes_issue(quarter=quarter, unit=org["HRM"], count=4, actor=evaluator)
    ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, code=codes[0].code)
    ballot_submit(quarter=quarter, source=Source.PEER, values=values, rater=rep)
    ballot_submit(quarter=quarter, source=Source.PEER, values=values, rater=other_rep)
    ballot_submit(quarter=quarter, source=Source.LEADERSHIP, values=values, rater=leader)
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    quarter.refresh_from_db()
    return quarter


def _by_source(quarter: Quarter) -> dict:
    return {t.source: t for t in source_turnout(quarter, quarter_participation(quarter))}


def test_the_turnout_is_counted_against_the_expected_raters(voting) -> None:
    turnout = _by_source(voting)
    assert [(t.submitted, t.expected, t.percent, t.low) for t in turnout.values()] == [
        (1, 4, 25, True),
        (2, 4, 50, False),
        (1, 1, 100, False),
    ]


def test_the_threshold_is_a_setting(voting, settings) -> None:
    settings.PARTICIPATION_WARNING_PERCENT = 51
    assert _by_source(voting)["peer"].low
    settings.PARTICIPATION_WARNING_PERCENT = 25
    assert not _by_source(voting)["grassroots"].low


def test_a_source_weighted_0_is_left_out(quarter, evaluator) -> None:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.DRAFT)
    quarter.refresh_from_db()
    quarter = quarter_update_settings(
        quarter=quarter, actor=evaluator, weight_grassroots=0, weight_peer=50, weight_leadership=50
    )
    assert list(_by_source(quarter)) == ["peer", "leadership"]


def test_a_source_nobody_is_expected_for_is_low(quarter, org) -> None:
    turnout = _by_source(quarter)["grassroots"]
    assert (turnout.expected, turnout.percent, turnout.low) == (0, None, True)


def test_the_publish_confirmation_shows_the_turnout_and_warns(voting, client_for, evaluator) -> None:
    page = client_for(evaluator).get(reverse("evaluation:console", args=["2026Q3"]), **EN).content.decode()
    check = page.split('id="publish-check"')[1].split("</form>")[0]
    assert "1 / 4" in check and "(25%)" in check
    assert "2 / 4" in check and "(50%)" in check
    assert "below 50%" in check
    assert WARNING in check


def test_no_warning_when_every_source_is_above(voting, client_for, evaluator, settings) -> None:
    settings.PARTICIPATION_WARNING_PERCENT = 20
    page = client_for(evaluator).get(reverse("evaluation:console", args=["2026Q3"]), **EN).content.decode()
    assert 'id="publish-check"' in page
    assert WARNING not in page


def test_the_warning_reads_in_chinese(voting, client_for, evaluator) -> None:
    page = client_for(evaluator).get(reverse("evaluation:console", args=["2026Q3"])).content.decode()
    check = page.split('id="publish-check"')[1].split("</form>")[0]
    assert "低于 50%" in check


def test_only_a_closed_quarter_offers_the_check(quarter, client_for, evaluator) -> None:
    page = client_for(evaluator).get(reverse("evaluation:console", args=["2026Q3"]), **EN).content.decode()
    assert 'id="publish-check"' not in page
