"""Both programmes run the same quarter code side by side: codes, ballots, publish, rankings, annual, export."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.urls import reverse

from departments.models import Programme, RaterScope, Unit, UnitKind
from evaluation.criteria_templates import PARTY_BRANCH
from evaluation.models import Ballot, Quarter, QuarterStatus, Source
from evaluation.services.codes import codes_issue
from evaluation.services.inbox import inbox_flush
from evaluation.services.lifecycle import quarter_transition
from evaluation.services.quarters import quarter_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORK_STYLE_NAMES = ("运营改善部", "设备部", "审计部", "退管中心")
BRANCH_NAMES = ("炼钢作业区党支部", "连铸作业区党支部", "机关党支部")


@pytest.fixture
def programmes(org, evaluator) -> dict[str, Quarter]:
    """A work-style 2026Q3 and a party-branch dj.2026Q3, both open, each with one grassroots code."""
    party = Programme.objects.create(
        code="dj",
        name='党支部"1234"考核',
        evaluated_kinds=UnitKind.PARTY_BRANCH,
        scope=RaterScope.SAME_PARENT,
        template=PARTY_BRANCH.key,
        label_grassroots="群众评议",
    )
    plant = Unit.objects.create(code="EGC", name="二钢厂", kind=UnitKind.GRASSROOTS, order=30)
    for order, name in enumerate(BRANCH_NAMES, start=40):
        Unit.objects.create(code=f"B{order}", name=name, kind=UnitKind.PARTY_BRANCH, parent=plant, order=order)
    work_style = quarter_create(code="2026Q3", actor=evaluator)
    branches = quarter_create(code="2026Q3", programme=party, template=PARTY_BRANCH.key, actor=evaluator)
    for quarter in (work_style, branches):
        quarter_transition(quarter=quarter, to=QuarterStatus.OPEN, actor=evaluator)
    return {"work_style": work_style, "branches": branches, "plant": plant}


def vote_by_code(page, code: str, cells: int) -> None:
    page.goto(reverse("evaluation:ballot_code") + f"#code={code}")
    groups = page.locator(".ballot-cell")
    groups.first.wait_for()
    assert groups.count() == cells
    for index in range(cells):
        groups.nth(index).locator("label").nth(index % 2).click()
    page.locator("#ballot-submit").click()
    # The thanks page; a branch ballot's says which programme it was (?programme=dj).
    page.wait_for_url(lambda url: urlsplit(url).path == reverse("evaluation:ballot_done"))


def console_transition(page, quarter: Quarter, to: str) -> None:
    page.goto(reverse("evaluation:console", args=[quarter.key]))
    box = page.locator(f"details:has(input[name=to][value={to}])")
    box.locator("summary").click()
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    quarter.refresh_from_db(fields=["status"])
    assert quarter.status == to


def first_sheet_text(page, url: str) -> str:
    response = page.request.get(url)
    assert response.ok, url
    sheet = openpyxl.load_workbook(io.BytesIO(response.body()), read_only=True).worksheets[0]
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)


def assert_own_units_only(text: str, own: tuple[str, ...], other: tuple[str, ...]) -> None:
    assert all(name in text for name in own), text
    assert not any(name in text for name in other), text


def test_both_programmes_run_2026q3_side_by_side(desktop_page, programmes, org, evaluator, login_as):
    page = desktop_page
    work_style, branches = programmes["work_style"], programmes["branches"]
    (work_code,) = codes_issue(quarter=work_style, unit=org["HRM"], count=1, actor=evaluator)
    (branch_code,) = codes_issue(quarter=branches, unit=programmes["plant"], count=1, actor=evaluator)

    vote_by_code(page, work_code.code, cells=len(WORK_STYLE_NAMES) * 3)
    vote_by_code(page, branch_code.code, cells=len(BRANCH_NAMES) * 4)
    for quarter in (work_style, branches):
        inbox_flush(quarter=quarter)
        assert Ballot.objects.filter(quarter=quarter, source=Source.GRASSROOTS).count() == 1

    login_as(page, evaluator)
    for quarter in (work_style, branches):
        console_transition(page, quarter, QuarterStatus.CLOSED)
        console_transition(page, quarter, QuarterStatus.PUBLISHED)

    own = {work_style.pk: (WORK_STYLE_NAMES, BRANCH_NAMES), branches.pk: (BRANCH_NAMES, WORK_STYLE_NAMES)}
    for quarter in (work_style, branches):
        mine, theirs = own[quarter.pk]
        page.goto(reverse("evaluation:ranking", args=[quarter.key]))
        assert_own_units_only(page.locator("main").inner_text(), mine, theirs)
        page.goto(reverse("evaluation:annual", args=[quarter.annual_key]))
        assert_own_units_only(page.locator("main").inner_text(), mine, theirs)
        text = first_sheet_text(page, reverse("evaluation:export_quarter", args=[quarter.key]))
        assert_own_units_only(text, mine, theirs)
    assert reverse("evaluation:ranking", args=[branches.key]) == "/results/dj.2026Q3/"
