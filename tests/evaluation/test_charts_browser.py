"""In a real browser the charts draw from the local Plotly bundle, with the page's CSP and no console error."""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.test import Client

from tests.evaluation.results_pages_data import entry, example_published, published_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_for(live_server):
    """A phone-sized Chromium page logged in as the given user (the session cookie of a test client)."""
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares this thread with the ORM
    runner = sync_playwright().start()
    browser = runner.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH") or shutil.which("chromium"))
    pages = []

    def make(user, language: str = "zh-hans"):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            ]
        )
        page = context.new_page()
        page.errors = []
        # A missing favicon is the browser's own request, not the page's.
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not message.text.startswith("Failed to load resource")
                and page.errors.append(message.text)
            ),
        )
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and not response.url.endswith("/favicon.ico")
                and page.errors.append(f"{response.status} {response.url}")
            ),
        )
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        pages.append(page)
        return page

    yield make
    browser.close()
    runner.stop()


def test_the_ranking_draws_one_bar_chart_per_group(org, leader, viewer, live_server, page_for):
    example_published(org, leader)
    page = page_for(viewer, "en")

    page.goto(f"{live_server.url}/results/2026Q2/")
    page.wait_for_selector(".results-chart .main-svg")

    assert page.locator(".results-chart .main-svg").count() >= 2
    assert page.locator(".results-chart").first.locator("text=Final score").count() >= 1
    assert page.errors == []
    if os.environ.get("RESULTS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["RESULTS_SCREENSHOTS"], "ranking.png"), full_page=True)


def test_the_department_page_draws_its_trend(org, leader, rep, live_server, page_for):
    published_quarter("2026Q1", [entry(org["OPS"], rank=3, score=78.1), entry(org["EQP"], rank=1, score=88.0)])
    example_published(org, leader)
    page = page_for(rep)

    page.goto(f"{live_server.url}/results/2026Q2/departments/OPS/")
    page.wait_for_selector("[data-chart='trend-chart'] .main-svg")

    assert page.locator("[data-chart='trend-chart'] .scatterlayer .trace").count() == 2
    assert page.errors == []
    if os.environ.get("RESULTS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["RESULTS_SCREENSHOTS"], "department.png"), full_page=True)
