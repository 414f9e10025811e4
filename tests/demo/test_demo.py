"""``parcours demo``: the demonstration world an operator loads to show Parcours.

The actor is the operator running the command; then each demo persona signs in and sees what its role allows.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from parcours.accounts.models import Membership, Organisation, Programme
from parcours.core.models import AuditEvent
from parcours.demo import data
from parcours.questionnaires.models import Submission
from parcours.registry.models import Consent, Household, Identifier, Person
from parcours.registry.selectors import households_visible_to
from parcours.scoring.models import Score
from parcours.territories.models import Zone

SMALL = 25


def run_demo(**options) -> str:
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


def login_for(role: str) -> data.Login:
    return next(login for login in data.LOGINS if login.role == role)


def fingerprint() -> list[tuple]:
    """What a person reading the demo sees: codes, places, names in both scripts, births, ID numbers."""
    return [
        (p.household.code, p.household.zone.code, str(p.household.latitude), p.given_name, p.family_name,
         p.father_name, p.given_name_ar, p.family_name_ar, p.sex, p.date_of_birth, p.relationship, p.phone,
         tuple(i.value for i in p.identifiers.all()))
        for p in Person.objects.select_related("household__zone").prefetch_related("identifiers").order_by(
            "household__code", "date_of_birth", "given_name"
        )
    ]


@pytest.fixture
def small_demo(db):
    return run_demo(households=SMALL)


def bbox(geometry: dict) -> tuple[float, float, float, float]:
    ring = geometry["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def test_operator_gets_a_country_of_governorates_delegations_and_sectors(small_demo):
    counts = {level: Zone.objects.filter(code__startswith="ZY", level=level).count() for level in range(4)}
    assert counts == {0: 1, 1: 3, 2: 10, 3: 30}
    country = Zone.objects.get(code="ZY")
    assert country.name == "République de Zaytouna" and country.name_ar == "جمهورية الزيتونة"
    assert country.population == sum(z.population for z in Zone.objects.filter(level=1))
    for zone in Zone.objects.filter(code__startswith="ZY"):
        assert zone.name and zone.name_ar and zone.population
        assert zone.path == (f"{zone.parent.path}{zone.code}/" if zone.parent else f"{zone.code}/")
        assert zone.geometry["type"] == "Polygon"
        ring = zone.geometry["coordinates"][0]
        assert len(ring) >= 4 and ring[0] == ring[-1], zone.code
        west, south, east, north = bbox(zone.geometry)
        assert 8 <= west < east <= 11 and 33 <= south < north <= 37
        if zone.parent:
            p_west, p_south, p_east, p_north = bbox(zone.parent.geometry)
            assert p_west <= west and east <= p_east and p_south <= south and north <= p_north, zone.code


def test_operator_gets_the_organisations_and_the_demo_programme(small_demo):
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert Organisation.objects.count() >= 4
    assert {"public", "association", "private", "donor"} <= kinds
    assert all(org.name_ar for org in Organisation.objects.all())
    programme = Programme.objects.get(slug="demo")
    assert programme.name == "Programme démo d'inclusion sociale"
    assert programme.lead.name == "Bureau régional des affaires sociales"
    assert set(programme.partners.values_list("kind", flat=True)) == {"association", "private"}
    assert set(programme.zones.values_list("code", flat=True)) == {"ZY01", "ZY02", "ZY03"}


def test_summary_lists_every_login(small_demo):
    for login in data.LOGINS:
        assert f"{login.email} / {login.password}" in small_demo


def test_each_demo_persona_signs_in_with_the_printed_password(small_demo, client):
    """Every persona (administrator, manager, social worker, partner worker, viewer) signs in on the login page."""
    assert sorted(login.role for login in data.LOGINS) == sorted(
        ["administrator", "manager", "social_worker", "partner_worker", "viewer"]
    )
    for login in data.LOGINS:
        response = client.post(reverse("login"), {"username": login.email, "password": login.password})
        assert response.status_code == 302, login.email
        assert client.session.get("_auth_user_id"), login.email
        assert Membership.objects.get(user__email=login.email).role == login.role
        client.logout()


def test_demo_personas_see_what_their_role_allows(small_demo, django_user_model):
    """Social worker: all the office's households; partner: the shared, non-sensitive ones; viewer: none."""
    users = {login.role: django_user_model.objects.get(email=login.email) for login in data.LOGINS}
    assert households_visible_to(users["social_worker"]).count() == SMALL
    shared = households_visible_to(users["partner_worker"])
    assert 0 < shared.count() < SMALL
    assert not shared.filter(sensitive=True).exists()
    assert households_visible_to(users["viewer"]).count() == 0


def test_households_are_complete_and_placed_in_sectors(small_demo):
    assert Household.objects.count() == SMALL
    for household in Household.objects.select_related("zone", "head"):
        assert household.zone.level == 3 and household.zone.code.startswith("ZY")
        assert household.head is not None and household.head.household_id == household.pk
        assert household.head.relationship == "head"
        west, south, east, north = bbox(household.zone.geometry)
        assert west < household.longitude < east and south < household.latitude < north
        assert 1 <= household.members.count() <= 9
    for person in Person.objects.all():
        assert person.given_name and person.family_name and person.father_name
        assert person.given_name_ar and person.family_name_ar and person.father_name_ar
        assert person.sex in {"F", "M"} and person.date_of_birth
    # Each given name always has the same sex and the same Arabic spelling.
    pairs = set(Person.objects.values_list("given_name", "given_name_ar", "sex"))
    assert len({given for given, _, _ in pairs}) == len(pairs)
    ids = list(Identifier.objects.filter(scheme="national_id").values_list("value", flat=True))
    assert ids and len(ids) == len(set(ids)) and all(len(v) == 8 and v.isdigit() for v in ids)


