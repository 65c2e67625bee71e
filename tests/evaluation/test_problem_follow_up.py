"""回访: the unit that raised a problem says whether the answer satisfied it; unsatisfied reopens the problem, and
the board shows each department's satisfaction rate (docs/design.md "Problems raised and answered")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from evaluation.models import BallotCode, Problem, ProblemStatus
from evaluation.selectors.problems import department_problem_figures
from evaluation.services.problems import ProblemRefused, problem_answer, problem_follow_up
from tests.evaluation.test_problem_support import make_problem

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def answered(evaluator, rep, org, quarter) -> Problem:
    problem = make_problem(
        actor=evaluator, quarter=quarter, department=org["OPS"], title="热轧备件", raising_unit=org["HRM"]
    )
    return problem_answer(actor=rep, problem=problem, answer="已协调供应商，月底到货。")


def test_an_unsatisfied_unit_reopens_the_problem_by_its_slip_code(client_for, answered, org, quarter) -> None:
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDEFGHJK", used=True)
    response = client_for(None).post(
        reverse("evaluation:problem_follow_up", args=[answered.pk]),
        {"code": "abcde-fghjk", "satisfied": "no", "remark": "仍未到货"},
    )
    assert response.status_code == 302
    answered.refresh_from_db()
    assert (answered.status, answered.satisfied, answered.follow_up_remark) == (ProblemStatus.OPEN, False, "仍未到货")
    entry = AuditEntry.objects.get(action=AuditAction.PROBLEM_FOLLOWED_UP)
    assert (entry.actor, entry.reason) == (None, "仍未到货")
    assert "not satisfied" in entry.summaries["en"]


def test_a_satisfied_unit_by_its_account_leaves_the_problem_answered(client_for, answered, grassroots_rater) -> None:
    client_for(grassroots_rater).post(reverse("evaluation:problem_follow_up", args=[answered.pk]), {"satisfied": "yes"})
    answered.refresh_from_db()
    assert (answered.status, answered.satisfied) == (ProblemStatus.ANSWERED, True)
    assert AuditEntry.objects.get(action=AuditAction.PROBLEM_FOLLOWED_UP).actor == grassroots_rater


def test_another_units_code_changes_nothing(client_for, answered, org, quarter) -> None:
    BallotCode.objects.create(quarter=quarter, unit=org["NFM"], code="MNPQRSTUVW")
    client_for(None).post(
        reverse("evaluation:problem_follow_up", args=[answered.pk]), {"code": "MNPQRSTUVW", "satisfied": "no"}
    )
    answered.refresh_from_db()
    assert (answered.status, answered.satisfied) == (ProblemStatus.ANSWERED, None)
    assert not AuditEntry.objects.filter(action=AuditAction.PROBLEM_FOLLOWED_UP).exists()


@pytest.mark.parametrize("data", [{"code": "ZZZZZZZZZZ", "satisfied": "no"}, {"satisfied": "maybe"}, {}])
def test_a_wrong_code_or_no_answer_changes_nothing(client_for, answered, data) -> None:
    response = client_for(None).post(reverse("evaluation:problem_follow_up", args=[answered.pk]), data)
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.satisfied is None


def test_a_problem_without_an_answer_cannot_be_followed_up(evaluator, org, quarter) -> None:
    problem = make_problem(
        actor=evaluator, quarter=quarter, department=org["OPS"], title="道路", raising_unit=org["HRM"]
    )
    with pytest.raises(ProblemRefused, match="no answer to follow up"):
        problem_follow_up(problem=problem, unit=org["HRM"], satisfied=True)


def test_the_unit_page_offers_the_follow_up_with_the_code(client_for, answered, org, quarter) -> None:
    BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDEFGHJK", used=True)
    page = client_for(None).post(reverse("evaluation:unit_problems"), {"code": "ABCDEFGHJK"}).content.decode()
    assert reverse("evaluation:problem_follow_up", args=[answered.pk]) in page
    assert 'value="ABCDEFGHJK"' in page


def test_the_board_shows_the_satisfaction_rate_per_department(evaluator, rep, org, quarter, client_for) -> None:
    for number, satisfied in enumerate([True, True, False]):
        problem = make_problem(
            actor=evaluator, quarter=quarter, department=org["OPS"], title=f"问题{number}", raising_unit=org["HRM"]
        )
        problem_answer(actor=rep, problem=problem, answer="已处理")
        problem_follow_up(problem=problem, unit=org["HRM"], satisfied=satisfied)
    figures = department_problem_figures(quarter=quarter)
    assert (figures[org["OPS"].pk]["followed_up"], figures[org["OPS"].pk]["satisfied"]) == (3, 2)
    assert figures[org["OPS"].pk]["satisfaction_percent"] == Decimal("66.7")
    assert figures[org["EQP"].pk]["satisfaction_percent"] is None
    page = client_for(evaluator).get(reverse("evaluation:problems")).content.decode()
    assert "66.7% <span" in page
