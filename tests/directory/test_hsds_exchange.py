"""HSDS 3.0 import and export, as an administrator or manager runs them (CLI, pages and API call the same services).

The examples of the HSDS 3.0 standard (/work/shared/standards/hsds-3.0/examples, copied into tests/directory/hsds)
are imported, exported again and compared field by field.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from jsonschema import Draft202012Validator, FormatChecker

from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.directory import models as m
from parcours.directory.hsds.spec import TABLES, compiled_schema
from parcours.directory.services import directory_export, directory_import

EXAMPLES = Path(__file__).parent / "hsds"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORGANIZATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


def _gps_fixed(obj):
    """The examples place their location at latitude 100, longitude 101, outside WGS84: Parcours refuses that
    (see test_example_coordinates_out_of_range_are_reported), so the round trips use a position in range."""
    if isinstance(obj, dict):
        fixed = {k: _gps_fixed(v) for k, v in obj.items()}
        if fixed.get("latitude") == 100:
            fixed["latitude"], fixed["longitude"] = 36.8, 10.18
        return fixed
    if isinstance(obj, list):
        return [_gps_fixed(v) for v in obj]
    return obj


def load_example(name: str):
    return _gps_fixed(json.loads((EXAMPLES / name).read_text()))


def _layout(tmp_path: Path, *, services: str | None = None, organizations: str | None = None,
            folder_name: str = "in") -> Path:
    folder = tmp_path / folder_name
    folder.mkdir()
    if services:
        (folder / "services.json").write_text(json.dumps(load_example(services)))
    if organizations:
        (folder / "organizations.json").write_text(json.dumps(load_example(organizations)))
    return folder


def _same(expected, actual, path="") -> list[str]:
    """Where ``actual`` differs from ``expected`` (every field of ``expected`` must be there with its value)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: {actual!r} is not an object"]
        out = []
        for key, value in expected.items():
            out += _same(value, actual.get(key), f"{path}/{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: missing list"]
        by_id = {item.get("id"): item for item in actual if isinstance(item, dict)}
        out = []
        for i, item in enumerate(expected):
            match = by_id.get(item.get("id")) if isinstance(item, dict) else None
            out += _same(item, match, f"{path}/{i}")
        return out
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def _without(obj, *keys):
    if isinstance(obj, dict):
        return {k: _without(v, *keys) for k, v in obj.items() if k not in keys}
    if isinstance(obj, list):
        return [_without(v, *keys) for v in obj]
    return obj


def test_admin_imports_the_hsds_service_example_and_exports_it_unchanged(admin, tmp_path):
    """Administrator: service_full.json in, services.json out — every field of the example comes back."""
    result = directory_import(actor=admin, source_dir=_layout(tmp_path, services="service_full.json"))
    assert result["counts"]["service"]["created"] == 1
    service = m.Service.objects.get(pk=SERVICE_ID)
    assert service.organization_id is not None
    directory_export(target_dir=tmp_path / "out")
    exported = json.loads((tmp_path / "out" / "services.json").read_text())
    assert [s["id"] for s in exported] == [SERVICE_ID]
    example = load_example("service_full.json")
    # The organisation is exported in organizations.json, the service names it by id; last_modified is ours.
    organization = example.pop("organization")
    example.pop("last_modified")
    assert _same(example, exported[0]) == []
    organizations = json.loads((tmp_path / "out" / "organizations.json").read_text())
    assert _same(_without(organization, "services"), organizations[0]) == []


def test_admin_imports_the_organization_example_with_its_services(admin, tmp_path):
    """Administrator: organization_full.json (organisation with nested services) round trips."""
    directory_import(actor=admin, source_dir=_layout(tmp_path, organizations="organization_full.json"))
    directory_export(target_dir=tmp_path / "out")
    example = load_example("organization_full.json")
    services = example.pop("services")
    organizations = json.loads((tmp_path / "out" / "organizations.json").read_text())
    assert _same(example, organizations[0]) == []
    exported_services = json.loads((tmp_path / "out" / "services.json").read_text())
    for service in services:
        service.pop("last_modified", None)
        service.pop("organization", None)
    assert _same(services, exported_services) == []


