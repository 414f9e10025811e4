"""Zone services and tree selectors, as an administrator (or a system actor) uses them."""

import pytest
from django.core.exceptions import PermissionDenied

from parcours.core.audit import history_for
from parcours.core.exceptions import ApplicationError
from parcours.territories import selectors
from parcours.territories.models import Zone
from parcours.territories.services import zone_create, zone_delete, zone_update

from ..factories import ZoneFactory

SQUARE = {"type": "Polygon", "coordinates": [[[10, 36], [11, 36], [11, 37], [10, 37], [10, 36]]]}


def test_admin_creates_a_zone_under_a_parent_and_level_and_path_follow(admin, zones):
    zone = zone_create(actor=admin, code="XK0102", name="Ville-Basse", parent=zones["gov"], geometry=SQUARE)
    assert (zone.level, zone.path) == (2, "XK/XK01/XK0102/")
    event = history_for(zone).get()
    assert event.action == "create" and event.actor == admin
    assert event.changes["geometry"] == [None, "Polygon (5)"]


def test_a_system_actor_may_create_zones(db):
    zone = zone_create(actor="demo", code="Q", name="Quelque part")
    assert zone.path == "Q/"
    assert history_for(zone).get().actor_label == "demo"


@pytest.mark.parametrize("persona", ["manager", "social_worker", "partner_worker", "anonymous"])
def test_other_personas_may_not_create_zones(personas, persona):
    with pytest.raises(PermissionDenied):
        zone_create(actor=personas[persona], code="Q", name="Quelque part")


def test_moving_a_zone_moves_its_whole_subtree(admin, zones):
    sector = ZoneFactory(code="XK010101", name="Secteur", parent=zones["deleg"])
    zone_update(actor=admin, zone=zones["deleg"], parent=zones["other"])
    sector.refresh_from_db()
    assert Zone.objects.get(code="XK0101").path == "XK/XK02/XK0101/"
    assert (sector.path, sector.level) == ("XK/XK02/XK0101/XK010101/", 3)
    assert history_for(zones["deleg"]).get().changes["path"] == ["XK/XK01/XK0101/", "XK/XK02/XK0101/"]


def test_moving_a_zone_to_the_root_lowers_the_levels_below(admin, zones):
    zone_update(actor=admin, zone=zones["gov"], parent=None)
    assert Zone.objects.get(code="XK0101").path == "XK01/XK0101/"
    assert Zone.objects.get(code="XK0101").level == 1


def test_changing_a_code_rewrites_the_paths_below(admin, zones):
    zone_update(actor=admin, zone=zones["gov"], code="XK09")
    assert Zone.objects.get(code="XK0101").path == "XK/XK09/XK0101/"


def test_a_zone_cannot_move_under_its_own_subtree(admin, zones):
    with pytest.raises(ApplicationError):
        zone_update(actor=admin, zone=zones["gov"], parent=zones["deleg"])
    with pytest.raises(ApplicationError):
        zone_update(actor=admin, zone=zones["gov"], parent=zones["gov"])
    assert Zone.objects.get(code="XK01").path == "XK/XK01/"


def test_a_bad_geometry_or_a_slash_in_a_code_is_refused(admin, zones):
    with pytest.raises(ApplicationError) as caught:
        zone_update(actor=admin, zone=zones["deleg"], geometry={"type": "Point", "coordinates": [1, 2]})
    assert caught.value.problems[0].field == "geometry"
    with pytest.raises(ApplicationError):
        zone_create(actor=admin, code="A/B", name="Slash")


def test_updating_nothing_writes_no_event(admin, zones):
    zone_update(actor=admin, zone=zones["deleg"], name=zones["deleg"].name)
    assert not history_for(zones["deleg"]).exists()


def test_only_a_zone_without_sub_zones_or_households_can_be_deleted(admin, zones, households):
    with pytest.raises(ApplicationError):
        zone_delete(actor=admin, zone=zones["gov"])
    with pytest.raises(ApplicationError):
        zone_delete(actor=admin, zone=zones["deleg"])  # households live there
    spare = zone_create(actor=admin, code="XK03", name="Spare", parent=zones["country"])
    zone_delete(actor=admin, zone=spare)
    assert not Zone.objects.filter(code="XK03").exists()


# --- Selectors ----------------------------------------------------------------------------------------------


def test_tree_selectors(zones):
    assert list(selectors.zone_roots()) == [zones["country"]]
    assert set(selectors.zone_children(zones["country"])) == {zones["gov"], zones["other"]}
    assert selectors.zone_ancestors(zones["deleg"]) == [zones["country"], zones["gov"]]
    assert set(selectors.zone_subtree(zones["gov"])) == {zones["gov"], zones["deleg"]}
    assert list(selectors.zone_subtree(zones["gov"], include_self=False)) == [zones["deleg"]]
    counts = dict(selectors.with_children_count(Zone.objects.all()).values_list("code", "children_count"))
    assert counts == {"XK": 2, "XK01": 1, "XK0101": 0, "XK02": 0}


def test_search_matches_either_script_without_accents_or_hamza(zones):
    everything = Zone.objects.all()
    assert list(selectors.zone_search(everything, "pays demo")) == [zones["country"]]
    assert list(selectors.zone_search(everything, "المدينه")) == [zones["deleg"]]  # taa marbuta folded
    assert list(selectors.zone_search(everything, "xk02")) == [zones["other"]]
    assert set(selectors.zone_search(everything, "XK01")) == {zones["gov"], zones["deleg"]}


def test_the_outline_of_a_polygon_fits_its_box():
    outline = selectors.geometry_outline(SQUARE, size=100)
    assert outline["d"].startswith("M0.0,100.0")
    assert outline["d"].endswith("Z")
    assert selectors.geometry_outline(None) is None
