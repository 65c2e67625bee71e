"""A phone's first load of the ballot page stays light: at most 60 KB transferred, HTML, CSS and scripts.

Every response body the browser receives is counted as production sends it: static files compressed the way
whitenoise compresses them at collectstatic (gzip level 9, kept when it saves at least 5%), pages as Django
sends them (compressed by GZipMiddleware, the size received is counted). The browser starts with an empty cache.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from whitenoise.compress import Compressor

from evaluation.models import BallotCode
from tests.browser.test_ballots import DEPARTMENTS, many_departments  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 60 * 1024


def _as_served(response: Any) -> int:
    url = response.url
    if "/static/" not in url:
        return response.request.sizes()["responseBodySize"]  # as received, compressed by GZipMiddleware
    body = response.body()
    compressed = Compressor.compress_gzip(body)
    return len(compressed) if body and len(compressed) / len(body) <= 0.95 else len(body)


def _first_load(page: Any, path: str) -> dict[str, int]:
    received: dict[str, int] = {}

    def count(response: Any) -> None:
        # Every response with a body: the code in the link's fragment is posted, and the ballot is that answer.
        if response.status < 300:
            received[f"{response.request.method} {response.url}"] = _as_served(response)

    page.on("response", count)
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", count)
    return received


def test_the_grassroots_ballot_page_loads_in_60_kb_on_a_phone(browser_page, quarter, org, many_departments):  # noqa: F811
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="LIGHT23456")
    received = _first_load(browser_page, reverse("evaluation:ballot_code") + "#code=light-23456")

    assert browser_page.locator(".ballot-dept").count() == DEPARTMENTS  # the whole ballot, 45 departments
    assert not [url for url in received if "plotly" in url]
    assert any(url.endswith(".css") for url in received) and any(url.endswith(".js") for url in received)
    total = sum(received.values())
    assert total <= BUDGET, sorted(received.items(), key=lambda item: -item[1])
