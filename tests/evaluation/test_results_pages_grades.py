"""The ranking page, the department page and the annual page show grades and last places (rules 9 and 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import Quarter, QuarterStatus
from evaluation.selectors.results import annual_results
from evaluation.services.lifecycle import quarter_transition
from tests.evaluation.test_grades_through_the_workbook import CODES, QUOTAS, _import, _sheets, twelve  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(twelve, tmp_path) -> Quarter:  # noqa: F811
    _import(tmp_path, _sheets("2026Q3", QUOTAS))
    return Quarter.objects.get(code="2026Q3")


def _row(page: str, name: str) -> str:
    start = page.index(f">{name}<")
    return page[start : page.index("</tr>", start)]


def test_the_ranking_page_has_a_grade_column_and_flags_the_last_place(graded, client_for, evaluator, english) -> None:
    page = client_for(evaluator).get(reverse("evaluation:ranking", args=[graded.code])).content.decode()
    assert '<th scope="col" class="text-center">Grade</th>' in page
    assert '<td class="text-center grade">好</td>' in _row(page, "部门D01")
    assert '<td class="text-center grade">一般</td>' in _row(page, "部门D12")
    assert "Last place" in _row(page, "部门D12") and "Last place" not in _row(page, "部门D11")


def test_the_ranking_page_has_no_grade_column_without_grades(twelve, tmp_path, client_for, evaluator, english) -> None:  # noqa: F811
    _import(tmp_path, _sheets("2026Q3", None))
    page = client_for(evaluator).get(reverse("evaluation:ranking", args=["2026Q3"])).content.decode()
    assert "Grade</th>" not in page and "Last place" in _row(page, "部门D12")


def test_the_department_page_shows_its_grade_and_streak(graded, client_for, evaluator, english, tmp_path) -> None:
    quarter_transition(quarter=graded, to=QuarterStatus.PUBLISHED)
    _import(tmp_path, _sheets("2026Q4", QUOTAS))
    client = client_for(evaluator)
    last = client.get(reverse("evaluation:department", args=["2026Q4", "D12"])).content.decode()
    assert 'Grade: <span class="fw-semibold grade">一般</span>' in last
    assert "Last place, 2 quarters running" in last
    best = client.get(reverse("evaluation:department", args=["2026Q4", "D01"])).content.decode()
    assert 'grade">好</span>' in best and "Last place" not in best


def test_the_annual_page_grades_annual_scores_with_the_latest_published_quarters_grades(
    graded, client_for, evaluator, english
) -> None:
    quarter_transition(quarter=graded, to=QuarterStatus.PUBLISHED)
    annual = {row.code: row.grade for row in annual_results(2026).departments}
    assert [annual[code] for code in CODES] == ["好"] * 3 + ["较好"] * 5 + ["一般"] * 4
    page = client_for(evaluator).get(reverse("evaluation:annual", args=[2026])).content.decode()
    assert '<td class="text-center grade">较好</td>' in _row(page, "部门D04")
