"""Very long comments: the box stops at the limit; a ballot over the server's size limit stays in the page."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from evaluation.models import Ballot
from evaluation.services.ballots import COMMENT_MAX_LENGTH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

TOO_LARGE = {"zh-hans": "表单过大", "en": "This form is too large to send"}
LONG = "审批流程太慢，希望改进。" * 400  # 4,800 characters, each 9 bytes once sent


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_comment_box_stops_at_the_limit_and_the_ballot_is_saved(request, quarter, rep, language):
    page = request.getfixturevalue("browser_page")
    request.getfixturevalue("login_as")(page, rep)
    request.getfixturevalue("speak")(page, language)
    page.goto(reverse("evaluation:ballot_peer"))
    page.locator(".ballot-cell").first.locator("label").first.click()
    first = page.locator(".ballot-dept").first
    first.locator("summary").click()
    first.locator("textarea").fill(LONG)
    assert len(first.locator("textarea").input_value()) == COMMENT_MAX_LENGTH
    page.locator("#ballot-submit").click()
    page.locator("#ballot-confirm button[type=submit]").click()  # the other cells are left empty on purpose
    page.wait_for_url("**" + reverse("evaluation:ballot_done") + "?source=peer")
    assert len(Ballot.objects.get().comments.get().text) == COMMENT_MAX_LENGTH


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_ballot_over_the_size_limit_is_not_sent_and_stays_filled(request, settings, quarter, rep, language):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000  # three full comments (27,000 bytes) are more
    page = request.getfixturevalue("browser_page")
    request.getfixturevalue("login_as")(page, rep)
    request.getfixturevalue("speak")(page, language)
    page.goto(reverse("evaluation:ballot_peer"))
    page.locator(".ballot-cell").first.locator("label").first.click()
    for index in range(3):
        row = page.locator(".ballot-dept").nth(index)
        row.locator("summary").click()
        row.locator("textarea").fill(LONG)
    page.locator("#ballot-submit").click()

    alert = page.locator(".size-guard-alert")
    alert.wait_for()
    # Scrolled into view (smoothly, so it takes a moment).
    page.wait_for_function(
        "() => { const r = document.querySelector('.size-guard-alert').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    if os.environ.get("DEFECT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["DEFECT_SCREENSHOTS"], f"too-large-{language}.png"))
    assert TOO_LARGE[language] in alert.inner_text()
    assert alert.is_visible()
    assert page.url.endswith(reverse("evaluation:ballot_peer"))
    assert page.locator(".ballot-cell").first.locator("input").first.is_checked()
    assert len(page.locator(".ballot-dept").nth(2).locator("textarea").input_value()) == COMMENT_MAX_LENGTH
    assert page.locator("#ballot-submit").is_enabled()
    assert not Ballot.objects.exists()
