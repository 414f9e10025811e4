"""Device-account pages: managers and administrators of the programme's lead organisation set up phones."""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from django.urls import reverse

from parcours.accounts.models import DeviceAccount
from parcours.accounts.services import device_account_create, digest_ha1
from tests.conftest import login
from tests.factories import ProgrammeFactory

NEW_PASSWORD = "tablette-nord-2026"


def url(name, programme, device=None):
    kwargs = {"programme_slug": programme.slug}
    if device is not None:
        kwargs["pk"] = device.pk
    return reverse(f"devices:{name}", kwargs=kwargs)


def decoded(payload: str) -> dict:
    """What ODK Collect reads from the QR code: base64, then zlib, then JSON."""
    return json.loads(zlib.decompress(base64.b64decode(payload)))


def create(client, programme, **data):
    form = {"username": "tablette-nord", "label": "Équipe nord", "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD}
    form.update(data)
    return client.post(url("create", programme), form)


@pytest.mark.parametrize("persona", ["admin", "manager"])
def test_managers_see_the_devices_of_the_programme(client, personas, programme, device, persona):
    response = login(client, personas[persona]).get(url("list", programme))
    assert response.status_code == 200
    content = response.content.decode()
    assert "collect-test" in content and "Téléphone unité mobile" in content
    assert "http://testserver/collect/demo" in content


@pytest.mark.parametrize("persona", ["social_worker", "partner_worker", "viewer", "stranger"])
def test_other_personas_may_not_manage_devices(client, personas, programme, device, persona):
    login(client, personas[persona])
    assert client.get(url("list", programme)).status_code == 403
    assert client.get(url("create", programme)).status_code == 403
    assert create(client, programme).status_code == 403
    assert client.get(url("qr", programme, device)).status_code == 403
    assert client.post(url("active", programme, device), {"active": "false"}).status_code == 403
    assert client.post(url("password", programme, device),
                       {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 403
    device.refresh_from_db()
    assert device.is_active and device.digest_ha1 == digest_ha1("collect-test", "collect-test-2026")
    assert not DeviceAccount.objects.filter(username="tablette-nord").exists()


def test_anonymous_is_sent_to_the_login_page(client, programme):
    response = client.get(url("list", programme))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_manager_creates_a_device_and_gets_the_collect_qr_code_with_the_password(client, manager, programme):
    response = create(login(client, manager), programme)
    assert response.status_code == 200
    device = DeviceAccount.objects.get(username="tablette-nord")
    assert device.label == "Équipe nord" and device.programme == programme
    assert device.digest_ha1 == digest_ha1("tablette-nord", NEW_PASSWORD)
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert "<svg" in content and 'class="pc-qr"' in content
    assert NEW_PASSWORD in content
    settings = decoded(response.context["payload"])
    assert settings == {
        "general": {"server_url": "http://testserver/collect/demo", "username": "tablette-nord",
                    "password": NEW_PASSWORD, "form_update_mode": "match_exactly"},
        "admin": {},
        "project": {"name": "Programme démo", "icon": "P", "color": "#1b5e20"},
    }


def test_the_qr_page_later_has_no_password_and_says_so(client, manager, programme, device):
    response = login(client, manager).get(url("qr", programme, device))
    assert response.status_code == 200
    general = decoded(response.context["payload"])["general"]
    assert "password" not in general and general["username"] == "collect-test"
    assert "collect-test-2026" not in response.content.decode()
    assert response.context["password"] is None


def test_mismatched_passwords_create_nothing(client, manager, programme):
    response = create(login(client, manager), programme, password2="something-else-2026")
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not DeviceAccount.objects.filter(username="tablette-nord").exists()


def test_a_short_password_is_refused_by_the_service_next_to_the_field(client, manager, programme):
    response = create(login(client, manager), programme, password1="short", password2="short")
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not DeviceAccount.objects.exists()


def test_a_user_name_already_taken_is_refused(client, manager, programme, device):
    response = create(login(client, manager), programme, username="collect-test")
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert DeviceAccount.objects.count() == 1


def test_an_administrator_changes_the_password_and_gets_a_new_code(client, admin, programme, device):
    response = login(client, admin).post(url("password", programme, device),
                                         {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.digest_ha1 == digest_ha1("collect-test", NEW_PASSWORD)
    assert decoded(response.context["payload"])["general"]["password"] == NEW_PASSWORD


def test_a_manager_deactivates_then_reactivates_a_device(client, manager, programme, device):
    login(client, manager)
    response = client.post(url("active", programme, device), {"active": "false"})
    assert response.status_code == 302 and response["Location"] == url("list", programme)
    device.refresh_from_db()
    assert not device.is_active
    client.post(url("active", programme, device), {"active": "true"})
    device.refresh_from_db()
    assert device.is_active
    assert client.get(url("active", programme, device)).status_code == 405


def test_a_device_of_another_programme_is_not_found_here(client, manager, programme, orgs):
    other = ProgrammeFactory(slug="autre", name="Autre programme", lead=orgs["A"])
    elsewhere = device_account_create(actor=manager, programme=other, username="ailleurs",
                                      password="ailleurs-2026-ok")
    login(client, manager)
    assert client.get(url("qr", programme, elsewhere)).status_code == 404
    assert client.post(url("active", programme, elsewhere), {"active": "false"}).status_code == 404
    assert client.get(reverse("devices:list", kwargs={"programme_slug": "nowhere"})).status_code == 404
