"""The unit's own page: by a grassroots account or any of the unit's ballot codes, only that unit's problems."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from evaluation.models import BallotCode
from evaluation.services.problems import problem_answer
from evaluation.throttle import CODE_DEVICE_LIMIT
from tests.evaluation.test_problem_support import make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def problems(evaluator, rep, org, quarter):
    mine = make_problem(
        actor=evaluator, quarter=quarter, department=org["OPS"], title="热轧备件", raising_unit=org["HRM"]
    )
    problem_answer(actor=rep, problem=mine, answer="已协调供应商，月底到货。")
    make_problem(actor=evaluator, quarter=quarter, department=org["OPS"], title="南芬道路", raising_unit=org["NFM"])
    return mine


def test_a_used_code_shows_its_units_problems_and_answers(client_for, problems, org, quarter):
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDEFGHJK", used=True)
    response = client_for(None).post(reverse("evaluation:unit_problems"), {"code": "abcde-fghjk"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "热轧备件" in page
    assert "已协调供应商，月底到货。" in page
    assert "南芬道路" not in page
    # The answer is the department's; the person who wrote it is not shown.
    assert "Rep_Ops" not in page
    assert "rep_ops" not in page


def test_an_unused_code_works_too(client_for, problems, org, quarter):
    BallotCode.objects.create(quarter=quarter, unit=org["NFM"], code="MNPQRSTUVW")
    page = client_for(None).post(reverse("evaluation:unit_problems"), {"code": "MNPQRSTUVW"}).content.decode()
    assert "南芬道路" in page
    assert "热轧备件" not in page


def test_looking_up_a_code_does_not_use_it(client_for, problems, org, quarter):
    code = BallotCode.objects.create(quarter=quarter, unit=org["NFM"], code="MNPQRSTUVW")
    client_for(None).post(reverse("evaluation:unit_problems"), {"code": code.code})
    code.refresh_from_db()
    assert code.used is False


def test_without_a_code_it_asks_for_one(client_for, problems):
    response = client_for(None).get(reverse("evaluation:unit_problems"))
    assert response.status_code == 200
    assert "热轧备件" not in response.content.decode()
    assert 'name="code"' in response.content.decode()


def test_a_wrong_code_is_refused_with_a_message(client_for, problems):
    response = client_for(None).post(reverse("evaluation:unit_problems"), {"code": "ZZZZZZZZZZ"})
    assert response.status_code == 400
    assert "热轧备件" not in response.content.decode()
    assert "is-invalid" in response.content.decode()


def test_wrong_codes_are_rate_limited(client_for, problems, org, quarter, english):
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDEFGHJK")
    client = client_for(None)
    for _ in range(CODE_DEVICE_LIMIT):
        assert "not valid" in client.post(reverse("evaluation:unit_problems"), {"code": "ZZZZZZZZZZ"}).content.decode()
    response = client.post(reverse("evaluation:unit_problems"), {"code": "ZZZZZZZZZZ"})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    # A valid code is still served.
    assert "热轧备件" in client.post(reverse("evaluation:unit_problems"), {"code": "ABCDEFGHJK"}).content.decode()


def test_the_ballot_page_and_the_problems_page_share_one_budget(client_for, problems, org, quarter, english):
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDEFGHJK")
    client = client_for(None)
    for _ in range(CODE_DEVICE_LIMIT):
        client.post(reverse("evaluation:ballot_code"), {"code": "ZZZZZZZZZZ", "open": "1"})
    response = client.post(reverse("evaluation:unit_problems"), {"code": "ZZZZZZZZZZ"})
    assert "Too many wrong codes" in response.content.decode()


def test_a_grassroots_account_sees_its_units_problems(client_for, grassroots_rater, problems):
    page = client_for(grassroots_rater).get(reverse("evaluation:unit_problems")).content.decode()
    assert "热轧备件" in page
    assert "南芬道路" not in page


def test_a_raising_units_rater_reads_the_detail_without_names(client_for, grassroots_rater, evaluator, problems):
    page = client_for(grassroots_rater).get(reverse("evaluation:problem_detail", args=[problems.pk])).content.decode()
    assert "已协调供应商" in page
    assert str(evaluator) not in page
    assert "Rep_Ops" not in page
