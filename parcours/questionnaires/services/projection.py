"""From a stored submission to the registry: one household and its members, through the registry services.

A projection problem (no household code, unknown zone, a member without a name…) never loses the submission:
the caller puts it in quarantine with the problems returned here.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.text import search_normalise
from parcours.registry import services as registry
from parcours.registry.models import Consent, Household, Identifier, Person
from parcours.territories.models import Zone

from ..models import Submission

SEX = {"f": "F", "female": "F", "femme": "F", "m": "M", "male": "M", "homme": "M"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
SENSITIVE_EMPTY = {"", "none", "prefer_not_to_say", "no"}


class ProjectionError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _gps(value: str) -> tuple[Decimal | None, Decimal | None]:
    parts = (value or "").split()
    if len(parts) < 2:
        return None, None
    try:
        lat, lon = Decimal(parts[0]).quantize(Decimal("0.000001")), Decimal(parts[1]).quantize(Decimal("0.000001"))
    except InvalidOperation:
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _birth(value: str, age: str, on: datetime.date) -> tuple[datetime.date | None, bool]:
    if value and _DATE.match(value):
        try:
            return datetime.date.fromisoformat(value[:10]), False
        except ValueError:
            pass
    if age and age.strip().isdigit():
        years = int(age)
        try:
            return on.replace(year=on.year - years), True
        except ValueError:  # 29 February
            return on.replace(year=on.year - years, day=28), True
    return None, False


def _member_data(row: dict, fields: dict, on: datetime.date, index: int, repeat: str) -> tuple[dict, str, list]:
    problems = []

    def get(key: str) -> str:
        name = fields.get(key)
        return (row.get(name) or "").strip() if name else ""

    sex = SEX.get(get("sex").lower())
    if not sex:
        problems.append(Problem(_("Sex is missing or not understood (“%s”).") % get("sex"), row=index,
                                field=f"{repeat}/{fields.get('sex')}"))
    dob, estimated = _birth(get("date_of_birth"), get("age"), on)
    relationship = get("relationship") or "other_relative"
    if relationship not in Person.Relationship.values:
        problems.append(Problem(_("Unknown relationship “%s”.") % relationship, row=index,
                                field=f"{repeat}/{fields.get('relationship')}"))
    data = {
        "given_name": get("given_name"), "family_name": get("family_name"), "father_name": get("father_name"),
        "given_name_ar": get("given_name_ar"), "family_name_ar": get("family_name_ar"),
        "father_name_ar": get("father_name_ar"), "sex": sex or "", "date_of_birth": dob,
        "date_of_birth_estimated": estimated, "relationship": relationship, "phone": get("phone"),
    }
    if not (data["given_name"] or data["given_name_ar"]):
        problems.append(Problem(_("The member has no given name."), row=index,
                                field=f"{repeat}/{fields.get('given_name')}"))
    return data, get("national_id"), problems


def _match(household: Household, data: dict, national_id: str) -> Person | None:
    """The existing member this row describes: same national ID, else same name, sex and birth year (±1)."""
    if national_id:
        person = household.members.filter(identifiers__scheme=Identifier.Scheme.NATIONAL_ID,
                                          identifiers__value=national_id).first()
        if person:
            return person
    key = search_normalise(data["given_name"] or data["given_name_ar"])
    for person in household.members.filter(sex=data["sex"]):
        names = {search_normalise(person.given_name), search_normalise(person.given_name_ar)} - {""}
        if key not in names:
            continue
        born, declared = person.date_of_birth, data["date_of_birth"]
        if born and declared and abs(born.year - declared.year) > 1:
            continue
        return person
    return None


def _is_sensitive(values: dict, groups: list[str]) -> bool:
    for key, value in values.items():
        in_group = any(key == g or key.startswith(g + "/") for g in groups)
        if in_group and isinstance(value, str) and set(value.split()) - SENSITIVE_EMPTY:
            return True
    return False


def _record_consents(*, actor, household: Household, values: dict, mapping: dict, on: datetime.date) -> None:
    """Consents answered "yes" in the questionnaire, recorded unless one of that purpose is already active.

    Sharing covers the programme's partner organisations: that is what the household is told in the form.
    """
    purposes = mapping.get("consent_purposes") or {}
    active = {c.purpose for c in household.consents.all() if c.is_active_on(on)}
    partners = None  # read once, only if a sharing consent is recorded
    for purpose, field in purposes.items():
        if values.get(field) != "yes" or purpose in active or purpose not in Consent.Purpose.values:
            continue
        if partners is None and purpose == "sharing":
            partners = list(household.programme.partners.all()) if household.programme_id else []
        registry.consent_record(actor=actor, household=household, purpose=purpose, given_by=household.head,
                                given_on=on, organisations=partners if purpose == "sharing" else [])


@dataclass
class _Plan:
    """What a submission puts in the registry, once its answers passed the projection's rules."""

    code: str
    fields: dict  # zone, address, latitude/longitude
    sensitive: bool
    members: list[tuple[dict, str]]  # person fields, national ID
    existing: Household | None
    on: datetime.date
    values: dict
    mapping: dict


