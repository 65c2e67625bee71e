"""The audit log across quarters fits a phone and a desktop: filters on screen, no sideways scrolling of the page."""

from __future__ import annotations

import os

import pytest

from evaluation.models import QuarterStatus
from evaluation.services.lifecycle import quarter_transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["browser_page", "desktop_page"])
def test_the_audit_log_fits_the_screen(request, quarter, evaluator, admin_user, size, language):
    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, actor=admin_user, reason="投票结束，进入复核")
    page = request.getfixturevalue(size)
    request.getfixturevalue("login_as")(page, evaluator)
    request.getfixturevalue("speak")(page, language)
    page.goto("/console/")
    page.locator("a[href='/audit/']").click()
    page.wait_for_selector("#audit-entries")
    page.select_option("#id_who", admin_user.username)
    page.locator("#audit-filters button[type=submit]").click()
    page.wait_for_url("**/audit/?*")
    if os.environ.get("DEFECT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["DEFECT_SCREENSHOTS"], f"audit-{size}-{language}.png"))
    assert page.locator("#audit-entries tbody tr").count() == 1
    assert "投票结束" in page.locator("#audit-entries").inner_text()
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # No column squeezed to a character a line: the action's cell holds one line.
    action = page.locator("#audit-entries tbody tr td").nth(3)
    assert action.bounding_box()["height"] < 2 * float(action.evaluate("el => getComputedStyle(el).lineHeight")[:-2])
