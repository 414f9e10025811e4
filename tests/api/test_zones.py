"""The zone hierarchy through the API: reference data every signed-in persona reads."""

import pytest

SQUARE = {"type": "Polygon", "coordinates": [[[10, 36], [10.1, 36], [10.1, 36.1], [10, 36.1], [10, 36]]]}


def zone_codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [z["code"] for z in response.json()["results"]]


@pytest.mark.parametrize("persona", ["admin", "social_worker", "partner_worker", "viewer", "stranger"])
def test_every_signed_in_persona_reads_the_zones(persona, personas, zones, as_user):
    assert zone_codes(as_user(personas[persona]).get("/api/zones/")) == ["XK", "XK01", "XK0101", "XK02"]


@pytest.mark.parametrize(("query", "expected"), [
    ({"parent": "XK"}, ["XK01", "XK02"]),
    ({"level": 1}, ["XK01", "XK02"]),
    ({"level": 2}, ["XK0101"]),
    ({"q": "nord"}, ["XK01"]),
    ({"q": "الجنوب"}, ["XK02"]),
    ({"q": "XK01"}, ["XK01", "XK0101"]),
    ({"parent": "NOWHERE"}, []),
])
def test_viewer_filters_zones(query, expected, viewer, zones, as_user):
    assert zone_codes(as_user(viewer).get("/api/zones/", query)) == expected


@pytest.mark.parametrize("query", [{"level": "top"}, {"level": -1}, {"geometry": "maybe"}])
def test_a_bad_filter_is_a_400_naming_it(query, viewer, zones, as_user):
    response = as_user(viewer).get("/api/zones/", query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_geometry_is_sent_only_when_asked_for(social_worker, zones, as_user):
    zones["deleg"].geometry = SQUARE
    zones["deleg"].save()
    client = as_user(social_worker)
    plain = client.get("/api/zones/XK0101/").json()
    assert "geometry" not in plain
    assert plain["parent"] == "XK01" and plain["name_ar"] == "المدينة العليا"
    assert client.get("/api/zones/XK0101/", {"geometry": 1}).json()["geometry"] == SQUARE
    listed = client.get("/api/zones/", {"level": 2, "geometry": "true"}).json()["results"]
    assert listed[0]["geometry"] == SQUARE
    assert "geometry" not in client.get("/api/zones/", {"level": 2}).json()["results"][0]


def test_an_unknown_zone_is_404(social_worker, zones, as_user):
    assert as_user(social_worker).get("/api/zones/NOWHERE/").status_code == 404
