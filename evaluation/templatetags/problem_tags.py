"""Template tags of the problems area that other pages use: a department's problems on its results page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from departments.models import Unit
from evaluation.models import Quarter
from evaluation.selectors.problems import department_problems, may_read_department_problems

register = template.Library()


@register.inclusion_tag("evaluation/problems/_department_list.html", takes_context=True)
def department_problem_list(context: dict[str, Any], quarter: Quarter, department: Unit) -> dict[str, Any]:
    """The department's problems of the quarter, with status and links, for a reader who may open them."""
    reader = context["request"].user
    if not may_read_department_problems(reader, department):
        return {"shown": False}
    problems = [
        problem for problem in department_problems(department, reader=reader) if problem.quarter_id == quarter.pk
    ]
    return {"shown": True, "problems": problems, "today": timezone.localdate()}
