"""Who may use the workbook and data-entry pages: the evaluation group (manage_quarters) only."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.fixture
def urls(quarter) -> list[str]:
    return [
        reverse("evaluation:export_quarter", args=[quarter.code]),
        reverse("evaluation:export_annual", args=[2026]),
        reverse("evaluation:quarter_template"),
        reverse("evaluation:import_quarter"),
        reverse("evaluation:entry"),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client_for, urls):
    for url in urls:
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["viewer", "rep", "leader", "grassroots_rater"])
def test_accounts_without_manage_quarters_are_refused(client_for, urls, request, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("evaluation:import_quarter")).status_code == 403
    assert client.post(reverse("evaluation:entry")).status_code == 403


@pytest.mark.parametrize("persona", ["evaluator", "admin_user"])
def test_the_evaluation_group_may_use_them(client_for, urls, request, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_download_is_an_xlsx_attachment(client_for, evaluator, quarter):
    response = client_for(evaluator).get(reverse("evaluation:export_quarter", args=[quarter.code]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="results-2026Q3.xlsx"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_an_unknown_quarter_is_not_found(client_for, evaluator, db):
    assert client_for(evaluator).get(reverse("evaluation:export_quarter", args=["2031Q1"])).status_code == 404
