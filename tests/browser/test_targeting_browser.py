"""The programme manager reads the priority list and the quota table in French and Arabic, in a real browser.

Screenshots go to var/screenshots/ (targeting_priority_fr/ar, targeting_quotas_ar), for people to look at the
layout: the tables read right to left in Arabic, the tie-break rules are shown, the export buttons are there.
"""

import pytest

from ..browser_support import BROWSER_MARKS, chromium, screenshot
from ..conftest import PASSWORD
from ..scoring import test_flow, test_targeting_pages

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = BROWSER_MARKS
default_form, device, mpi, scored = (test_flow.default_form, test_flow.device, test_flow.mpi,
                                     test_targeting_pages.scored)


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_manager_reads_the_priority_list_and_the_quotas(transactional_db, live_server, browser, manager, scored,
                                                            language):
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/scoring/programmes/demo/priority/?places=2")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    rows = page.locator("table.pc-table tbody tr")
    assert rows.count() == 5 and "H-HUNGRY" in rows.first.inner_text()
    page.locator("details summary").click()
    screenshot(page, f"targeting_priority_{language}")

    page.goto(f"{live_server.url}/scoring/programmes/demo/quotas/?total=10&within=XK0101")
    assert page.locator("table.pc-table tbody tr").count() == 2
    screenshot(page, f"targeting_quotas_{language}")
    context.close()
