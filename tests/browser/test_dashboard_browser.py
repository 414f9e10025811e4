"""The diagnostics dashboard in a real browser (Debian's Chromium), in French and in Arabic.

The programme ``manager`` of office A opens the dashboard in French; the ``partner_worker`` of association B opens
it in Arabic and sees the small delegation suppressed. Checked: Leaflet draws every zone with no outside request
(no base map), Vega draws the charts from the page's specifications, the drill-down loads the sub-zones, and in
Arabic the page, the map's controls and the charts are mirrored. Screenshots go to var/screenshots/.
"""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from ..browser_support import BROWSER_MARKS, chromium, screenshot
from ..conftest import PASSWORD
from ..insights.dashboard_world import dashboard_world

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [*BROWSER_MARKS, pytest.mark.usefixtures("insights_snapshots")]


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser


@pytest.fixture
def world(transactional_db, zones, orgs, programme, manager, social_worker):
    return dashboard_world(zones=zones, orgs=orgs, programme=programme, manager=manager, social_worker=social_worker)


def open_as(browser, live_server, user, language):
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = {"errors": [], "outside": []}
    page.on("console", lambda message: message.type == "error" and problems["errors"].append(message.text))
    page.on("pageerror", lambda error: problems["errors"].append(str(error)))
    host = urlsplit(live_server.url).netloc
    page.on("request", lambda request: urlsplit(request.url).netloc not in ("", host)
            and not request.url.startswith("data:") and problems["outside"].append(request.url))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page, problems


def wait_for_drawing(page, charts: int) -> None:
    page.wait_for_selector("#pc-map[data-pc-zones]")
    page.wait_for_function(f"document.querySelectorAll('[data-pc-rendered]').length >= {charts}")


def test_manager_sees_map_charts_and_drills_down_in_french(world, live_server, browser, manager):
    page, problems = open_as(browser, live_server, manager, "fr")

    page.goto(f"{live_server.url}/diagnostics/?programme=demo&level=2&measure=M0")
    wait_for_drawing(page, 3)
    assert page.locator("html").get_attribute("dir") == "ltr"
    # Three delegations drawn as filled paths, none hatched (staff see raw figures), the legend in French.
    assert page.locator("#pc-map path.pc-map-zone").count() == 3
    assert page.locator("#pc-map path.pc-suppressed").count() == 0
    assert page.locator(".pc-map-legend").count() == 1
    # Vega drew SVG bars for the three zones.
    assert page.locator("[data-pc-chart='pc-chart-zones'] svg .mark-rect path").count() >= 3
    assert page.locator("[data-pc-chart='pc-chart-trend'] svg .mark-line path").count() == 1
    page.locator("#pc-map path.pc-map-zone").first.hover()
    assert "n = " in page.locator(".leaflet-tooltip").inner_text()
    screenshot(page, "dashboard_fr")

    # Governorate level: the table's "Sub-zones" button brings the delegations under Nord (htmx).
    page.select_option("#f-level", "1")
    page.wait_for_selector("#pc-rows-XK01 button")
    wait_for_drawing(page, 1)
    page.click("#pc-rows-XK01 button")
    page.wait_for_selector("tr[data-parent='XK01']")
    assert page.locator("tr[data-parent='XK01']").count() == 3

    # A click on a zone of the map opens its page: charts of indicators, contributions, groups and trend.
    page.goto(f"{live_server.url}/diagnostics/?programme=demo&level=1")
    wait_for_drawing(page, 1)
    page.locator("#pc-map path.pc-map-zone").first.click()
    page.wait_for_url("**/diagnostics/demo/zone/XK01/**")
    wait_for_drawing(page, 4)
    assert page.locator("[data-pc-chart='pc-chart-censored'] svg .mark-rect path").count() >= 9
    screenshot(page, "dashboard_zone_fr")
    assert problems["outside"] == [], "the dashboard loaded something from another site"
    assert problems["errors"] == []


def test_partner_sees_suppressed_zones_hatched_in_arabic_right_to_left(world, live_server, browser, partner_worker):
    page, problems = open_as(browser, live_server, partner_worker, "ar")

    page.goto(f"{live_server.url}/diagnostics/?programme=demo&level=2&measure=H")
    wait_for_drawing(page, 2)
    screenshot(page, "dashboard_ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    # The small delegation (and the one secondary suppression protects it with) are hatched, and say so.
    hatched = page.locator("#pc-map path.pc-suppressed")
    assert hatched.count() >= 1
    fill = hatched.first.evaluate("element => getComputedStyle(element).fill")
    assert "pc-hatch" in fill
    hatched.first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    with translation.override("ar"):
        suppressed = gettext("suppressed")
    assert suppressed in tooltip.inner_text()
    assert tooltip.locator("div").get_attribute("dir") == "rtl"
    # Leaflet's controls on the reading side: zoom at the top right, the legend at the bottom left, in Arabic.
    assert page.locator(".leaflet-top.leaflet-right .leaflet-control-zoom").count() == 1
    assert page.locator(".leaflet-bottom.leaflet-left .pc-map-legend[dir=rtl]").count() == 1
    # Vega's chart is mirrored: zone names (Arabic) to the right of the bars.
    chart = page.locator("[data-pc-chart='pc-chart-zones'] svg")
    labels = chart.locator(".role-axis-label text")
    names = labels.all_text_contents()
    assert "المدينة السفلى" in names
    bar_box = chart.locator(".mark-rect path").first.bounding_box()
    label_box = labels.filter(has_text="المدينة السفلى").bounding_box()
    assert label_box["x"] >= bar_box["x"] + bar_box["width"] - 1, "the labels are not on the right in Arabic"

    page.goto(f"{live_server.url}/diagnostics/demo/zone/XK01/?by=sex")
    wait_for_drawing(page, 4)
    assert page.locator(".pc-suppressed-cell").count() >= 1
    screenshot(page, "dashboard_zone_ar")
    assert problems["outside"] == []
    assert problems["errors"] == []
    assert settings.PARCOURS_MAP_TILES_URL == ""
