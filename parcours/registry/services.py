"""Writes to the registry. Every door (web, API, CLI, questionnaires, tasks) calls these.

Each service checks that the actor may write, validates with ``full_clean``, saves, and writes the audit trail
in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation, Programme
from parcours.accounts.selectors import CASEWORK_ROLES, user_has_role
from parcours.core.actors import staff_user
from parcours.core.audit import audit_record, diff, snapshot
from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.core.text import search_normalise
from parcours.territories.models import Zone

from .models import Consent, Household, Identifier, Person
from .selectors import household_can_edit

HOUSEHOLD_FIELDS = ("code", "zone", "programme", "address", "latitude", "longitude", "sensitive", "notes")
PERSON_FIELDS = (
    "given_name", "family_name", "father_name", "given_name_ar", "family_name_ar", "father_name_ar", "sex",
    "date_of_birth", "date_of_birth_estimated", "relationship", "phone",
)


def _require_edit(actor, household: Household) -> None:
    if not household_can_edit(actor, household):
        raise PermissionDenied(_("You may not change this household."))


def _require_programme_member(programme: Programme | None, organisation: Organisation) -> None:
    if programme is None or programme.lead_id == organisation.pk:
        return
    if not programme.partners.filter(pk=organisation.pk).exists():
        raise ApplicationError(_("This organisation does not take part in the programme “%s”.") % programme)


def new_household_code() -> str:
    """A short code that is unique without a shared counter, so offline devices can create it too."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes get read aloud and copied by hand
    while True:
        code = "H-" + "".join(secrets.choice(alphabet) for _ in range(8))
        if not Household.objects.filter(code=code).exists():
            return code


def _set_search_key(person: Person) -> None:
    person.search_key = search_normalise(
        " ".join([person.latin_name, person.arabic_name])
    )[:700]


@transaction.atomic
def household_create(
    *,
    actor,
    organisation: Organisation,
    zone: Zone,
    code: str = "",
    programme: Programme | None = None,
    address: str = "",
    latitude=None,
    longitude=None,
    sensitive: bool = False,
    notes: str = "",
    members: Iterable[dict[str, Any]] = (),
) -> Household:
    if not user_has_role(actor, organisation, CASEWORK_ROLES):
        raise PermissionDenied(_("You may not register households for this organisation."))
    _require_programme_member(programme, organisation)
    household = Household(
        code=(code or "").strip() or new_household_code(), organisation=organisation, zone=zone,
        programme=programme, address=address, latitude=latitude, longitude=longitude, sensitive=sensitive,
        notes=notes,
    )
    household.full_clean()
    household.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=household, changes=diff({}, snapshot(household)))
    for data in members:
        person_create(actor=actor, household=household, **data)
    return household


@transaction.atomic
def household_update(*, actor, household: Household, **data) -> Household:
    _require_edit(actor, household)
    unknown = set(data) - set(HOUSEHOLD_FIELDS) - {"head"}
    if unknown:
        raise ApplicationError(_("Unknown household fields: %s") % ", ".join(sorted(unknown)))
    if "programme" in data:
        _require_programme_member(data["programme"], household.organisation)
    before = snapshot(household)
    for name, value in data.items():
        setattr(household, name, value)
    if household.head_id and household.head.household_id != household.pk:
        raise ApplicationError(_("The head of household must be one of its members."))
    household.full_clean()
    household.save()
    changes = diff(before, snapshot(household))
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=household, changes=changes)
    return household


