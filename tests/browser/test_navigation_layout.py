"""The navigation bar fits: one row at 1,366 px for the busiest roles; on a phone the menu button beside the title."""

from __future__ import annotations

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server")]

LANGUAGES = ["zh-hans", "en"]


def shoot(page, name: str) -> None:
    if os.environ.get("DEFECT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["DEFECT_SCREENSHOTS"], f"nav-{name}.png"))


def open_home(request, size: str, persona: str, language: str):
    page = request.getfixturevalue(size)
    request.getfixturevalue("login_as")(page, request.getfixturevalue(persona))
    request.getfixturevalue("speak")(page, language)
    page.goto("/")
    return page


def wrapped(page, selector: str) -> list[str]:
    """The texts of the elements under `selector` that run over more than one line."""
    return page.eval_on_selector_all(
        selector,
        """els => els.filter(el => {
            const style = getComputedStyle(el);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
            const inner = el.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
            return inner > line * 1.5;
        }).map(el => el.innerText)""",
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", ["evaluator", "admin_user", "leader", "rep"])
def test_the_desktop_navigation_keeps_to_one_row(request, persona, language):
    page = open_home(request, "desktop_page", persona, language)
    shoot(page, f"desktop-{persona}-{language}")
    assert wrapped(page, ".navbar .nav-link, .navbar .btn, .navbar .navbar-text, .navbar-brand") == []
    assert page.locator(".navbar").bounding_box()["height"] <= 64
    assert page.locator("#main-nav").is_visible()
    page.locator("#account-menu").click()
    assert page.locator('.dropdown-menu.show button[type="submit"]').is_visible()  # log out
    admin_pages = page.locator('.dropdown-menu.show a[href="/org/import/"], .dropdown-menu.show a[href="/admin/"]')
    assert admin_pages.count() == (2 if persona == "admin_user" else 0)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", ["evaluator", "admin_user"])
def test_the_phone_title_leaves_the_menu_button_beside_it(request, persona, language):
    page = open_home(request, "browser_page", persona, language)
    shoot(page, f"phone-{persona}-{language}")
    brand = page.locator(".navbar-brand").bounding_box()
    toggler = page.locator(".navbar-toggler").bounding_box()
    assert toggler["y"] < brand["y"] + brand["height"]
    assert toggler["x"] + toggler["width"] <= 390
    page.locator(".navbar-toggler").click()
    page.wait_for_selector("#main-nav.show")
    shoot(page, f"phone-open-{persona}-{language}")
    assert wrapped(page, ".navbar .btn") == []
