"""The insights API: zone figures suppressed according to the caller; publications published, read and revoked.

Personas: ``manager`` of A (raw figures, publishes), ``partner_worker`` of B (suppressed figures, reads what was
shared), ``stranger`` of C (nothing), anonymous (refused).
"""

import datetime

import pytest
from django.utils import timezone

from parcours.insights.models import Publication
from tests.factories import ZoneFactory

from .scored import install_model, scored_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(zones, orgs, programme, manager, social_worker):
    model = install_model(manager=manager, programme=programme)
    hamlet = ZoneFactory(code="XK0102", name="Hameau", parent=zones["gov"])
    scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                 zones=[zones["deleg"]], count=25)
    scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                 zones=[hamlet], count=2, seed=4)
    return model


def figures(api_client, user, **params):
    api_client.force_authenticate(user)
    return api_client.get("/api/diagnostics/figures/", {"programme": "demo", "zone": "XK01", **params})


def test_the_manager_gets_raw_figures_and_the_partner_suppressed_ones(scored, api_client, manager, partner_worker):
    raw = figures(api_client, manager).json()
    assert raw["suppression_k"] is None
    assert {row["zone_code"]: row["n_total"] for row in raw["rows"]}["XK0102"] == 2
    suppressed = figures(api_client, partner_worker).json()
    assert suppressed["suppression_k"] == 5
    hamlet = next(row for row in suppressed["rows"] if row["zone_code"] == "XK0102")
    assert hamlet["n_total"] is None and hamlet["H"] is None and hamlet["suppressed"] == {"*": "below_k"}
    by_sex = figures(api_client, partner_worker, by="sex", period="2025").json()
    assert by_sex["by"] == "sex" and by_sex["period"] == "2025"


def test_bad_queries_are_400_and_outsiders_404_or_403(scored, api_client, stranger, manager):
    assert figures(api_client, manager, by="religion").status_code == 400
    assert figures(api_client, manager, period="someday").status_code == 400
    assert figures(api_client, manager, zone="NOPE").status_code == 400
    assert figures(api_client, stranger).status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get("/api/diagnostics/figures/", {"programme": "demo"}).status_code in (401, 403)


def test_publish_read_and_revoke_through_the_api(scored, api_client, manager, partner_worker, orgs):
    api_client.force_authenticate(manager)
    created = api_client.post("/api/diagnostics/publications/", {
        "programme": "demo", "title": "Nord", "zone": "XK01", "organisations": ["assoc-b"], "public": True,
        "expires_at": (timezone.now() + datetime.timedelta(days=2)).isoformat()}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["public_url"].startswith("http") and "/diagnostics/public/" in body["public_url"]
    api_client.force_authenticate(partner_worker)
    listed = api_client.get("/api/diagnostics/publications/").json()
    assert [item["title"] for item in listed] == ["Nord"]
    table = api_client.get(f"/api/diagnostics/publications/{body['id']}/").json()
    assert table["suppression_k"] == 5
    assert api_client.post(f"/api/diagnostics/publications/{body['id']}/revoke/").status_code == 403
    api_client.force_authenticate(manager)
    assert api_client.post(f"/api/diagnostics/publications/{body['id']}/revoke/").status_code == 200
    assert Publication.objects.get().revoked_at is not None
    api_client.force_authenticate(partner_worker)
    assert api_client.get(f"/api/diagnostics/publications/{body['id']}/").status_code == 404
    refused = api_client.post("/api/diagnostics/publications/", {"programme": "demo", "title": "x",
                                                                 "organisations": ["assoc-b"]}, format="json")
    assert refused.status_code == 403
