"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Fixtures: `browser_page` (a phone, 390×844, touch) and `desktop_page` (1366×900);
`login_as(page, user)` puts a logged-in session into a page's browser context.
Every browser test carries `@pytest.mark.browser` and
`@pytest.mark.django_db(transaction=True)` (the live server runs in another thread).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API keeps an event loop running in this thread; Django would then
# refuse ORM calls from the test body as "async unsafe" although they are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
TIMEOUT_MS = 20_000


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(_playwright: Any) -> Iterator[Any]:
    browser = _playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _page(chromium: Any, live_server: Any, options: dict[str, Any]) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def browser_page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A phone-sized page; relative URLs go to the live server."""
    yield from _page(chromium, live_server, PHONE)


@pytest.fixture
def desktop_page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A desktop-sized page; relative URLs go to the live server."""
    yield from _page(chromium, live_server, DESKTOP)


@pytest.fixture
def login_as(live_server: Any) -> Callable[[Any, Any], None]:
    """Give a page's browser context the session of `user` (no login form round trip)."""

    def login(page: Any, user: Any) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])

    return login


@pytest.fixture
def speak(live_server: Any) -> Callable[[Any, str], None]:
    """Choose the interface language of a page's browser context ("zh-hans" or "en")."""

    def choose(page: Any, language: str) -> None:
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])

    return choose