def _plan(*, submission: Submission, organisation, zone_of: Callable[[str], Zone | None],
          household_of: Callable[[str], Household | None]) -> _Plan:
    """The projection's rules on one submission (no write); ProjectionError lists what prevents it.

    ``zone_of`` and ``household_of`` look codes up: one query each for one submission, a dictionary for a batch.
    """
    mapping = submission.form_version.questionnaire.mapping
    values = submission.data
    problems: list[Problem] = []

    code = (values.get(mapping.get("household_code", ""), "") or "").strip().upper()
    if not code:
        problems.append(Problem(_("The household code is missing."), field=mapping.get("household_code")))
    zone_code = (values.get(mapping.get("zone_code", ""), "") or "").strip()
    zone = zone_of(zone_code) if zone_code else None
    if zone is None:
        problems.append(Problem(_("Unknown or missing zone “%s”.") % zone_code, field=mapping.get("zone_code")))
    members_map = mapping.get("members") or {}
    repeat = members_map.get("repeat", "")
    rows = values.get(repeat, []) if repeat else []
    # Declared ages count from the day of the interview when the form records it, else from reception.
    on = submission.created_at.date() if submission.created_at else datetime.date.today()
    interview = (values.get(mapping.get("interview_date", ""), "") or "")[:10]
    if _DATE.match(interview):
        with contextlib.suppress(ValueError):
            on = datetime.date.fromisoformat(interview)
    members = []
    for index, row in enumerate(rows, start=1):
        data, national_id, member_problems = _member_data(row, members_map.get("fields", {}), on, index, repeat)
        problems.extend(member_problems)
        members.append((data, national_id))
    if rows and sum(1 for d, _n in members if d["relationship"] == "head") != 1:
        problems.append(Problem(_("The roster must have exactly one head of household."), field=repeat))
    existing = household_of(code) if code else None
    if existing and existing.organisation_id != organisation.pk:
        problems.append(Problem(_("The household code %s belongs to another organisation.") % code,
                                field=mapping.get("household_code")))
    if problems:
        raise ProjectionError(problems)

    lat, lon = _gps(values.get(mapping.get("gps", ""), ""))
    sensitive = _is_sensitive(values, mapping.get("sensitive_groups", []))
    fields = {"zone": zone, "address": (values.get(mapping.get("address", ""), "") or "")[:300]}
    if lat is not None:
        fields.update(latitude=lat, longitude=lon)
    return _Plan(code, fields, sensitive, members, existing, on, values, mapping)


def _identifiers(national_id: str) -> list[dict]:
    return [{"scheme": "national_id", "value": national_id}] if national_id else []


def _organisation(actor, programme):
    return getattr(actor, "organisation", None) or programme.lead


