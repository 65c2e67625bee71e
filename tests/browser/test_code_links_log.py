"""Slip links opened in Chromium through gunicorn with its access log on: no code reaches the log.

The slips are printed by the console (as an evaluator would), their links opened as a phone opens a
scanned QR code, the ballots filled in and submitted, and the unit's problems link opened too. The
access log (gunicorn's default format: address, time, request line, status, Referer, user agent) must
then hold none of the codes, in any spelling.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from evaluation.models import BallotCode, BallotInbox
from evaluation.services.codes import codes_issue, format_code

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SLIPS = 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """gunicorn serving the test database, logging every request to a file; (base URL, log path)."""
    port = _free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DJANGO_DEBUG": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--access-logfile", str(log)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + reverse("evaluation:health_live"), timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not start")
        yield base, log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


@pytest.fixture
def printed_links(settings, server, quarter, org, evaluator, client_for) -> dict[str, list[str]]:
    """The ballot and problems links of SLIPS slips, read off the console's print page."""
    base, _ = server
    settings.PUBLIC_BASE_URL = base
    codes_issue(quarter=quarter, unit=org["HRM"], count=SLIPS, actor=evaluator)
    page = client_for(evaluator).get(reverse("evaluation:codes_print", args=[quarter.code, "HRM"])).content.decode()
    links = sorted(set(re.findall(re.escape(base) + r"/[^\s\"<]+", page)))
    return {
        "ballot": [link for link in links if link.startswith(base + reverse("evaluation:ballot_code"))],
        "problems": [link for link in links if link.startswith(base + reverse("evaluation:unit_problems"))],
    }


def _vote(chromium: Any, link: str) -> None:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto(link)
        page.locator("#ballot-form").wait_for()
        assert "code" not in page.url  # the fragment was dropped from the address bar
        page.locator(".ballot-cell").first.locator("label").first.click()
        page.locator("#ballot-submit").click()
        page.locator("#ballot-confirm button").click()  # the empty cells are confirmed
        page.wait_for_url("**" + reverse("evaluation:ballot_done"))
    finally:
        context.close()


def _read_problems(chromium: Any, link: str, unit_name: str) -> None:
    context = chromium.new_context(locale="zh-CN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto(link)
        page.get_by_text(unit_name).first.wait_for()
    finally:
        context.close()


def test_slip_links_opened_in_a_browser_leave_no_code_in_the_access_log(chromium, server, printed_links, org):
    _, log = server
    assert len(printed_links["ballot"]) == SLIPS
    assert len(printed_links["problems"]) == SLIPS
    assert all("#code=" in link and "?" not in link for links in printed_links.values() for link in links)

    for link in printed_links["ballot"]:
        _vote(chromium, link)
    _read_problems(chromium, printed_links["problems"][0], org["HRM"].name)

    assert BallotInbox.objects.count() == SLIPS  # every ballot was accepted
    assert BallotCode.objects.filter(used=True).count() == SLIPS
    text = log.read_text().lower()
    # each code opened its ballot, and each ballot's empty cells were confirmed
    assert text.count('"post /ballot/ http/1.1" 200') == 2 * SLIPS
    assert text.count('"post /ballot/ http/1.1" 302') == SLIPS  # and each ballot was submitted
    assert '"post /problems/unit/' in text
    for code in BallotCode.objects.values_list("code", flat=True):
        for spelling in (code, format_code(code), code[:5], code[5:]):
            assert spelling.lower() not in text, spelling
