"""The contract other apps rely on (services_for_terms, term_by_code) and the audited writes."""

import pytest
from django.core.exceptions import PermissionDenied

from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.directory import services as directory
from parcours.directory.models import Service, TaxonomyTerm
from parcours.directory.needs import NEEDS_CODES
from parcours.directory.selectors import needs_terms, services_active, services_for_terms, term_by_code


def test_needs_taxonomy_is_installed_with_four_languages(db):
    """Anyone: the 14 needs are there after migrating, with English, French, Arabic and Portuguese names."""
    assert set(needs_terms().values_list("code", flat=True)) == set(NEEDS_CODES)
    assert len(NEEDS_CODES) == 14
    for term in needs_terms():
        assert term.name and term.name_fr and term.name_ar and term.name_pt
    assert term_by_code("gbv-response").name_fr.startswith("Réponse")
    assert term_by_code("no-such-need") is None


def test_services_for_terms_covers_zones_below_a_service_area(directory_world, zones):
    """A service over the governorate covers its delegation; inactive services are never offered."""
    food = directory_world["food"]
    assert list(services_for_terms(term_codes=["food"], zone=zones["deleg"])) == [food]
    assert list(services_for_terms(term_codes=["food"], zone=zones["gov"])) == [food]
    assert list(services_for_terms(term_codes=["food"], zone=zones["other"])) == []
    assert list(services_for_terms(term_codes=["legal-aid"], zone=zones["other"])) == [directory_world["legal"]]
    assert directory_world["closed"] not in services_active()
    assert set(services_for_terms(term_codes=["food", "legal-aid"])) == {food, directory_world["legal"]}


def test_manager_of_the_owning_organisation_edits_and_retires_a_service(directory_world, manager):
    """Manager of A: changes A's service (audited), then retires it; it leaves the active services."""
    food = directory_world["food"]
    directory.service_update(actor=manager, service=food, fees_description="Free",
                             taxonomy_terms=[term_by_code("food"), term_by_code("cash-transfer")])
    assert set(food.taxonomy_terms.values_list("code", flat=True)) == {"food", "cash-transfer"}
    assert AuditEvent.objects.filter(object_id=str(food.pk), action="update").exists()
    directory.service_retire(actor=manager, service=food)
    food.refresh_from_db()
    assert food.status == Service.Status.DEFUNCT
    assert food not in services_active()


@pytest.mark.parametrize("persona", ["social_worker", "partner_worker", "viewer", "stranger"])
def test_others_may_not_change_a_service(directory_world, personas, persona):
    """Social workers, partners, donors and strangers may not change A's service."""
    with pytest.raises(PermissionDenied):
        directory.service_update(actor=personas[persona], service=directory_world["food"], name="Hacked")


def test_manager_may_not_change_a_service_of_another_organisation(directory_world, manager):
    """Manager of A: the outside association's service is not theirs."""
    with pytest.raises(PermissionDenied):
        directory.service_update(actor=manager, service=directory_world["legal"], name="Mine now")
    with pytest.raises(PermissionDenied):
        directory.service_create(actor=manager, organization=directory_world["outside"], name="New")


def test_bad_service_values_are_refused_by_field(directory_world, manager):
    """Manager of A: an unknown status is refused with a problem on the status field; nothing saved."""
    with pytest.raises(ApplicationError) as caught:
        directory.service_create(actor=manager, organization=directory_world["office"], name="X", status="open")
    assert [p.field for p in caught.value.problems] == ["status"]
    assert not Service.objects.filter(name="X").exists()


def test_term_codes_are_unique_within_a_taxonomy(db):
    """The needs taxonomy cannot get a second "food" term."""
    from django.db import IntegrityError, transaction

    food = term_by_code("food")
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxonomyTerm.objects.create(code="food", name="Food again", taxonomy=food.taxonomy)


def test_administrator_maintains_organisations_outside_parcours(directory_world, admin, manager):
    """Administrator of A: edits the outside association's entry and services; the manager of A may not."""
    outside, legal = directory_world["outside"], directory_world["legal"]
    directory.organization_update(actor=admin, organization=outside, description="Updated.")
    directory.service_update(actor=admin, service=legal, fees_description="Free")
    with pytest.raises(PermissionDenied):
        directory.organization_update(actor=manager, organization=outside, description="No.")


def test_nobody_links_an_entry_to_an_organisation_they_do_not_manage(directory_world, admin, manager, orgs):
    """Administrator or manager of A: linking a directory entry to association B is refused."""
    with pytest.raises(PermissionDenied):
        directory.organization_create(actor=manager, name="B's entry", parcours_organisation=orgs["B"])
    with pytest.raises(PermissionDenied):
        directory.organization_update(actor=admin, organization=directory_world["outside"],
                                      parcours_organisation=orgs["B"])
    created = directory.organization_create(actor=manager, name="A's second entry", parcours_organisation=orgs["A"])
    assert created.parcours_organisation == orgs["A"]


def test_a_manager_may_not_add_an_outside_organisation(db, manager):
    with pytest.raises(PermissionDenied):
        directory.organization_create(actor=manager, name="Someone else")


@pytest.mark.parametrize("persona", ["social_worker", "partner_worker", "viewer", "stranger"])
def test_others_may_not_add_organisations(db, personas, persona):
    with pytest.raises(PermissionDenied):
        directory.organization_create(actor=personas[persona], name="Mine")


def test_administrator_of_a_may_not_edit_services_of_b(directory_world, admin, orgs):
    """Administrator of A: B's entry (B uses Parcours) belongs to B's managers."""
    b_entry = directory.organization_create(actor="tests", name="Association B", parcours_organisation=orgs["B"])
    b_service = directory.service_create(actor="tests", organization=b_entry, name="B's service")
    with pytest.raises(PermissionDenied):
        directory.service_update(actor=admin, service=b_service, name="Taken")
