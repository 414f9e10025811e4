"""Load the demonstration world: zones, organisations, logins, the ``demo`` programme and its households.

Each household enters as a filled default questionnaire sent through ``submission_receive`` (channel "web") by the
demo social worker, exactly as a field team's would: the form's validation, the projection into the registry
(household, members, registration consent), and scoring on arrival with the default MPI model, so every demo
household has a score and its explanation. Some households are interviewed again months later (a re-assessment):
their current score differs from their baseline. Sharing consents naming the associations, their withdrawals, and
the notes of sensitive files are then recorded through the registry services. Reference data (zones,
organisations, logins, programme) is created once and left alone on later runs.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts.models import DeviceAccount, Membership, Organisation, Programme, User
from parcours.accounts.services import device_account_create
from parcours.core.audit import audit_record, diff, snapshot
from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.questionnaires.services import default_questionnaire_deploy, submission_receive
from parcours.registry import services as registry
from parcours.registry.models import Consent, Household, Person
from parcours.scoring.models import Score
from parcours.scoring.services import DEFAULT_FORM_ID, default_model_install
from parcours.territories import services as territories
from parcours.territories.models import Zone

from . import answers, data, geography
from . import casework as demo_casework
from . import directory as demo_directory
from . import insights as demo_insights
from . import referrals as demo_referrals
from .households import generate

ACTOR_LABEL = "parcours demo"  # how the audit trail names this command for what no person did


@dataclass
class World:
    """What the later demo steps (directory, casework, referrals, insights) build on."""

    zones: dict[str, Zone]
    organisations: dict[str, Organisation]
    users: dict[str, User]
    programme: Programme


@dataclass
class DemoResult:
    skipped: bool = False
    zones: int = 0
    organisations: int = 0
    users: int = 0
    households: int = 0
    persons: int = 0
    consents: int = 0
    submissions: int = 0
    follow_ups: int = 0
    scored: int = 0


def _created(obj) -> None:
    audit_record(actor=ACTOR_LABEL, action=AuditEvent.Action.CREATE, obj=obj, changes=diff({}, snapshot(obj)),
                 note="demo")


def _zones() -> dict[str, Zone]:
    zones = {z.code: z for z in Zone.objects.filter(code__startswith=data.COUNTRY[0])}
    for spec in geography.walk(geography.country()):
        if spec.code in zones:
            continue
        zones[spec.code] = territories.zone_create(
            actor=ACTOR_LABEL, code=spec.code, name=spec.name, name_ar=spec.name_ar,
            parent=zones[spec.parent_code] if spec.parent_code else None, level_name=spec.level_name,
            geometry=spec.geometry, population=spec.population,
        )
    return zones


def _organisations(zones: dict[str, Zone]) -> dict[str, Organisation]:
    organisations = {}
    for spec in data.ORGANISATIONS:
        org = Organisation.objects.filter(slug=spec.slug).first()
        if org is None:
            org = Organisation(slug=spec.slug, kind=spec.kind, name=spec.name, name_ar=spec.name_ar,
                               email=spec.email, phone=spec.phone)
            org.full_clean()
            org.save()
            org.zones.set([zones[code] for code in spec.zones])
            _created(org)
        organisations[spec.slug] = org
    return organisations


def _users(organisations: dict[str, Organisation]) -> dict[str, User]:
    users = {}
    for login in data.LOGINS:
        user = User.objects.filter(email=login.email).first()
        if user is None:
            user = User(email=login.email, full_name=login.full_name, language="fr")
            try:
                validate_password(login.password, user)
            except ValidationError as exc:  # the table is ours: fail loudly rather than ship a weak login
                raise ApplicationError(_("The demo password of %(email)s is refused: %(why)s") % {
                    "email": login.email, "why": " ".join(exc.messages)}) from exc
            user.set_password(login.password)
            user.full_clean()
            user.save()
            _created(user)
        membership, made = Membership.objects.get_or_create(
            user=user, organisation=organisations[login.organisation], defaults={"role": login.role}
        )
        if made:
            _created(membership)
        users[login.email] = user
    return users


def _programme(organisations: dict[str, Organisation], zones: dict[str, Zone]) -> Programme:
    spec = data.PROGRAMME
    programme = Programme.objects.filter(slug=spec["slug"]).first()
    if programme is None:
        programme = Programme(
            slug=spec["slug"], name=spec["name"], description=spec["description"],
            lead=organisations[data.LEAD_ORGANISATION], starts_on=spec["starts_on"], ends_on=spec["ends_on"],
        )
        programme.full_clean()
        programme.save()
        programme.partners.set([organisations[slug] for slug in spec["partners"]])
        programme.zones.set([zones[code] for code in spec["zones"]])
        _created(programme)
    return programme


def _collect(programme: Programme, manager: User) -> None:
    """The default questionnaire on the programme with the default MPI model, and a device account for ODK Collect.

    Submissions that enter the registry (from the demo phone or a web form) are scored on arrival.
    """
    if not programme.questionnaires.exists():
        default_questionnaire_deploy(actor=manager, programme=programme)
    if not programme.scoring_models.exists():
        default_model_install(actor=manager, programme=programme)
    username, password = data.DEVICE_LOGIN
    if not DeviceAccount.objects.filter(username=username).exists():
        device_account_create(actor=manager, programme=programme, username=username, password=password,
                              label=_("Demonstration phone"))


def _receive(programme: Programme, *, actor: User, version: str, spec: dict, on: datetime.date, wealth: float,
             rng: random.Random) -> Household:
    """Send the household's questionnaire, interviewed on ``on``, through the submission service."""
    xml = answers.instance_xml(answers.interview(rng, spec, on=on, wealth=wealth), version=version,
                               instance_id=answers.instance_id(rng))
    received = submission_receive(programme=programme, xml=xml, channel="web", actor=actor)
    submission = received.submission
    if submission.household_id is None:  # the demo's answers must enter the registry: fail loudly
        reasons = [r for entry in submission.quarantine_entries.all() for r in entry.reasons]
        problems = [f"{p.get('field') or ''} {p.get('message', '')}" for p in [*submission.flags, *reasons]] \
            or [submission.status]
        raise ApplicationError(_("The demo household %(code)s was not registered: %(why)s")
                               % {"code": spec["code"], "why": "; ".join(map(str, problems))})
    return submission.household


