"""A refused settings form comes back showing its errors where the eye is: at the settings, not the page's top."""

from __future__ import annotations

import os

import pytest

from evaluation.models import Quarter, QuarterStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

NOT_SAVED = {"zh-hans": "设置未保存", "en": "The settings were not saved"}


def wait_in_view(page, selector: str) -> None:
    """Wait until the element's top part is inside the viewport (the browser scrolls to #settings after loading)."""
    page.wait_for_function(
        """selector => {
            const r = document.querySelector(selector).getBoundingClientRect();
            return r.top >= 0 && r.top + Math.min(r.height, 80) <= window.innerHeight;
        }""",
        arg=selector,
        timeout=5_000,
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["browser_page", "desktop_page"])
def test_a_refused_setting_shows_its_alert_in_view(request, quarter, evaluator, language, size):
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.DRAFT)  # its weights may still change
    page = request.getfixturevalue(size)
    request.getfixturevalue("login_as")(page, evaluator)
    request.getfixturevalue("speak")(page, language)
    page.goto(f"/console/{quarter.code}/")
    total = quarter.weight_grassroots + 45 + quarter.weight_leadership
    assert total != 100
    page.fill("#id_weight_peer", "45")
    page.locator("#settings button[type=submit]").click()
    page.wait_for_selector("#settings-errors")
    wait_in_view(page, "#settings-errors")
    if os.environ.get("DEFECT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["DEFECT_SCREENSHOTS"], f"settings-{size}-{language}.png"))

    assert NOT_SAVED[language] in page.locator("#settings-errors").inner_text()
    assert str(total) in page.locator("#settings-errors").inner_text()
    assert Quarter.objects.get(pk=quarter.pk).weight_peer == quarter.weight_peer
