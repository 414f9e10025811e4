"""Publishing a diagnostic in a real browser (Debian's Chromium): the programme ``manager`` of A publishes it in
French with a public link; an anonymous reader opens the link in Arabic (right to left) and sees suppressed
figures; once the manager revokes it, the link answers 404. Screenshots in var/screenshots/.
"""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from tests.browser_support import BROWSER_MARKS, chromium, screenshot
from tests.conftest import PASSWORD
from tests.factories import ZoneFactory

from .scored import install_model, scored_world

pytest.importorskip("playwright.sync_api")
pytestmark = BROWSER_MARKS


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser


@pytest.fixture
def world(transactional_db, zones, orgs, programme, manager, social_worker):
    model = install_model(manager=manager, programme=programme)
    hamlet = ZoneFactory(code="XK0102", name="Hameau", name_ar="القرية", parent=zones["gov"])
    scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                 zones=[zones["deleg"]], count=30)
    scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                 zones=[hamlet], count=3, seed=3)
    return model


def test_manager_publishes_a_public_link_read_in_arabic_then_revoked(world, live_server, browser, manager):
    context = browser.new_context(locale="fr", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", manager.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/diagnostics/demo/published/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.fill("#p-title", "Diagnostic du Nord")
    page.fill("#p-zone", "XK01")
    page.check("input[name=organisations] >> nth=0")
    page.check("#p-public")
    page.fill("#p-expires", (timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.click("form[action$='/published/new/'] button[type=submit]")
    page.wait_for_selector("code")
    link = page.locator("code").inner_text().strip()
    assert "/diagnostics/public/" in link
    screenshot(page, "insights-publications-fr")

    reader = browser.new_context(locale="ar", viewport={"width": 1280, "height": 1000}).new_page()
    reader.goto(link)
    assert reader.locator("html").get_attribute("dir") == "rtl"
    assert reader.locator("h1").inner_text() == "Diagnostic du Nord"
    assert reader.locator("text=القرية").count() >= 1  # the hamlet, by its Arabic name, suppressed
    assert reader.locator(".pc-suppressed-cell").count() >= 1
    screenshot(reader, "insights-publication-public-ar")

    page.goto(f"{live_server.url}/diagnostics/demo/published/")
    page.click("form[action$='/revoke/'] button[type=submit]")
    page.wait_for_selector(".alert")
    response = reader.goto(link)
    assert response.status == 404 and "Nord" not in reader.content()
    assert urlsplit(link).path.startswith("/diagnostics/public/")
