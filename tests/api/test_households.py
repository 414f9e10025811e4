"""Households through the API, as each persona uses it."""

import pytest
from rest_framework.test import APIClient

from parcours.core.audit import history_for
from parcours.registry.models import Household

from ..conftest import login
from ..factories import MembershipFactory, member

LIST = "/api/households/"


def detail(household) -> str:
    return f"/api/households/{household.pk}/"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [h["code"] for h in response.json()["results"]]


def test_social_worker_lists_the_households_of_their_organisation(social_worker, households, as_user):
    response = as_user(social_worker).get(LIST)
    assert codes(response) == ["H-PRIVATE1", "H-SENSITIVE", "H-SHARED01"]
    body = response.json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["organisation"] == "office-a"
    assert first["zone"] == "XK0101"
    assert first["head_name"] == "Mohamed Trabelsi"
    assert [h["member_count"] for h in body["results"]] == [1, 1, 2]


def test_the_list_is_paginated(manager, households, as_user):
    body = as_user(manager).get(LIST, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert len(as_user(manager).get(body["next"]).json()["results"]) == 1


def test_a_page_past_the_end_is_a_404_not_a_crash(manager, households, as_user):
    assert as_user(manager).get(LIST, {"page": 99}).status_code == 404


def test_the_same_list_by_session_as_the_browser_does(admin, households):
    assert codes(login(APIClient(), admin).get(LIST)) == ["H-PRIVATE1", "H-SENSITIVE", "H-SHARED01"]


def test_partner_worker_lists_only_what_was_shared_with_b(partner_worker, households, as_user):
    assert codes(as_user(partner_worker).get(LIST)) == ["H-SHARED01"]


@pytest.mark.parametrize("persona", ["viewer", "stranger"])
def test_viewer_and_stranger_get_an_empty_list(persona, personas, households, as_user):
    assert codes(as_user(personas[persona]).get(LIST)) == []


@pytest.mark.parametrize(("query", "expected"), [
    ({"q": "فاطمه"}, ["H-SHARED01"]),  # Arabic, with the taa marbuta written as haa
    ({"q": "trabelsi"}, ["H-PRIVATE1"]),
    ({"q": "H-SENS"}, ["H-SENSITIVE"]),
    ({"zone": "XK01"}, ["H-PRIVATE1", "H-SHARED01"]),  # the governorate and the delegation under it
    ({"zone": "XK02"}, ["H-SENSITIVE"]),
    ({"organisation": "office-a", "q": "Youssef"}, ["H-SHARED01"]),
    ({"organisation": "assoc-b"}, []),
])
def test_social_worker_searches_and_filters(query, expected, social_worker, households, as_user):
    assert codes(as_user(social_worker).get(LIST, query)) == expected


@pytest.mark.parametrize("query", [{"zone": "NOWHERE"}, {"organisation": "no-such-org"}, {"q": "x" * 201}])
def test_an_unknown_filter_value_is_a_400_naming_the_parameter(query, social_worker, households, as_user):
    response = as_user(social_worker).get(LIST, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def new_household(**overrides) -> dict:
    data = {
        "zone": "XK0101", "address": "Rue des Oliviers", "latitude": "36.8", "longitude": 10.18,
        "members": [
            member(date_of_birth="1980-05-01", identifiers=[{"scheme": "national_id", "value": "09876543"}]),
            member(given_name="Sami", given_name_ar="سامي", sex="M", relationship="child",
                   date_of_birth="2015-03-02"),
        ],
    }
    data.update(overrides)
    return data


def test_social_worker_registers_a_household_with_members_and_identifiers(social_worker, zones, orgs, as_user):
    response = as_user(social_worker).post(LIST, new_household(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith("H-")
    assert body["organisation"] == "office-a"  # their only organisation, so it needs no saying
    assert body["head_name"] == "Fatma Ben Salah"
    assert [m["given_name"] for m in body["members"]] == ["Fatma", "Sami"]
    assert body["members"][0]["identifiers"][0]["value"] == "09876543"
    assert body["can_edit"] is True
    household = Household.objects.get(code=body["code"])
    assert {e.actor for e in history_for(household)} == {social_worker}
    # Search finds the new household by its identity number.
    assert codes(as_user(social_worker).get(LIST, {"q": "09876543"})) == [body["code"]]


def test_a_user_of_several_organisations_must_say_which(social_worker, orgs, zones, as_user):
    MembershipFactory(user=social_worker, organisation=orgs["C"], role="social_worker")
    response = as_user(social_worker).post(LIST, new_household(), format="json")
    assert response.status_code == 400
    assert "organisation" in response.json()
    response = as_user(social_worker).post(LIST, new_household(organisation="assoc-c"), format="json")
    assert response.status_code == 201
    assert response.json()["organisation"] == "assoc-c"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"zone": "NOWHERE"}, "zone"),
    ({"zone": ["XK0101"]}, "zone"),
    ({"latitude": "91"}, "latitude"),
    ({"longitude": "east"}, "longitude"),
    ({"code": "H-SHARED01"}, "code"),  # already taken
    ({"members": [member(sex="X")]}, "members"),
    ({"members": [member(date_of_birth="01/05/1980")]}, "members"),
    ({"members": [member(identifiers=[{"scheme": "tattoo", "value": "1"}])]}, "members"),
    ({"programme": "no-such-programme"}, "programme"),
])
def test_bad_input_is_a_400_naming_the_field(overrides, field, social_worker, households, as_user):
    before = Household.objects.count()
    response = as_user(social_worker).post(LIST, new_household(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Household.objects.count() == before


def test_a_member_without_a_name_is_refused_with_a_message(social_worker, zones, as_user):
    response = as_user(social_worker).post(
        LIST, new_household(members=[member(given_name="", given_name_ar="")]), format="json"
    )
    assert response.status_code == 400
    assert "given name" in response.json()["detail"] or "prénom" in response.json()["detail"]
    assert not Household.objects.exists()


@pytest.mark.parametrize("persona", ["partner_worker", "viewer"])
def test_who_may_not_register_gets_403(persona, personas, zones, as_user):
    response = as_user(personas[persona]).post(LIST, new_household(), format="json")
    assert response.status_code == 403
    response = as_user(personas[persona]).post(LIST, new_household(organisation="office-a"), format="json")
    assert response.status_code == 403
    assert not Household.objects.exists()


def test_manager_opens_a_household_with_its_members(manager, households, as_user):
    body = as_user(manager).get(detail(households["shared"])).json()
    assert body["code"] == "H-SHARED01"
    assert [m["given_name"] for m in body["members"]] == ["Fatma", "Youssef"]
    assert body["members"][1]["age"] is not None


def test_opening_a_sensitive_household_is_logged_and_a_list_is_not(manager, households, as_user):
    sensitive = households["sensitive"]
    as_user(manager).get(LIST)
    assert not history_for(sensitive).filter(action="read").exists()
    assert as_user(manager).get(detail(sensitive)).status_code == 200
    assert history_for(sensitive).filter(action="read", actor=manager).count() == 1
    as_user(manager).get(detail(households["private"]))
    assert not history_for(households["private"]).filter(action="read").exists()


@pytest.mark.parametrize(("persona", "household", "status"), [
    ("partner_worker", "private", 404), ("partner_worker", "sensitive", 404), ("partner_worker", "shared", 200),
    ("stranger", "shared", 404), ("viewer", "shared", 404),
])
def test_detail_is_404_when_not_visible(persona, household, status, personas, households, as_user):
    assert as_user(personas[persona]).get(detail(households[household])).status_code == status


def test_an_unknown_household_is_404(social_worker, db, as_user):
    assert as_user(social_worker).get("/api/households/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_social_worker_changes_a_household_and_the_change_is_traced(social_worker, households, as_user):
    household = households["private"]
    response = as_user(social_worker).patch(detail(household), {"address": "12 rue de la Liberté", "zone": "XK02"},
                                            format="json")
    assert response.status_code == 200, response.content
    assert response.json()["zone"] == "XK02"
    event = history_for(household).filter(action="update").first()
    assert event.actor == social_worker
    assert event.changes["address"] == ["", "12 rue de la Liberté"]


def test_partner_worker_sees_the_shared_household_but_may_not_change_it(partner_worker, households, as_user):
    response = as_user(partner_worker).patch(detail(households["shared"]), {"address": "x"}, format="json")
    assert response.status_code == 403
    households["shared"].refresh_from_db()
    assert households["shared"].address == ""


def test_stranger_cannot_even_learn_that_the_household_exists(stranger, households, as_user):
    response = as_user(stranger).patch(detail(households["private"]), {"address": "x"}, format="json")
    assert response.status_code == 404


def test_a_blank_code_on_update_is_a_400_naming_the_field(social_worker, households, as_user):
    response = as_user(social_worker).patch(detail(households["private"]), {"code": ""}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()
