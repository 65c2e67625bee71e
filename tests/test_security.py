"""CSRF on every form, no inline script (CSP), comments escaped wherever they are shown."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from evaluation.models import QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.problems import problem_create
from evaluation.services.quarters import quarter_create
from tests.test_permissions import TABLE, world  # noqa: F401  (the fixture is used by name)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_post_form_carries_a_csrf_token(path: Path) -> None:
    text = path.read_text()
    for form in re.findall(r"<form\b[^>]*>.*?</form>", text, flags=re.S | re.I):
        if re.search(r'method="post"', form, flags=re.I):
            assert "{% csrf_token %}" in form, form[:200]


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_an_inline_script_or_handler(path: Path) -> None:
    text = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
        assert "src=" in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", text, flags=re.I), "inline event handlers break the CSP"


@pytest.mark.parametrize(
    "row", [row for row in TABLE if row.method == "post" and row.expect["admin"] == "ok"], ids=lambda r: r.name
)
def test_every_post_needs_the_csrf_token(row, request, rep, evaluator) -> None:
    scenario = request.getfixturevalue("world")
    user = rep if row.expect["evaluator"] != "ok" and row.expect["rep"] == "ok" else evaluator
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    values = [scenario["args"][key] for key in row.args]
    url = reverse(row.name, args=[value() if callable(value) else value for value in values])
    assert client.post(url).status_code == 403


def test_pages_send_a_content_security_policy(client) -> None:
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.fixture
def marked_up_comment(org, rep, grassroots_rater, evaluator, leader):
    created = quarter_create(code="2026Q3", anonymity_k=1)
    quarter_transition(quarter=created, to=QuarterStatus.OPEN)
    criterion = created.criteria.first()
    ballot_submit(
        quarter=created,
        source=Source.PEER,
        values={(org["EQP"].pk, criterion.pk): Decimal(80)},
        comments={org["EQP"].pk: MARKUP},
        rater=rep,
    )
    problem_create(
        actor=evaluator,
        quarter=created,
        department=org["EQP"],
        title=MARKUP,
        description=MARKUP,
        raising_unit=org["HRM"],
    )
    quarter_transition(quarter=created, to=QuarterStatus.CLOSED)
    quarter_transition(quarter=created, to=QuarterStatus.PUBLISHED)
    return created


@pytest.mark.parametrize(
    ("name", "kwargs", "who"),
    [
        ("evaluation:department", {"code": "2026Q3", "department_code": "EQP"}, "evaluator"),
        ("evaluation:department", {"code": "2026Q3", "department_code": "EQP"}, "viewer"),
        ("evaluation:comments", {}, "evaluator"),
        ("evaluation:problems", {}, "evaluator"),
        ("evaluation:unit_problems", {}, "grassroots_rater"),
    ],
)
def test_markup_in_comments_and_problems_is_shown_escaped(
    name, kwargs, who, marked_up_comment, client_for, request
) -> None:
    page = client_for(request.getfixturevalue(who)).get(reverse(name, kwargs=kwargs)).content.decode()
    assert MARKUP not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
