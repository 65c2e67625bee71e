"""Faster ballots on a phone: one tap for the same level on every criterion, a jump to the next department not
yet filled, and a draft kept on the device only, which survives a reload or a dropped connection and is
cleared once the ballot is stored. The server-side empty-cell confirmation still decides."""

from __future__ import annotations

import json
import os

import pytest
from django.urls import reverse

from departments.models import Unit, UnitKind
from evaluation.models import Ballot, BallotCode, BallotComment, BallotValue
from evaluation.services.inbox import inbox_flush

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

ALL = {"zh-hans": "全部指标", "en": "All criteria"}
GOOD = {"zh-hans": "良好", "en": "Good"}
NEXT = {"zh-hans": "下一个未填", "en": "Next unfilled"}
RESTORED = {
    "zh-hans": "本设备上尚未提交的评分已恢复",
    "en": "The ratings you had not yet submitted on this device are back",
}
DRAFTS = "() => Object.keys(localStorage).filter((k) => k.startsWith('zfkh-ballot-draft:'))"


@pytest.fixture
def more_departments(org) -> None:
    """Ten more evaluated departments, so that the ballot is longer than a screen."""
    Unit.objects.bulk_create(
        Unit(code=f"D{index:02d}", name=f"测试部门{index:02d}", kind=UnitKind.FUNCTIONAL, order=100 + index)
        for index in range(10)
    )


def _shoot(page, name: str) -> None:
    if os.environ.get("DEFECT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["DEFECT_SCREENSHOTS"], f"{name}.png"))


def _open_peer(request, size: str, language: str, rep):
    page = request.getfixturevalue(size)
    request.getfixturevalue("login_as")(page, rep)
    request.getfixturevalue("speak")(page, language)
    page.goto(reverse("evaluation:ballot_peer"))
    page.locator("#ballot-form").wait_for()
    return page


def _posts(page) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda req: sent.append(req.url) if req.method != "GET" else None)
    return sent


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["browser_page", "desktop_page"])
def test_one_tap_rates_a_department_and_next_jumps_to_the_first_unfilled(
    request, quarter, more_departments, rep, size, language
):
    page = _open_peer(request, size, language, rep)
    first = page.locator(".ballot-dept").nth(0)
    bar = first.locator(".ballot-all")
    assert ALL[language] in bar.inner_text()
    tap = bar.get_by_role("button", name=GOOD[language], exact=True)
    box = tap.bounding_box()
    if size == "browser_page":
        assert box["height"] >= 44 and box["width"] >= 44  # a thumb's tap target

    tap.click()
    _shoot(page, f"one-tap-{size}-{language}")

    assert page.locator("#ballot-filled").inner_text() == "3"
    assert "is-complete" in first.get_attribute("class")
    labels = [first.locator(".ballot-cell").nth(i).locator("input:checked + label").inner_text() for i in range(3)]
    assert labels == [GOOD[language]] * 3

    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_role("button", name=NEXT[language]).click()
    focused = "() => document.activeElement.closest('.ballot-dept') === document.querySelectorAll('.ballot-dept')[1]"
    assert page.evaluate(focused)
    # Scrolled there (smoothly, so it takes a moment).
    page.wait_for_function(
        "() => { const r = document.querySelectorAll('.ballot-dept')[1].getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight / 2; }"
    )

    for index in range(page.locator(".ballot-dept").count()):
        page.locator(".ballot-dept").nth(index).locator(".ballot-all button").nth(1).click()
    assert page.get_by_role("button", name=NEXT[language]).is_hidden()  # nothing is left to fill


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_reload_keeps_the_ballot_on_the_device_only_and_a_submit_clears_it(request, quarter, org, rep, language):
    page = _open_peer(request, "browser_page", language, rep)
    assert page.locator("#ballot-restored").is_hidden()  # nothing to restore yet
    sent = _posts(page)
    page.locator(".ballot-dept").nth(0).locator(".ballot-all button").first.click()
    second = page.locator(".ballot-dept").nth(1)
    second.locator(".ballot-cell").nth(2).locator("label").nth(3).click()
    second.locator("summary").click()
    second.locator("textarea").fill("希望流程更快")

    page.reload()
    page.locator("#ballot-form").wait_for()

    assert sent == []  # nothing went to the server before the submit
    assert page.locator("#ballot-restored").is_visible()
    assert RESTORED[language] in page.locator("#ballot-restored").inner_text()
    assert page.locator("#ballot-filled").inner_text() == "4"
    assert page.locator(".ballot-dept").nth(1).locator("textarea").input_value() == "希望流程更快"
    keys = page.evaluate(DRAFTS)
    assert keys == [f"zfkh-ballot-draft:{quarter.code}:peer"]
    _shoot(page, f"restored-{language}")

    page.locator("#ballot-submit").click()  # 8 of 12 cells empty: the server asks first
    page.locator("#ballot-confirm").wait_for()
    assert not Ballot.objects.exists()
    assert page.evaluate(DRAFTS) == keys  # a confirmation is not a stored ballot
    page.locator("#ballot-confirm button[type=submit]").click()
    page.wait_for_url("**" + reverse("evaluation:ballot_done") + "?source=peer")

    assert page.evaluate(DRAFTS) == []
    assert BallotValue.objects.count() == 4
    assert BallotComment.objects.get().text == "希望流程更快"


def test_a_dropped_connection_on_submit_loses_nothing(request, quarter, rep):
    page = _open_peer(request, "browser_page", "zh-hans", rep)
    for index in range(3):
        page.locator(".ballot-dept").nth(index).locator(".ballot-all button").first.click()
    page.context.set_offline(True)
    page.locator("#ballot-submit").click()
    page.wait_for_timeout(500)
    page.context.set_offline(False)

    page.goto(reverse("evaluation:ballot_peer"))
    page.locator("#ballot-form").wait_for()

    assert not Ballot.objects.exists()
    assert page.locator("#ballot-restored").is_visible()
    assert page.locator("#ballot-filled").inner_text() == "9"


def test_start_afresh_forgets_the_draft(request, quarter, rep):
    page = _open_peer(request, "browser_page", "en", rep)
    page.locator(".ballot-dept").nth(0).locator(".ballot-all button").first.click()
    page.reload()
    page.locator("#ballot-discard").click()

    assert page.locator("#ballot-filled").inner_text() == "0"
    assert page.evaluate(DRAFTS) == []
    page.reload()
    assert page.locator("#ballot-restored").is_hidden()


def test_a_code_ballot_keys_its_draft_by_a_hash_of_the_code(browser_page, quarter, org):
    page = browser_page
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="WXYZK23456")
    page.goto(reverse("evaluation:ballot_code") + "#code=wxyzk-23456")
    page.locator("#ballot-form").wait_for()
    page.locator(".ballot-dept").nth(0).locator(".ballot-all button").first.click()

    keys = page.evaluate(DRAFTS)
    stored = page.evaluate("(k) => localStorage.getItem(k)", keys[0])
    assert len(keys) == 1 and keys[0].startswith(f"zfkh-ballot-draft:{quarter.code}:grassroots:")
    assert "WXYZK" not in keys[0].upper() and "23456" not in keys[0] and "23456" not in stored
    assert len(json.loads(stored)["fields"]) == 3

    page.locator("#ballot-submit").click()
    page.locator("#ballot-confirm button[type=submit]").click()
    page.wait_for_url("**" + reverse("evaluation:ballot_done"))
    assert page.evaluate(DRAFTS) == []
    inbox_flush(quarter=quarter)
    assert BallotValue.objects.count() == 3
