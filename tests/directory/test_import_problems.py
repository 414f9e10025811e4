"""Bad HSDS files: every problem is reported with its file, object or row, and field; nothing is imported."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.directory import models as m
from parcours.directory.hsds.spec import TABLES
from parcours.directory.services import directory_import

EXAMPLES = Path(__file__).parent / "hsds"
ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
SERVICE = "ac148810-d857-441c-9679-408f346de14b"


def _counts():
    return {name: spec.model.objects.count() for name, spec in TABLES.items()}


def _refused(admin, folder: Path) -> list:
    before, events = _counts(), AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as caught:
        directory_import(actor=admin, source_dir=folder)
    assert "nothing was imported" in caught.value.message
    assert _counts() == before and AuditEvent.objects.count() == events
    return caught.value.problems


def _write(folder: Path, name: str, content) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(content if isinstance(content, str) else json.dumps(content))
    return folder


def _service(**overrides):
    service = {"id": SERVICE, "name": "Counselling", "status": "active", "organization_id": ORG}
    service.update(overrides)
    return service


def _organization(**overrides):
    org = {"id": ORG, "name": "Org", "description": "An organisation."}
    org.update(overrides)
    return org


def test_bad_json_is_reported_with_its_line(admin, tmp_path):
    problems = _refused(admin, _write(tmp_path / "in", "services.json", '[{"id": "x",]'))
    assert len(problems) == 1
    assert problems[0].file == "services.json" and "line 1" in problems[0].message


def test_schema_failures_name_object_and_field(admin, tmp_path):
    """A bad status, a missing name and a bad latitude type: three problems, each with its field."""
    folder = _write(tmp_path / "in", "organizations.json", [_organization()])
    _write(folder, "services.json", [
        _service(status="open"),
        {"id": "4d2a2b8a-2f7e-4a71-9a9c-1c9d2c1e0a01", "status": "active", "organization_id": ORG},
        _service(id="4d2a2b8a-2f7e-4a71-9a9c-1c9d2c1e0a02", service_at_locations=[{
            "id": "4d2a2b8a-2f7e-4a71-9a9c-1c9d2c1e0a03",
            "location": {"id": "4d2a2b8a-2f7e-4a71-9a9c-1c9d2c1e0a04", "location_type": "physical",
                         "latitude": "north"}}]),
    ])
    problems = _refused(admin, folder)
    where = {(p.file, p.row, p.field) for p in problems}
    assert ("services.json", 1, "status") in where
    assert ("services.json", 2, "name") in where
    assert ("services.json", 3, "service_at_locations/0/location/latitude") in where
    assert SERVICE in " ".join(p.message for p in problems)


def test_unknown_references_are_reported(admin, tmp_path):
    """A service of an organisation that is nowhere, an attribute with an unknown term: refused."""
    folder = _write(tmp_path / "in", "services.json", [_service(attributes=[{
        "id": "4d2a2b8a-2f7e-4a71-9a9c-1c9d2c1e0a05", "link_type": "need", "link_entity": "service",
        "taxonomy_term_id": "4d2a2b8a-2f7e-4a71-9a9c-1c9d2c1e0a06"}])])
    problems = _refused(admin, folder)
    fields = {p.field for p in problems}
    assert fields == {"organization_id", "attributes/0/taxonomy_term_id"}
    assert all(p.file == "services.json" and p.row == 1 for p in problems)
    assert any("neither in the import nor in the directory" in p.message for p in problems)


def test_a_reference_to_a_stored_record_is_fine(admin, tmp_path):
    """The organisation imported first, then a services.json alone that names it: accepted."""
    directory_import(actor=admin, source_dir=_write(tmp_path / "a", "organizations.json", [_organization()]))
    directory_import(actor=admin, source_dir=_write(tmp_path / "b", "services.json", [_service()]))
    assert m.Service.objects.get(pk=SERVICE).organization_id is not None


def test_contradicting_copies_of_a_record_are_reported(admin, tmp_path):
    """The same location nested twice with two different names is a contradiction."""
    location = {"id": "4d2a2b8a-2f7e-4a71-9a9c-1c9d2c1e0a07", "location_type": "physical", "name": "A"}
    folder = _write(tmp_path / "in", "organizations.json", [_organization(locations=[location])])
    _write(folder, "services.json", [_service(service_at_locations=[{
        "id": "4d2a2b8a-2f7e-4a71-9a9c-1c9d2c1e0a08", "location": {**location, "name": "B"}}])])
    problems = _refused(admin, folder)
    assert [p.field for p in problems] == ["service_at_locations/0/location/name"]


def test_bad_csv_rows_name_file_row_and_field(admin, tmp_path):
    folder = tmp_path / "in"
    (folder / "csv").mkdir(parents=True)
    (folder / "csv" / "organizations.csv").write_text(
        f"id,name,description,year_incorporated\n{ORG},Org,Desc,nineteen\nnot-a-uuid,Other,Desc,\n")
    (folder / "csv" / "services.csv").write_text(f"id,organization_id,name,status\n{SERVICE},{ORG},S,closed\n")
    problems = _refused(admin, folder)
    where = {(p.file, p.row, p.field) for p in problems}
    assert where == {("csv/organizations.csv", 2, "year_incorporated"), ("csv/organizations.csv", 3, "id"),
                     ("csv/services.csv", 2, "status")}


def test_csv_without_id_column(admin, tmp_path):
    folder = tmp_path / "in"
    (folder / "csv").mkdir(parents=True)
    (folder / "csv" / "services.csv").write_text("name,status\nS,active\n")
    problems = _refused(admin, folder)
    assert [(p.file, p.row) for p in problems] == [("csv/services.csv", 1)]


def test_an_empty_folder_says_what_is_expected(admin, tmp_path):
    (tmp_path / "empty").mkdir()
    problems = _refused(admin, tmp_path / "empty")
    assert "organizations.json" in problems[0].message


def test_the_standard_csv_example_is_refused_for_its_dangling_references(admin, tmp_path):
    """The HSDS CSV example points at records it does not contain (its location's organisation, its
    attribute's service…): Parcours reports each one rather than importing half a directory."""
    shutil.copytree(EXAMPLES / "csv", tmp_path / "in" / "csv")
    problems = _refused(admin, tmp_path / "in")
    assert problems and all(p.file.startswith("csv/") and p.row and p.field for p in problems)
    assert ("csv/locations.csv", 2, "organization_id") in {(p.file, p.row, p.field) for p in problems}


def test_cli_import_and_export(admin, tmp_path, capsys):
    """The command line: export writes the layout; import of a bad folder fails with the problems on stderr."""
    call_command("directory", "export", str(tmp_path / "out"))
    assert (tmp_path / "out" / "csv" / "datapackage.json").is_file()
    call_command("directory", "import", str(tmp_path / "out"), "--as", admin.email)
    assert "0 records created" in capsys.readouterr().out
    _write(tmp_path / "bad", "services.json", "{")
    with pytest.raises(CommandError):
        call_command("directory", "import", str(tmp_path / "bad"))
    assert "services.json" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("directory", "import", str(tmp_path / "nowhere"))
