"""The HSDS 3.0 API under /api/hsds/, as API clients (token or session) use it."""

import datetime

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from parcours.directory.hsds.spec import compiled_schema
from parcours.directory.models import Service
from parcours.directory.selectors import term_by_code

from ..conftest import login

PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def names(response):
    assert response.status_code == 200, response.content[:500]
    return [s["name"] for s in response.json()["contents"]]


def test_root_says_hsds_version(api_client, social_worker):
    login(api_client, social_worker)
    body = api_client.get("/api/hsds/").json()
    assert body["version"] == "3.0" and body["openapi_url"].endswith("/api/schema/")


@pytest.mark.parametrize("persona", ["admin", "social_worker", "partner_worker", "viewer", "stranger"])
def test_services_are_readable_by_every_signed_in_user_as_valid_hsds(api_client, directory_world, personas,
                                                                      persona):
    """Anyone signed in: /services is an HSDS page of fully nested services that pass the compiled schema."""
    login(api_client, personas[persona])
    body = api_client.get("/api/hsds/services").json()
    assert set(body) == PAGE_KEYS
    assert body["total_items"] == 3 and body["first_page"] and body["last_page"] and not body["empty"]
    validator = Draft202012Validator(compiled_schema("service"), format_checker=FormatChecker())
    for service in body["contents"]:
        assert list(validator.iter_errors(service)) == []


def test_anonymous_gets_401(api_client, directory_world):
    assert api_client.get("/api/hsds/services").status_code == 401


def test_filters(api_client, directory_world, social_worker, zones):
    """Social worker: search, taxonomy_term_id (id or needs code), organization_id, zone, status, proximity."""
    login(api_client, social_worker)
    get = api_client.get
    assert names(get("/api/hsds/services", {"search": "lawyers"})) == ["Legal advice"]
    assert names(get("/api/hsds/services", {"taxonomy_term_id": str(term_by_code("food").pk)})) == [
        "Closed food bank", "Food parcels"]
    assert names(get("/api/hsds/services", {"taxonomy_term_id": "legal-aid"})) == ["Legal advice"]
    assert names(get("/api/hsds/services", {"organization_id": str(directory_world["office"].pk)})) == [
        "Food parcels"]
    assert names(get("/api/hsds/services", {"zone": "XK0101", "status": "active"})) == ["Food parcels"]
    # North office is at 36.80,10.18; South office ~300 km away.
    assert names(get("/api/hsds/services", {"proximity": "36.81,10.19"})) == ["Food parcels"]
    assert names(get("/api/hsds/services", {"proximity": "36.81,10.19,500"})) == ["Food parcels", "Legal advice"]
    assert names(get("/api/hsds/services", {"proximity": "34.01,9.01,500"})) == ["Legal advice", "Food parcels"]


def test_modified_after(api_client, directory_world, social_worker):
    login(api_client, social_worker)
    later = timezone.now() + datetime.timedelta(minutes=5)
    Service.objects.filter(pk=directory_world["legal"].pk).update(updated_at=later + datetime.timedelta(minutes=1))
    assert names(api_client.get("/api/hsds/services", {"modified_after": later.isoformat()})) == ["Legal advice"]
    assert names(api_client.get("/api/hsds/services", {"modified_after": "2000-01-01"})) == [
        "Closed food bank", "Food parcels", "Legal advice"]


@pytest.mark.parametrize("params", [
    {"proximity": "north"}, {"proximity": "91,10"}, {"modified_after": "yesterday"}, {"page": "zero"},
    {"page": "0"}, {"organization_id": "x"}, {"zone": "NOPE"}, {"status": "open"},
])
def test_bad_filters_answer_400_naming_the_parameter(api_client, directory_world, social_worker, params):
    login(api_client, social_worker)
    response = api_client.get("/api/hsds/services", params)
    assert response.status_code == 400
    assert next(iter(params)) in response.content.decode()


