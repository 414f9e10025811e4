"""Questionnaire fixtures: the mini household form deployed on the demo programme, a device account."""

import json
from pathlib import Path

import pytest

from parcours.accounts.services import device_account_create
from parcours.questionnaires import services

DATA = Path(__file__).parent / "data"


@pytest.fixture
def mini_form(manager, programme, zones):
    version = services.form_version_create(
        actor=manager, programme=programme, file_name="mini_household.md",
        content=(DATA / "mini_household.md").read_bytes(),
        mapping=json.loads((DATA / "mini_mapping.json").read_text()),
    )
    services.form_media_attach(actor=manager, form_version=version, file_name="zones.csv",
                               content=services.zones_choices_csv(programme))
    return version


@pytest.fixture
def device(manager, programme):
    return device_account_create(actor=manager, programme=programme, username="collect-test",
                                 password="collect-test-2026", label="Téléphone unité mobile")


def instance_xml(*, instance_id="uuid:11111111-1111-4111-8111-111111111111", code="HH-0001", zone="XK0101",
                 members=None, consent="yes", deprecated_id=None, photo="", concerns="none", version="2026110101"):
    """A submission of the mini form as ODK Collect writes it."""
    members = members if members is not None else [
        {"given_name": "Fatma", "given_name_ar": "فاطمة", "family_name": "Ben Salah", "sex": "F",
         "relationship": "head", "dob": "1980-05-01", "national_id": "01234567"},
        {"given_name": "Sami", "given_name_ar": "سامي", "family_name": "Ben Salah", "sex": "M",
         "relationship": "child", "age_declared": "12"},
    ]
    rows = "".join(
        "<member>" + "".join(f"<{k}>{v}</{k}>" for k, v in m.items()) + "</member>" for m in members
    )
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="mini_menage" version="{version}">'
        f"<consent>{consent}</consent><ident><hh_code>{code}</hh_code><zone_code>{zone}</zone_code>"
        f"<address>12 rue des Oliviers</address><gps>36.8 10.18 10 5</gps><photo>{photo}</photo></ident>"
        f"<roster>{rows}</roster><concerns>{concerns}</concerns>"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}</meta></data>"
    ).encode()
