"""Registry web pages, as each persona uses them (Django test client, no JavaScript)."""

import datetime

import pytest
from django.urls import reverse

from parcours.core.models import AuditEvent
from parcours.registry.models import Household

from ..conftest import login

LIST = reverse("registry:household_list")
CREATE = reverse("registry:household_create")


@pytest.fixture(autouse=True)
def _english(client):
    """Pages are read in English here, so the assertions hold once French and Arabic are translated."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _detail(household):
    return reverse("registry:household_detail", args=[household.pk])


def _management(prefix, total, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def _member(index, **values):
    return {f"members-{index}-{name}": value for name, value in values.items()}


def _household_post(zones, **extra):
    data = {"zone": str(zones["deleg"].pk), "address": "Rue 5", **_management("members", 2)}
    data.update(_member(0, given_name="Salma", family_name="Gharbi", given_name_ar="سلمى",
                        family_name_ar="الغربي",
                        sex="F", relationship="head", date_of_birth="1985-03-02",
                        identifier_scheme="national_id", identifier_value="09876543"))
    data.update(_member(1, given_name="Karim", given_name_ar="كريم", sex="M", relationship="child",
                        date_of_birth="2015-01-01", date_of_birth_estimated="on"))
    data.update(extra)
    return data


# --- who sees what -----------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, households):
    for url in (LIST, CREATE, _detail(households["shared"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("persona", "expected"), [
    ("admin", {"H-SHARED01", "H-PRIVATE1", "H-SENSITIVE"}),
    ("social_worker", {"H-SHARED01", "H-PRIVATE1", "H-SENSITIVE"}),
    ("manager", {"H-SHARED01", "H-PRIVATE1", "H-SENSITIVE"}),
    ("partner_worker", {"H-SHARED01"}),
    ("stranger", set()),
    ("viewer", set()),
])
def test_each_persona_lists_only_the_households_it_may_see(client, personas, households, persona, expected):
    response = login(client, personas[persona]).get(LIST)
    assert response.status_code == 200
    shown = {code for code in ("H-SHARED01", "H-PRIVATE1", "H-SENSITIVE") if code in response.text}
    assert shown == expected


def test_viewer_is_told_why_no_household_is_shown(client, viewer, households):
    response = login(client, viewer).get(LIST)
    assert "not shown to you" in response.text
    assert "H-SHARED01" not in response.text


def test_social_worker_list_shows_head_names_in_both_scripts_and_member_counts(
    client, social_worker, households
):
    response = login(client, social_worker).get(LIST)
    page = response.text
    assert "Fatma Ben Salah" in page and "فاطمة بن صالح" in page
    assert response.context["page"].paginator.count == 3
    counts = {h.code: h.member_count for h in response.context["page"].object_list}
    assert counts == {"H-SHARED01": 2, "H-PRIVATE1": 1, "H-SENSITIVE": 1}


def test_social_worker_searches_by_arabic_and_latin_names(client, social_worker, households):
    login(client, social_worker)
    arabic = client.get(LIST, {"q": "الطرابلسي"})
    assert [h.code for h in arabic.context["page"].object_list] == ["H-PRIVATE1"]
    latin = client.get(LIST, {"q": "youssef"})
    assert [h.code for h in latin.context["page"].object_list] == ["H-SHARED01"]


def test_search_by_zone_covers_the_zones_below(client, social_worker, households, zones):
    response = login(client, social_worker).get(LIST, {"zone": zones["gov"].code})
    assert {h.code for h in response.context["page"].object_list} == {"H-SHARED01", "H-PRIVATE1"}


def test_an_unknown_zone_is_reported_not_a_crash(client, social_worker, households):
    response = login(client, social_worker).get(LIST, {"zone": "NOPE", "page": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["zone"]


def test_typing_in_the_search_box_refreshes_only_the_table(client, social_worker, households):
    response = login(client, social_worker).get(LIST, {"q": "Trabelsi"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and "H-PRIVATE1" in response.text
    assert "HX-Request" in response["Vary"]


def test_the_list_is_paginated_by_25(client, social_worker, households, orgs, zones):
    from parcours.registry import services

    from ..factories import member

    for i in range(26):
        services.household_create(actor=social_worker, organisation=orgs["A"], zone=zones["deleg"],
                                  code=f"H-PAGE{i:03d}", members=[member()])
    login(client, social_worker)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 4


# --- detail ------------------------------------------------------------------------------------------------


def test_social_worker_sees_members_consents_and_history(client, social_worker, households):
    response = login(client, social_worker).get(_detail(households["shared"]))
    assert response.status_code == 200
    page = response.text
    assert "Youssef" in page and "يوسف" in page
    assert "sharing with partner organisations for referral" in page
    assert "Association B" in page
    assert len(response.context["history"]) >= 3
    assert response.context["can_edit"] is True
    assert reverse("registry:household_edit", args=[households["shared"].pk]) in page


def test_opening_a_sensitive_household_is_recorded(client, manager, households):
    household = households["sensitive"]
    login(client, manager).get(_detail(household))
    assert AuditEvent.objects.filter(action="read", object_id=str(household.pk), actor=manager).exists()


def test_partner_worker_reads_a_shared_household_without_edit_links(client, partner_worker, households):
    household = households["shared"]
    response = login(client, partner_worker).get(_detail(household))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert reverse("registry:household_edit", args=[household.pk]) not in response.text


@pytest.mark.parametrize("persona", ["partner_worker", "stranger", "viewer"])
def test_households_out_of_reach_are_not_found(client, personas, households, persona):
    hidden = households["private"]
    login(client, personas[persona])
    assert client.get(_detail(hidden)).status_code == 404
    assert client.get(reverse("registry:household_edit", args=[hidden.pk])).status_code == 404


def test_partner_worker_may_not_change_a_household_it_sees(client, partner_worker, households):
    household = households["shared"]
    login(client, partner_worker)
    for name in ("household_edit", "person_create", "consent_create"):
        assert client.get(reverse(f"registry:{name}", args=[household.pk])).status_code == 403
    consent = household.consents.get()
    url = reverse("registry:consent_withdraw", args=[household.pk, consent.pk])
    assert client.post(url, {"reason": "no"}).status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


@pytest.mark.parametrize("persona", ["partner_worker", "viewer"])
def test_only_casework_roles_may_register(client, personas, persona):
    assert login(client, personas[persona]).get(CREATE).status_code == 403


# --- create and edit ---------------------------------------------------------------------------------------


def test_social_worker_registers_a_household_with_two_members(client, social_worker, zones, orgs):
    login(client, social_worker)
    form = client.get(CREATE)
    assert form.status_code == 200
    assert form.context["form"].fields["organisation"].widget.is_hidden  # only one organisation to choose
    response = client.post(CREATE, _household_post(zones, organisation=str(orgs["A"].pk)))
    assert response.status_code == 302, response.context and response.context["form"].errors
    household = Household.objects.get(address="Rue 5")
    assert response["Location"] == _detail(household)
    assert household.organisation == orgs["A"] and household.code.startswith("H-")
    assert household.head.given_name_ar == "سلمى"
    karim = household.members.get(given_name="Karim")
    assert karim.date_of_birth_estimated is True
    assert household.head.identifiers.get().value == "09876543"
    assert "H-" in client.get(response["Location"]).text


def test_registration_offers_the_zones_the_organisation_covers(client, social_worker, zones, orgs):
    orgs["A"].zones.add(zones["gov"])
    offered = set(login(client, social_worker).get(CREATE).context["form"].fields["zone"].queryset)
    assert offered == {zones["gov"], zones["deleg"]}


def test_a_member_row_is_added_without_javascript(client, social_worker, zones, orgs):
    data = _household_post(zones, organisation=str(orgs["A"].pk), add_member="1")
    response = login(client, social_worker).post(CREATE, data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 3
    assert "members-2-given_name" in response.text
    assert not Household.objects.exists()


def test_a_member_row_is_added_with_htmx(client, social_worker):
    response = login(client, social_worker).get(reverse("registry:member_row"), {"members-TOTAL_FORMS": "2"},
                                                headers={"HX-Request": "true"})
    assert 'name="members-2-given_name"' in response.text
    assert 'hx-swap-oob="true"' in response.text and 'value="3"' in response.text


def test_a_duplicate_code_is_shown_on_the_form_not_a_crash(client, social_worker, zones, orgs, households):
    response = login(client, social_worker).post(
        CREATE, _household_post(zones, organisation=str(orgs["A"].pk), code="H-PRIVATE1")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert Household.objects.filter(code="H-PRIVATE1").count() == 1


def test_a_member_without_any_given_name_is_refused_on_its_row(client, social_worker, zones, orgs):
    data = _household_post(zones, organisation=str(orgs["A"].pk))
    data.update(_member(1, given_name="", given_name_ar=""))
    response = login(client, social_worker).post(CREATE, data)
    assert response.status_code == 200
    assert "given name" in str(response.context["formset"].forms[1].non_field_errors())
    assert not Household.objects.filter(address="Rue 5").exists()  # nothing half-saved


def test_social_worker_edits_a_household_and_a_bad_value_comes_back_with_an_error(
    client, social_worker, households
):
    household = households["shared"]
    url = reverse("registry:household_edit", args=[household.pk])
    login(client, social_worker)
    page = client.get(url)
    assert page.status_code == 200
    data = _edit_post(page)
    data["latitude"] = "123"
    bad = client.post(url, data)
    assert bad.status_code == 200
    assert bad.context["form"].errors["latitude"]
    data["latitude"] = "36.8"
    data["members-1-phone"] = "+216 98 000 111"
    data["members-0-DELETE"] = "on"  # remove the head, Fatma
    good = client.post(url, data)
    assert good.status_code == 302
    household.refresh_from_db()
    assert str(household.latitude) == "36.800000"
    assert household.head is None
    assert list(household.members.values_list("given_name", "phone")) == [("Youssef", "+216 98 000 111")]
    event = AuditEvent.objects.filter(object_id=str(household.pk), action="update").first()
    assert event.actor == social_worker


def _edit_post(page) -> dict:
    """What the browser would send back from the edit page as it was shown."""
    data = {}
    form, formset = page.context["form"], page.context["formset"]
    for bound in [*form, *formset.management_form]:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else getattr(value, "pk", value)
    for member in formset.forms:
        for bound in member:
            value = bound.value()
            if value is None or value is False or bound.name == "DELETE":
                continue
            data[bound.html_name] = "on" if value is True else str(value)
    return data


def test_member_page_adds_and_removes_identity_documents(client, social_worker, households):
    household = households["private"]
    person = household.members.get()
    url = reverse("registry:person_edit", args=[household.pk, person.pk])
    login(client, social_worker)
    assert client.get(url).status_code == 200
    data = {"given_name": "Mohamed", "family_name": "Trabelsi", "given_name_ar": "محمد",
            "family_name_ar": "الطرابلسي", "sex": "M", "relationship": "head", "date_of_birth": "1980-05-01",
            **_management("identifiers", 1),
            "identifiers-0-scheme": "passport", "identifiers-0-value": "X123"}
    assert client.post(url, data).status_code == 302
    identifier = person.identifiers.get()
    assert identifier.value == "X123"
    data.update({"identifiers-0-scheme": "", "identifiers-0-value": "", "remove": [str(identifier.pk)]})
    assert client.post(url, data).status_code == 302
    assert not person.identifiers.exists()


def test_social_worker_adds_a_member_on_its_own_page(client, social_worker, households):
    household = households["private"]
    url = reverse("registry:person_create", args=[household.pk])
    data = {"given_name": "Leila", "given_name_ar": "ليلى", "sex": "F", "relationship": "spouse",
            **_management("identifiers", 1)}
    response = login(client, social_worker).post(url, data)
    assert response.status_code == 302
    assert household.members.filter(given_name_ar="ليلى").exists()


# --- consents ----------------------------------------------------------------------------------------------


def test_social_worker_records_then_withdraws_a_consent(
    client, social_worker, partner_worker, households, orgs
):
    household = households["private"]
    login(client, social_worker)
    response = client.post(reverse("registry:consent_create", args=[household.pk]), {
        "purpose": "sharing", "organisations": [str(orgs["B"].pk)], "given_by": str(household.head.pk),
        "given_on": datetime.date.today().isoformat(),
    })
    assert response.status_code == 302
    consent = household.consents.get()
    assert list(consent.organisations.all()) == [orgs["B"]]
    assert client.get(_detail(household), follow=False).status_code == 200
    assert login(client, partner_worker).get(_detail(household)).status_code == 200

    login(client, social_worker)
    url = reverse("registry:consent_withdraw", args=[household.pk, consent.pk])
    assert client.post(url, {"reason": "La famille a changé d'avis"}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on and consent.withdrawal_reason == "La famille a changé d'avis"
    again = client.post(url, {"reason": ""})
    assert again.status_code == 200 and "already withdrawn" in again.text
    assert login(client, partner_worker).get(_detail(household)).status_code == 404


def test_a_consent_that_expires_before_it_starts_is_refused_with_a_message(client, social_worker, households):
    household = households["private"]
    response = login(client, social_worker).post(reverse("registry:consent_create", args=[household.pk]), {
        "purpose": "follow_up", "given_on": "2025-05-01", "expires_on": "2025-01-01",
    })
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not household.consents.exists()
