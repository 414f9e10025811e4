"""Importing zone files (CSV, GeoJSON), as an administrator does it, and every way a file can be wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.territories.models import Zone
from parcours.territories.services import zones_import

from ..factories import ZoneFactory

DATA = Path(__file__).parent / "data"

HEADER = "code,name,name_ar,parent_code,level_name,population\n"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def problems_of(actor, content: bytes, file_name: str) -> list[tuple]:
    """Import, expecting a refusal; the problems as (file, row, field, message)."""
    with pytest.raises(ApplicationError) as caught:
        zones_import(actor=actor, content=content, file_name=file_name)
    return [(p.file, p.row, p.field, str(p.message)) for p in caught.value.problems]


def state() -> list[tuple]:
    return list(Zone.objects.order_by("code").values_list("code", "path", "name", "population", "updated_at"))


def test_admin_imports_a_csv_with_three_levels_and_parents_after_children(admin):
    result = zones_import(actor=admin, content=read("zones_tn.csv"), file_name="zones_tn.csv")

    assert result["counts"] == {"created": 5, "updated": 0, "unchanged": 0}
    zones = {z.code: z for z in Zone.objects.all()}
    assert zones["TN"].path == "TN/" and zones["TN"].level == 0 and zones["TN"].parent is None
    assert zones["TN01"].path == "TN/TN01/" and zones["TN01"].parent == zones["TN"]
    assert zones["TN0101"].path == "TN/TN01/TN0101/" and zones["TN0101"].level == 2
    assert zones["TN0101"].name_ar == "قرطاج"
    assert zones["TN0101"].population == 24216  # "24 216": a space as thousands separator
    assert zones["TN02"].population is None
    assert zones["TN01"].level_name == "gouvernorat"
    events = AuditEvent.objects.filter(action="import")
    assert events.count() == 1
    assert events.get().actor == admin
    assert "zones_tn.csv" in events.get().note
    assert events.get().changes["created"] == [None, 5]
    # One event for the import, not one per zone.
    assert not AuditEvent.objects.filter(action="create", object_type="territories.zone").exists()


def test_admin_imports_geojson_polygons_with_pcode_names(admin):
    result = zones_import(actor=admin, content=read("zones_tn.geojson"), file_name="zones_tn.geojson")

    assert result["counts"]["created"] == 3
    carthage = Zone.objects.get(code="TN0101")
    assert carthage.path == "TN/TN01/TN0101/"
    assert carthage.geometry["type"] == "Polygon"
    assert carthage.geometry["coordinates"][0][0] == [10.30, 36.84]
    assert Zone.objects.get(code="TN01").geometry["type"] == "MultiPolygon"
    assert Zone.objects.get(code="TN").geometry is None


def test_format_is_sniffed_when_the_extension_says_nothing(admin):
    zones_import(actor=admin, content=read("zones_tn.geojson"), file_name="upload")
    zones_import(actor=admin, content=HEADER.encode() + b"TN03,Ben Arous,,TN,,\n", file_name="upload")
    assert Zone.objects.get(code="TN03").path == "TN/TN03/"


def test_reimporting_the_same_file_changes_nothing(admin):
    zones_import(actor=admin, content=read("zones_tn.csv"), file_name="zones_tn.csv")
    before = state()

    result = zones_import(actor=admin, content=read("zones_tn.csv"), file_name="zones_tn.csv")

    assert result["counts"] == {"created": 0, "updated": 0, "unchanged": 5}
    assert state() == before


def test_reimporting_the_same_geojson_changes_nothing(admin):
    zones_import(actor=admin, content=read("zones_tn.geojson"), file_name="zones_tn.geojson")
    before = state()
    result = zones_import(actor=admin, content=read("zones_tn.geojson"), file_name="zones_tn.geojson")
    assert result["counts"]["unchanged"] == 3
    assert state() == before


def test_parents_may_already_be_in_the_database(admin, zones):
    result = zones_import(actor=admin, content=read("zones_under_existing.csv"), file_name="more.csv")
    assert result["counts"]["created"] == 2
    assert Zone.objects.get(code="XK0202").path == "XK/XK02/XK0202/"
    assert Zone.objects.get(code="XK0202").population == 3400


def test_an_import_updates_names_and_moves_a_zone_with_its_stored_subtree(admin, zones):
    sector = ZoneFactory(code="XK010101", name="Secteur", parent=zones["deleg"])
    content = (HEADER + "XK0101,Ville-Haute (nouveau nom),,XK02,delegation,5000\n").encode()

    result = zones_import(actor=admin, content=content, file_name="move.csv")

    assert result["counts"] == {"created": 0, "updated": 1, "unchanged": 0}
    deleg = Zone.objects.get(code="XK0101")
    assert deleg.parent == zones["other"] and deleg.path == "XK/XK02/XK0101/"
    assert deleg.name == "Ville-Haute (nouveau nom)" and deleg.population == 5000
    # The stored sub-zone, absent from the file, follows its parent.
    sector.refresh_from_db()
    assert sector.path == "XK/XK02/XK0101/XK010101/" and sector.level == 3
    # A column present but empty clears the stored value.
    assert deleg.name_ar == ""


def test_columns_absent_from_the_file_keep_their_stored_values(admin, zones):
    content = b"code;name\nXK0101;Ville-Haute\n"
    result = zones_import(actor=admin, content=content, file_name="names.csv")
    assert result["counts"]["unchanged"] == 1
    deleg = Zone.objects.get(code="XK0101")
    assert deleg.name_ar == "المدينة العليا" and deleg.parent == zones["gov"]


def test_a_file_can_reshape_the_tree_in_one_go(admin, zones):
    # XK01 moves under XK02 and a new XK03 takes XK0101: parents before children, whatever the file order.
    content = (HEADER + "XK0101,Ville-Haute,,XK03,,\nXK01,Nord,,XK02,,\nXK03,Est,,XK01,,\n").encode()
    zones_import(actor=admin, content=content, file_name="reshape.csv")
    paths = dict(Zone.objects.values_list("code", "path"))
    assert paths["XK01"] == "XK/XK02/XK01/"
    assert paths["XK03"] == "XK/XK02/XK01/XK03/"
    assert paths["XK0101"] == "XK/XK02/XK01/XK03/XK0101/"
    assert Zone.objects.get(code="XK0101").level == 4


# --- Bad input: every problem named, nothing written --------------------------------------------------------


def test_every_problem_of_a_csv_is_reported_with_its_row_and_nothing_is_written(admin):
    problems = problems_of(admin, read("bad_rows.csv"), "bad_rows.csv")

    where = [(row, field) for _file, row, field, _message in problems]
    assert where == [(3, "code"), (4, "name"), (5, "population"), (6, "code"), (7, "parent_code"),
                     (8, "parent_code"), (9, "parent_code")]
    assert all(file == "bad_rows.csv" for file, *_ in problems)
    messages = {(row, field): message for _file, row, field, message in problems}
    assert "beaucoup" in messages[(5, "population")]
    assert "TN02" in messages[(6, "code")] and "5" in messages[(6, "code")]
    assert "TN03" in messages[(7, "parent_code")]
    assert "TN0401 → TN0402 → TN0401" in messages[(8, "parent_code")]
    assert not Zone.objects.exists()
    assert not AuditEvent.objects.exists()


def test_every_bad_geometry_is_reported_with_its_feature_number(admin):
    problems = problems_of(admin, read("bad_geometry.geojson"), "bad_geometry.geojson")

    assert [(row, field) for _f, row, field, _m in problems] == [(n, "geometry") for n in range(1, 7)]
    messages = [m for *_rest, m in problems]
    assert "Point" in messages[0]
    assert "closed" in messages[1]
    assert "4" in messages[2]
    assert "200" in messages[3]
    assert "95" in messages[4] and "polygon 2" in messages[4]
    assert "position 2" in messages[5]
    assert not Zone.objects.exists()


def test_a_cycle_through_stored_zones_is_refused(admin, zones):
    content = (HEADER + "XK,Pays démo,,XK0101,,\n").encode()
    problems = problems_of(admin, content, "cycle.csv")
    assert [(row, field) for _f, row, field, _m in problems] == [(2, "parent_code")]
    assert "cycle" in problems[0][3]
    assert Zone.objects.get(code="XK").parent is None


def test_a_zone_cannot_be_its_own_parent(admin):
    problems = problems_of(admin, (HEADER + "A,Alpha,,A,,\n").encode(), "self.csv")
    assert [(row, field) for _f, row, field, _m in problems] == [(2, "parent_code")]


def test_a_file_not_in_utf8_names_the_line_of_the_first_bad_byte(admin):
    problems = problems_of(admin, read("zones_latin1.csv"), "zones_latin1.csv")
    assert len(problems) == 1
    file, row, _field, message = problems[0]
    assert (file, row) == ("zones_latin1.csv", 3)
    assert "UTF-8" in message and "0xE9" in message and "3" in message
    assert not Zone.objects.exists()


@pytest.mark.parametrize("content,file_name,expected", [
    (b"", "zones.csv", "empty"),
    (b"  \n\n", "zones.csv", "empty"),
    (b"PK\x03\x04\x14\x00\x06\x00", "zones.xlsx", "Excel"),
    (b"%PDF-1.7\n", "zones.pdf", "PDF"),
    (b"Hello, this is a letter.\nBest wishes\n", "letter.docx", "not a CSV or GeoJSON"),
    (b"name;population\nTunis;12\n", "zones.csv", "code"),
    (b"{\"type\": \"FeatureCollection\", \"features\": [", "zones.geojson", "not valid GeoJSON"),
    (b"{\"type\": \"Feature\", \"properties\": {}}", "zones.geojson", "FeatureCollection"),
    (HEADER.encode(), "zones.csv", "no zone"),
])
def test_files_that_are_not_zone_files_are_refused_with_a_clear_message(admin, content, file_name, expected):
    problems = problems_of(admin, content, file_name)
    assert len(problems) == 1
    assert problems[0][0] == file_name
    assert expected in problems[0][3]
    assert not Zone.objects.exists()


def test_utf16_is_recognised_as_not_utf8_text(admin):
    problems = problems_of(admin, HEADER.encode("utf-16"), "zones.csv")
    assert "UTF-16" in problems[0][3]


def test_csv_with_semicolons_and_a_bom_and_geojson_with_numeric_codes(admin):
    zones_import(actor=admin, content="\ufeffcode;name\n1;Un\n".encode(), file_name="a.csv")
    feature = {"type": "Feature", "properties": {"code": 2, "name": "Deux", "parent_code": 1},
               "geometry": None}
    collection = {"type": "FeatureCollection", "features": [feature]}
    zones_import(actor=admin, content=json.dumps(collection).encode(), file_name="b.geojson")
    assert Zone.objects.get(code="2").path == "1/2/"


def test_a_negative_or_fractional_population_is_refused(admin):
    content = (HEADER + "A,Alpha,,,,-3\nB,Beta,,,,2.5\nC,Gamma,,,,1 000\n").encode()
    problems = problems_of(admin, content, "p.csv")
    assert [(row, field) for _f, row, field, _m in problems] == [(2, "population"), (3, "population")]


def test_a_value_too_long_for_its_field_is_named(admin):
    problems = problems_of(admin, (HEADER + f"A,{'x' * 300},,,,\n").encode(), "long.csv")
    assert [(row, field) for _f, row, field, _m in problems] == [(2, "name")]


def test_progress_is_reported_while_checking_and_writing(admin):
    calls = []
    zones_import(actor=admin, content=read("zones_tn.csv"), file_name="zones_tn.csv",
                 progress=lambda done, total, message="": calls.append((done, total)))
    assert calls[0] == (1, 10)
    assert (5, 10) in calls  # every row checked
    assert calls[-1] == (10, 10)
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)


# --- Who may import -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "social_worker", "partner_worker", "viewer", "anonymous"])
def test_only_administrators_may_import_zones(personas, persona):
    with pytest.raises(PermissionDenied):
        zones_import(actor=personas[persona], content=read("zones_tn.csv"), file_name="zones_tn.csv")
    assert not Zone.objects.exists()


def test_a_superuser_without_organisation_may_import(db):
    from ..factories import UserFactory

    root = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    assert zones_import(actor=root, content=read("zones_tn.csv"), file_name="z.csv")["counts"]["created"] == 5


def test_an_administrator_of_an_inactive_organisation_may_not_import(admin, orgs):
    orgs["A"].is_active = False
    orgs["A"].save()
    with pytest.raises(PermissionDenied):
        zones_import(actor=admin, content=read("zones_tn.csv"), file_name="zones_tn.csv")


def test_a_zone_created_meanwhile_by_someone_else_fails_the_import_cleanly(admin, monkeypatch):
    # As if another import wrote TN between this import's checks and its writes.
    from parcours.territories import services

    ZoneFactory(code="TN", name="Tunisie")
    monkeypatch.setattr(services, "_existing", lambda codes: {})
    with pytest.raises(ApplicationError, match="Import the file again"):
        zones_import(actor=admin, content=read("zones_tn.csv"), file_name="zones_tn.csv")
    assert list(Zone.objects.values_list("code", flat=True)) == ["TN"]
    assert not AuditEvent.objects.filter(action="import").exists()


def test_nul_characters_escaped_in_geojson_are_dropped(admin):
    content = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, ' \
              b'"properties": {"code": "A\\u0000", "name": "Al\\u0000pha"}}]}'
    zones_import(actor=admin, content=content, file_name="nul.geojson")
    assert Zone.objects.get(code="A").name == "Alpha"
