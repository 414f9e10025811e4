"""Diagnostics dashboards, from each persona's side.

Personas: ``manager`` and ``social_worker`` of office A (lead of the programme: raw figures); ``partner_worker`` of
association B (partner: suppressed figures); ``viewer`` of donor D and ``stranger`` of C (no part in the
programme); anonymous.
"""

import gzip
import json
import re
from html import unescape as html_unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import login

from .dashboard_world import dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(zones, orgs, programme, manager, social_worker):
    return dashboard_world(zones=zones, orgs=orgs, programme=programme, manager=manager, social_worker=social_worker)


def page_json(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no JSON {element_id} in the page"
    return json.loads(match.group(1))


def open_page(client, user, url, language="fr"):
    login(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url)


def test_manager_sees_the_map_charts_and_table_of_the_delegations_unsuppressed(client, world, programme, manager):
    """The manager opens the dashboard at the delegation level: every delegation on the map with its M0 and n,
    the chart spec by zone, the table; Hameau's 3 households are shown (staff of the lead see raw figures)."""
    response = open_page(client, manager, reverse("insights:dashboard") + "?programme=demo&level=2&measure=M0")

    assert response.status_code == 200
    html = response.content.decode()
    features = page_json(html, "pc-map-data")["features"]["features"]
    by_code = {f["properties"]["code"]: f["properties"] for f in features}
    assert set(by_code) == {"XK0101", "XK0102", "XK0103"}
    assert not any(p["suppressed"] for p in by_code.values())
    assert "n = 3" in by_code["XK0103"]["tooltip"]
    assert by_code["XK0101"]["url"].startswith(reverse("insights:zone", args=["demo", "XK0101"]))
    spec = page_json(html, "pc-chart-zones")
    assert {row["key"] for row in spec["data"]["values"]} == {"XK0101", "XK0102", "XK0103"}
    assert "data-raw-view" in html
    assert "vendor/vega/vega.min.js" in html and "vendor/leaflet/leaflet.js" in html


def test_partner_sees_the_small_delegation_suppressed_on_map_chart_and_table(client, world, programme,
                                                                           partner_worker):
    """The partner's dashboard suppresses Hameau (3 households < k = 5): hatched on the map with "suppressed" in
    its tooltip, no value in the chart data, "suppressed" in the table, and the page says why."""
    response = open_page(client, partner_worker, reverse("insights:dashboard") + "?programme=demo&level=2")

    assert response.status_code == 200
    html = response.content.decode()
    by_code = {f["properties"]["code"]: f["properties"]
               for f in page_json(html, "pc-map-data")["features"]["features"]}
    assert by_code["XK0103"]["suppressed"] is True
    assert by_code["XK0103"]["value"] is None
    with translation.override(response.headers["Content-Language"]):
        assert gettext("suppressed") in by_code["XK0103"]["tooltip"]
    chart = {row["key"]: row for row in page_json(html, "pc-chart-zones")["data"]["values"]}
    assert chart["XK0103"]["value"] is None and chart["XK0103"]["n"] is None and chart["XK0103"]["suppressed"]
    assert "data-suppressed-view" in html
    row = re.search(r'<tr data-zone="XK0103">(.*?)</tr>', html, re.S).group(1)
    assert "pc-suppressed-cell" in row and "n = 3" not in html


def test_manager_drills_down_from_the_governorate_to_its_delegations(client, world, programme, manager):
    """At the governorate level the table offers the sub-zones, which come as rows (htmx) linking to each
    delegation's page."""
    dashboard = open_page(client, manager, reverse("insights:dashboard") + "?programme=demo&level=1")
    assert reverse("insights:zone_rows", args=["demo", "XK01"]) in dashboard.content.decode()

    rows = client.get(reverse("insights:zone_rows", args=["demo", "XK01"]), HTTP_HX_REQUEST="true")

    assert rows.status_code == 200
    html = rows.content.decode()
    assert html.count('data-parent="XK01"') == 3
    assert reverse("insights:zone", args=["demo", "XK0102"]) in html


def test_zone_page_shows_indicators_groups_trend_and_sub_zones(client, world, programme, manager):
    """The manager opens Nord: map of its delegations, censored headcounts and contributions charts, the groups
    compared by sex of the head, the trend over the two quarters of data, the sub-zones and indicators tables."""
    response = open_page(client, manager, reverse("insights:zone", args=["demo", "XK01"]) + "?by=sex")

    assert response.status_code == 200
    html = response.content.decode()
    censored = page_json(html, "pc-chart-censored")["data"]["values"]
    assert len(censored) == 9 and all(0 <= row["value"] <= 1 for row in censored if row["value"] is not None)
    groups = page_json(html, "pc-chart-groups")["data"]["values"]
    assert {row["key"] for row in groups} <= {"F", "M"} and len(groups) == 2
    trend = page_json(html, "pc-chart-trend")["data"]["values"]
    assert [row["label"] for row in trend] == ["2025-Q1", "2025-Q2"]
    assert all(row["low"] <= row["value"] <= row["high"] for row in trend)
    assert 'id="pc-subzone-table"' in html and 'id="pc-indicator-table"' in html
    features = page_json(html, "pc-map-data")["features"]["features"]
    assert {f["properties"]["code"] for f in features} == {"XK0101", "XK0102", "XK0103"}


def test_arabic_dashboard_is_right_to_left_with_arabic_names_and_mirrored_charts(client, world, programme, manager):
    """In Arabic the page is dir="rtl", zone names are the Arabic ones, the value axis of the bar chart is reversed
    and its labels sit on the right, and numbers use the Arabic locale's separators."""
    response = open_page(client, manager, reverse("insights:dashboard") + "?programme=demo&level=2", "ar")

    html = response.content.decode()
    assert 'dir="rtl"' in html
    names = {f["properties"]["name"] for f in page_json(html, "pc-map-data")["features"]["features"]}
    assert "المدينة السفلى" in names
    spec = page_json(html, "pc-chart-zones")
    assert spec["layer"][0]["encoding"]["x"]["scale"]["reverse"] is True
    assert spec["encoding"]["y"]["axis"]["orient"] == "right"
    locale = page_json(html, "pc-format-locale")
    assert locale["decimal"] != "." or locale["thousands"] != ","


def test_french_numbers_use_a_decimal_comma(client, world, programme, manager):
    """French figures are written "0,123" and "34,5 %" in the tables."""
    html = open_page(client, manager, reverse("insights:zone", args=["demo", "XK0101"])).content.decode()
    assert re.search(r"\d+,\d %", html) and re.search(r"0,\d{3}", html)


def test_a_zone_without_any_scored_household_says_so(client, world, programme, manager):
    """Sud (XK02) has no scored household: its page says there is nothing to show, offers no report."""
    response = open_page(client, manager, reverse("insights:zone", args=["demo", "XK02"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "data-no-data" in html
    assert reverse("insights:report_create", args=["demo", "XK02"]) not in html


def test_a_period_without_data_says_so_and_a_malformed_period_is_explained(client, world, programme, manager):
    """2024 has no data: the dashboard says so; "last year" is not a period: a clear message, not a 500."""
    empty = open_page(client, manager, reverse("insights:dashboard") + "?programme=demo&level=2&period=2024")
    assert empty.status_code == 200 and "data-no-data" in empty.content.decode()

    wrong = client.get(reverse("insights:zone", args=["demo", "XK01"]) + "?period=last+year")
    assert wrong.status_code == 400
    assert "last year" in wrong.content.decode()


def test_period_narrows_the_dashboard_to_a_quarter(client, world, programme, manager):
    """A quarter shows only the households assessed in it: n is smaller than over all periods."""
    every = open_page(client, manager, reverse("insights:zone", args=["demo", "XK0101"])).content.decode()
    quarter = client.get(reverse("insights:zone", args=["demo", "XK0101"]) + "?period=2025-Q1").content.decode()
    n_all = page_json(every, "pc-chart-censored")["data"]["values"][0]["n"]
    n_q1 = page_json(quarter, "pc-chart-censored")["data"]["values"][0]["n"]
    assert 0 < n_q1 < n_all


@pytest.mark.parametrize("persona", ["viewer", "stranger"])
def test_people_outside_the_programme_see_no_figures(client, world, programme, personas, persona):
    """The donor and an unrelated organisation's worker get no dashboard of the programme and a 404 on its
    zones (donors receive published diagnostics instead)."""
    dashboard = open_page(client, personas[persona], reverse("insights:dashboard"))
    assert dashboard.status_code == 200
    assert "pc-map-data" not in dashboard.content.decode()
    assert client.get(reverse("insights:zone", args=["demo", "XK01"])).status_code == 404
    assert client.get(reverse("insights:zone_rows", args=["demo", "XK01"])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(reverse("insights:dashboard"))
    assert response.status_code == 302 and settings.LOGIN_URL in response["Location"]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_dashboard_page_weight_stays_within_its_own_budget(client, world, programme, manager, language):
    """The dashboard is the one page that loads Leaflet and Vega (~1 MB raw, ~0.35 MB compressed as WhiteNoise
    serves it); its budget is 1.3 MB raw and 420 kB gzipped, page included. The home page loads neither."""
    from tests.test_page_weight import asset_sizes

    html = open_page(client, manager, reverse("insights:dashboard") + "?programme=demo&level=2",
                     language).content.decode()
    sizes = asset_sizes(html)
    raw = len(html.encode()) + sum(sizes.values())
    compressed = len(gzip.compress(html.encode())) + sum(
        len(gzip.compress(Path(finders.find(url.split(settings.STATIC_URL, 1)[1])).read_bytes())) for url in sizes)
    assert raw < 1_300_000, f"{raw} bytes"
    assert compressed < 420_000, f"{compressed} bytes gzipped"
    home = client.get(reverse("home")).content.decode()
    assert "vega" not in home and "leaflet" not in home


def test_zones_without_outlines_get_tables_and_charts_and_a_note_instead_of_the_map(client, world, manager):
    """Zones imported without geometry: the dashboard still has its figures; the map's place says why it is
    missing."""
    from parcours.territories.models import Zone

    Zone.objects.update(geometry=None)
    html = open_page(client, manager, reverse("insights:dashboard") + "?programme=demo&level=2").content.decode()

    assert "data-no-outline" in html and 'id="pc-map"' not in html
    assert page_json(html, "pc-chart-zones")["data"]["values"]


def test_suppressed_cells_say_why_for_the_partner(client, world, partner_worker):
    """Hameau's hidden figures carry the reason (fewer households than the threshold) in the cell's title and in
    the map's tooltip."""
    html = open_page(client, partner_worker, reverse("insights:dashboard") + "?programme=demo&level=2"
                     ).content.decode()
    row = re.search(r'<tr data-zone="XK0103">(.*?)</tr>', html, re.S).group(1)
    titles = set(re.findall(r'pc-suppressed-cell" title="([^"]+)"', row))
    assert len(titles) == 1 and titles != {""}
    tooltip = {f["properties"]["code"]: f["properties"]["tooltip"]
               for f in page_json(html, "pc-map-data")["features"]["features"]}["XK0103"]
    assert html_unescape(titles.pop()) in tooltip


def test_the_period_field_suggests_the_quarters_and_years_with_data(client, world, manager):
    html = open_page(client, manager, reverse("insights:dashboard") + "?programme=demo&level=2").content.decode()
    options = re.findall(r'<datalist id="f-period-choices">(.*?)</datalist>', html, re.S)[0]
    assert re.findall(r'<option value="([^"]+)">', options) == ["2025-Q2", "2025-Q1", "2025"]
