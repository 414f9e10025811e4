"""The demo directory: what `parcours demo` puts in the service directory."""

import json

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from parcours.demo import directory as demo_directory
from parcours.demo import services as demo
from parcours.directory.hsds.spec import compiled_schema
from parcours.directory.models import Organization, Service
from parcours.directory.selectors import services_for_terms
from parcours.directory.services import directory_export


@pytest.fixture
def demo_world(db):
    zones = demo._zones()
    organisations = demo._organisations(zones)
    world = demo.World(zones=zones, organisations=organisations, users={}, programme=None)
    demo_directory.load(world)
    return world


def test_demo_directory_has_services_of_parcours_and_outside_organisations(demo_world):
    services = Service.objects.all()
    assert 15 <= services.count() <= 25
    assert Organization.objects.filter(parcours_organisation__isnull=False).count() == 4
    assert Organization.objects.filter(parcours_organisation__isnull=True).count() >= 5
    assert set(services.exclude(status="active").values_list("status", flat=True)) == {
        "inactive", "defunct", "temporarily closed"}
    for service in services:
        assert service.taxonomy_terms.exists() and service.service_areas.exists()
        assert service.languages.exists() and service.schedules.exists()
        locations = [link.location for link in service.service_at_locations.all()]
        assert locations and all(loc.latitude is not None and loc.addresses.exists() for loc in locations)


def test_demo_directory_leaves_service_gaps(demo_world):
    """Some needs have no active service in some governorates, so the diagnostics can show gaps."""
    nakhla = demo_world.zones["ZY0301"]
    sahel = demo_world.zones["ZY0101"]
    for need in ("housing", "gbv-response", "rehabilitation", "child-protection"):
        assert not services_for_terms(term_codes=[need], zone=nakhla).exists(), need
        assert services_for_terms(term_codes=[need], zone=sahel).exists(), need
    # The only food service of Nakhla is temporarily closed.
    assert not services_for_terms(term_codes=["food"], zone=nakhla).exists()


def test_demo_directory_loads_once_and_exports_valid_hsds(demo_world, tmp_path):
    demo_directory.load(demo_world)
    assert Organization.objects.count() == len(demo_directory.ORGANISATIONS)
    directory_export(target_dir=tmp_path)
    validator = Draft202012Validator(compiled_schema("service"), format_checker=FormatChecker())
    services = json.loads((tmp_path / "services.json").read_text())
    assert len(services) == Service.objects.count()
    for service in services:
        assert list(validator.iter_errors(service)) == []
