"""Keying in a paper ballot from the console's link: no error on arrival, raters grouped, the number kept."""

from __future__ import annotations

import os

import pytest

from evaluation.models import Ballot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

GRASSROOTS_GROUP = {"zh-hans": "基层单位", "en": "Grassroots unit"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_console_link_opens_a_clean_pick_and_a_cell_error_keeps_the_ballot_number(
    request, quarter, org, evaluator, language
):
    page = request.getfixturevalue("desktop_page")
    request.getfixturevalue("login_as")(page, evaluator)
    request.getfixturevalue("speak")(page, language)
    page.goto(f"/console/{quarter.code}/")
    page.locator(f'a[href$="entry/?quarter={quarter.code}"]').click()
    page.wait_for_selector("#entry-pick")

    assert page.locator("#entry-pick .text-danger").count() == 0
    assert page.locator("#id_quarter").input_value() == quarter.code
    groups = page.locator("#id_unit optgroup")
    assert groups.count() == 3  # functional departments, affiliated units, grassroots units
    grassroots = page.locator(f'#id_unit optgroup[label="{GRASSROOTS_GROUP[language]}"] option')
    assert sorted(grassroots.all_inner_texts()) == sorted(["板材热连轧厂", "矿业南芬露天矿"])

    page.select_option("#id_source", "grassroots")
    page.select_option("#id_unit", "HRM")
    page.locator("#entry-pick button[type=submit]").click()
    page.wait_for_selector("#entry-form")
    page.fill("#entry-label", "纸-017")
    page.locator(".entry-cell").first.fill("9")
    page.locator("#entry-form button[type=submit]").click()
    page.wait_for_selector(".entry-cell.is-invalid")
    if os.environ.get("DEFECT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["DEFECT_SCREENSHOTS"], f"entry-{language}.png"), full_page=True)

    assert page.locator("#entry-label").input_value() == "纸-017"
    assert Ballot.objects.count() == 0
    page.locator(".entry-cell.is-invalid").fill("1")
    page.locator("#entry-form button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert Ballot.objects.get().label == "纸-017"
