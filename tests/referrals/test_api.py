"""The referrals API: a partner's system lists, reads and answers; the sender creates and revokes.

Who acts: ``partner_worker`` of B (with a token, as a partner's system would), ``social_worker`` of A.
"""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from parcours.casework.models import Action
from parcours.referrals.models import Referral

from ..conftest import login


@pytest.fixture
def partner_api(api_client, partner_worker):
    token, _ = Token.objects.get_or_create(user=partner_worker)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_the_sender_creates_a_referral_with_minimal_fields(api_client, social_worker, action, directory):
    response = login(api_client, social_worker).post("/api/referrals/", {
        "action": str(action.pk), "service": str(directory["training"].pk), "message": "Urgent"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "sent" and body["receiving_organisation"] == "assoc-b"
    assert body["shared_fields"] == ["given_name", "age_band", "phone", "need", "message"]
    assert body["shared"]["message"] == "Urgent" and body["events"][0]["kind"] == "sent"


def test_refusals_are_400_with_a_message(api_client, social_worker, action, directory):
    login(api_client, social_worker)
    closed = api_client.post("/api/referrals/", {"action": str(action.pk), "service": str(directory["closed"].pk)},
                             format="json")
    assert closed.status_code == 400 and "not active" in closed.json()["detail"]
    slip = api_client.post("/api/referrals/", {"action": str(action.pk), "service": str(directory["workshop"].pk)},
                           format="json")
    assert slip.status_code == 400 and slip.json()["problems"][0]["field"] == "slip_consent"
    bad = api_client.post("/api/referrals/", {"action": str(action.pk), "service": str(directory["training"].pk),
                                              "fields": ["bank_account"]}, format="json")
    assert bad.status_code == 400 and "fields" in bad.json()
    assert not Referral.objects.exists()


def test_an_action_the_user_may_not_see_is_404(api_client, partner_worker, action, directory):
    response = login(api_client, partner_worker).post("/api/referrals/", {
        "action": str(action.pk), "service": str(directory["training"].pk)}, format="json")
    assert response.status_code == 404


def test_a_partner_system_lists_accepts_starts_and_completes(partner_api, send, action):
    referral = send()
    listed = partner_api.get("/api/referrals/?box=received&state=sent").json()
    assert [r["id"] for r in listed["results"]] == [str(referral.pk)]
    assert partner_api.get("/api/referrals/?box=sent").json()["results"] == []
    assert partner_api.post(f"/api/referrals/{referral.pk}/accept/", {}, format="json").json()["state"] == "accepted"
    early = partner_api.post(f"/api/referrals/{referral.pk}/complete/", {"note": "ok"}, format="json")
    assert early.status_code == 400 and "not possible now" in early.json()["detail"]
    assert partner_api.post(f"/api/referrals/{referral.pk}/start/", {}, format="json").json()["state"] == "in_progress"
    blank = partner_api.post(f"/api/referrals/{referral.pk}/complete/", {"note": ""}, format="json")
    assert blank.status_code == 400 and "Outcome is required" in blank.json()["detail"]
    done = partner_api.post(f"/api/referrals/{referral.pk}/complete/", {"note": "Certificat obtenu"}, format="json")
    assert done.status_code == 200 and done.json()["outcome"] == "Certificat obtenu"
    action.refresh_from_db()
    assert action.status == Action.Status.DONE


def test_the_partner_may_not_revoke_and_the_sender_may(partner_api, send, social_worker):
    referral = send()
    assert partner_api.post(f"/api/referrals/{referral.pk}/revoke/", {"note": "x"}, format="json").status_code == 403
    sender = login(APIClient(), social_worker)
    response = sender.post(f"/api/referrals/{referral.pk}/revoke/", {"note": "Déménagement"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "revoked"


def test_a_stranger_gets_404_and_an_empty_list(api_client, stranger, send):
    referral = send()
    login(api_client, stranger)
    assert api_client.get(f"/api/referrals/{referral.pk}/").status_code == 404
    assert api_client.post(f"/api/referrals/{referral.pk}/accept/", {}, format="json").status_code == 404
    assert api_client.get("/api/referrals/").json()["results"] == []


def test_suggestions_rank_with_reasons(api_client, social_worker, action, directory):
    rows = login(api_client, social_worker).get(f"/api/referrals/suggestions/?action={action.pk}").json()
    names = [r["name"] for r in rows]
    assert names[0] == "Formation couture" and "Formation fermée" not in names
    best = rows[0]
    assert best["need_match"] and best["zone_match"] and best["distance_km"] == pytest.approx(2.0, abs=0.1)
    assert best["eligibility"] == "Femmes de 18 à 45 ans" and best["uses_slip"] is False
    workshop = next(r for r in rows if r["name"] == "Apprentissage en atelier")
    assert workshop["uses_slip"] and not workshop["zone_match"] and workshop["distance_km"] > 70


def test_the_openapi_schema_describes_the_referral_endpoints(api_client, social_worker):
    schema = login(api_client, social_worker).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in ("/api/referrals/", "/api/referrals/{id}/", "/api/referrals/{id}/accept/",
                 "/api/referrals/{id}/not-complete/", "/api/referrals/{id}/revoke/", "/api/referrals/suggestions/"):
        assert path in paths, path
    assert paths["/api/referrals/{id}/decline/"]["post"]["operationId"] == "referrals_decline"


def test_listing_costs_the_same_for_one_referral_or_six(partner_worker, social_worker, send, case):
    """The allowed moves and the sender's view are worked out per page, not per referral (receiver and sender)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parcours.casework import services as casework

    clients = {"partner": login(APIClient(), partner_worker), "sender": login(APIClient(), social_worker)}

    def cost(client, expected):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get("/api/referrals/").json()["results"]) == expected
        return len(queries)

    send()
    one = {name: cost(client, 1) for name, client in clients.items()}
    for n in range(5):
        send(action=casework.action_create(actor=social_worker, case=case, kind="referral", title=f"Action {n}"),
             fields=["given_name"])
    assert {name: cost(client, 6) for name, client in clients.items()} == one