def test_registrations_leave_an_audit_trail_naming_the_social_worker(small_demo):
    worker = login_for("social_worker").email
    created = AuditEvent.objects.filter(object_type="registry.household", action="create")
    assert created.count() == SMALL
    assert set(created.values_list("actor__email", flat=True)) == {worker}


def loaded(seed: int) -> tuple[list[tuple], list[tuple]]:
    """The fingerprint and the scores of a demo loaded from ``seed``, then undone (cases and referrals built on the
    households would otherwise protect them from deletion)."""
    with transaction.atomic():
        run_demo(households=SMALL, seed=seed)
        scores = sorted(Score.objects.values_list("household__code", "value", "is_current", "is_baseline"))
        result = fingerprint(), scores
        transaction.set_rollback(True)
    return result


def test_same_seed_gives_the_same_households(db):
    first, scores = loaded(7)
    assert loaded(7) == (first, scores)
    assert [row[0] for row in loaded(8)[0]] != [row[0] for row in first]


def test_if_empty_leaves_a_loaded_database_alone(db):
    run_demo(households=5, if_empty=True)
    out = run_demo(households=5, if_empty=True)
    assert Household.objects.count() == 5
    assert "already holds households" in out or "contient déjà" in out


def test_a_second_full_load_is_refused_with_a_clear_message(small_demo):
    with pytest.raises(CommandError, match="H-"):
        run_demo(households=SMALL)
    assert Household.objects.count() == SMALL


def test_default_run_loads_300_realistic_households(db):
    run_demo()
    assert Household.objects.count() == data.DEFAULT_HOUSEHOLDS
    total = data.DEFAULT_HOUSEHOLDS
    # The questionnaire asks the consent to registration before anything enters the registry: every household.
    assert Consent.objects.filter(purpose="registration").values("household").distinct().count() == total
    sharing = Consent.objects.filter(purpose="sharing")
    assert 0.2 * total < sharing.count() < 0.4 * total
    assert sharing.filter(withdrawn_on__isnull=False).exists()
    assert sharing.filter(expires_on__isnull=False).exists()
    assert 0.02 * total < Household.objects.filter(sensitive=True).count() < 0.1 * total
    sizes = {h.members.count() for h in Household.objects.all()}
    assert 1 in sizes and max(sizes) >= 7
    relationships = set(Person.objects.values_list("relationship", flat=True))
    assert {"head", "spouse", "child", "parent", "grandchild"} <= relationships
    assert Person.objects.filter(date_of_birth_estimated=True).exists()
    assert Person.objects.exclude(phone="").exists()
    assert Household.objects.values("zone").distinct().count() == 30
    # Every household scored with its explanation; some re-assessed, so their score moved since the baseline.
    current = Score.objects.filter(is_current=True)
    assert current.values("household").distinct().count() == total
    assert current.filter(is_poor=True).count() > 0.1 * total and current.filter(is_poor=False).exists()
    followed = Score.objects.filter(is_current=True, is_baseline=False)
    assert 0.1 * total < followed.count() < 0.3 * total
    baselines = {s.household_id: s.value for s in Score.objects.filter(is_baseline=True)}
    assert any(baselines[s.household_id] != s.value for s in followed)


def test_every_demo_household_enters_through_a_questionnaire_and_has_a_score_with_its_explanation(small_demo):
    """The social worker's questionnaires (web channel) put each household in the registry and score it on arrival."""
    worker = login_for("social_worker").email
    submissions = Submission.objects.filter(programme__slug="demo")
    assert submissions.filter(status="projected").count() == submissions.count() >= SMALL
    assert set(submissions.values_list("channel", flat=True)) == {"web"}
    assert not submissions.exclude(flags=[]).exists()  # valid answers: no problem flagged, scoring included
    assert set(submissions.values_list("submitted_by__email", flat=True)) == {worker}
    for household in Household.objects.all():
        score = Score.objects.get(household=household, is_current=True)
        assert score.value is not None and score.model_version.model.method == "alkire-foster"
        assert score.submission.household_id == household.pk
        indicators = score.explanation["indicators"]
        assert len(indicators) == len(score.deprivations) == 9, household.code
        assert all(part.get("answers") is not None for part in indicators), household.code
    assert "households scored" in small_demo and f"{SMALL} households scored" in small_demo


def test_the_social_worker_reads_why_a_demo_household_is_prioritised(small_demo, client):
    login = login_for("social_worker")
    client.post(reverse("login"), {"username": login.email, "password": login.password})
    household = Score.objects.filter(is_current=True).order_by("-value").first().household
    text = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert f"diagnosis-{Score.objects.get(household=household, is_current=True).pk}" in text


def test_sensitive_demo_households_come_from_a_protection_concern(small_demo):
    for household in Household.objects.filter(sensitive=True):
        assert household.notes == data.SENSITIVE_NOTE
        answers = household.submissions.order_by("created_at").first().data
        assert answers["protection/protection_concern"] not in ("", "none", "prefer_not_to_say")
