"""Ranking and annual tables keep the department name on one readable line at 390 px and 1,366 px: the numbers
scroll sideways under a sticky name column instead of squeezing the name to one character a line."""

from __future__ import annotations

import os

import pytest

from departments.models import Unit, UnitKind
from tests.evaluation.results_pages_data import entry, published_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

# The lines each department name of a table takes, where the wrapper scrolls to, and where the names are then.
MEASURE = """(selector) => {
    const wrap = document.querySelector(selector);
    const names = [...wrap.querySelectorAll("tbody .sticky-name")];
    const lines = names.map((cell) => {
        // The line boxes of the name's own text (not the whitespace around its link).
        const tops = new Set();
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            if (!walker.currentNode.textContent.trim()) continue;
            const range = document.createRange();
            range.selectNodeContents(walker.currentNode);
            for (const rect of range.getClientRects()) tops.add(Math.round(rect.top));
        }
        return [cell.textContent.trim(), tops.size];
    });
    const before = names[0].getBoundingClientRect().left;
    wrap.scrollLeft = wrap.scrollWidth;
    const after = names[0].getBoundingClientRect().left;
    const box = wrap.getBoundingClientRect();
    return {
        lines: lines,
        scrolls: wrap.scrollWidth > wrap.clientWidth,
        moved: Math.abs(after - before),
        inside: after >= box.left - 1 && after < box.right,
        pageOverflow: document.documentElement.scrollWidth > window.innerWidth,
    };
}"""

PAGES = {"ranking": "/results/2026Q2/", "annual": "/results/annual/2026/"}


@pytest.fixture
def published(org):
    """A published quarter with the short 宣传部 of the report and a long department name."""
    publicity = Unit.objects.create(code="PUB", name="宣传部", kind=UnitKind.FUNCTIONAL, order=5)
    long_name = Unit.objects.create(code="LNG", name="安全环保与能源管理部", kind=UnitKind.FUNCTIONAL, order=6)
    sources = {"grassroots": 80.0, "peer": 79.0, "leadership": 81.0}
    ballots = {"grassroots": 5, "peer": 3, "leadership": 3}
    units = [org["OPS"], org["EQP"], publicity, long_name, org["AUD"]]
    departments = [
        entry(unit, rank=rank, score=90.0 - rank, rank_change=1, sources=sources, ballots=ballots)
        for rank, unit in enumerate(units, start=1)
    ]
    # Four quarters of the year, so that the annual table has its widest set of columns.
    for code in ("2026Q1", "2026Q3", "2026Q4"):
        published_quarter(code, departments)
    return published_quarter("2026Q2", departments)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["browser_page", "desktop_page"])
@pytest.mark.parametrize("which", ["ranking", "annual"])
def test_department_names_stay_on_one_line(request, published, viewer, size, language, which):
    page = request.getfixturevalue(size)
    request.getfixturevalue("login_as")(page, viewer)
    request.getfixturevalue("speak")(page, language)
    page.goto(PAGES[which])
    selector = ".results-table-wrap"
    page.wait_for_selector(selector)
    if os.environ.get("DEFECT_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["DEFECT_SCREENSHOTS"], f"names-{which}-{size}-{language}.png"), full_page=True
        )

    found = page.evaluate(MEASURE, selector)

    assert found["lines"] and all(lines == 1 for _name, lines in found["lines"]), found["lines"]
    assert "宣传部" in [name for name, _lines in found["lines"]]
    assert not found["pageOverflow"]  # only the table scrolls, never the page
    if found["scrolls"]:
        assert found["inside"] and found["moved"] < 1  # the name column stays put while the numbers scroll
