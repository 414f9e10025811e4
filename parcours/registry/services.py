"""Writes to the registry. Every door (web, API, CLI, questionnaires, tasks) calls these.

Each service checks that the actor may write, validates with ``full_clean``, saves, and writes the audit trail
in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation, Programme
from parcours.accounts.selectors import CASEWORK_ROLES, user_has_role
from parcours.core.actors import staff_user
from parcours.core.audit import audit_event_unsaved, audit_record, diff, snapshot
from parcours.core.bulk import rows_insert
from parcours.core.exceptions import ApplicationError, Problem
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


# --- many new households at once (file imports) ----------------------------------------------------------------


def _clean(instance, *within: str) -> None:
    # Field checks only: uniqueness is checked for the whole batch in one query each (codes, identifiers), and the
    # keys ``within`` point at records of the same item, not saved yet (the database checks them at commit).
    instance.full_clean(exclude=within, validate_unique=False, validate_constraints=False)


@transaction.atomic
def households_create_many(
    *,
    actor,
    organisation: Organisation,
    programme: Programme | None,
    items: list[dict[str, Any]],
) -> list[Household | ApplicationError]:
    """Register many new households with their members, identifiers and consents: ``household_create``'s rules
    (and ``person_create``'s, ``identifier_add``'s, ``consent_record``'s), written with a few ``bulk_create``.

    Each item: the household's fields (``code``, ``zone``, ``address``, ``latitude``, ``longitude``,
    ``sensitive``, ``notes``), ``members`` (person fields + ``identifiers``) and ``consents`` (``purpose``,
    ``given_on``, ``organisations``; given by the head). The result is in the order of ``items``: the household,
    or the :class:`ApplicationError` that kept that item out (nothing of it is written) — one bad item never stops
    the others. Every record gets its audit event, as through the one-by-one services (the head is in the
    household's creation event instead of a separate update).
    """
    if not user_has_role(actor, organisation, CASEWORK_ROLES):
        raise PermissionDenied(_("You may not register households for this organisation."))
    _require_programme_member(programme, organisation)
    results: list[Household | ApplicationError] = []
    built = []  # (index, household, persons, identifiers, consents with their organisations)
    recorded_by = staff_user(actor)
    for item in items:
        item = dict(item)
        members, consents = item.pop("members", ()), item.pop("consents", ())
        try:
            unknown = set(item) - set(HOUSEHOLD_FIELDS)
            if unknown:
                raise ApplicationError(_("Unknown household fields: %s") % ", ".join(sorted(unknown)))
            household = Household(organisation=organisation, programme=programme, **item)
            household.code = (household.code or "").strip() or new_household_code()
            persons, identifiers = [], []
            for data in members:
                data = dict(data)
                idents = data.pop("identifiers", ())
                unknown = set(data) - set(PERSON_FIELDS)
                if unknown:
                    raise ApplicationError(_("Unknown person fields: %s") % ", ".join(sorted(unknown)))
                person = Person(household=household, **data)
                if not (person.given_name or person.given_name_ar):
                    raise ApplicationError(_("A member needs a given name, in Latin or Arabic script."))
                _set_search_key(person)
                persons.append(person)
                for ident in idents:
                    identifiers.append(Identifier(person=person, scheme=ident["scheme"],
                                                  value=(ident.get("value") or "").strip(),
                                                  issuer=ident.get("issuer", "")))
                if person.relationship == Person.Relationship.HEAD:
                    household.head = person
            records = []
            for consent in consents:
                record = Consent(household=household, purpose=consent["purpose"], given_by=household.head,
                                 recorded_by=recorded_by, given_on=consent.get("given_on") or timezone.localdate(),
                                 expires_on=consent.get("expires_on"))
                records.append((record, list(consent.get("organisations") or ())))
            _clean(household, "head")
            for person in persons:
                _clean(person, "household")
            for identifier in identifiers:
                _clean(identifier, "person")
            for record, _o in records:
                _clean(record, "household", "given_by")
        except (ApplicationError, ValidationError) as exc:
            results.append(exc if isinstance(exc, ApplicationError) else _as_error(exc))
            continue
        results.append(household)
        built.append((len(results) - 1, household, persons, identifiers, records))
    _refuse_taken(built, results)
    built = [entry for entry in built if isinstance(results[entry[0]], Household)]
    households = [entry[1] for entry in built]
    persons = [p for entry in built for p in entry[2]]
    identifiers = [i for entry in built for i in entry[3]]
    consents = [c for entry in built for c, _o in entry[4]]
    events = []
    for household in households:
        events.append(audit_event_unsaved(actor=actor, action=AuditEvent.Action.CREATE, obj=household,
                                   changes=diff({}, snapshot(household))))
    for person in persons:
        events.append(audit_event_unsaved(actor=actor, action=AuditEvent.Action.CREATE, obj=person,
                                   parent=person.household, changes=diff({}, snapshot(person, PERSON_FIELDS))))
    for identifier in identifiers:
        events.append(audit_event_unsaved(actor=actor, action=AuditEvent.Action.CREATE, obj=identifier,
                                   parent=identifier.person.household,
                                   changes=diff({}, snapshot(identifier, ("scheme", "value", "issuer")))))
    links = []
    Through = Consent.organisations.through
    for _index, household, _p, _i, records in built:
        for consent, organisations in records:
            changes = diff({}, snapshot(consent, ("purpose", "given_by", "given_on", "expires_on")))
            changes["organisations"] = [None, sorted(o.name for o in organisations)]
            events.append(audit_event_unsaved(actor=actor, action=AuditEvent.Action.CREATE, obj=consent,
                                              parent=household, changes=changes))
            links += [Through(consent_id=consent.pk, organisation_id=o.pk) for o in organisations]
    # Households first with their head (the key is checked at commit), then who points at them.
    for model, rows in ((Household, households), (Person, persons), (Identifier, identifiers), (Consent, consents),
                        (Through, links), (AuditEvent, events)):
        rows_insert(model, rows)
    return results


def _as_error(exc: ValidationError) -> ApplicationError:
    details = getattr(exc, "message_dict", {"": exc.messages})
    return ApplicationError("; ".join(", ".join(messages) for messages in details.values()),
                            [Problem(", ".join(messages), field=field or None) for field, messages in details.items()])


def _refuse_taken(built: list, results: list) -> None:
    """Household codes and identifiers already in the registry, or twice in the batch: that item is refused, with
    the message the one-by-one services give (the model's own uniqueness check on the item that collides)."""
    codes: dict[str, int] = {}
    idents: dict[tuple, int] = {}
    for index, household, _persons, identifiers, _c in built:
        codes.setdefault(household.code, index)
        for identifier in identifiers:
            idents.setdefault((identifier.scheme, identifier.issuer, identifier.value), index)
    taken_codes = set(Household.objects.filter(code__in=list(codes)).values_list("code", flat=True))
    taken_idents = {tuple(row) for row in Identifier.objects.filter(
        scheme__in={s for s, _i, _v in idents}, issuer__in={i for _s, i, _v in idents},
        value__in={v for _s, _i, v in idents}).values_list("scheme", "issuer", "value")} if idents else set()
    first_code: dict[str, int] = {}
    first_ident: dict[tuple, int] = {}
    for index, household, _persons, identifiers, _c in built:
        problem = None
        if household.code in taken_codes or first_code.setdefault(household.code, index) != index:
            problem = _uniqueness_error(household, Household(code=household.code, organisation=household.organisation,
                                                              zone=household.zone))
        for identifier in identifiers:
            key = (identifier.scheme, identifier.issuer, identifier.value)
            if problem is None and (key in taken_idents or first_ident.setdefault(key, index) != index):
                problem = _uniqueness_error(identifier, identifier)
        if problem is not None:
            results[index] = problem


def _uniqueness_error(instance, probe) -> ApplicationError:
    try:
        probe.validate_unique()
        probe.validate_constraints()
    except ValidationError as exc:
        return _as_error(exc)
    # Taken by an earlier item of the same batch (not in the database yet): say it as Django would.
    return ApplicationError(_("%(model)s with these values is already in this import.")
                            % {"model": instance._meta.verbose_name.capitalize()})
