"""Tap targets of at least 44 px: breadcrumb links, the method link in the department's text, checkboxes."""

from __future__ import annotations

import os

import pytest

from tests.evaluation.results_pages_data import example_published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

TARGET = 44
SIZES = ["browser_page", "desktop_page"]
LANGUAGES = ["zh-hans", "en"]


def boxes(page, selector: str) -> list[dict]:
    found = page.locator(selector)
    assert found.count() > 0, selector
    return [found.nth(index).bounding_box() for index in range(found.count())]


def assert_tappable(page, selector: str, *, width: bool = True) -> None:
    for box in boxes(page, selector):
        assert box["height"] >= TARGET, (selector, box)
        assert not width or box["width"] >= TARGET, (selector, box)


def open_page(request, size: str, persona: str, language: str, url: str):
    page = request.getfixturevalue(size)
    request.getfixturevalue("login_as")(page, request.getfixturevalue(persona))
    request.getfixturevalue("speak")(page, language)
    page.goto(url)
    return page


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_breadcrumbs_and_the_method_link_are_large_enough(request, org, leader, size, language):
    quarter = example_published(org, leader)
    page = open_page(request, size, "evaluator", language, f"/results/{quarter.code}/departments/OPS/")
    if os.environ.get("DEFECT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["DEFECT_SCREENSHOTS"], f"taps-{size}-{language}.png"))
    assert_tappable(page, ".breadcrumb-item a")
    assert_tappable(page, "a.tap-link[href$='/method/']")
    page.goto(f"/console/{quarter.code}/")
    assert_tappable(page, ".breadcrumb-item a")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_checkboxes_are_large_enough_with_their_labels(request, org, evaluator, size, language):
    page = open_page(request, size, "evaluator", language, "/workbooks/import/")
    assert_tappable(page, ".form-check:has(input[type=checkbox]) label", width=False)
    for box in boxes(page, "input[type=checkbox]"):
        assert box["width"] >= 24 and box["height"] >= 24
    page.locator(".form-check label").first.click()
    assert page.locator("input[type=checkbox]").first.is_checked()
    page.goto("/problems/")
    assert_tappable(page, ".form-check:has(input[type=checkbox]) label", width=False)
