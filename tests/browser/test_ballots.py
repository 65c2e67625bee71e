"""Ballots in a real browser: a grassroots worker with a code, a department rep, a leader."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from departments.models import Unit, UnitKind
from evaluation.models import Ballot, BallotCode, BallotComment, BallotValue, Source
from evaluation.services.inbox import inbox_flush

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEPARTMENTS = 45


@pytest.fixture
def many_departments(org) -> list[Unit]:
    """The organisation grown to 45 evaluated departments."""
    existing = Unit.objects.evaluated().count()
    Unit.objects.bulk_create(
        Unit(code=f"D{index:02d}", name=f"测试部门{index:02d}", kind=UnitKind.FUNCTIONAL, order=100 + index)
        for index in range(DEPARTMENTS - existing)
    )
    return list(Unit.objects.evaluated())


def filled_text(page) -> str:
    return page.locator("#ballot-filled").inner_text()


def test_a_worker_votes_with_a_code_on_a_phone_and_the_code_is_then_refused(
    browser_page, quarter, org, many_departments
):
    page = browser_page
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="PHONE23456")
    page.goto(reverse("evaluation:ballot_code") + "#code=phone-23456")
    assert page.locator(".ballot-dept").count() == DEPARTMENTS
    cells = DEPARTMENTS * 3
    assert page.locator("#ballot-total").inner_text() == str(cells)
    assert filled_text(page) == "0"

    groups = page.locator(".ballot-cell")
    for index in range(cells):
        # Mostly 良好, every seventh cell 不了解 (the last option).
        options = groups.nth(index).locator("label")
        (options.last if index % 7 == 0 else options.nth(1)).click()
    assert filled_text(page) == str(cells)
    assert page.locator(".ballot-dept.is-complete").count() == DEPARTMENTS

    first = page.locator(".ballot-dept").first
    first.locator("summary").click()
    first.locator("textarea").fill("希望审批再快一些")
    if os.environ.get("BALLOT_SCREENSHOT"):
        page.screenshot(path=os.environ["BALLOT_SCREENSHOT"])

    page.locator("#ballot-submit").click()
    page.wait_for_url("**" + reverse("evaluation:ballot_done"))
    assert "ballot" not in page.url.split("thanks")[1]
    inbox_flush(quarter=quarter)
    ballot = Ballot.objects.get()
    assert ballot.source == Source.GRASSROOTS
    assert ballot.rater is None
    assert ballot.rater_unit == org["HRM"]
    abstentions = len(range(0, cells, 7))
    assert BallotValue.objects.count() == cells - abstentions
    assert set(BallotValue.objects.values_list("value_centi", flat=True)) == {8000}
    assert BallotComment.objects.get().text == "希望审批再快一些"

    page.goto(reverse("evaluation:ballot_code") + "#code=PHONE23456")
    page.locator("#notice-message").wait_for()
    assert page.locator("#ballot-form").count() == 0
    assert page.locator("#notice-message").is_visible()


def test_a_worker_types_the_code(browser_page, quarter, org):
    page = browser_page
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="TYPED23456")
    page.goto("/")
    page.locator("#ballot-code-input").fill("typed 23456")
    page.locator("#ballot-code-input").press("Enter")
    page.locator("#ballot-form").wait_for()
    assert page.locator(".ballot-dept").count() == Unit.objects.evaluated().count()


def test_a_rep_submits_a_peer_ballot_without_their_own_department(browser_page, login_as, quarter, org, rep):
    page = browser_page
    login_as(page, rep)
    page.goto(reverse("evaluation:ballot_peer"))
    names = page.locator(".ballot-dept-name").all_inner_texts()
    assert len(names) == Unit.objects.evaluated().count() - 1
    assert not any(org["OPS"].name in name for name in names)
    assert any(org["EQP"].name in name for name in names)

    page.locator(".ballot-cell").first.locator("label").first.click()  # 优秀
    page.locator(".ballot-cell").nth(1).locator("label").nth(2).click()  # 一般
    assert filled_text(page) == "2"
    page.locator("#ballot-submit").click()
    empty = 3 * (Unit.objects.evaluated().count() - 1) - 2
    confirm = page.locator("#ballot-confirm")
    assert f"共 {empty + 2} 格，其中 {empty} 格未填" in confirm.inner_text()
    assert not Ballot.objects.exists()
    assert filled_text(page) == "2"  # the answers are kept
    confirm.locator("button").click()
    page.wait_for_url("**" + reverse("evaluation:ballot_done") + "?source=peer")
    assert "基层" not in page.locator("#done-storage").inner_text()
    ballot = Ballot.objects.get()
    assert ballot.source == Source.PEER
    assert ballot.rater_unit == org["OPS"]
    assert sorted(BallotValue.objects.values_list("value_centi", flat=True)) == [6000, 10000]
    assert not BallotValue.objects.filter(department=org["OPS"]).exists()


def test_a_leader_submits_with_the_keyboard_on_a_desktop(desktop_page, login_as, quarter, org, leader):
    page = desktop_page
    login_as(page, leader)
    page.goto(reverse("evaluation:ballot_leadership"))
    assert page.locator(".ballot-head").is_visible()
    # Focus the first cell's first level, move to the second level with an arrow key, then tab to the next cell.
    page.locator(".ballot-cell").first.locator("input").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert filled_text(page) == "2"
    page.locator("#ballot-submit").focus()
    page.keyboard.press("Enter")
    page.locator("#ballot-confirm button").focus()  # the empty cells are confirmed
    page.keyboard.press("Enter")
    page.wait_for_url("**" + reverse("evaluation:ballot_done") + "?source=leadership")
    assert "基层" not in page.locator("#done-storage").inner_text()
    ballot = Ballot.objects.get()
    assert ballot.rater == leader
    assert sorted(BallotValue.objects.values_list("value_centi", flat=True)) == [8000, 10000]


def test_the_submit_button_is_disabled_after_a_click(browser_page, login_as, quarter, leader):
    page = browser_page
    login_as(page, leader)
    page.goto(reverse("evaluation:ballot_leadership"))
    page.locator(".ballot-cell").first.locator("label").first.click()
    page.evaluate("document.getElementById('ballot-form').addEventListener('submit', e => e.preventDefault())")
    page.locator("#ballot-submit").click()
    page.wait_for_function("document.getElementById('ballot-submit').disabled")
    assert not Ballot.objects.exists()


def test_a_comment_only_ballot_is_confirmed_and_stored(browser_page, quarter, org):
    page = browser_page
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="WORDS23456")
    page.goto(reverse("evaluation:ballot_code") + "#code=WORDS23456")
    first = page.locator(".ballot-dept").first
    first.locator("summary").click()
    first.locator("textarea").fill("食堂的问题请关注")
    page.locator("#ballot-submit").click()
    confirm = page.locator("#ballot-confirm")
    assert "不计入得分" in confirm.inner_text()
    assert not Ballot.objects.exists()
    confirm.locator("button").click()
    page.wait_for_url("**" + reverse("evaluation:ballot_done"))
    inbox_flush(quarter=quarter)  # a grassroots ballot waits in the inbox first
    assert BallotComment.objects.get().text == "食堂的问题请关注"
    assert not BallotValue.objects.exists()
