"""Registry services, as the people who use them act."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parcours.core.audit import history_for
from parcours.core.exceptions import ApplicationError
from parcours.registry import selectors
from parcours.registry import services as registry

from ..factories import member


def test_social_worker_registers_a_household_with_members_and_the_head_is_set(social_worker, orgs, zones):
    household = registry.household_create(
        actor=social_worker, organisation=orgs["A"], zone=zones["deleg"],
        members=[member(), member(given_name="Sami", sex="M", relationship="child")],
    )
    assert household.code.startswith("H-")
    assert household.members.count() == 2
    assert household.head.given_name == "Fatma"
    events = list(history_for(household))
    assert {e.action for e in events} == {"create", "update"}
    assert all(e.actor == social_worker for e in events)


def test_partner_worker_cannot_register_for_another_organisation(partner_worker, orgs, zones):
    with pytest.raises(PermissionDenied):
        registry.household_create(actor=partner_worker, organisation=orgs["A"], zone=zones["deleg"])


def test_update_records_who_changed_what(social_worker, households):
    household = households["private"]
    registry.household_update(actor=social_worker, household=household, address="12 rue de la Liberté")
    event = history_for(household).first()
    assert event.action == "update"
    assert event.changes == {"address": ["", "12 rue de la Liberté"]}


def test_a_person_without_any_given_name_is_refused(social_worker, households):
    with pytest.raises(ApplicationError):
        registry.person_create(actor=social_worker, household=households["private"],
                               **member(given_name="", given_name_ar="", relationship="child"))


def test_a_bad_date_is_a_validation_error_not_a_crash(social_worker, households):
    with pytest.raises(ValidationError):
        registry.person_create(actor=social_worker, household=households["private"],
                               **member(relationship="child", sex="X"))


def test_search_finds_names_in_either_script_without_diacritics(social_worker, households):
    visible = selectors.households_visible_to(social_worker)
    assert list(selectors.household_search(visible, q="فاطمه")) == [households["shared"]]
    assert list(selectors.household_search(visible, q="TRABELSI")) == [households["private"]]
    assert list(selectors.household_search(visible, q="H-SENS")) == [households["sensitive"]]


def test_search_by_zone_includes_sub_zones(social_worker, households, zones):
    visible = selectors.households_visible_to(social_worker)
    found = set(selectors.household_search(visible, zone=zones["gov"]))
    assert found == {households["shared"], households["private"]}


def test_partner_sees_only_households_shared_with_it_by_consent(partner_worker, households):
    assert list(selectors.households_visible_to(partner_worker)) == [households["shared"]]


def test_withdrawn_consent_stops_sharing(social_worker, partner_worker, households):
    consent = households["shared"].consents.get(purpose="sharing")
    registry.consent_withdraw(actor=social_worker, consent=consent, reason="La famille a changé d'avis")
    assert not selectors.households_visible_to(partner_worker).exists()


def test_expired_consent_stops_sharing(social_worker, partner_worker, households, orgs):
    registry.consent_withdraw(actor=social_worker, consent=households["shared"].consents.get(purpose="sharing"))
    registry.consent_record(actor=social_worker, household=households["shared"], purpose="sharing",
                            organisations=[orgs["B"]], given_on=datetime.date(2020, 1, 1),
                            expires_on=datetime.date(2021, 1, 1))
    assert not selectors.households_visible_to(partner_worker).exists()


def test_viewer_and_stranger_see_no_household(viewer, stranger, households):
    assert not selectors.households_visible_to(viewer).exists()
    assert not selectors.households_visible_to(stranger).exists()


def test_opening_a_sensitive_household_is_logged(manager, households):
    selectors.household_open(user=manager, pk=households["sensitive"].pk)
    assert history_for(households["sensitive"]).filter(action="read", actor=manager).count() == 1
    selectors.household_open(user=manager, pk=households["private"].pk)
    assert not history_for(households["private"]).filter(action="read").exists()


def test_a_household_cannot_be_moved_to_a_programme_its_organisation_is_not_in(social_worker, households, orgs):
    from ..factories import ProgrammeFactory

    foreign = ProgrammeFactory(slug="foreign", lead=orgs["C"])
    with pytest.raises(ApplicationError):
        registry.household_update(actor=social_worker, household=households["private"], programme=foreign)


def test_history_names_zones_the_same_in_every_language(social_worker, households, zones):
    from django.utils import translation

    with translation.override("ar"):
        registry.household_update(actor=social_worker, household=households["private"], zone=zones["other"])
    event = history_for(households["private"]).first()
    assert event.changes["zone"][1] == "Sud (XK02)"
