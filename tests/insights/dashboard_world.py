"""A programme with scored households in zones that have outlines (shared by the dashboard, report, brief and
browser tests; not a test module).

The governorate "Nord" (XK01) holds three delegations drawn as squares side by side: Ville-Haute (XK0101) and
Ville-Basse (XK0102) with 40-odd households each, and Hameau (XK0103) with only 3 — fewer than the disclosure
threshold k = 5, so a partner sees it suppressed. Households are assessed between January and June 2025, so the
trend has two quarters.
"""

from __future__ import annotations

from tests.factories import ZoneFactory

from .scored import install_model, scored_world


def square(x: float, y: float, size: float = 0.5) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}


def dashboard_world(*, zones, orgs, programme, manager, social_worker, count: int = 84) -> dict:
    model = install_model(manager=manager, programme=programme)
    gov, deleg = zones["gov"], zones["deleg"]
    gov.geometry = square(10.0, 36.0, 1.5)
    gov.level_name = "governorate"
    gov.save()
    deleg.geometry = square(10.0, 36.0)
    deleg.save()
    second = ZoneFactory(code="XK0102", name="Ville-Basse", name_ar="المدينة السفلى", parent=gov,
                         level_name="delegation", geometry=square(10.5, 36.0))
    tiny = ZoneFactory(code="XK0103", name="Hameau", name_ar="القرية", parent=gov, level_name="delegation",
                       geometry=square(11.0, 36.0))
    zones["other"].geometry = square(10.0, 35.0, 1.0)
    zones["other"].save()
    households = scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme, model=model,
                              zones=[deleg, second], count=count)
    households += scored_world(social_worker=social_worker, organisation=orgs["A"], programme=programme,
                               model=model, zones=[tiny], count=3, seed=11)
    return {"model": model, "households": households, "zones": {**zones, "second": second, "tiny": tiny}}
