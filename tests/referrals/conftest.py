"""Referral fixtures: the directory (reference data, built directly like the factories), a case of A with a
need and a referral action, and a helper to send referrals through the service.

Directory: ``B`` (association B, in Parcours) offers ``training`` (vocational training, covers A's governorate,
a place 2 km from the household), ``food`` (food, same place) and ``closed`` (vocational training, inactive);
``X`` (a workshop outside Parcours, Arabic name) offers ``workshop`` (vocational training, no area, 80 km away).
"""

import datetime
from decimal import Decimal

import pytest

from parcours.casework import services as casework
from parcours.directory.models import Location, Organization, Service, ServiceAtLocation
from parcours.directory.selectors import term_by_code
from parcours.referrals import services
from parcours.registry import services as registry

HOME = (36.8, 10.18)  # the shared household's GPS point


def _service(org, name, *, terms, zones=(), point=None, status="active", name_ar="", eligibility=""):
    service = Service.objects.create(organization=org, name=name, name_fr=name, name_ar=name_ar, status=status,
                                     eligibility_description=eligibility)
    for code in terms:
        service.taxonomy_terms.add(term_by_code(code), through_defaults={"link_id": service.pk,
                                                                         "link_entity": "service"})
    for zone in zones:
        service.service_areas.add(zone)
    if point is not None:
        location = Location.objects.create(organization=org, name=f"{name} — lieu", latitude=point[0],
                                           longitude=point[1])
        ServiceAtLocation.objects.create(service=service, location=location)
    return service


@pytest.fixture
def directory(orgs, zones):
    b = Organization.objects.create(name="Association B", name_fr="Association B", name_ar="الجمعية ب",
                                    parcours_organisation=orgs["B"])
    x = Organization.objects.create(name="Atelier de couture X", name_fr="Atelier de couture X",
                                    name_ar="ورشة الخياطة إكس")
    near = (HOME[0] + 0.018, HOME[1])  # ≈ 2 km north
    return {
        "B": b, "X": x,
        "training": _service(b, "Formation couture", name_ar="تكوين في الخياطة", terms=["vocational-training"],
                             zones=[zones["gov"]], point=near, eligibility="Femmes de 18 à 45 ans"),
        "food": _service(b, "Colis alimentaires", terms=["food"], zones=[zones["gov"]], point=near),
        "closed": _service(b, "Formation fermée", terms=["vocational-training"], zones=[zones["gov"]],
                           status="inactive"),
        "workshop": _service(x, "Apprentissage en atelier", name_ar="تدريب في الورشة", terms=["vocational-training"],
                             point=(HOME[0] + 0.72, HOME[1])),
    }


@pytest.fixture
def case(households, social_worker, programme):
    household = registry.household_update(actor=social_worker, household=households["shared"],
                                          latitude=Decimal("36.800000"), longitude=Decimal("10.180000"))
    return casework.case_open(actor=social_worker, household=household, programme=programme)


@pytest.fixture
def action(case, social_worker, directory):
    need = casework.need_add(actor=social_worker, case=case, term=term_by_code("vocational-training"))
    return casework.action_create(actor=social_worker, case=case, kind="referral", title="Cours de couture",
                                  need=need, due_on=datetime.date.today() + datetime.timedelta(days=20))


@pytest.fixture
def send(action, directory, social_worker):
    def send_(service="training", **kwargs):
        kwargs.setdefault("actor", social_worker)
        kwargs.setdefault("action", action)
        return services.referral_send(service=directory[service], **kwargs)
    return send_
