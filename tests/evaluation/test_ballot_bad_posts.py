"""Bad ballot posts get a clear message and store nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import Unit, UnitKind
from evaluation.models import Ballot, BallotCode, BallotComment, BallotValue, GrassrootsParticipation, QuarterStatus
from evaluation.services.quarters import quarter_create
from tests.evaluation.ballot_helpers import ballot_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def code(quarter, org) -> BallotCode:
    return BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDE23456")


def assert_nothing_stored(code: BallotCode | None = None) -> None:
    assert not Ballot.objects.exists()
    assert not BallotValue.objects.exists()
    assert not BallotComment.objects.exists()
    assert not GrassrootsParticipation.objects.exists()
    if code is not None:
        code.refresh_from_db()
        assert not code.used


def first_cell(data: dict[str, str]) -> str:
    return next(key for key in data if key.startswith("v-"))


def post_code_ballot(client, data):
    return client.post(reverse("evaluation:ballot_code"), data)


@pytest.mark.parametrize("bad", ["101", "-5", "70", "abc", "NaN", "1e3", "80.5"])
def test_it_refuses_values_that_are_not_levels(quarter, code, client_for, bad):
    data = ballot_post(quarter, code=code.code)
    data[first_cell(data)] = bad
    response = post_code_ballot(client_for(None), data)
    assert response.status_code == 400
    assert "alert-danger" in response.content.decode()
    assert_nothing_stored(code)


def test_a_refused_ballot_keeps_the_answers(quarter, code, client_for):
    data = ballot_post(quarter, code=code.code)
    data[first_cell(data)] = "101"
    page = post_code_ballot(client_for(None), data).content.decode()
    assert page.count(" checked>") == len([k for k in data if k.startswith("v-")]) - 1


@pytest.mark.parametrize(
    ("bad", "message"), [("100.5", "from 0 to 100"), ("-1", "from 0 to 100"), ("72.5", "whole number")]
)
def test_it_refuses_bad_points_on_the_points_scale(org, leader, client_for, bad, message):
    quarter = quarter_create(code="2026Q4", scale="points")
    quarter.status = QuarterStatus.OPEN
    quarter.save()
    data = ballot_post(quarter, value="75")
    data[first_cell(data)] = bad
    response = client_for(leader).post(reverse("evaluation:ballot_leadership"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_stored()


def test_it_refuses_an_unknown_department(quarter, code, client_for):
    criterion = quarter.criteria.first()
    data = ballot_post(quarter, code=code.code, **{f"v-999999-{criterion.pk}": "80"})
    response = post_code_ballot(client_for(None), data)
    assert response.status_code == 400
    assert "The ballot rates a department that is not evaluated." in response.content.decode()
    assert_nothing_stored(code)


def test_it_refuses_a_grassroots_unit_as_target(quarter, org, code, client_for):
    criterion = quarter.criteria.first()
    data = ballot_post(quarter, code=code.code, **{f"v-{org['NFM'].pk}-{criterion.pk}": "80"})
    assert post_code_ballot(client_for(None), data).status_code == 400
    assert_nothing_stored(code)


def test_it_refuses_an_inactive_department(quarter, org, code, client_for):
    Unit.objects.filter(code="AUD").update(active=False)
    data = ballot_post(quarter, code=code.code)
    criterion = quarter.criteria.first()
    data[f"v-{org['AUD'].pk}-{criterion.pk}"] = "80"
    assert post_code_ballot(client_for(None), data).status_code == 400
    assert_nothing_stored(code)


def test_it_refuses_the_reps_own_department(quarter, org, rep, client_for):
    response = client_for(rep).post(reverse("evaluation:ballot_peer"), ballot_post(quarter))
    assert response.status_code == 400
    assert "cannot rate itself" in response.content.decode()
    assert_nothing_stored()


def test_it_refuses_a_comment_on_the_own_department(quarter, org, rep, client_for):
    data = ballot_post(quarter, exclude=("OPS",), **{f"c-{org['OPS'].pk}": "我们最好"})
    response = client_for(rep).post(reverse("evaluation:ballot_peer"), data)
    assert response.status_code == 400
    assert "cannot rate itself" in response.content.decode()
    assert_nothing_stored()


def test_it_refuses_an_unknown_criterion(quarter, org, leader, client_for):
    other = quarter_create(code="2026Q2")
    data = ballot_post(quarter, **{f"v-{org['OPS'].pk}-{other.criteria.first().pk}": "80"})
    response = client_for(leader).post(reverse("evaluation:ballot_leadership"), data)
    assert response.status_code == 400
    assert "A criterion of this ballot does not belong to 2026Q3." in response.content.decode()
    assert_nothing_stored()


@pytest.mark.parametrize("field", ["rater", "source", "v-1", "v-a-b", "c-x", "submitted_on"])
def test_it_refuses_unexpected_fields(quarter, code, client_for, field):
    data = ballot_post(quarter, code=code.code, **{field: "1"})
    response = post_code_ballot(client_for(None), data)
    assert response.status_code == 400
    assert "changed outside this page" in response.content.decode()
    assert_nothing_stored(code)


def test_it_refuses_a_repeated_field(quarter, code, client_for):
    data = ballot_post(quarter, code=code.code)
    key = first_cell(data)
    query = "&".join(f"{k}={v}" for k, v in data.items()) + f"&{key}=100"
    response = client_for(None).post(
        reverse("evaluation:ballot_code"), query, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert_nothing_stored(code)


def test_it_refuses_a_tampered_quarter_on_a_code_ballot(quarter, code, client_for):
    other = quarter_create(code="2026Q4")
    other.status = QuarterStatus.OPEN
    other.save()
    response = post_code_ballot(client_for(None), ballot_post(quarter, code=code.code) | {"quarter": "2026Q4"})
    assert response.status_code == 400
    assert "another quarter" in response.content.decode()
    assert_nothing_stored(code)


def test_it_refuses_a_tampered_quarter_that_is_not_open(quarter, leader, client_for):
    quarter_create(code="2026Q2")
    data = ballot_post(quarter) | {"quarter": "2026Q2"}
    response = client_for(leader).post(reverse("evaluation:ballot_leadership"), data)
    assert response.status_code == 400
    assert "not open" in response.content.decode()
    assert_nothing_stored()


def test_it_refuses_a_closed_quarter(quarter, code, client_for, leader):
    quarter.status = QuarterStatus.CLOSED
    quarter.save()
    response = post_code_ballot(client_for(None), ballot_post(quarter, code=code.code))
    assert "is not open" in response.content.decode()
    response = client_for(leader).post(reverse("evaluation:ballot_leadership"), ballot_post(quarter))
    assert response.status_code == 400
    assert "2026Q3 is not open" in response.content.decode()
    assert_nothing_stored(code)


def test_it_refuses_a_used_code(quarter, org, code, client_for):
    code.used = True
    code.save()
    response = post_code_ballot(client_for(None), ballot_post(quarter, code=code.code))
    assert response.status_code == 409
    assert "already been used" in response.content.decode()
    assert not Ballot.objects.exists()


def test_it_refuses_an_unknown_code_on_post(quarter, client_for):
    response = post_code_ballot(client_for(None), ballot_post(quarter, code="NOSUCHCODE"))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert_nothing_stored()


def test_it_refuses_an_empty_ballot(quarter, code, client_for):
    response = post_code_ballot(client_for(None), {"quarter": quarter.code, "code": code.code})
    assert response.status_code == 400
    assert "empty" in response.content.decode()
    assert_nothing_stored(code)


def test_it_refuses_a_ballot_of_abstentions_only(quarter, code, client_for):
    response = post_code_ballot(client_for(None), ballot_post(quarter, code=code.code, value="na"))
    assert response.status_code == 400
    assert_nothing_stored(code)


def test_it_refuses_a_long_comment(quarter, org, code, client_for):
    data = ballot_post(quarter, code=code.code, **{f"c-{org['EQP'].pk}": "长" * 1001})
    response = post_code_ballot(client_for(None), data)
    assert response.status_code == 400
    assert "longer than 1000" in response.content.decode()
    assert_nothing_stored(code)


def test_a_new_department_created_after_the_page_was_shown_is_shown_before_storing(quarter, org, code, client_for):
    Unit.objects.create(code="NEW", name="新部门", kind=UnitKind.FUNCTIONAL)
    data = ballot_post(quarter, code=code.code, exclude=("NEW",))
    asked = post_code_ballot(client_for(None), data)
    assert asked.status_code == 200
    assert "新部门" in asked.content.decode()
    assert post_code_ballot(client_for(None), {**data, "confirm_empty": "3"}).status_code == 302


@pytest.mark.parametrize("comment", ["好\x00", "\x00", "服务\x00到位"])
def test_it_refuses_a_comment_with_a_null_character(quarter, org, code, client_for, comment):
    # PostgreSQL cannot store NUL in text; a clear message instead of a server error.
    data = ballot_post(quarter, code=code.code, **{f"c-{org['OPS'].pk}": comment})
    response = post_code_ballot(client_for(None), data)
    assert response.status_code == 400
    assert "The comment for 运营改善部 contains a null character, which is not allowed." in response.content.decode()
    assert_nothing_stored(code)


def test_it_refuses_a_null_character_on_an_account_ballot_too(quarter, org, leader, client_for):
    data = ballot_post(quarter, **{f"c-{org['EQP'].pk}": "x\x00y"})
    response = client_for(leader).post(reverse("evaluation:ballot_leadership"), data)
    assert response.status_code == 400
    assert "null character" in response.content.decode()
    assert_nothing_stored()
