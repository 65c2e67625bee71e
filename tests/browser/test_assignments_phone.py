"""The rater relations page (测评关系) on a phone, in Chromium: from the console an evaluator adds a pair, removes
one and uploads a workbook whose bad row is refused by its row; nothing is wider than the screen and every button
is large enough to tap."""

from __future__ import annotations

import re

import pytest

from evaluation.models import Assignment
from tests.evaluation.test_assignments_page import KEY, assigned, branches, committee, pairs, sheet  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

TARGET = 44  # px, as in test_tap_targets
# The page, after a redirect that may keep the form's fragment (#add, #upload).
PAGE = re.compile(rf"/console/{re.escape(KEY)}/assignments/(#\w+)?$")


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _small_targets(page) -> list[str]:
    """The visible buttons, links and fields of the page's content smaller than a fingertip."""
    return page.evaluate(
        """(target) => [...document.querySelectorAll('main button, main a.btn, main input:not([type=hidden])')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el, el.getBoundingClientRect()])
            .filter(([el, box]) => box.height < target || box.width < target)
            .map(([el, box]) => `${el.outerHTML.slice(0, 80)} ${Math.round(box.width)}×${Math.round(box.height)}`)""",
        TARGET,
    )


def test_an_evaluator_edits_the_rater_relations_on_a_phone(browser_page, login_as, assigned, evaluator, tmp_path):  # noqa: F811
    page = browser_page
    login_as(page, evaluator)
    page.goto(f"/console/{KEY}/")
    page.get_by_role("link", name="测评关系").click()
    page.wait_for_url(PAGE)
    assert _fits_the_screen(page)
    assert not _small_targets(page)

    # Add a pair: 中厚板厂 (ZHB) rates 炼钢一支部 (EG1).
    page.get_by_label("评价单位（编码）").fill("ZHB")
    page.get_by_label("被评对象（编码）").fill("EG1")
    page.get_by_role("button", name="添加", exact=True).click()
    page.wait_for_url(PAGE)
    assert ("ZHB", None, "EG1") in pairs(assigned)
    assert "已添加" in page.locator(".alert-success").inner_text()
    assert _fits_the_screen(page)

    # Remove one: 二钢厂 → 轧钢二支部.
    page.get_by_role("button", name="删除 二钢厂 → 轧钢二支部").click()
    page.wait_for_url(PAGE)
    assert ("EG", None, "ZH2") not in pairs(assigned)
    assert len(pairs(assigned)) == 3
    assert _fits_the_screen(page)
    assert not _small_targets(page)

    # A workbook whose second row names no known target is refused by its row, and nothing changes.
    before = pairs(assigned)
    bad = sheet(tmp_path, ["EG", None, "ZH1"], ["EG", None, "NOSUCH"])
    page.locator("#upload input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="替换测评关系").click()
    issues = page.locator("#assignment-issues")
    assert "assignments, 3, target: NOSUCH不是本考核方案的被评单位。" in issues.inner_text()
    assert pairs(assigned) == before and Assignment.objects.filter(quarter=assigned).count() == 3
    assert _fits_the_screen(page)
    assert not _small_targets(page)
