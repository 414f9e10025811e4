"""Evidence brief for policy dialogue: a zone's diagnostic next to the directory's services covering the zone.

Personas: ``manager`` of office A and ``partner_worker`` of association B read the brief; the directory is filled
by the system (as the demo loader does). Nord's households are deprived in every indicator of the default model,
so every need of the indicator → needs mapping shows up; food is covered by a service of the governorate, cash
by one of the country, housing only by a service of Sud (not Nord) and education by an inactive service.
"""

import re
import subprocess
import unicodedata

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from parcours.directory import services as directory
from parcours.directory.models import Service
from parcours.directory.selectors import term_by_code
from tests.conftest import login

from .dashboard_world import dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(zones, orgs, programme, manager, social_worker):
    world = dashboard_world(zones=zones, orgs=orgs, programme=programme, manager=manager,
                            social_worker=social_worker)
    org = directory.organization_create(actor="demo", name="Croissant solidaire")
    directory.service_create(actor="demo", organization=org, name="Colis alimentaires", zones=[zones["gov"]],
                             taxonomy_terms=[term_by_code("food")])
    directory.service_create(actor="demo", organization=org, name="Transferts monétaires", zones=[zones["country"]],
                             taxonomy_terms=[term_by_code("cash-transfer")])
    directory.service_create(actor="demo", organization=org, name="Réfection de logements", zones=[zones["other"]],
                             taxonomy_terms=[term_by_code("housing")])
    directory.service_create(actor="demo", organization=org, name="Soutien scolaire", zones=[zones["country"]],
                             taxonomy_terms=[term_by_code("education")], status=Service.Status.INACTIVE)
    return world


def needs_table(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-need="([^"]+)"[^>]*>(.*?)</tr>', html, re.S))


def test_manager_sees_needs_with_their_services_and_the_service_gaps(client, world, manager):
    """Food and cash are covered in Nord (a service of Nord, one of the whole country); housing has a service
    only in Sud and education only an inactive one: both are gaps."""
    login(client, manager)
    response = client.get(reverse("insights:brief", args=["demo", "XK01"]))

    assert response.status_code == 200
    html = response.content.decode()
    needs = needs_table(html)
    assert "Colis alimentaires" in needs["food"]
    assert "Transferts monétaires" in needs["cash-transfer"]
    gaps = set(re.findall(r'<tr data-need="([^"]+)" data-gap', html))
    assert {"housing", "education"} <= gaps
    assert "food" not in gaps and "cash-transfer" not in gaps
    assert "Réfection de logements" not in html and "Soutien scolaire" not in html


def test_partner_brief_keeps_suppression_and_lists_the_same_gaps(client, world, partner_worker):
    """The partner's brief is built on suppressed figures (the note says so) but the needs are the same."""
    login(client, partner_worker)
    html = client.get(reverse("insights:brief", args=["demo", "XK01"])).content.decode()

    assert "data-suppressed-view" in html
    assert "housing" in set(re.findall(r'<tr data-need="([^"]+)" data-gap', html))


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_brief_pdf_names_the_gaps_in_both_languages(client, world, manager, tmp_path, language):
    """The PDF brief opens with the service gaps and the zone's name (Arabic shaped text extracts back to the
    same letters)."""
    login(client, manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("insights:brief", args=["demo", "XK01"]) + "?format=pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "brief.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    zone_name = re.sub(r"\s+", "", "الشمال" if language == "ar" else "Nord")
    assert zone_name in flat or zone_name[::-1] in flat
    housing = term_by_code("housing")
    with translation.override(language):
        housing_name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", housing.display_name))
    assert housing_name in flat or housing_name[::-1] in flat


def test_a_zone_without_data_has_a_brief_that_says_so(client, world, manager):
    login(client, manager)
    html = client.get(reverse("insights:brief", args=["demo", "XK02"])).content.decode()
    assert "data-no-data" in html and 'data-need="' not in html


def test_a_stranger_gets_no_brief(client, world, stranger):
    login(client, stranger)
    assert client.get(reverse("insights:brief", args=["demo", "XK01"])).status_code == 404
