"""The results pages print as a clean A4 handout: the print button prints, navigation and buttons are hidden,
nothing runs off the page's width, and Chromium's PDF of the ranking page is A4 pages one page wide."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.evaluation.results_pages_data import entry, example_published, published_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A4 in PDF points (1/72 in), as Chromium writes its page boxes, and the print stylesheet's page margin.
A4_POINTS = (595.92, 842.88)
MARGIN_MM = 8
# The printable width of an A4 page in CSS pixels (96 per inch): what the page's content must fit in.
PRINTABLE_WIDTH = int((210 - 2 * MARGIN_MM) / 25.4 * 96)
PAGES = {
    "ranking": "/results/2026Q2/",
    "department": "/results/2026Q2/departments/OPS/",
    "annual": "/results/annual/2026/",
}


@pytest.fixture
def printable(desktop_page: Any, login_as: Callable, org, leader, rep) -> Any:
    published_quarter("2026Q1", [entry(org["OPS"], rank=3, score=78.1), entry(org["EQP"], rank=1, score=88.0)])
    example_published(org, leader)
    login_as(desktop_page, rep)
    desktop_page.errors = []
    desktop_page.on("pageerror", lambda error: desktop_page.errors.append(str(error)))
    return desktop_page


FITS = f"svg.getBoundingClientRect().width <= {PRINTABLE_WIDTH}"


def wait_until(page: Any, predicate: str, seconds: float = 10) -> bool:
    """Poll `predicate` (a JavaScript function) until it holds; the pages' CSP forbids Playwright's own polling."""
    for _attempt in range(int(seconds * 10)):
        if page.evaluate(predicate):
            return True
        page.wait_for_timeout(100)
    return False


def overflow(page: Any) -> int:
    """How many CSS pixels the page's content runs past its width (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("name", PAGES)
def test_the_page_prints_within_an_a4_width_without_navigation(printable: Any, name: str) -> None:
    page = printable
    page.goto(PAGES[name])
    button = page.locator("[data-print-page]")
    assert button.is_visible()
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button.click()
    assert page.evaluate("window.printed") == 1

    page.set_viewport_size({"width": PRINTABLE_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not button.is_visible()
    assert not page.locator(".breadcrumb").is_visible()
    assert overflow(page) == 0
    for table in page.locator("table").all():
        assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
    assert page.errors == []


def test_the_ranking_charts_take_the_printed_width(printable: Any) -> None:
    page = printable
    page.goto(PAGES["ranking"])
    for button in page.locator("[data-chart-show]").all():  # charts are drawn when asked for
        button.click()
    page.wait_for_selector(".results-chart .main-svg")
    screen_width = page.locator(".results-chart .main-svg").first.evaluate("svg => svg.getBoundingClientRect().width")
    assert screen_width > PRINTABLE_WIDTH  # drawn for the desktop window: it would run off the paper
    page.emulate_media(media="print")
    assert wait_until(page, f"() => [...document.querySelectorAll('.results-chart .main-svg')].every(svg => {FITS})")
    page.emulate_media(media="screen")
    # Back on screen, the charts fill the desktop window again.
    assert wait_until(page, f"() => [...document.querySelectorAll('.results-chart .main-svg')].every(svg => !({FITS}))")


def test_the_ranking_page_prints_to_a4_pages_one_page_wide(printable: Any) -> None:
    page = printable
    page.goto(PAGES["ranking"])
    for button in page.locator("[data-chart-show]").all():  # charts are drawn when asked for
        button.click()
    page.wait_for_selector(".results-chart .main-svg")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = [
        tuple(float(number) for number in box)
        for box in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    ]
    assert boxes
    assert all(box == pytest.approx(A4_POINTS, abs=1) for box in boxes)
    # Chromium never adds pages for content wider than the paper, it cuts it off: the content must fit.
    page.set_viewport_size({"width": PRINTABLE_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    assert overflow(page) == 0
    assert page.errors == []
