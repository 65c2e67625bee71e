"""Corrections in Chromium, on a phone and a desktop: read a ballot, void it, undo the void; the evaluation group's
home fits the screen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluation.models import Ballot, Source
from evaluation.services.ballots import ballot_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

SCREENS = ["browser_page", "desktop_page"]


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("screen", SCREENS)
def test_an_evaluator_reads_voids_and_restores_a_ballot(request, screen, quarter, org, evaluator, rep):
    page, log_in = request.getfixturevalue(screen), request.getfixturevalue("login_as")
    values = {(unit.pk, c.pk): Decimal(80) for unit in (org["EQP"], org["AUD"]) for c in quarter.criteria.all()}
    ballot = ballot_submit(
        quarter=quarter, source=Source.PEER, values=values, comments={org["AUD"].pk: "审计反馈慢"}, rater=rep
    )
    log_in(page, evaluator)
    page.goto(f"/console/{quarter.code}/ballots/")
    page.get_by_role("link", name="查看", exact=True).click()
    assert "审计反馈慢" in page.locator("#contents").inner_text()
    assert "良好 · 80" in page.locator("#contents").inner_text()
    assert _fits_the_screen(page)
    page.get_by_label("理由").fill("重复录入")
    page.get_by_role("button", name="作废此评分表").click()
    page.wait_for_url(f"**/console/{quarter.code}/ballots/")
    assert Ballot.objects.get(pk=ballot.pk).is_void
    page.get_by_role("link", name="查看或撤销作废…").click()
    page.get_by_label("理由").fill("误操作")
    page.get_by_role("button", name="撤销作废").click()
    page.wait_for_url(f"**/console/{quarter.code}/ballots/")
    assert not Ballot.objects.get(pk=ballot.pk).is_void


@pytest.mark.parametrize("screen", SCREENS)
def test_the_evaluation_group_home_fits_the_screen(request, screen, quarter, evaluator):
    page, log_in = request.getfixturevalue(screen), request.getfixturevalue("login_as")
    log_in(page, evaluator)
    page.goto("/")
    assert page.locator("#open-quarters").is_visible()
    assert "进行中的季度" in page.locator("#open-quarters").inner_text()
    assert _fits_the_screen(page)