def _household(spec: dict, *, actor: User, programme: Programme, version: str,
               organisations: dict[str, Organisation], rng: random.Random) -> tuple[Household, int]:
    """Register ``spec`` through a submission (re-assessed later for some), then its sharing consents and note.

    The interview happens on the day the draw's consent was given (else a day of 2025); returns the household
    and the number of submissions sent for it.
    """
    consents = spec["consents"]
    on = consents[0]["given_on"] if consents else datetime.date(2025, 1, 1) + datetime.timedelta(
        days=rng.randint(0, 300))
    # Nobody is interviewed before the birth of its youngest member.
    on = max(on, max(person["date_of_birth"] for person in spec["members"]) + datetime.timedelta(days=14))
    wealth = rng.betavariate(2, 2.5)
    household = _receive(programme, actor=actor, version=version, spec=spec, on=on, wealth=wealth, rng=rng)
    if spec["notes"]:
        registry.household_update(actor=actor, household=household, notes=spec["notes"])
    for consent_spec in consents:
        if consent_spec["purpose"] != "sharing":  # registration was answered in the questionnaire
            continue
        consent = registry.consent_record(
            actor=actor, household=household, purpose=consent_spec["purpose"],
            organisations=[organisations[slug] for slug in consent_spec["organisations"]],
            given_by=household.head, given_on=consent_spec["given_on"],
            expires_on=consent_spec.get("expires_on"),
        )
        if consent_spec.get("withdrawn_on"):
            registry.consent_withdraw(actor=actor, consent=consent, reason=consent_spec["reason"],
                                      on=consent_spec["withdrawn_on"])
    sent = 1
    if rng.random() < data.FOLLOW_UP_RATE:
        # Re-assessed 3 to 8 months later with the same questionnaire: the family's situation has moved.
        later = on + datetime.timedelta(days=rng.randint(90, 240))
        moved = min(0.99, max(0.01, wealth + rng.choice((-1, 1)) * rng.uniform(0.15, 0.4)))
        _receive(programme, actor=actor, version=version, spec=spec, on=later, wealth=moved, rng=rng)
        sent += 1
    return household, sent


@transaction.atomic
def demo_load(
    *,
    households: int = data.DEFAULT_HOUSEHOLDS,
    seed: int = data.DEFAULT_SEED,
    if_empty: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Create the demo world and ``households`` households drawn from ``seed``, all in one transaction.

    With ``if_empty``, do nothing when any household exists (a first ``make run`` fills an empty database,
    later ones leave real or already loaded data alone).
    """
    if if_empty and Household.objects.exists():
        return DemoResult(skipped=True)
    if households < 0:
        raise ApplicationError(_("The number of households cannot be negative."))
    specs = generate(count=households, seed=seed, sectors=geography.sectors(geography.country()))
    codes = [spec["code"] for spec in specs]
    clash = Household.objects.filter(code__in=codes).values_list("code", flat=True).first()
    if clash:
        raise ApplicationError(
            _("The demo households are already loaded (household %(code)s exists). Use an empty database "
              "or --if-empty.") % {"code": clash}
        )
    zones = _zones()
    organisations = _organisations(zones)
    users = _users(organisations)
    programme = _programme(organisations, zones)
    _collect(programme, users[data.MANAGER_EMAIL])
    result = DemoResult(zones=len(zones), organisations=len(organisations), users=len(users))
    actor = users[data.REGISTRAR_EMAIL]
    version = programme.questionnaires.get(form_id=DEFAULT_FORM_ID).current_version.version
    rng = random.Random(f"{seed}-answers")  # its own generator: the people drawn from ``seed`` stay the same
    created = []
    for number, spec in enumerate(specs, start=1):
        household, sent = _household(spec, actor=actor, programme=programme, version=version,
                                     organisations=organisations, rng=rng)
        created.append(household.pk)
        result.households += 1
        result.submissions += sent
        result.follow_ups += sent - 1
        if progress:
            progress(number, len(specs))
    mine = Household.objects.filter(pk__in=created)
    result.persons = Person.objects.filter(household__in=mine).count()
    result.consents = Consent.objects.filter(household__in=mine).count()
    result.scored = Score.objects.filter(household__in=mine, is_current=True).values("household").distinct().count()
    # Later steps, each owned by its app's demo module: the service directory, then cases and plans built
    # on the scored households, referrals from their actions, and published zone diagnostics.
    world = World(zones=zones, organisations=organisations, users=users, programme=programme)
    for step in (demo_directory, demo_casework, demo_referrals, demo_insights):
        step.load(world)
    return result

