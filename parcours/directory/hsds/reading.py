"""Read an HSDS layout (organizations.json, services.json, csv/*.csv) into tabular rows, checking each object
against the compiled schemas. Problems name the file, the object (its position and id) or row, and the field."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker

from parcours.core.exceptions import Problem

from .spec import CHILDREN, OBJECTS, TABLES, compiled_schema

JSON_FILES = {"organizations.json": "organization", "services.json": "service"}
MAX_PROBLEMS = 500


@dataclass
class Source:
    file: str
    row: int  # 1-based position of the top-level object, or the CSV line
    path: str = ""  # where inside the object, e.g. service_at_locations/0/location

    def problem(self, message: str, field_name: str | None = None) -> Problem:
        where = "/".join(p for p in (self.path, field_name or "") if p)
        return Problem(message=message, file=self.file, row=self.row, field=where or None)


@dataclass
class Reading:
    """Rows of every table with where each came from, and the problems found on the way."""

    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add_problem(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def add(self, table: str, row: dict[str, Any], source: Source) -> None:
        key = row.get("id")
        if not isinstance(key, str):
            return  # the schema check has reported the missing identifier
        key = key.lower()
        row["id"] = key
        existing = self.rows[table].get(key)
        if existing is None:
            self.rows[table][key] = row
            self.sources[(table, key)] = source
            return
        # The same record nested in several places (a phone under its service and its location): the copies
        # complete each other; a field given two different values is an error, the file contradicts itself.
        for name, value in row.items():
            if name in existing and existing[name] != value:
                self.add_problem(source.problem(
                    _("%(table)s %(id)s appears more than once with different values of “%(field)s”: "
                      "%(first)s and %(second)s.") % {"table": table, "id": key, "field": name,
                                                      "first": existing[name], "second": value},
                    name))
            else:
                existing[name] = value


def _validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _flatten(reading: Reading, table: str, obj: dict, source: Source,
             link: tuple[str, str, str] | None = None) -> str | None:
    """Add ``obj`` and everything nested in it; return its id. ``link``: (field, parent id, parent table)."""
    spec = TABLES[table]
    row = {k: v for k, v in obj.items() if k in spec.fields and v is not None}
    if link is not None:
        link_field, parent_id, parent_table = link
        row.setdefault(link_field, parent_id)
        if table == "attribute":
            row.setdefault("link_entity", parent_table)
        if table == "metadata":
            row.setdefault("resource_type", parent_table)
    for key, (target, holder) in OBJECTS.get(table, {}).items():
        child = obj.get(key)
        if isinstance(child, dict):
            child_id = _flatten(reading, target, child, Source(source.file, source.row, _join(source.path, key)))
            if child_id is not None:
                row.setdefault(holder, child_id)
    own_id = row.get("id")
    for key, (child_table, link_field) in CHILDREN.get(table, {}).items():
        children = obj.get(key)
        if not isinstance(children, list) or not isinstance(own_id, str):
            continue
        for i, child in enumerate(children):
            if isinstance(child, dict):
                _flatten(reading, child_table, child, Source(source.file, source.row, _join(source.path, f"{key}/{i}")),
                         link=(link_field, own_id.lower(), table))
    reading.add(table, row, source)
    return own_id.lower() if isinstance(own_id, str) else None


def _join(path: str, key: str) -> str:
    return f"{path}/{key}" if path else key


def _json_path(error) -> str:
    """Where the error is inside the object; for a missing property, the property itself."""
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required" and "'" in str(error.message):
        parts.append(str(error.message).split("'")[1])  # "'name' is a required property"
    return "/".join(parts)


def read_json(reading: Reading, name: str, text: str) -> None:
    table = JSON_FILES[name]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reading.add_problem(Problem(
            message=_("This is not valid JSON: %(error)s (line %(line)s, column %(column)s).") % {
                "error": exc.msg, "line": exc.lineno, "column": exc.colno},
            file=name))
        return
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        data = data["contents"]  # a page of the HSDS API
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        reading.add_problem(Problem(message=_("The file must hold a JSON array of HSDS objects."), file=name))
        return
    validator = _validator(compiled_schema(table))
    for i, obj in enumerate(data, start=1):
        source = Source(name, i)
        if not isinstance(obj, dict):
            reading.add_problem(source.problem(_("Each element must be a JSON object.")))
            continue
        label = obj.get("id") or _("without identifier")
        errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
        for error in errors:
            reading.add_problem(source.problem(
                _("%(table)s %(id)s: %(error)s") % {"table": table, "id": label, "error": error.message},
                _json_path(error)))
        if not errors:
            _flatten(reading, table, obj, source)


def _csv_value(reading: Reading, source: Source, table: str, name: str, text: str) -> Any:
    if TABLES[table].field_type(name) != "number":
        return text
    try:
        number = float(text)
    except ValueError:
        reading.add_problem(source.problem(_("“%(value)s” is not a number.") % {"value": text}, name))
        return None
    return int(number) if number.is_integer() and "." not in text else number


def _row_schema(table: str) -> dict:
    spec = TABLES[table]
    schema = spec.schema
    required = [*schema.get("required", []), *schema.get("tabular_required", [])]
    return {"type": "object", "properties": {n: schema["properties"][n] for n in spec.fields},
            "required": [n for n in required if n in spec.fields]}


def read_csv(reading: Reading, table: str, name: str, text: str) -> None:
    validator = _validator(_row_schema(table))
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
        if "id" not in header:
            reading.add_problem(Problem(message=_("The file has no “id” column."), file=name, row=1))
            return
        for line, raw in enumerate(reader, start=2):
            source = Source(name, line)
            row = {}
            required = set(TABLES[table].schema.get("required", ()))
            for key, value in raw.items():
                if key in required and value == "" and TABLES[table].field_type(key) == "string":
                    row[key] = ""  # an empty cell of a required text column: present, empty
                elif key in TABLES[table].fields and value not in (None, ""):
                    converted = _csv_value(reading, source, table, key, value)
                    if converted is not None:
                        row[key] = converted
            errors = list(validator.iter_errors(row))
            for error in errors:
                reading.add_problem(source.problem(
                    _("%(table)s %(id)s: %(error)s") % {"table": table, "id": row.get("id", "?"),
                                                        "error": error.message},
                    _json_path(error) or None))
            if not errors:
                reading.add(table, row, source)
    except csv.Error as exc:
        reading.add_problem(Problem(message=_("This CSV file cannot be read: %(error)s") % {"error": exc},
                                    file=name))


def _text(reading: Reading, path: Path, name: str) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        reading.add_problem(Problem(message=_("The file is not UTF-8 text."), file=name))
        return None


def read_layout(source_dir: Path) -> Reading:
    """Read what ``source_dir`` holds: the JSON files and/or the CSV package (in csv/, or the folder itself)."""
    reading = Reading()
    for name in JSON_FILES:
        path = source_dir / name
        if path.is_file():
            reading.files.append(name)
            text = _text(reading, path, name)
            if text is not None:
                read_json(reading, name, text)
    csv_dir = source_dir / "csv" if (source_dir / "csv").is_dir() else source_dir
    prefix = "csv/" if csv_dir != source_dir else ""
    for table, spec in TABLES.items():
        path = csv_dir / spec.csv_name
        if path.is_file():
            name = prefix + spec.csv_name
            reading.files.append(name)
            text = _text(reading, path, name)
            if text is not None:
                read_csv(reading, table, name, text)
    if not reading.files:
        reading.add_problem(Problem(message=_(
            "Nothing to import: expected organizations.json, services.json or the CSV files of an HSDS data "
            "package (csv/organizations.csv, csv/services.csv…).")))
    return reading
