"""The top-level cap in a real browser: the leader's ballot page counts down what is left of 优秀 per criterion."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import Ballot, Quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_allowance_counts_down_as_the_leader_fills_the_ballot_and_the_server_refuses_one_more(
    desktop_page, login_as, speak, quarter, org, leader
):
    # Four evaluated departments, cap 50 %: two may be 优秀 per criterion.
    Quarter.objects.filter(pk=quarter.pk).update(top_level_cap=50)
    page = desktop_page
    speak(page, "en")
    login_as(page, leader)
    page.goto(reverse("evaluation:ballot_leadership"))
    efficiency = page.locator(".ballot-cap").first
    assert efficiency.locator(".ballot-cap-left").inner_text() == "2"

    cells = page.locator(".ballot-cell")
    criteria = 3
    for department in range(4):
        for criterion in range(criteria):
            # 优秀 (the first option) on efficiency for the first three departments, 良好 elsewhere.
            top = criterion == 0 and department < 3
            cells.nth(department * criteria + criterion).locator("label").nth(0 if top else 1).click()
            if top:
                assert efficiency.locator(".ballot-cap-left").inner_text() == str(1 - department)
    assert "text-danger" in (efficiency.get_attribute("class") or "")
    assert page.locator(".ballot-cap").nth(1).locator(".ballot-cap-left").inner_text() == "2"

    page.locator("#ballot-submit").click()
    page.wait_for_load_state()
    assert "3 departments rated 优秀, more than the cap of 2 (50% of 4)." in page.locator("#ballot-error").inner_text()
    assert not Ballot.objects.exists()