def submission_project(*, actor, submission: Submission) -> Household:
    """Create or update the household described by ``submission``; ProjectionError lists what prevents it."""
    programme = submission.programme
    organisation = _organisation(actor, programme)
    plan = _plan(submission=submission, organisation=organisation,
                 zone_of=lambda code: Zone.objects.filter(code=code).first(),
                 household_of=lambda code: Household.objects.filter(code=code).select_related("organisation").first())
    fields, mapping, values, on = plan.fields, plan.mapping, plan.values, plan.on
    try:
        with transaction.atomic():
            if plan.existing is None:
                household = registry.household_create(
                    actor=actor, organisation=organisation, programme=programme, code=plan.code,
                    sensitive=plan.sensitive,
                    members=[dict(data, identifiers=_identifiers(nid)) for data, nid in plan.members], **fields,
                )
            else:
                household = plan.existing
                if plan.sensitive and not household.sensitive:
                    fields["sensitive"] = True
                registry.household_update(actor=actor, household=household, **fields)
                for data, nid in plan.members:
                    person = _match(household, data, nid)
                    if person is None:
                        registry.person_create(actor=actor, household=household, identifiers=_identifiers(nid),
                                               **data)
                    else:
                        registry.person_update(actor=actor, person=person, **data)
            _record_consents(actor=actor, household=household, values=values, mapping=mapping, on=on)
    except ValidationError as exc:
        details = getattr(exc, "message_dict", {"": exc.messages})
        raise ProjectionError([Problem(f"{', '.join(msgs)}", field=field or None)
                               for field, msgs in details.items()]) from exc
    except ApplicationError as exc:
        raise ProjectionError(exc.problems or [Problem(str(exc.message))]) from exc
    return household


def _new_consents(plan: _Plan, partners: list) -> list[dict]:
    """The consents ``_record_consents`` records for a household that has none yet."""
    purposes = plan.mapping.get("consent_purposes") or {}
    return [{"purpose": purpose, "given_on": plan.on, "organisations": partners if purpose == "sharing" else []}
            for purpose, field in purposes.items()
            if plan.values.get(field) == "yes" and purpose in Consent.Purpose.values]


def submissions_project_many(*, actor, submissions: list[Submission]) -> list[Household | ProjectionError]:
    """``submission_project`` for a batch of one programme: the same rules (``_plan``), codes and zones read in one
    query each, and the new households written together by ``registry.households_create_many``. A household the
    registry already holds, or a code met twice in the batch, goes through ``submission_project`` after the new
    ones, in order. The caller holds the transaction; the result is in the order of ``submissions``."""
    results: list[Household | ProjectionError | None] = [None] * len(submissions)
    if not submissions:
        return []
    programme = submissions[0].programme
    organisation = _organisation(actor, programme)
    wanted_zones, wanted_codes = set(), set()
    for submission in submissions:
        mapping, values = submission.form_version.questionnaire.mapping, submission.data
        wanted_zones.add((values.get(mapping.get("zone_code", ""), "") or "").strip())
        wanted_codes.add((values.get(mapping.get("household_code", ""), "") or "").strip().upper())
    zones = Zone.objects.in_bulk(wanted_zones - {""}, field_name="code")
    households = Household.objects.select_related("organisation").in_bulk(wanted_codes - {""}, field_name="code")
    seen: set[str] = set()
    new: list[tuple[int, _Plan]] = []
    later: list[int] = []
    for index, submission in enumerate(submissions):
        try:
            plan = _plan(submission=submission, organisation=organisation, zone_of=zones.get,
                         household_of=households.get)
        except ProjectionError as exc:
            results[index] = exc
            continue
        if plan.existing is None and plan.code not in seen:
            new.append((index, plan))
        else:
            later.append(index)
        seen.add(plan.code)
    sharing = any(plan.values.get((plan.mapping.get("consent_purposes") or {}).get("sharing", "")) == "yes"
                  for _i, plan in new)
    partners = list(programme.partners.all()) if sharing else []  # read once, as _record_consents does
    items = [dict(plan.fields, code=plan.code, sensitive=plan.sensitive,
                  members=[dict(data, identifiers=_identifiers(nid)) for data, nid in plan.members],
                  consents=_new_consents(plan, partners)) for _i, plan in new]
    try:
        created = registry.households_create_many(actor=actor, organisation=organisation, programme=programme,
                                                  items=items) if items else []
    except PermissionDenied as exc:
        created = [ProjectionError([Problem(str(exc))])] * len(items)
    except ApplicationError as exc:
        created = [ProjectionError(exc.problems or [Problem(str(exc.message))])] * len(items)
    for (index, _p), outcome in zip(new, created, strict=True):
        if isinstance(outcome, ApplicationError):
            outcome = ProjectionError(outcome.problems or [Problem(str(outcome.message))])
        results[index] = outcome
    for index in later:
        try:
            with transaction.atomic():
                results[index] = submission_project(actor=actor, submission=submissions[index])
        except ProjectionError as exc:
            results[index] = exc
        except PermissionDenied as exc:
            results[index] = ProjectionError([Problem(str(exc))])
    return results
