"""A ballot with empty cells, or with no value at all, is stored only once the rater confirms it (server-side)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import Unit
from evaluation.models import Ballot, BallotCode, BallotComment, BallotValue
from evaluation.services.inbox import inbox_flush

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def code(quarter, org) -> BallotCode:
    return BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="EMPTY23456")


def cells(quarter) -> int:
    return Unit.objects.evaluated().count() * quarter.criteria.count()


def one_cell(quarter, org, code: BallotCode, **extra: str) -> dict[str, str]:
    criterion = quarter.criteria.order_by("order", "code").first()
    return {"quarter": quarter.code, "code": code.code, f"v-{org['OPS'].pk}-{criterion.pk}": "80", **extra}


def post(client, data):
    return client.post(reverse("evaluation:ballot_code"), data)


def test_a_ballot_with_empty_cells_says_how_many_and_stores_nothing_yet(quarter, org, code, client):
    total = cells(quarter)
    response = post(client, one_cell(quarter, org, code))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{total - 1} of {total} cells are empty. Submit anyway?" in page
    assert f'name="confirm_empty" value="{total - 1}"' in page
    assert 'value="80" autocomplete="off" checked' in page  # the answers are kept
    assert not Ballot.objects.exists()
    code.refresh_from_db()
    assert not code.used


def test_the_confirmed_ballot_is_stored(quarter, org, code, client):
    total = cells(quarter)
    response = post(client, one_cell(quarter, org, code, confirm_empty=str(total - 1)))
    assert response.status_code == 302
    inbox_flush(quarter=quarter)
    assert list(BallotValue.objects.values_list("value_centi", flat=True)) == [8000]
    code.refresh_from_db()
    assert code.used


@pytest.mark.parametrize("confirmed", ["0", "3", "", "-1", "x", "9" * 40])
def test_a_confirmation_of_fewer_empty_cells_asks_again(quarter, org, code, client, confirmed):
    response = post(client, one_cell(quarter, org, code, confirm_empty=confirmed))
    assert response.status_code == 200
    assert "cells are empty" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_bad_value_is_refused_before_any_question(quarter, org, code, client):
    criterion = quarter.criteria.order_by("order", "code").first()
    data = {"quarter": quarter.code, "code": code.code, f"v-{org['OPS'].pk}-{criterion.pk}": "很好"}
    response = post(client, data)
    assert response.status_code == 400
    assert "is not one of the levels" in response.content.decode()
    assert "Submit anyway" not in response.content.decode()


def test_a_comment_only_ballot_is_stored_after_confirmation_and_counts_for_no_score(quarter, org, code, client):
    total = cells(quarter)
    data = {"quarter": quarter.code, "code": code.code, f"c-{org['EQP'].pk}": "办事流程太长"}
    asked = post(client, data)
    assert asked.status_code == 200
    assert f"{total} of {total} cells are empty." in asked.content.decode()
    assert "counts for no score" in asked.content.decode()
    assert post(client, {**data, "confirm_empty": str(total)}).status_code == 302
    inbox_flush(quarter=quarter)
    ballot = Ballot.objects.get()
    assert not ballot.values.exists()
    assert BallotComment.objects.get().text == "办事流程太长"


def test_a_ballot_of_not_familiar_only_with_a_comment_is_confirmed_too(quarter, org, code, client):
    from tests.evaluation.ballot_helpers import ballot_post

    data = ballot_post(quarter, code=code.code, value="na", **{f"c-{org['EQP'].pk}": "意见"})
    asked = post(client, data)
    assert asked.status_code == 200
    assert "counts for no score" in asked.content.decode()
    assert "cells are empty" not in asked.content.decode()
    assert post(client, {**data, "confirm_empty": "0"}).status_code == 302
    inbox_flush(quarter=quarter)
    assert Ballot.objects.count() == 1


def test_an_empty_ballot_without_a_comment_stays_refused_even_confirmed(quarter, code, client):
    total = cells(quarter)
    response = post(client, {"quarter": quarter.code, "code": code.code, "confirm_empty": str(total)})
    assert response.status_code == 400
    assert "The ballot is empty: rate at least one department or write a comment." in response.content.decode()
    assert not Ballot.objects.exists()


def test_an_account_ballot_asks_too(quarter, org, leader, client_for):
    criterion = quarter.criteria.order_by("order", "code").first()
    data = {"quarter": quarter.code, f"v-{org['OPS'].pk}-{criterion.pk}": "80"}
    client = client_for(leader)
    url = reverse("evaluation:ballot_leadership")
    assert "Submit anyway" in client.post(url, data).content.decode()
    assert not Ballot.objects.exists()
    assert client.post(url, {**data, "confirm_empty": str(cells(quarter) - 1)}).status_code == 302
    assert Ballot.objects.get().rater == leader
