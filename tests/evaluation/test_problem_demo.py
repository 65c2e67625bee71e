"""The demo problems: made from the demo quarters' comments, in several states, once."""

from __future__ import annotations

import io

import pytest

from audit.models import AuditEntry
from evaluation.demo_problems import ANSWERS, seed_problems_demo
from evaluation.models import Problem, ProblemStatus, QuarterStatus, Source
from evaluation.selectors.problems import department_problem_figures
from evaluation.services.quarters import quarter_create
from tests.evaluation.test_problem_support import make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_comments(org, quarter, rep, other_rep):
    earlier = quarter_create(code="2026Q2", status=QuarterStatus.PUBLISHED)
    texts = list(ANSWERS)
    for target in (earlier, quarter):
        for index, text in enumerate(texts):
            department = org["OPS"] if index % 2 else org["EQP"]
            unit = org["HRM"] if index % 3 else org["NFM"]
            make_comment(quarter=target, department=department, text=text, source=Source.GRASSROOTS, rater_unit=unit)
    return earlier


def test_it_makes_problems_in_several_states(evaluator, demo_comments, org, quarter):
    out = io.StringIO()
    seed_problems_demo(stdout=out)
    problems = Problem.objects.all()
    statuses = set(problems.values_list("status", flat=True))
    assert statuses == {ProblemStatus.OPEN, ProblemStatus.ANSWERED, ProblemStatus.CLOSED}
    assert problems.filter(quarter=demo_comments).count() == 6
    assert problems.filter(comment__isnull=True).exists()  # problems reported in a meeting
    figures = department_problem_figures(quarter=quarter)
    assert sum(row["overdue"] for row in figures.values()) >= 1
    assert any(row["median_days_to_answer"] is not None for row in figures.values())
    reopened = AuditEntry.objects.filter(action="problem_reopened").count()
    assert reopened >= 1
    for problem in problems:
        assert problem.title
        if problem.first_answered_at:
            assert problem.first_answered_at >= problem.created_at


def test_it_adds_nothing_the_second_time(evaluator, demo_comments):
    seed_problems_demo(stdout=io.StringIO())
    count = Problem.objects.count()
    seed_problems_demo(stdout=io.StringIO())
    assert Problem.objects.count() == count
