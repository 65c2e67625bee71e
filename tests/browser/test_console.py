"""The console in Chromium: the participation panel refreshes without a reload (static script, CSP intact)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from evaluation.models import Source
from evaluation.services.ballots import ballot_submit

# live_server must be among the fixture names so pytest-django lets its host through ALLOWED_HOSTS.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]


def test_the_participation_panel_updates_without_a_reload(request, quarter, org, evaluator, rep):
    page, log_in = request.getfixturevalue("browser_page"), request.getfixturevalue("login_as")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None
    )
    log_in(page, evaluator)
    page.goto(f"/console/{quarter.code}/")
    badge = page.locator('[data-voted="peer.OPS"]')
    assert "text-bg-warning" in badge.get_attribute("class")
    page.evaluate("window.__marker = 'same page'")
    criterion = quarter.criteria.first()
    ballot_submit(quarter=quarter, source=Source.PEER, values={(org["EQP"].pk, criterion.pk): Decimal(80)}, rater=rep)
    page.wait_for_selector('[data-voted="peer.OPS"].text-bg-success', timeout=25_000)
    assert page.locator('[data-p="peer.submitted"]').inner_text() == "1"
    assert page.evaluate("window.__marker") == "same page"
    assert errors == []


def test_the_slips_page_prints_on_a4(request, quarter, org, evaluator, tmp_path):
    page, log_in = request.getfixturevalue("browser_page"), request.getfixturevalue("login_as")
    from evaluation.services.codes import codes_issue

    codes_issue(quarter=quarter, unit=org["HRM"], count=10, actor=evaluator)
    log_in(page, evaluator)
    page.goto(f"/console/{quarter.code}/codes/HRM/print/")
    assert page.locator(".slip svg").count() == 10
    pdf = page.pdf(path=str(tmp_path / "slips.pdf"), format="A4")
    # Ten slips at eight to a page: two A4 pages.
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 2