def test_every_exported_object_validates_against_the_compiled_schemas(admin, tmp_path):
    """Administrator: exported organisations and services pass the compiled HSDS schemas; CSV rows the tabular one."""
    directory_import(actor=admin, source_dir=_layout(tmp_path, services="service_full.json",
                                                     organizations="organization_full.json"))
    directory_export(target_dir=tmp_path / "out")
    for name, schema in (("services.json", "service"), ("organizations.json", "organization")):
        validator = Draft202012Validator(compiled_schema(schema), format_checker=FormatChecker())
        objects = json.loads((tmp_path / "out" / name).read_text())
        assert objects
        for obj in objects:
            assert [e.message for e in validator.iter_errors(obj)] == []
    package = json.loads((tmp_path / "out" / "csv" / "datapackage.json").read_text())
    assert {r["path"] for r in package["resources"]} == {t.csv_name for t in TABLES.values()}
    for resource in package["resources"]:
        assert (tmp_path / "out" / "csv" / resource["path"]).is_file()


def test_reimport_changes_nothing_and_keeps_ids(admin, tmp_path):
    """Administrator: importing the export again creates nothing new and writes no change to the audit trail."""
    directory_import(actor=admin, source_dir=_layout(tmp_path, organizations="organization_full.json"))
    directory_export(target_dir=tmp_path / "out")
    counts = {name: spec.model.objects.count() for name, spec in TABLES.items()}
    events = AuditEvent.objects.count()
    result = directory_import(actor=admin, source_dir=tmp_path / "out")
    assert result["total"]["created"] == 0 and result["total"]["updated"] == 0
    assert {name: spec.model.objects.count() for name, spec in TABLES.items()} == counts
    assert AuditEvent.objects.count() == events


def test_csv_package_alone_round_trips(admin, tmp_path):
    """Administrator: the CSV data package written by an export imports on its own into an empty directory."""
    directory_import(actor=admin, source_dir=_layout(tmp_path, organizations="organization_full.json"))
    directory_export(target_dir=tmp_path / "out")
    before = {name: sorted(str(pk) for pk in spec.model.objects.values_list("pk", flat=True))
              for name, spec in TABLES.items()}
    for spec in reversed(TABLES.values()):
        if spec.name not in {"taxonomy", "taxonomy_term"}:
            spec.model.objects.all().delete()
    only_csv = tmp_path / "csv-only"
    shutil.copytree(tmp_path / "out" / "csv", only_csv / "csv")
    directory_import(actor=admin, source_dir=only_csv)
    after = {name: sorted(str(pk) for pk in spec.model.objects.values_list("pk", flat=True))
             for name, spec in TABLES.items()}
    assert after == before


def test_social_worker_may_not_import(social_worker, tmp_path):
    """Social worker: importing into the shared directory is refused."""
    with pytest.raises(PermissionDenied):
        directory_import(actor=social_worker, source_dir=_layout(tmp_path, services="service_full.json"))
    assert not m.Service.objects.exists()


def test_example_coordinates_out_of_range_are_reported(admin, tmp_path):
    """Administrator: the unmodified example (latitude 100) is refused, the report names file, object and field."""
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(EXAMPLES / "service_full.json", folder / "services.json")
    with pytest.raises(ApplicationError) as caught:
        directory_import(actor=admin, source_dir=folder)
    problems = caught.value.problems
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("services.json", 1, "organization/locations/0/latitude")]
    assert "90" in problems[0].message
    assert not m.Service.objects.exists() and not m.Organization.objects.exists()


def _validate_export(folder: Path) -> int:
    checked = 0
    for name, schema in (("services.json", "service"), ("organizations.json", "organization")):
        validator = Draft202012Validator(compiled_schema(schema), format_checker=FormatChecker())
        for obj in json.loads((folder / name).read_text()):
            assert [f"{e.json_path}: {e.message}" for e in validator.iter_errors(obj)] == []
            checked += 1
    return checked


