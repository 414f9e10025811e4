"""The directory in a real browser (Debian's Chromium), in French and in Arabic; screenshots go to var/screenshots/."""

import pytest

from ..browser_support import BROWSER_MARKS, chromium, screenshot
from ..conftest import PASSWORD

pytest.importorskip("playwright.sync_api")
pytestmark = BROWSER_MARKS


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser


def _sign_in(page, url, user):
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{url}/")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_manager_finds_a_service_and_opens_its_form(transactional_db, live_server, browser, manager,
                                                    directory_world, language):
    """Manager of A: filters the directory by need, opens the service (address, GPS, hours) and its edit form."""
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    _sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}/directory/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.select_option("select[name=term]", "food")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/directory/?*term=food*")
    expected = "طرود غذائية" if language == "ar" else "Colis alimentaires"
    assert page.locator(f"table >> text={expected}").count() == 1
    assert page.locator("table >> text=Legal advice").count() == 0
    screenshot(page, f"directory_list_{language}")
    page.click(f"table >> text={expected}")
    page.wait_for_url("**/directory/services/*/")
    assert page.locator("text=1 main street").count() == 1
    assert page.locator("text=36.80000, 10.18000").count() == 1
    screenshot(page, f"directory_service_{language}")
    page.click("a[href$='/edit/']")
    page.wait_for_url("**/edit/")
    assert page.locator("input[name=name]").input_value() == "Food parcels"
    screenshot(page, f"directory_service_form_{language}")
    assert errors == []
    # Let the live server finish its last requests: a request thread still holding its database connection
    # at teardown keeps PostgreSQL from dropping the test database.
    page.wait_for_load_state("networkidle")
    context.close()
