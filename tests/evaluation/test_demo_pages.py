"""The demo data through the real pages: the published ranking with its charts, a department's detail."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from departments.models import User


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _chart_data(page: str) -> list:
    blocks = re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', page, flags=re.S)
    return [json.loads(block) for block in blocks]


@pytest.mark.django_db
def test_the_demo_pages_render_with_their_charts_and_their_limits() -> None:
    # One seeding for all the checks: the demo is large and they only read it.
    call_command("seed_demo", "--if-empty", stdout=StringIO())

    ranking = _client("viewer").get(reverse("evaluation:ranking", args=["2026Q2"]))
    page = ranking.content.decode()
    assert ranking.status_code == 200
    assert "运营改善部" in page
    assert "data-plotly-src=" in page
    assert _chart_data(page), "the page carries the chart data"

    rep = _client("rep_ops")
    own = rep.get(reverse("evaluation:department", args=["2026Q2", "OPS"]))
    assert own.status_code == 200
    assert "trend-chart" in own.content.decode()
    assert rep.get(reverse("evaluation:department", args=["2026Q2", "EQP"])).status_code == 403
