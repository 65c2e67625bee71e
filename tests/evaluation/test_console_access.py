"""Every console view: anonymous visitors go to the login page, accounts without manage_quarters get 403."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.codes import codes_issue


@pytest.fixture
def views(quarter, org, rep, evaluator) -> list[tuple[str, str]]:
    codes_issue(quarter=quarter, unit=org["HRM"], count=2, actor=evaluator)
    criterion = quarter.criteria.first()
    ballot = ballot_submit(
        quarter=quarter, source=Source.PEER, values={(org["EQP"].pk, criterion.pk): Decimal(80)}, rater=rep
    )
    q = quarter.code
    return [
        ("get", reverse("evaluation:quarter_list")),
        ("get", reverse("evaluation:quarter_create")),
        ("post", reverse("evaluation:quarter_create")),
        ("get", reverse("evaluation:console", args=[q])),
        ("post", reverse("evaluation:console", args=[q])),
        ("post", reverse("evaluation:transition", args=[q])),
        ("post", reverse("evaluation:codes_issue", args=[q])),
        ("get", reverse("evaluation:codes_print", args=[q, "HRM"])),
        ("get", reverse("evaluation:codes_xlsx", args=[q, "HRM"])),
        ("get", reverse("evaluation:participation_json", args=[q])),
        ("post", reverse("evaluation:remind", args=[q])),
        ("get", reverse("evaluation:ballots", args=[q])),
        ("get", reverse("evaluation:void", args=[q, ballot.pk])),
        ("post", reverse("evaluation:void", args=[q, ballot.pk])),
        ("get", reverse("evaluation:audit", args=[q])),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(views, client_for) -> None:
    client = client_for(None)
    for method, url in views:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["viewer", "rep", "leader", "grassroots_rater"])
def test_accounts_without_manage_quarters_get_403(views, client_for, request, persona) -> None:
    client = client_for(request.getfixturevalue(persona))
    for method, url in views:
        assert getattr(client, method)(url).status_code == 403, url


@pytest.mark.parametrize("persona", ["evaluator", "admin_user"])
def test_managers_may_open_every_page(views, client_for, request, persona) -> None:
    client = client_for(request.getfixturevalue(persona))
    for method, url in views:
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_unknown_quarters_units_and_ballots_are_404(quarter, client_for, evaluator) -> None:
    client = client_for(evaluator)
    assert client.get(reverse("evaluation:console", args=["2030Q1"])).status_code == 404
    assert client.get(reverse("evaluation:codes_print", args=[quarter.code, "OPS"])).status_code == 404
    assert client.get(reverse("evaluation:codes_print", args=[quarter.code, "NOPE"])).status_code == 404
    assert client.get(reverse("evaluation:void", args=[quarter.code, uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("bad", ["2026%00Q3", "2026Q3%00", "%00", "2026q3", "2026Q5"])
def test_a_quarter_code_that_cannot_exist_is_404_on_every_route(views, quarter, client_for, evaluator, bad) -> None:
    # PostgreSQL refuses NUL in text: a malformed code must be a 404, never a query (and a server error).
    client = client_for(evaluator)
    adjustments = [
        ("get", reverse("evaluation:adjustments", args=[quarter.code])),
        ("post", reverse("evaluation:adjustment_add", args=[quarter.code])),
        ("post", reverse("evaluation:adjustment_edit", args=[quarter.code, 1])),
        ("post", reverse("evaluation:adjustment_delete", args=[quarter.code, 1])),
    ]
    routes = [(method, url) for method, url in views + adjustments if f"/{quarter.code}/" in url]
    assert len(routes) == 16
    for method, url in routes:
        broken = url.replace(f"/{quarter.code}/", f"/{bad}/")
        assert getattr(client, method)(broken).status_code == 404, broken


@pytest.mark.parametrize("bad", ["HR%00M", "%00", "H.M"])
def test_a_unit_code_that_cannot_exist_is_404(quarter, client_for, evaluator, bad) -> None:
    client = client_for(evaluator)
    for name in ("evaluation:codes_print", "evaluation:codes_xlsx"):
        url = reverse(name, args=[quarter.code, "HRM"]).replace("/HRM/", f"/{bad}/")
        assert client.get(url).status_code == 404, url


def test_the_nav_shows_quarters_to_managers_only(quarter, client_for, evaluator, viewer) -> None:
    link = reverse("evaluation:quarter_list")
    assert link in client_for(evaluator).get(reverse("home")).content.decode()
    assert link not in client_for(viewer).get(reverse("home")).content.decode()
