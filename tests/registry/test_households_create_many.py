"""households_create_many: many new households at once (file imports), with the rules of the one-by-one services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.registry import services as registry
from parcours.registry.models import Consent, Household, Identifier, Person
from tests.factories import member


def _item(code, zone, **extra):
    return {"code": code, "zone": zone, "address": "3 rue du Lac",
            "members": [dict(member(), identifiers=[{"scheme": "national_id", "value": f"ID-{code}"}]),
                        member(given_name="Sami", given_name_ar="سامي", sex="M", relationship="child",
                               date_of_birth=datetime.date(2014, 3, 2))],
            "consents": [{"purpose": "registration", "given_on": datetime.date(2026, 1, 5)}], **extra}


def test_social_worker_registers_many_households_with_members_consents_and_their_trail(social_worker, orgs, zones,
                                                                                       programme):
    """A social worker of A registers three households at once: members, head, identifiers, consents, audit."""
    results = registry.households_create_many(
        actor=social_worker, organisation=orgs["A"], programme=programme,
        items=[_item(f"H-BULK000{n}", zones["deleg"]) for n in range(3)])
    assert all(isinstance(r, Household) for r in results)
    for household in results:
        household.refresh_from_db()
        assert household.head.given_name == "Fatma" and household.members.count() == 2
        assert Identifier.objects.get(person=household.head).value == f"ID-{household.code}"
        consent = Consent.objects.get(household=household)
        assert consent.given_by == household.head and consent.recorded_by == social_worker
        events = AuditEvent.objects.filter(actor=social_worker, action=AuditEvent.Action.CREATE)
        assert events.filter(object_type="registry.household", object_id=str(household.pk)).exists()
        assert events.filter(object_type="registry.person", parent_id=str(household.pk)).count() == 2
        assert events.filter(object_type="registry.identifier", parent_id=str(household.pk)).count() == 1
        assert events.filter(object_type="registry.consent", parent_id=str(household.pk)).count() == 1
        assert all(p.search_key for p in household.members.all())


def test_an_item_that_breaks_a_rule_is_refused_alone(social_worker, orgs, zones, programme, households):
    """A code already registered, a code twice in the batch, an identifier already held, a member without a name:
    those items are refused with the reason, the others are written."""
    nameless = _item("H-NONAME01", zones["deleg"])
    nameless["members"][1] = member(given_name="", given_name_ar="", relationship="child")
    taken_id = _item("H-TAKENID1", zones["deleg"])
    taken_id["members"][0]["identifiers"] = [{"scheme": "national_id", "value": "ID-H-GOOD0001"}]
    results = registry.households_create_many(
        actor=social_worker, organisation=orgs["A"], programme=programme,
        items=[_item("H-GOOD0001", zones["deleg"]), _item("H-SHARED01", zones["deleg"]),
               _item("H-GOOD0001", zones["deleg"]), nameless, taken_id, _item("H-GOOD0002", zones["other"])])
    kinds = [type(r) for r in results]
    assert kinds == [Household, ApplicationError, ApplicationError, ApplicationError, ApplicationError, Household]
    assert "already exists" in results[1].message and "already in this import" in results[2].message
    assert "given name" in results[3].message and "already in this import" in results[4].message
    assert Household.objects.filter(code__startswith="H-GOOD").count() == 2
    assert not Household.objects.filter(code__in=["H-NONAME01", "H-TAKENID1"]).exists()
    assert Person.objects.filter(household__code="H-SHARED01").count() == 2  # untouched


def test_stranger_may_not_register_households_of_another_organisation(stranger, orgs, zones, programme):
    """A social worker of C cannot register households for A: nothing is written."""
    with pytest.raises(PermissionDenied):
        registry.households_create_many(actor=stranger, organisation=orgs["A"], programme=programme,
                                        items=[_item("H-STRANGE1", zones["deleg"])])
    assert not Household.objects.filter(code="H-STRANGE1").exists()
