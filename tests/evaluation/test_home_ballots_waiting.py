"""The evaluation group's home counts the online grassroots ballots still waiting in the inbox, per open quarter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.roles import Role
from departments.services import user_create
from evaluation.models import BallotInbox, Quarter, QuarterStatus, Source
from evaluation.selectors.dashboard import open_quarters
from evaluation.services.ballots import ballot_submit
from evaluation.services.inbox import inbox_flush
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create


def _grassroots_ballots(quarter: Quarter, org, count: int, prefix: str) -> None:
    criterion = quarter.criteria.first()
    for index in range(count):
        rater = user_create(username=f"{prefix}{index}", full_name="", roles=[Role.GRASSROOTS_RATER], unit=org["HRM"])
        values = {(org["OPS"].pk, criterion.pk): Decimal(80)}
        ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=values, rater=rater)


@pytest.fixture
def two_open(quarter, org) -> tuple[Quarter, Quarter]:
    other = quarter_create(code="2026Q4")
    Quarter.objects.filter(pk=other.pk).update(status=QuarterStatus.OPEN)
    other.refresh_from_db()
    _grassroots_ballots(quarter, org, 3, "w3_")
    _grassroots_ballots(other, org, 1, "w4_")
    return quarter, other


def _section(client, language: str) -> str:
    client.cookies["django_language"] = language
    page = client.get(reverse("home")).content.decode()
    return page.split('id="open-quarters"')[1].split("</section>")[0]


def test_each_open_quarter_counts_its_waiting_ballots(two_open) -> None:
    assert BallotInbox.objects.count() == 4
    assert [(item.quarter.code, item.waiting) for item in open_quarters()] == [("2026Q3", 3), ("2026Q4", 1)]


@pytest.mark.parametrize(
    ("language", "three", "one"),
    [
        ("en", "3 online grassroots ballots waiting in the inbox", "1 online grassroots ballot waiting in the inbox"),
        ("zh-hans", "收件箱中有 3 张网上基层评分表待存入", "收件箱中有 1 张网上基层评分表待存入"),
    ],
)
def test_the_home_shows_the_waiting_ballots_per_quarter(two_open, evaluator, client_for, language, three, one):
    section = _section(client_for(evaluator), language)

    q3, q4 = section.split("2026Q3", 1)[1].split("2026Q4", 1)
    assert three in q3 and one in q4


@pytest.mark.parametrize(("language", "none"), [("en", "No grassroots ballot is waiting"), ("zh-hans", "收件箱中没有")])
def test_the_home_says_when_nothing_waits(two_open, evaluator, client_for, language, none) -> None:
    inbox_flush()

    assert [item.waiting for item in open_quarters()] == [0, 0]
    assert _section(client_for(evaluator), language).count(none) == 2


def test_closing_a_quarter_stores_its_waiting_ballots_and_the_home_drops_it(two_open, admin_user) -> None:
    first, _other = two_open
    quarter_transition(quarter=first, to=QuarterStatus.CLOSED, actor=admin_user)

    assert [(item.quarter.code, item.waiting) for item in open_quarters()] == [("2026Q4", 1)]
    assert first.ballots.filter(source=Source.GRASSROOTS).count() == 3
