"""A small directory: A's services (A uses Parcours) and an outside association's, over the test zones."""

import pytest

from parcours.directory import services as directory
from parcours.directory.models import Service
from parcours.directory.selectors import term_by_code

SYSTEM = "tests"


@pytest.fixture
def directory_world(orgs, zones):
    directory.needs_taxonomy_install()  # transactional tests empty the tables the migration filled
    office = directory.organization_create(actor=SYSTEM, name="Office A services", name_ar="خدمات المكتب أ",
                                           parcours_organisation=orgs["A"])
    outside = directory.organization_create(actor=SYSTEM, name="Outside association",
                                            description="Not in Parcours.")
    food = directory.service_create(
        actor=SYSTEM, organization=office, name="Food parcels", name_fr="Colis alimentaires", name_ar="طرود غذائية",
        taxonomy_terms=[term_by_code("food")], zones=[zones["gov"]], languages=["ar", "fr"],
        eligibility_description="Poor households.")
    legal = directory.service_create(
        actor=SYSTEM, organization=outside, name="Legal advice", taxonomy_terms=[term_by_code("legal-aid")],
        zones=[zones["other"]], description="Lawyers on Tuesdays.")
    closed = directory.service_create(
        actor=SYSTEM, organization=outside, name="Closed food bank", taxonomy_terms=[term_by_code("food")],
        zones=[zones["country"]], status=Service.Status.INACTIVE)
    north = directory.location_create(actor=SYSTEM, organization=office, name="North office",
                                      address_1="1 main street", city="Ville-Haute", country="XK",
                                      latitude=36.80, longitude=10.18)
    south = directory.location_create(actor=SYSTEM, organization=outside, name="South office",
                                      address_1="2 port road", city="Sud", country="XK",
                                      latitude=34.00, longitude=9.00)
    directory.service_location_add(actor=SYSTEM, service=food, location=north)
    directory.service_location_add(actor=SYSTEM, service=legal, location=south)
    directory.schedule_add(actor=SYSTEM, service=food, byday="MO,TU", opens_at="08:00", closes_at="12:00")
    return {"office": office, "outside": outside, "food": food, "legal": legal, "closed": closed,
            "north": north, "south": south}
