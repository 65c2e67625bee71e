"""Charts work offline: Plotly's bundle and charts.js are served locally, data travels in json_script, no inline JS."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.evaluation.results_pages_data import example_published


@pytest.fixture
def published(org, leader):
    return example_published(org, leader)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_static_finders_hold_plotly_and_the_chart_script():
    assert finders.find("plotly/plotly.min.js")
    assert finders.find("js/charts.js")


@pytest.mark.django_db
def test_the_test_client_downloads_plotly_and_the_chart_script(client):
    plotly = client.get("/static/plotly/plotly.min.js")
    charts = client.get("/static/js/charts.js")

    assert plotly.status_code == 200
    assert b"newPlot" in _body(plotly)
    assert charts.status_code == 200
    assert b"Plotly.newPlot" in _body(charts)


def test_the_chart_script_reads_json_script_data_and_loads_nothing_remote():
    with open(finders.find("js/charts.js"), encoding="utf-8") as script:
        text = script.read()

    assert "JSON.parse" in text and "data-chart" in text
    assert "http://" not in text and "https://" not in text


@pytest.mark.parametrize("page", ["ranking", "department"])
def test_pages_have_no_inline_script(published, client_for, viewer, page):
    args = ["2026Q2"] if page == "ranking" else ["2026Q2", "OPS"]
    html = client_for(viewer).get(reverse(f"evaluation:{page}", args=args)).text

    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert "cdn" not in html.lower()


def test_chart_titles_are_translated_on_the_server(published, client_for, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("evaluation:department", args=["2026Q2", "OPS"])).text

    data = json.loads(re.search(r'<script id="trend-chart" type="application/json">(.*?)</script>', html, re.S)[1])
    assert data["kind"] == "trend"
    assert (data["score_title"], data["rank_title"], data["x_title"]) == ("Final score", "Rank", "Quarter")
    assert data["quarters"] == ["2026Q2"] and data["scores"] == [85.55] and data["ranks"] == [1]


def test_the_ranking_chart_data_is_valid_json(published, client_for, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("evaluation:ranking", args=["2026Q2"])).text

    raw = re.search(r'<script id="ranking-chart-2" type="application/json">(.*?)</script>', html, re.S)[1]
    data = json.loads(raw)
    assert data == {
        "kind": "bar",
        "title": "Affiliated unit",
        "labels": ["退管中心"],
        "values": [77.07],
        "x_title": "Final score",
    }


def test_the_content_security_policy_allows_only_local_scripts(published, client_for, viewer):
    response = client_for(viewer).get(reverse("evaluation:ranking", args=["2026Q2"]))

    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)[1]
    assert "'self'" in script_src and "unsafe-inline" not in script_src and "http" not in script_src
