"""Directory pages, from each persona's side."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from parcours.directory.models import Service
from parcours.directory.selectors import term_by_code

from ..conftest import login


@pytest.mark.parametrize("persona", ["admin", "manager", "social_worker", "partner_worker", "viewer", "stranger"])
def test_every_signed_in_user_reads_the_directory(client, directory_world, personas, persona):
    """Anyone signed in: list, service and organisation pages open (the directory is shared, not personal)."""
    login(client, personas[persona])
    page = client.get(reverse("directory:service_list"))
    assert page.status_code == 200
    assert "Food parcels" in page.content.decode()
    assert "Closed food bank" not in page.content.decode()  # inactive services are hidden unless asked for
    detail = client.get(reverse("directory:service_detail", args=[directory_world["food"].pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "1 main street" in text and "36.80000, 10.18000" in text and "Monday, Tuesday" in text
    assert client.get(reverse("directory:organization_detail", args=[directory_world["outside"].pk])).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, directory_world):
    """Anonymous: the directory asks to sign in."""
    response = client.get(reverse("directory:service_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_filters_by_need_zone_organisation_and_status(client, directory_world, social_worker, zones):
    """Social worker: filters narrow the list (zone coverage goes down the zone tree)."""
    login(client, social_worker)
    url = reverse("directory:service_list")

    def names(**params):
        page = client.get(url, params)
        assert page.status_code == 200
        return [s.name for s in page.context["page"].object_list]

    assert names(term="legal-aid") == ["Legal advice"]
    assert names(zone="XK0101") == ["Food parcels"]
    assert names(organization=str(directory_world["outside"].pk)) == ["Legal advice"]
    assert names(status="all", term="food") == ["Closed food bank", "Food parcels"]
    assert names(q="lawyers") == ["Legal advice"]
    assert names(q="طرود") == ["Food parcels"]


def test_service_list_in_arabic_shows_arabic_names(client, directory_world, social_worker):
    """Social worker reading in Arabic: service and need names are the Arabic ones."""
    social_worker.language = "ar"
    social_worker.save()
    login(client, social_worker)
    text = client.get(reverse("directory:service_list"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "طرود غذائية" in text and term_by_code("food").name_ar in text


def test_manager_creates_and_edits_a_service_of_their_organisation(client, directory_world, manager, zones):
    """Manager of A: the form creates a service with needs, zones, languages and documents, then edits it."""
    login(client, manager)
    form = client.get(reverse("directory:service_create"))
    assert form.status_code == 200
    response = client.post(reverse("directory:service_create"), {
        "organization": str(directory_world["office"].pk), "name": "Cash for work", "status": "active",
        "taxonomy_terms": [str(term_by_code("employment").pk), str(term_by_code("cash-transfer").pk)],
        "zones": [str(zones["deleg"].pk)], "languages": "ar, fr", "required_documents": "ID card\nCV",
        "eligibility_description": "Adults out of work.",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    service = Service.objects.get(name="Cash for work")
    assert set(service.taxonomy_terms.values_list("code", flat=True)) == {"employment", "cash-transfer"}
    assert list(service.service_areas.all()) == [zones["deleg"]]
    assert sorted(service.languages.values_list("code", flat=True)) == ["ar", "fr"]
    assert sorted(service.required_documents.values_list("document", flat=True)) == ["CV", "ID card"]
    edit = client.post(reverse("directory:service_edit", args=[service.pk]), {
        "name": "Cash for work", "status": "temporarily closed", "taxonomy_terms": [str(term_by_code("employment").pk)],
        "zones": [], "languages": "ar", "required_documents": "ID card",
    })
    assert edit.status_code == 302
    service.refresh_from_db()
    assert service.status == "temporarily closed"
    assert list(service.taxonomy_terms.values_list("code", flat=True)) == ["employment"]
    assert not service.service_areas.exists()


def test_bad_form_input_is_shown_on_the_form(client, directory_world, manager):
    """Manager of A: a bad e-mail comes back on the form, nothing is created, no 500."""
    login(client, manager)
    response = client.post(reverse("directory:service_create"), {
        "organization": str(directory_world["office"].pk), "name": "Bad", "status": "active", "email": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Service.objects.filter(name="Bad").exists()


@pytest.mark.parametrize("persona", ["social_worker", "partner_worker", "viewer", "stranger"])
def test_only_managers_of_the_owner_edit(client, directory_world, personas, persona):
    """Others: the edit and create pages are refused; no edit button."""
    login(client, personas[persona])
    assert client.get(reverse("directory:service_edit", args=[directory_world["food"].pk])).status_code == 403
    assert client.get(reverse("directory:service_create")).status_code == 403
    detail = client.get(reverse("directory:service_detail", args=[directory_world["food"].pk]))
    assert reverse("directory:service_edit", args=[directory_world["food"].pk]) not in detail.content.decode()


def test_manager_of_a_may_not_edit_the_outside_service(client, directory_world, manager):
    login(client, manager)
    assert client.get(reverse("directory:service_edit", args=[directory_world["legal"].pk])).status_code == 403


def test_admin_exports_a_zip_and_imports_it_back(client, directory_world, admin):
    """Administrator: the export page gives a ZIP of the HSDS layout; importing it changes nothing."""
    login(client, admin)
    assert client.get(reverse("directory:export")).status_code == 200
    response = client.post(reverse("directory:export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"organizations.json", "services.json", "csv/datapackage.json", "csv/services.csv"} <= names
    assert len(json.loads(archive.read("services.json"))) == 3
    upload = io.BytesIO(response.content)
    upload.name = "export.zip"
    result = client.post(reverse("directory:import"), {"file": upload})
    assert result.status_code == 200
    assert result.context["result"]["total"]["created"] == 0
    assert result.context["result"]["total"]["updated"] == 0


def test_import_page_lists_problems_and_imports_nothing(client, directory_world, admin):
    """Administrator: a ZIP whose services.json is broken gets the problem list, with a 400, nothing written."""
    login(client, admin)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export/services.json", '[{"id": "not-a-uuid", "name": "X"}]')
    buffer.seek(0)
    buffer.name = "bad.zip"
    response = client.post(reverse("directory:import"), {"file": buffer})
    assert response.status_code == 400
    problems = response.context["error"].problems
    assert {p.field for p in problems} >= {"id", "status"}
    assert all(p.file == "services.json" for p in problems)
    text = response.content.decode()
    assert "nothing was imported" in text
    assert not Service.objects.filter(name="X").exists()


def test_import_page_refuses_what_is_not_a_zip(client, admin):
    login(client, admin)
    upload = io.BytesIO(b"hello")
    upload.name = "hello.zip"
    response = client.post(reverse("directory:import"), {"file": upload})
    assert response.status_code == 400
    assert "not a ZIP" in response.content.decode()


@pytest.mark.parametrize("persona", ["social_worker", "partner_worker", "viewer", "stranger"])
def test_import_and_export_are_for_managers(client, personas, persona):
    """Others: import and export pages are refused."""
    login(client, personas[persona])
    assert client.get(reverse("directory:import")).status_code == 403
    assert client.post(reverse("directory:export")).status_code == 403


@pytest.mark.parametrize("name", ["q", "term", "zone", "organization", "status", "page"])
def test_odd_filter_values_never_give_a_500(client, directory_world, social_worker, name):
    """Social worker: NUL characters and unknown values in the filters give the page, not an error."""
    login(client, social_worker)
    for value in ("\x00", "nope", "0" * 300):
        assert client.get(reverse("directory:service_list"), {name: value}).status_code == 200


def test_manager_adds_an_organisation_linked_to_their_own(client, directory_world, manager, orgs):
    """Manager of A: the organisation form offers only A to link to, and creates the entry."""
    from parcours.directory.models import Organization

    login(client, manager)
    page = client.get(reverse("directory:organization_create"))
    assert list(page.context["form"].fields["parcours_organisation"].queryset) == [orgs["A"]]
    response = client.post(reverse("directory:organization_create"), {
        "name": "Office A, second site", "parcours_organisation": str(orgs["A"].pk), "description": "Second."})
    assert response.status_code == 302
    created = Organization.objects.get(name="Office A, second site")
    assert created.parcours_organisation == orgs["A"]
    refused = client.post(reverse("directory:organization_create"), {
        "name": "Sneaky", "parcours_organisation": str(orgs["B"].pk)})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert not Organization.objects.filter(name="Sneaky").exists()


def test_admin_edits_an_outside_organisation(client, directory_world, admin):
    login(client, admin)
    outside = directory_world["outside"]
    detail = client.get(reverse("directory:organization_detail", args=[outside.pk]))
    assert reverse("directory:organization_edit", args=[outside.pk]) in detail.content.decode()
    response = client.post(reverse("directory:organization_edit", args=[outside.pk]), {
        "name": "Outside association", "name_ar": "جمعية خارجية", "description": "Updated."})
    assert response.status_code == 302
    outside.refresh_from_db()
    assert outside.name_ar == "جمعية خارجية" and outside.parcours_organisation is None


@pytest.mark.parametrize("persona", ["manager", "social_worker", "viewer", "stranger"])
def test_others_may_not_edit_the_outside_organisation(client, directory_world, personas, persona):
    login(client, personas[persona])
    assert client.get(reverse("directory:organization_edit", args=[directory_world["outside"].pk])).status_code == 403


def test_manager_sets_where_and_when_on_the_service_form(client, directory_world, manager):
    """Manager of A: adds a new place with GPS and weekly hours, then drops the old place."""
    login(client, manager)
    food = directory_world["food"]
    url = reverse("directory:service_edit", args=[food.pk])
    form = client.get(url).context["form"]
    assert [str(loc.pk) for loc in form.initial["locations"]] == [str(directory_world["north"].pk)]
    assert form.initial["days"] == ["MO", "TU"]
    response = client.post(url, {
        "name": "Food parcels", "status": "active", "taxonomy_terms": [str(term_by_code("food").pk)],
        "locations": [], "new_location_name": "Market stall", "new_location_address": "Market square",
        "new_location_city": "Ville-Haute", "new_location_latitude": "36.81", "new_location_longitude": "10.19",
        "days": ["WE", "FR"], "opens_at": "09:00", "closes_at": "13:30",
    })
    assert response.status_code == 302, response.context["form"].errors
    places = [link.location for link in food.service_at_locations.all()]
    assert [(p.name, p.latitude, p.longitude) for p in places] == [("Market stall", 36.81, 10.19)]
    assert places[0].addresses.get().address_1 == "Market square"
    schedule = food.schedules.get()
    assert (schedule.byday, schedule.opens_at, schedule.closes_at) == ("WE,FR", "09:00", "13:30")


def test_half_a_gps_position_is_refused_on_the_form(client, directory_world, manager):
    login(client, manager)
    food = directory_world["food"]
    response = client.post(reverse("directory:service_edit", args=[food.pk]), {
        "name": "Food parcels", "status": "active", "new_location_name": "Somewhere",
        "new_location_latitude": "36.8"})
    assert response.status_code == 200
    assert "new_location_longitude" in response.context["form"].errors
    assert food.service_at_locations.count() == 1
