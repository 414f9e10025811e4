"""A social worker registers and finds a household in Arabic, in a real browser (Debian's Chromium).

Screenshots of the pages in Arabic and in French go to var/screenshots/, for people to look at the layout.
"""


import pytest

from ..browser_support import BROWSER_MARKS, chromium, screenshot
from ..conftest import PASSWORD

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser




def test_social_worker_registers_and_finds_a_household_in_arabic(
    transactional_db, live_server, browser, social_worker, programme, zones, households
):
    context = browser.new_context(locale="ar", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    # The browser asks for Arabic: the page is laid out right to left.
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    screenshot(page, "login_ar")
    page.fill("input[name=username]", social_worker.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html[dir=rtl]").count() == 1
    screenshot(page, "home_ar")

    # Register a household with two members; the second row comes from htmx.
    page.goto(f"{live_server.url}/households/new/")
    page.select_option("select[name=zone]", value=str(zones["deleg"].pk))
    page.select_option("select[name=programme]", value=str(programme.pk))
    page.fill("input[name=address]", "حي النصر، نهج 12")
    page.fill("input[name=members-0-given_name]", "Khadija")
    page.fill("input[name=members-0-family_name]", "Mansouri")
    page.fill("input[name=members-0-given_name_ar]", "خديجة")
    page.fill("input[name=members-0-family_name_ar]", "المنصوري")
    page.select_option("select[name=members-0-sex]", "F")
    page.select_option("select[name=members-0-relationship]", "head")
    page.fill("input[name=members-0-date_of_birth]", "1979-04-12")
    page.select_option("select[name=members-0-identifier_scheme]", "national_id")
    page.fill("input[name=members-0-identifier_value]", "07654321")
    page.click("button[name=add_member]")
    page.wait_for_selector("input[name=members-1-given_name]")
    assert page.input_value("input[name=members-TOTAL_FORMS]") == "2"
    page.fill("input[name=members-1-given_name]", "Amine")
    page.fill("input[name=members-1-given_name_ar]", "أمين")
    page.select_option("select[name=members-1-relationship]", "child")
    page.fill("input[name=members-1-date_of_birth]", "2014-09-01")
    page.check("input[name=members-1-date_of_birth_estimated]")
    screenshot(page, "household_form_ar")
    # Forgetting the second member's sex brings the form back with the error on that row, nothing lost.
    page.click("form[method=post] button.btn-primary[type=submit]")
    page.wait_for_selector("#member-2 .invalid-feedback")
    assert page.input_value("input[name=members-1-given_name_ar]") == "أمين"
    screenshot(page, "household_form_errors_ar")
    page.select_option("select[name=members-1-sex]", "M")
    page.click("form[method=post] button.btn-primary[type=submit]")
    page.wait_for_url("**/households/*-*/")
    assert page.locator("text=خديجة المنصوري").count() >= 1
    assert page.locator("text=أمين").count() >= 1
    code = page.locator("h1 .pc-code").inner_text().strip()
    assert code.startswith("H-")
    screenshot(page, "household_detail_ar")

    # Find it again by an Arabic name typed loosely (final ه for ة): the table refreshes while typing.
    page.goto(f"{live_server.url}/households/")
    page.locator("input[name=q]").press_sequentially("خديجه", delay=50)
    results = page.locator("#household-results")
    sync_api.expect(results.locator("tbody tr")).to_have_count(1)
    sync_api.expect(results).to_contain_text(code)
    page.wait_for_function("location.search.includes('q=')")  # the address keeps the search
    screenshot(page, "household_list_ar")

    # Choosing French in the switcher turns the same page left to right.
    page.click("form.pc-lang button[value=fr]")
    page.wait_for_selector("html[dir=ltr][lang=fr]")
    assert page.locator("#household-results").locator(f"text={code}").count() == 1
    screenshot(page, "household_list_fr")
    page.click(f"#household-results a:text('{code}')")
    page.wait_for_url("**/households/*-*/")
    screenshot(page, "household_detail_fr")
    page.goto(f"{live_server.url}/households/new/")
    screenshot(page, "household_form_fr")
    page.goto(f"{live_server.url}/")
    screenshot(page, "home_fr")
    # Back to Arabic, on a phone-sized screen: the menu wraps, nothing needs a script.
    page.click("form.pc-lang button[value=ar]")
    page.wait_for_selector("html[dir=rtl][lang=ar]")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/households/?q={code}")
    screenshot(page, "household_list_phone_ar")
    context.close()
    assert errors == []  # no missing file, no script error