def test_pagination(api_client, directory_world, social_worker):
    """Social worker: per_page 2 gives two pages; past the end is an empty last page."""
    login(api_client, social_worker)
    first = api_client.get("/api/hsds/services", {"per_page": 2}).json()
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"]) == (3, 2, 1, 2)
    assert first["first_page"] and not first["last_page"]
    second = api_client.get("/api/hsds/services", {"per_page": 2, "page": 2}).json()
    assert (second["size"], second["first_page"], second["last_page"]) == (1, False, True)
    assert {s["id"] for s in first["contents"]}.isdisjoint({s["id"] for s in second["contents"]})
    beyond = api_client.get("/api/hsds/services", {"per_page": 2, "page": 9}).json()
    assert beyond["empty"] and beyond["contents"] == []


def test_details_and_other_lists(api_client, directory_world, social_worker):
    """Social worker: one service (with its organisation), one organisation (with its services), SALs, taxonomy."""
    login(api_client, social_worker)
    food = directory_world["food"]
    service = api_client.get(f"/api/hsds/services/{food.pk}").json()
    assert service["organization"]["name"] == "Office A services"
    validator = Draft202012Validator(compiled_schema("service"), format_checker=FormatChecker())
    assert list(validator.iter_errors(service)) == []
    organization = api_client.get(f"/api/hsds/organizations/{directory_world['outside'].pk}").json()
    assert sorted(s["name"] for s in organization["services"]) == ["Closed food bank", "Legal advice"]
    validator = Draft202012Validator(compiled_schema("organization"), format_checker=FormatChecker())
    assert list(validator.iter_errors(organization)) == []
    assert api_client.get("/api/hsds/organizations").json()["total_items"] == 2
    assert api_client.get("/api/hsds/organizations", {"search": "outside"}).json()["total_items"] == 1
    sals = api_client.get("/api/hsds/service_at_locations").json()
    assert sals["total_items"] == 2 and {s["location"]["name"] for s in sals["contents"]} == {
        "North office", "South office"}
    assert api_client.get("/api/hsds/service_at_locations", {"taxonomy_term_id": "food"}).json()["total_items"] == 1
    taxonomies = api_client.get("/api/hsds/taxonomies").json()
    assert [t["name"] for t in taxonomies["contents"]] == ["Parcours needs"]
    terms = api_client.get("/api/hsds/taxonomy_terms", {"per_page": 100}).json()
    assert terms["total_items"] == 14
    assert api_client.get(f"/api/hsds/taxonomy_terms/{term_by_code('food').pk}").json()["code"] == "food"
    assert api_client.get("/api/hsds/services/00000000-0000-4000-8000-000000000000").status_code == 404


def test_openapi_schema_documents_the_hsds_paths(api_client, admin):
    login(api_client, admin)
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/hsds/services", "/api/hsds/services/{id}", "/api/hsds/organizations",
                 "/api/hsds/organizations/{id}", "/api/hsds/service_at_locations", "/api/hsds/taxonomies",
                 "/api/hsds/taxonomy_terms"):
        assert any(p.rstrip("/") == path.replace("{id}", "{pk}") or p.rstrip("/") == path for p in paths), path
    params = {p["name"] for p in paths[next(p for p in paths if p.rstrip("/") == "/api/hsds/services")]["get"][
        "parameters"]}
    assert {"search", "taxonomy_term_id", "organization_id", "modified_after", "proximity", "page",
            "per_page"} <= params


@pytest.mark.parametrize("name", ["search", "taxonomy_term_id", "zone", "status", "organization_id", "proximity"])
def test_nul_characters_never_reach_the_database(api_client, directory_world, social_worker, name):
    """Social worker: a NUL character in a filter is dropped or refused, never a 500 (PostgreSQL refuses NUL)."""
    login(api_client, social_worker)
    assert api_client.get("/api/hsds/services", {name: "fo\x00od"}).status_code in {200, 400}
    assert api_client.get("/api/hsds/service_at_locations", {name: "\x00"}).status_code in {200, 400}
