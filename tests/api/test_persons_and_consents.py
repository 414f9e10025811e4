"""Members and consents through the API, as each persona uses it."""

import pytest

from parcours.core.audit import history_for
from parcours.registry.models import Consent, Person
from parcours.registry.selectors import households_visible_to

from ..factories import member


def person_url(person) -> str:
    return f"/api/persons/{person.pk}/"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(p["given_name"] for p in response.json()["results"])


def test_social_worker_lists_the_members_of_all_the_households_of_a(social_worker, households, as_user):
    assert names(as_user(social_worker).get("/api/persons/")) == ["Amina", "Fatma", "Mohamed", "Youssef"]


def test_members_of_one_household(social_worker, households, as_user):
    response = as_user(social_worker).get("/api/persons/", {"household": str(households["shared"].pk)})
    assert names(response) == ["Fatma", "Youssef"]
    assert as_user(social_worker).get("/api/persons/", {"household": "not-a-uuid"}).status_code == 400


@pytest.mark.parametrize(("persona", "expected"), [
    ("partner_worker", ["Fatma", "Youssef"]), ("viewer", []), ("stranger", []),
])
def test_others_list_only_the_members_they_may_see(persona, expected, personas, households, as_user):
    assert names(as_user(personas[persona]).get("/api/persons/")) == expected


def test_social_worker_adds_a_member_with_an_identifier(social_worker, households, as_user):
    household = households["private"]
    response = as_user(social_worker).post(
        f"/api/households/{household.pk}/persons/",
        member(given_name="Leila", sex="F", relationship="spouse", date_of_birth="1985-02-03",
               identifiers=[{"scheme": "national_id", "value": "11223344", "issuer": "Tunisie"}]),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["household_code"] == "H-PRIVATE1"
    assert body["identifiers"] == [{"id": body["identifiers"][0]["id"], "scheme": "national_id",
                                    "value": "11223344", "issuer": "Tunisie"}]
    assert history_for(household).filter(action="create", object_type="registry.person").count() == 2


def test_adding_a_member_with_a_bad_sex_is_a_400_naming_the_field(social_worker, households, as_user):
    response = as_user(social_worker).post(f"/api/households/{households['private'].pk}/persons/",
                                           member(sex="?", relationship="child"), format="json")
    assert response.status_code == 400
    assert "sex" in response.json()


def test_partner_worker_may_read_a_shared_member_but_not_add_change_or_remove(partner_worker, households,
                                                                              as_user):
    shared = households["shared"]
    client = as_user(partner_worker)
    head = shared.head
    assert client.get(person_url(head)).json()["given_name"] == "Fatma"
    assert client.post(f"/api/households/{shared.pk}/persons/", member(relationship="child"),
                       format="json").status_code == 403
    assert client.patch(person_url(head), {"phone": "+216 20 000 000"}, format="json").status_code == 403
    assert client.delete(person_url(head)).status_code == 403
    head.refresh_from_db()
    assert head.phone == ""


def test_stranger_gets_404_for_a_member(stranger, households, as_user):
    head = households["shared"].head
    assert as_user(stranger).get(person_url(head)).status_code == 404
    assert as_user(stranger).delete(person_url(head)).status_code == 404
    assert Person.objects.filter(pk=head.pk).exists()


def test_social_worker_corrects_a_name_and_search_follows(social_worker, households, as_user):
    person = households["private"].head
    response = as_user(social_worker).patch(person_url(person), {"family_name": "Trabelsi-Gharbi"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["display_name"] == "Mohamed Trabelsi-Gharbi"
    found = as_user(social_worker).get("/api/households/", {"q": "gharbi"}).json()["results"]
    assert [h["code"] for h in found] == ["H-PRIVATE1"]


def test_social_worker_removes_a_member(social_worker, households, as_user):
    child = households["shared"].members.get(given_name="Youssef")
    assert as_user(social_worker).delete(person_url(child)).status_code == 204
    assert not Person.objects.filter(pk=child.pk).exists()
    assert history_for(households["shared"]).filter(action="delete").count() == 1


def test_reading_a_member_of_a_sensitive_household_is_logged(manager, households, as_user):
    sensitive = households["sensitive"]
    assert as_user(manager).get(person_url(sensitive.head)).status_code == 200
    assert history_for(sensitive).filter(action="read", actor=manager).count() == 1


def consents_url(household) -> str:
    return f"/api/households/{household.pk}/consents/"


def test_social_worker_records_a_sharing_consent_given_by_the_head(social_worker, partner_worker, households,
                                                                    as_user):
    private = households["private"]
    response = as_user(social_worker).post(consents_url(private), {
        "purpose": "sharing", "organisations": ["assoc-b"], "given_by": str(private.head.pk),
    }, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["organisations"] == ["assoc-b"]
    assert response.json()["is_active"] is True
    # From now on, B's partner worker sees the household.
    assert private in households_visible_to(partner_worker)


def test_consent_given_by_someone_outside_the_household_is_refused(social_worker, households, as_user):
    outsider = households["shared"].head
    response = as_user(social_worker).post(consents_url(households["private"]), {
        "purpose": "sharing", "given_by": str(outsider.pk),
    }, format="json")
    assert response.status_code == 400
    assert "given_by" in response.json()


@pytest.mark.parametrize(("body", "field"), [
    ({"purpose": "marketing"}, "purpose"),
    ({"purpose": "sharing", "organisations": ["nobody"]}, "organisations"),
    ({"purpose": "sharing", "organisations": "assoc-b"}, "organisations"),
    ({"purpose": "sharing", "given_on": "2024-02-30"}, "given_on"),
])
def test_bad_consent_input_is_a_400_naming_the_field(body, field, social_worker, households, as_user):
    response = as_user(social_worker).post(consents_url(households["private"]), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_consent_expiring_before_it_was_given_is_refused(social_worker, households, as_user):
    response = as_user(social_worker).post(consents_url(households["private"]), {
        "purpose": "sharing", "given_on": "2025-01-10", "expires_on": "2025-01-01",
    }, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_withdrawing_a_consent_stops_sharing(social_worker, partner_worker, households, as_user):
    shared = households["shared"]
    consent = shared.consents.get(purpose="sharing")
    url = f"/api/households/{shared.pk}/consents/{consent.pk}/withdraw/"
    # B's partner worker sees the consents but may not withdraw them.
    assert [c["purpose"] for c in as_user(partner_worker).get(consents_url(shared)).json()] == ["sharing"]
    assert as_user(partner_worker).post(url, {"reason": "?"}, format="json").status_code == 403

    response = as_user(social_worker).post(url, {"reason": "La famille a changé d'avis"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["withdrawn_on"] and response.json()["is_active"] is False
    assert shared not in households_visible_to(partner_worker)
    assert as_user(partner_worker).get(consents_url(shared)).status_code == 404
    # Twice is an error, not a crash.
    again = as_user(social_worker).post(url, {}, format="json")
    assert again.status_code == 400


def test_a_consent_of_another_household_is_404_under_this_one(social_worker, households, as_user):
    consent = households["sensitive"].consents.get()
    url = f"/api/households/{households['shared'].pk}/consents/{consent.pk}/withdraw/"
    assert as_user(social_worker).post(url, {}, format="json").status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_on is None


@pytest.mark.parametrize("persona", ["stranger", "viewer", "partner_worker"])
def test_consents_of_a_household_not_visible_are_404(persona, personas, households, as_user):
    assert as_user(personas[persona]).get(consents_url(households["private"])).status_code == 404
    response = as_user(personas[persona]).post(consents_url(households["private"]), {"purpose": "sharing"},
                                               format="json")
    assert response.status_code == 404
