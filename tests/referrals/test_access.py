"""Who sees which referral, and how much of it.

Personas: ``social_worker`` of A sends; ``partner_worker`` of B receives; ``admin``/``manager`` of A see A's sent
referrals; ``stranger`` (C) and ``viewer`` (donor D) see none. A restricted case's referrals are seen on A's side
by its assigned worker only; the receiver still sees the shared fields of what was addressed to it.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from parcours.casework import services as casework
from parcours.directory.selectors import term_by_code
from parcours.referrals import selectors, services

from ..conftest import _persona, login


@pytest.fixture
def referral(send):
    return send(fields=["given_name", "need"])


@pytest.mark.parametrize("persona, sees", [
    ("admin", True), ("manager", True), ("social_worker", True), ("partner_worker", True),
    ("viewer", False), ("stranger", False), ("anonymous", False),
])
def test_who_sees_a_referral(referral, personas, persona, sees):
    user = personas[persona]
    assert selectors.referrals_visible_to(user).filter(pk=referral.pk).exists() is sees
    if not sees and user is not None:
        with pytest.raises(Http404):
            selectors.referral_open(user=user, pk=referral.pk)


def test_the_partner_sees_only_referrals_addressed_to_its_organisation(send, referral, partner_worker, orgs,
                                                                       directory, households, social_worker):
    other = send("workshop", slip_consent=True)  # to an organisation outside Parcours
    assert list(selectors.referrals_received(partner_worker)) == [referral]
    assert list(selectors.referrals_sent(partner_worker)) == []
    assert other not in selectors.referrals_visible_to(partner_worker)


def test_the_partner_page_shows_the_shared_fields_and_nothing_else(client, referral, partner_worker, households):
    page = login(client, partner_worker).get(reverse("referrals:referral_detail", args=[referral.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Fatma / فاطمة" in text and "Cours de couture" in text
    for hidden in ("H-SHARED01", "Ben Salah", "Youssef", "Sharing consent given on"):
        assert hidden not in text
    assert reverse("registry:household_detail", args=[households["shared"].pk]) not in text
    # The action buttons of the receiver, not the sender's.
    assert 'data-move="accept"' in text and 'data-move="revoke"' not in text


def test_the_sender_page_shows_the_consent_and_may_revoke(client, referral, social_worker):
    text = login(client, social_worker).get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Sharing consent given on" in text and 'data-move="revoke"' in text and 'data-move="accept"' not in text


def test_the_api_gives_the_receiver_no_action_or_case(api_client, referral, partner_worker, social_worker):
    body = login(api_client, partner_worker).get(f"/api/referrals/{referral.pk}/").json()
    assert body["shared"] == {"given_name": "Fatma / فاطمة",
                              "need": {"term": "vocational-training", "title": "Cours de couture"}}
    assert body["action"] is None and body["allowed_moves"] == ["accept", "decline"]
    assert login(api_client, social_worker).get(f"/api/referrals/{referral.pk}/").json()["action"] == str(
        referral.action_id)


@pytest.fixture
def restricted_referral(households, social_worker, programme, directory, orgs):
    """A gender-based-violence case of the shared household, assigned to the social worker only."""
    case = casework.case_open(actor=social_worker, household=households["shared"], programme=programme,
                              workers=[social_worker], restricted=True, restriction_kind="gbv")
    need = casework.need_add(actor=social_worker, case=case, term=term_by_code("psychosocial-support"))
    action = casework.action_create(actor=social_worker, case=case, kind="referral", title="Écoute", need=need)
    return services.referral_send(actor=social_worker, action=action, service=directory["training"],
                                  fields=["given_name"])


def test_a_restricted_cases_referral_is_hidden_from_other_workers_of_the_sender(restricted_referral, orgs,
                                                                                social_worker, partner_worker):
    colleague = _persona("second.worker@a.example", orgs["A"], "social_worker")
    assert restricted_referral in selectors.referrals_visible_to(social_worker)
    assert restricted_referral not in selectors.referrals_visible_to(colleague)
    with pytest.raises(Http404):
        selectors.referral_open(user=colleague, pk=restricted_referral.pk)
    # The receiver reads what was shared with it, not that the case is restricted.
    assert restricted_referral in selectors.referrals_received(partner_worker)
    with pytest.raises(PermissionDenied):  # the colleague may not revoke what they cannot see
        services.referral_move(actor=colleague, referral=restricted_referral, move="revoke", note="x")


def test_anonymous_visitors_are_sent_to_sign_in(client, referral):
    response = client.get(reverse("referrals:referral_detail", args=[referral.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(reverse("referrals:inbox")).status_code == 302
    assert client.get("/api/referrals/").status_code == 401
