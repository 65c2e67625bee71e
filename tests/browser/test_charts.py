"""In a real browser the charts draw from the local Plotly bundle, with the page's CSP and no console error."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from tests.evaluation.results_pages_data import entry, example_published, published_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_for(browser_page: Any, login_as: Callable, live_server: Any) -> Callable[..., Any]:
    """The phone page, logged in as `user`, collecting every console error and failed response."""

    def make(user: Any, language: str = "zh-hans") -> Any:
        login_as(browser_page, user)
        browser_page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        browser_page.errors = []
        browser_page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not message.text.startswith("Failed to load resource")
                and browser_page.errors.append(message.text)
            ),
        )
        # Every request counts, the browser's own icon request too: the pages declare their icon.
        browser_page.on(
            "response",
            lambda response: response.status >= 400 and browser_page.errors.append(f"{response.status} {response.url}"),
        )
        browser_page.on("pageerror", lambda error: browser_page.errors.append(str(error)))
        return browser_page

    return make


def test_the_ranking_draws_one_bar_chart_per_group(org, leader, viewer, page_for):
    example_published(org, leader)
    page = page_for(viewer, "en")

    response = page.goto("/results/2026Q2/")
    # The published page comes from its kept pieces, compressed for the browser, which reads it as any page.
    assert response.headers.get("content-encoding") == "gzip"
    assert page.evaluate("typeof window.Plotly") == "undefined"  # nothing loaded before it is asked for
    for button in page.locator("[data-chart-show]").all():
        button.click()
    page.wait_for_selector(".results-chart .main-svg")

    assert page.locator(".results-chart .main-svg").count() >= 2
    assert page.locator(".results-chart").first.locator("text=Final score").count() >= 1
    assert page.errors == []
    if os.environ.get("RESULTS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["RESULTS_SCREENSHOTS"], "ranking.png"), full_page=True)


def test_the_department_page_draws_its_trend(org, leader, rep, page_for):
    published_quarter("2026Q1", [entry(org["OPS"], rank=3, score=78.1), entry(org["EQP"], rank=1, score=88.0)])
    example_published(org, leader)
    page = page_for(rep)

    page.goto("/results/2026Q2/departments/OPS/")
    page.click("[data-chart-show='trend-chart']")
    page.wait_for_selector("[data-chart='trend-chart'] .main-svg")

    assert page.locator("[data-chart='trend-chart'] .scatterlayer .trace").count() == 2
    assert page.errors == []
    if os.environ.get("RESULTS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["RESULTS_SCREENSHOTS"], "department.png"), full_page=True)
