"""The Django admin, as a superuser uses it: writes go through services; the registry is read-only."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from parcours.accounts.models import User
from parcours.core.audit import history_for
from parcours.core.models import AuditEvent
from parcours.territories.models import Zone

from ..conftest import login
from ..factories import UserFactory

MODELS = ["core.auditevent", "core.job", "territories.zone", "accounts.user", "accounts.organisation",
          "accounts.membership", "accounts.programme", "registry.household", "registry.person",
          "registry.consent", "registry.identifier"]


@pytest.fixture
def root(db):
    return UserFactory(email="root@example.org", full_name="Root", is_superuser=True, is_staff=True)


def url(model: str, view: str, *args) -> str:
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS)
def test_superuser_opens_every_list(client, root, households, model):
    login(client, root)
    assert client.get(url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model,status", [
    ("core.auditevent", 403), ("core.job", 403), ("registry.household", 403), ("registry.person", 403),
    ("registry.consent", 403), ("registry.identifier", 403),
    ("territories.zone", 200), ("accounts.user", 200), ("accounts.organisation", 200),
    ("accounts.programme", 200),
])
def test_records_written_by_services_cannot_be_added_in_the_admin(client, root, model, status):
    login(client, root)
    assert client.get(url(model, "add")).status_code == status


def test_the_audit_trail_is_view_only(client, root, households):
    event = AuditEvent.objects.first()
    login(client, root)
    assert client.get(url("core.auditevent", "change", event.pk)).status_code == 200
    client.post(url("core.auditevent", "change", event.pk), {"note": "tampered"})
    assert client.post(url("core.auditevent", "delete", event.pk), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.note != "tampered"


def test_superuser_creates_and_moves_zones_through_the_services(client, root, zones):
    login(client, root)
    response = client.post(url("territories.zone", "add"), {
        "code": "XK0102", "name": "Ville-Basse", "name_ar": "", "parent": zones["gov"].pk, "level_name": "",
        "population": "", "geometry": "null",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Zone.objects.get(code="XK0102")
    assert (created.path, created.level) == ("XK/XK01/XK0102/", 2)
    assert history_for(created).get().actor == root

    response = client.post(url("territories.zone", "change", zones["gov"].pk), {
        "code": "XK01", "name": "Nord", "name_ar": "الشمال", "parent": zones["other"].pk,
        "level_name": "governorate", "population": "", "geometry": "null",
    })
    assert response.status_code == 302
    assert Zone.objects.get(code="XK0102").path == "XK/XK02/XK01/XK0102/"


def test_the_zone_form_refuses_a_cycle_and_a_bad_geometry(client, root, zones):
    login(client, root)
    response = client.post(url("territories.zone", "change", zones["gov"].pk), {
        "code": "XK01", "name": "Nord", "name_ar": "", "parent": zones["deleg"].pk, "level_name": "",
        "population": "", "geometry": '{"type": "Point", "coordinates": [1, 2]}',
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"parent", "geometry"}
    assert Zone.objects.get(code="XK01").path == "XK/XK01/"


def test_superuser_adds_a_user_by_email(client, root):
    login(client, root)
    response = client.post(url("accounts.user", "add"), {
        "email": "New.Person@Example.org", "full_name": "New Person", "usable_password": "true",
        "password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(email="new.person@example.org").check_password("a-long-enough-passphrase")


def test_opening_a_sensitive_household_in_the_admin_is_logged(client, root, households):
    login(client, root)
    sensitive = households["sensitive"]
    assert client.get(url("registry.household", "change", sensitive.pk)).status_code == 200
    assert history_for(sensitive).filter(action="read", actor=root).count() == 1


def test_staff_see_in_the_admin_only_the_households_the_policy_shows_them(client, partner_worker, households):
    partner_worker.is_staff = True
    partner_worker.save()
    partner_worker.user_permissions.add(Permission.objects.get(codename="view_household"))
    login(client, partner_worker)
    page = client.get(url("registry.household", "changelist")).content.decode()
    assert "H-SHARED01" in page and "H-PRIVATE1" not in page and "H-SENSITIVE" not in page
    assert client.get(url("registry.household", "change", households["private"].pk)).status_code == 302
