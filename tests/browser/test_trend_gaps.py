"""The trend chart spans the whole scale and marks the quarters without published results as gaps."""

from __future__ import annotations

import os

import pytest

from tests.evaluation.results_pages_data import entry, example_published, published_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

GAP = {"zh-hans": "未发布", "en": "Not published"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["browser_page", "desktop_page"])
def test_the_trend_spans_the_scale_and_marks_the_missing_quarter(request, org, leader, rep, size, language):
    # 2025Q4 and 2026Q2 are published, 2026Q1 is not: 84.3 → 85.55 is a small move on a 0–100 axis.
    published_quarter("2025Q4", [entry(org["OPS"], rank=3, score=84.3), entry(org["EQP"], rank=1, score=88.0)])
    example_published(org, leader)
    page = request.getfixturevalue(size)
    request.getfixturevalue("login_as")(page, rep)
    request.getfixturevalue("speak")(page, language)
    page.goto("/results/2026Q2/departments/OPS/")
    page.click("[data-chart-show='trend-chart']")
    page.wait_for_selector("[data-chart='trend-chart'] .main-svg")
    if os.environ.get("DEFECT_SCREENSHOTS"):
        page.locator("[data-chart='trend-chart']").screenshot(
            path=os.path.join(os.environ["DEFECT_SCREENSHOTS"], f"trend-{size}-{language}.png")
        )

    chart = page.evaluate(
        """() => {
            const gd = document.querySelector("[data-chart='trend-chart']");
            return {
                range: gd._fullLayout.yaxis.range,
                x: gd.data[0].x,
                y: gd.data[0].y,
                shapes: gd._fullLayout.shapes.length,
                notes: gd._fullLayout.annotations.map(a => a.text),
            };
        }"""
    )
    assert chart["range"] == [0, 100]
    assert chart["x"] == ["2025Q4", "2026Q1", "2026Q2"]
    assert chart["y"][1] is None and chart["y"][0] == pytest.approx(84.3)
    assert chart["shapes"] == 1
    assert chart["notes"] == [GAP[language]]
    assert page.locator("[data-chart='trend-chart'] .annotation-text", has_text=GAP[language]).count() == 1