@transaction.atomic
def person_create(*, actor, household: Household, identifiers: Iterable[dict] = (), **data) -> Person:
    _require_edit(actor, household)
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown person fields: %s") % ", ".join(sorted(unknown)))
    person = Person(household=household, **data)
    if not (person.given_name or person.given_name_ar):
        raise ApplicationError(_("A member needs a given name, in Latin or Arabic script."))
    _set_search_key(person)
    person.full_clean()
    person.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=person, parent=household,
                 changes=diff({}, snapshot(person, PERSON_FIELDS)))
    for ident in identifiers:
        identifier_add(actor=actor, person=person, **ident)
    if person.relationship == Person.Relationship.HEAD and household.head_id != person.pk:
        household_update(actor=actor, household=household, head=person)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **data) -> Person:
    household = person.household
    _require_edit(actor, household)
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown person fields: %s") % ", ".join(sorted(unknown)))
    before = snapshot(person, PERSON_FIELDS)
    for name, value in data.items():
        setattr(person, name, value)
    if not (person.given_name or person.given_name_ar):
        raise ApplicationError(_("A member needs a given name, in Latin or Arabic script."))
    _set_search_key(person)
    person.full_clean()
    person.save()
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=person, parent=household, changes=changes)
    if person.relationship == Person.Relationship.HEAD and household.head_id != person.pk:
        household_update(actor=actor, household=household, head=person)
    elif person.relationship != Person.Relationship.HEAD and household.head_id == person.pk:
        household_update(actor=actor, household=household, head=None)
    return person


@transaction.atomic
def person_delete(*, actor, person: Person) -> None:
    household = person.household
    _require_edit(actor, household)
    if household.head_id == person.pk:
        household_update(actor=actor, household=household, head=None)
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=person, parent=household,
                 changes=diff(snapshot(person, PERSON_FIELDS), {}))
    person.delete()


@transaction.atomic
def identifier_add(*, actor, person: Person, scheme: str, value: str, issuer: str = "") -> Identifier:
    _require_edit(actor, person.household)
    identifier = Identifier(person=person, scheme=scheme, value=(value or "").strip(), issuer=issuer)
    identifier.full_clean()
    identifier.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=identifier, parent=person.household,
                 changes=diff({}, snapshot(identifier, ("scheme", "value", "issuer"))))
    return identifier


@transaction.atomic
def identifier_remove(*, actor, identifier: Identifier) -> None:
    household = identifier.person.household
    _require_edit(actor, household)
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=identifier, parent=household,
                 changes=diff(snapshot(identifier, ("scheme", "value", "issuer")), {}))
    identifier.delete()


@transaction.atomic
def consent_record(
    *,
    actor,
    household: Household,
    purpose: str,
    organisations: Iterable[Organisation] = (),
    given_by: Person | None = None,
    given_on=None,
    expires_on=None,
) -> Consent:
    _require_edit(actor, household)
    if given_by is not None and given_by.household_id != household.pk:
        raise ApplicationError(_("Consent must be given by a member of the household."))
    consent = Consent(
        household=household, purpose=purpose, given_by=given_by,
        recorded_by=staff_user(actor),
        given_on=given_on or timezone.localdate(), expires_on=expires_on,
    )
    if consent.expires_on and consent.expires_on < consent.given_on:
        raise ApplicationError(_("A consent cannot expire before it was given."))
    consent.full_clean()
    consent.save()
    orgs = list(organisations)
    if orgs:  # a new consent has no organisations yet: add() spares set()'s read of the current ones
        consent.organisations.add(*orgs)
    changes = diff({}, snapshot(consent, ("purpose", "given_by", "given_on", "expires_on")))
    changes["organisations"] = [None, sorted(o.name for o in orgs)]
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=consent, parent=household, changes=changes)
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, reason: str = "", on=None) -> Consent:
    _require_edit(actor, consent.household)
    if consent.withdrawn_on:
        raise ApplicationError(_("This consent was already withdrawn."))
    before = snapshot(consent, ("withdrawn_on", "withdrawal_reason"))
    consent.withdrawn_on = on or timezone.localdate()
    consent.withdrawal_reason = reason
    consent.full_clean()
    consent.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=consent, parent=consent.household,
                 changes=diff(before, snapshot(consent, ("withdrawn_on", "withdrawal_reason"))))
    return consent