def test_services_made_in_parcours_export_as_valid_hsds(directory_world, tmp_path):
    """Services entered through Parcours (no description, no postal code) still export as valid HSDS objects,
    and carry their needs as attributes with the nested taxonomy term and its taxonomy."""
    directory_export(target_dir=tmp_path)
    assert _validate_export(tmp_path) == 5
    services = {s["name"]: s for s in json.loads((tmp_path / "services.json").read_text())}
    food = services["Food parcels"]
    assert food["attributes"][0]["taxonomy_term"]["code"] == "food"
    assert food["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["name"] == "Parcours needs"
    assert food["service_areas"][0]["uri"] == "urn:parcours:zone:XK01"
    assert food["service_at_locations"][0]["location"]["latitude"] == 36.8
    assert {lang["code"] for lang in food["languages"]} == {"ar", "fr"}
    assert food["schedules"][0]["byday"] == "MO,TU"


def test_csv_rows_validate_against_the_tabular_schema(directory_world, tmp_path):
    """Every row of every exported CSV file passes the tabular schema of its table (numbers read as numbers)."""
    import csv

    directory_export(target_dir=tmp_path)
    tabular = compiled_schema("tabular")["properties"]
    rows = 0
    for name, spec in TABLES.items():
        schema = dict(tabular[name]["items"])
        schema["properties"] = {k: v for k, v in schema["properties"].items() if v.get("type") != "array"}
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        with open(tmp_path / "csv" / spec.csv_name, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                values = {}
                for key, value in row.items():
                    if value == "" and key not in schema.get("required", []):
                        continue
                    values[key] = float(value) if schema["properties"][key].get("type") == "number" else value
                assert [e.message for e in validator.iter_errors(values)] == []
                rows += 1
    assert rows > 20


def test_zone_of_a_service_area_survives_export_and_import(directory_world, admin, tmp_path, zones):
    """Administrator: service areas point at their Parcours zone by URI, so a re-import in a fresh directory
    links the same zones."""
    directory_export(target_dir=tmp_path / "out")
    food_id = directory_world["food"].pk
    m.ServiceArea.objects.all().delete()
    directory_import(actor=admin, source_dir=tmp_path / "out")
    assert list(m.Service.objects.get(pk=food_id).service_areas.all()) == [zones["gov"]]


def test_repaired_csv_example_round_trips_cell_by_cell(admin, tmp_path):
    """Administrator: the HSDS CSV example, with its five dangling references pointed at records it contains and
    its location moved inside WGS84, imports; the exported CSV files give back every cell."""
    import csv

    source = tmp_path / "in" / "csv"
    shutil.copytree(EXAMPLES / "csv", source)
    repairs = {
        "taxonomy_terms.csv": {"07ff6aee-a219-438c-b694-d2fcb6c5373b": "5c4d79d7-cc55-470e-9f1f-8cad074e4892"},
        "locations.csv": {"985e4a42-bd9f-4edc-911d-0243a4640aca": ORGANIZATION_ID, ",100,101,": ",36.8,10.18,"},
        "contacts.csv": {"ae67a707-5893-4225-b0b1-320ab9cb596b": ORGANIZATION_ID,
                         "93eaf18d-1cd2-4ec7-bffb-3c9172ee5070": "e94c9f38-1e8f-4564-91d4-d53501ab1765"},
        "attributes.csv": {"f28dd44b-0c4d-479f-8e90-4c52219a8b3c": SERVICE_ID},
    }
    for name, changes in repairs.items():
        path = source / name
        path.chmod(0o644)
        text = path.read_text()
        for old, new in changes.items():
            assert old in text
            text = text.replace(old, new)
        path.write_text(text)
    directory_import(actor=admin, source_dir=tmp_path / "in")
    directory_export(target_dir=tmp_path / "out")

    def rows(path):
        with open(path, encoding="utf-8") as f:
            return {row["id"]: row for row in csv.DictReader(f)}

    def same(a: str, b: str) -> bool:
        try:
            return float(a) == float(b)
        except ValueError:
            return a == b

    compared = 0
    for spec in TABLES.values():
        if not (source / spec.csv_name).exists():
            continue
        exported = rows(tmp_path / "out" / "csv" / spec.csv_name)
        for key, row in rows(source / spec.csv_name).items():
            assert key in exported, (spec.csv_name, key)
            for column, value in row.items():
                if column in spec.fields and column != "last_modified":
                    assert same(value, exported[key][column]), (spec.csv_name, column, value, exported[key][column])
                    compared += 1
    assert compared > 150
