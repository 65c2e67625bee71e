"""In a browser: an evaluator turns a comment into a problem, the rep answers it, the evaluator closes it,
and the board's figures follow each step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import Problem
from tests.conftest import DEMO_PASSWORD
from tests.evaluation.test_problem_support import make_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert reverse("login") not in page.url


def _figures(page, department_code: str) -> dict[str, str]:
    page.goto(reverse("evaluation:problems"))
    row = page.locator(f"#problem-figures tbody tr[data-department={department_code}]")
    return {
        name: row.locator(f"[data-figure={name}]").inner_text().split(" ")[0].strip()
        for name in ("raised", "answered", "open", "overdue", "closed", "median")
    }


def test_a_comment_becomes_a_problem_that_is_answered_and_closed(desktop_page, evaluator, rep, org, quarter):
    page = desktop_page
    comment = make_comment(
        quarter=quarter, department=org["OPS"], text="备件审批流程太慢，希望简化", rater_unit=org["HRM"]
    )

    _log_in(page, evaluator.username)
    assert _figures(page, "OPS")["raised"] == "0"
    page.goto(reverse("evaluation:comments"))
    page.locator(f"a[href='{reverse('evaluation:problem_from_comment', args=[comment.pk])}']").click()
    assert page.locator("input[name=title]").input_value() == "备件审批流程太慢，希望简化"
    page.locator("main form.card button[type=submit]").click()
    page.wait_for_selector("#problem-timeline")
    problem = Problem.objects.get()
    assert page.url.endswith(reverse("evaluation:problem_detail", args=[problem.pk]))
    figures = _figures(page, "OPS")
    assert (figures["raised"], figures["answered"], figures["open"], figures["closed"]) == ("1", "0", "1", "0")
    assert figures["median"] == "–"

    _log_in(page, rep.username)
    page.goto(reverse("evaluation:my_problems"))
    card = page.locator(f"#problem-{problem.pk}")
    card.locator("textarea[name=answer]").fill("已将备件审批由三级压缩为两级。")
    card.locator("button[type=submit]").click()
    page.wait_for_selector(f"#problem-{problem.pk}")
    assert (
        "已将备件审批由三级压缩为两级。" in page.locator(f"#problem-{problem.pk} textarea[name=answer]").input_value()
    )

    _log_in(page, evaluator.username)
    figures = _figures(page, "OPS")
    assert (figures["raised"], figures["answered"], figures["open"], figures["closed"]) == ("1", "1", "0", "0")
    assert figures["median"] != "–"
    page.goto(reverse("evaluation:problem_detail", args=[problem.pk]))
    assert "已将备件审批由三级压缩为两级。" in page.locator("#problem-answer").inner_text()
    page.locator("#close-form textarea[name=remark]").fill("已回访热连轧厂，确认落实。")
    page.locator("#close-form button[type=submit]").click()
    page.wait_for_selector("#reopen-form")
    figures = _figures(page, "OPS")
    assert (figures["raised"], figures["answered"], figures["open"], figures["closed"]) == ("1", "1", "0", "1")
    assert page.locator("#problem-list tbody tr").count() == 0  # the board opens on open problems only
    page.goto(reverse("evaluation:problems") + "?status=")
    assert len(page.locator("#problem-list tbody tr").all()) == 1
