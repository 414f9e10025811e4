"""Load the demonstration world: zones, organisations, logins, the ``demo`` programme and its households.

Households go through the registry services with the demo social worker as actor, exactly as a field team's
registrations would, so the audit trail, consent rules and validation are the real ones. Reference data
(zones, organisations, logins, programme) is created once and left alone on later runs.
"""

from __future__ import annotations

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
from parcours.questionnaires.services import default_questionnaire_deploy
from parcours.registry import services as registry
from parcours.registry.models import Household
from parcours.scoring.services import default_model_install
from parcours.territories import services as territories
from parcours.territories.models import Zone

from . import casework as demo_casework
from . import data, geography
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


def _household(spec: dict, *, actor: User, organisation: Organisation, programme: Programme,
               zones: dict[str, Zone], organisations: dict[str, Organisation]) -> tuple[int, int]:
    household = registry.household_create(
        actor=actor, organisation=organisation, programme=programme, zone=zones[spec["zone"]],
        code=spec["code"], address=spec["address"], latitude=spec["latitude"], longitude=spec["longitude"],
        sensitive=spec["sensitive"], notes=spec["notes"], members=spec["members"],
    )
    for consent_spec in spec["consents"]:
        consent = registry.consent_record(
            actor=actor, household=household, purpose=consent_spec["purpose"],
            organisations=[organisations[slug] for slug in consent_spec["organisations"]],
            given_by=household.head, given_on=consent_spec["given_on"],
            expires_on=consent_spec.get("expires_on"),
        )
        if consent_spec.get("withdrawn_on"):
            registry.consent_withdraw(actor=actor, consent=consent, reason=consent_spec["reason"],
                                      on=consent_spec["withdrawn_on"])
    return len(spec["members"]), len(spec["consents"])


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
    office = organisations[data.LEAD_ORGANISATION]
    for number, spec in enumerate(specs, start=1):
        persons, consents = _household(spec, actor=actor, organisation=office, programme=programme,
                                       zones=zones, organisations=organisations)
        result.households += 1
        result.persons += persons
        result.consents += consents
        if progress:
            progress(number, len(specs))
    # Later steps, each owned by its app's demo module: the service directory, then cases and plans built
    # on the scored households, referrals from their actions, and published zone diagnostics.
    world = World(zones=zones, organisations=organisations, users=users, programme=programme)
    for step in (demo_directory, demo_casework, demo_referrals, demo_insights):
        step.load(world)
    return result

