"""Shared personas and a small world for every test.

Personas (each test says who acts):
- ``admin``: administrator of the social affairs office (organisation A);
- ``manager``: programme manager of A;
- ``social_worker``: social worker of A;
- ``partner_worker``: partner worker of the association B, a partner of A's programme;
- ``viewer``: viewer at the donor D (sees aggregates only);
- ``stranger``: social worker of C, an organisation with nothing to do with A;
- anonymous: no login.

Households of A: ``household_shared`` (consent to share with B), ``household_private`` (no sharing consent),
``household_sensitive`` (sensitive, consent to B: still hidden from B).
"""

import datetime

import pytest
from rest_framework.test import APIClient

from parcours.accounts.models import Organisation
from parcours.registry import services as registry

from .factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, UserFactory, ZoneFactory, member

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _reset_axes_and_language(settings):
    # English is the source language: tests read messages as written; French and Arabic pages say so explicitly.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _migration_data_after_flush(request):
    """Transactional tests (live server, browser) end by emptying every table, including the needs taxonomy that a
    migration installs; the next one would start without it. Put it back before each of them."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        from parcours.directory.services import needs_taxonomy_install

        needs_taxonomy_install()


@pytest.fixture
def zones(db):
    country = ZoneFactory(code="XK", name="Pays démo", name_ar="البلد التجريبي", level_name="country")
    gov = ZoneFactory(code="XK01", name="Nord", name_ar="الشمال", parent=country, level_name="governorate")
    deleg = ZoneFactory(code="XK0101", name="Ville-Haute", name_ar="المدينة العليا", parent=gov,
                        level_name="delegation")
    other = ZoneFactory(code="XK02", name="Sud", name_ar="الجنوب", parent=country, level_name="governorate")
    return {"country": country, "gov": gov, "deleg": deleg, "other": other}


@pytest.fixture
def orgs(db):
    return {
        "A": OrganisationFactory(slug="office-a", name="Bureau des affaires sociales A",
                                 kind=Organisation.Kind.PUBLIC),
        "B": OrganisationFactory(slug="assoc-b", name="Association B", kind=Organisation.Kind.ASSOCIATION),
        "C": OrganisationFactory(slug="assoc-c", name="Association C", kind=Organisation.Kind.ASSOCIATION),
        "D": OrganisationFactory(slug="donor-d", name="Bailleur D", kind=Organisation.Kind.DONOR),
    }


@pytest.fixture
def programme(orgs, zones):
    prog = ProgrammeFactory(slug="demo", name="Programme démo", lead=orgs["A"])
    prog.partners.add(orgs["B"])
    prog.zones.add(zones["gov"])
    return prog


def _persona(email, org, role):
    user = UserFactory(email=email, full_name=email.split("@")[0].replace(".", " ").title())
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def admin(orgs):
    return _persona("admin@a.example", orgs["A"], "administrator")


@pytest.fixture
def manager(orgs):
    return _persona("manager@a.example", orgs["A"], "manager")


@pytest.fixture
def social_worker(orgs):
    return _persona("worker@a.example", orgs["A"], "social_worker")


@pytest.fixture
def partner_worker(orgs):
    return _persona("partner@b.example", orgs["B"], "partner_worker")


@pytest.fixture
def viewer(orgs):
    return _persona("viewer@d.example", orgs["D"], "viewer")


@pytest.fixture
def stranger(orgs):
    return _persona("worker@c.example", orgs["C"], "social_worker")


@pytest.fixture
def personas(admin, manager, social_worker, partner_worker, viewer, stranger):
    return {
        "admin": admin, "manager": manager, "social_worker": social_worker, "partner_worker": partner_worker,
        "viewer": viewer, "stranger": stranger, "anonymous": None,
    }


@pytest.fixture
def households(orgs, zones, programme, social_worker):
    shared = registry.household_create(
        actor=social_worker, organisation=orgs["A"], zone=zones["deleg"], programme=programme,
        code="H-SHARED01", members=[member(), member(given_name="Youssef", given_name_ar="يوسف", sex="M",
                                                    relationship="child", date_of_birth=datetime.date(2012, 1, 1))],
    )
    registry.consent_record(actor=social_worker, household=shared, purpose="sharing", organisations=[orgs["B"]],
                            given_by=shared.head)
    private = registry.household_create(
        actor=social_worker, organisation=orgs["A"], zone=zones["deleg"], code="H-PRIVATE1",
        members=[member(given_name="Mohamed", family_name="Trabelsi", given_name_ar="محمد",
                        family_name_ar="الطرابلسي", sex="M")],
    )
    sensitive = registry.household_create(
        actor=social_worker, organisation=orgs["A"], zone=zones["other"], code="H-SENSITIVE", sensitive=True,
        members=[member(given_name="Amina", family_name="Haddad", given_name_ar="أمينة", family_name_ar="حداد")],
    )
    registry.consent_record(actor=social_worker, household=sensitive, purpose="sharing", organisations=[orgs["B"]])
    return {"shared": shared, "private": private, "sensitive": sensitive}


@pytest.fixture
def api_client():
    return APIClient()


def login(client, user):
    """Log ``user`` in on a Django or DRF test client (None stays anonymous)."""
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def insights_snapshots(settings, tmp_path):
    """Zone-diagnostic snapshots in the test's own folder, read fresh (no refresh interval), forgotten after."""
    from parcours.insights.snapshot import snapshot_forget

    settings.PARCOURS_INSIGHTS_DIR = tmp_path / "insights"
    settings.PARCOURS_INSIGHTS_REFRESH_SECONDS = 0
    snapshot_forget()
    yield
    snapshot_forget()
