"""HSDS rows → nested JSON objects (API, organizations.json, services.json) and the CSV data package."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .spec import CHILDREN, HSDS_VERSION, OBJECTS, TABLES, compiled_schema, model_field, record_to_row

# Nested objects left out of files and API answers: each service names its organisation by id (the organisation
# is in organizations.json), and an organisation's services are in services.json.
EXCLUDED = {("service", "organization"), ("service_at_location", "service"), ("organization", "services")}


class Rows:
    """HSDS rows read from the database, starting from some records and following what nests under them."""

    def __init__(self, excluded=EXCLUDED) -> None:
        self.excluded = excluded
        self.tables: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self._index: dict[tuple[str, str], dict[str, list[dict]]] = {}

    @classmethod
    def load(cls, table: str, queryset_or_ids: Iterable, *, excluded=EXCLUDED) -> Rows:
        rows = cls(excluded)
        rows._load(table, queryset_or_ids, excluded)
        return rows

    def _add(self, table: str, objects: Iterable) -> list[str]:
        new = []
        for obj in objects:
            key = str(obj.pk)
            if key not in self.tables[table]:
                self.tables[table][key] = record_to_row(table, obj)
                new.append(key)
        return new

    def _load(self, table: str, queryset_or_ids: Iterable, excluded) -> None:
        model = TABLES[table].model
        if hasattr(queryset_or_ids, "model"):
            objects = queryset_or_ids
        else:
            objects = model.objects.filter(pk__in=list(queryset_or_ids))
        pending = [(table, self._add(table, objects))]
        while pending:
            table, ids = pending.pop()
            if not ids:
                continue
            for key, (child, link) in CHILDREN.get(table, {}).items():
                if (table, key) in excluded:
                    continue
                field = model_field(child, link)
                found = TABLES[child].model.objects.filter(**{f"{field.attname}__in": ids})
                pending.append((child, self._add(child, found)))
            for key, (target, holder) in OBJECTS.get(table, {}).items():
                if (table, key) in excluded:
                    continue
                wanted = {self.tables[table][i].get(holder) for i in ids} - {None} - set(self.tables[target])
                if wanted:
                    found = TABLES[target].model.objects.filter(pk__in=wanted)
                    pending.append((target, self._add(target, found)))
        self._index.clear()

    def children(self, table: str, link: str, parent_id: str) -> list[dict]:
        index = self._index.get((table, link))
        if index is None:
            index = defaultdict(list)
            for row in self.tables[table].values():
                if row.get(link) is not None:
                    index[str(row[link])].append(row)
            self._index[(table, link)] = index
        return index.get(parent_id, [])

    def nest(self, table: str, row: dict, *, parent_link: str | None = None, excluded=None,
             ancestors: tuple[str, ...] = ()) -> dict:
        """The nested HSDS object of ``row``, as the compiled schemas describe it.

        A table already being nested above is not nested again (a service at a location under its service does
        not repeat the service), which also keeps the recursion finite.
        """
        excluded = self.excluded if excluded is None else excluded
        ancestors = (*ancestors, table)
        obj = {k: v for k, v in row.items() if k != parent_link}
        for key, (target, holder) in OBJECTS.get(table, {}).items():
            target_row = self.tables[target].get(str(row.get(holder)))
            if (table, key) not in excluded and target not in ancestors and target_row is not None:
                obj[key] = self.nest(target, target_row, excluded=excluded, ancestors=ancestors)
        for key, (child, link) in CHILDREN.get(table, {}).items():
            if (table, key) in excluded or child in ancestors:
                continue
            nested = [self.nest(child, r, parent_link=link, excluded=excluded, ancestors=ancestors)
                      for r in self.children(child, link, row["id"])]
            if nested:
                obj[key] = nested
        return obj

    def objects(self, table: str, ids: Iterable[str] | None = None) -> list[dict]:
        keys = list(ids) if ids is not None else list(self.tables[table])
        return [self.nest(table, self.tables[table][k]) for k in keys if k in self.tables[table]]


def all_rows() -> dict[str, list[dict]]:
    """Every record of every HSDS table, as tabular rows."""
    return {name: [record_to_row(name, obj) for obj in spec.model.objects.order_by("created_at", "pk")]
            for name, spec in TABLES.items()}


def datapackage() -> dict:
    """A Frictionless tabular data package describing the CSV files, built from the compiled tabular schema."""
    resources = []
    for name, spec in TABLES.items():
        fields = []
        for field_name in spec.fields:
            prop = spec.schema["properties"][field_name]
            field = {"name": field_name, "type": prop.get("type", "string")}
            if prop.get("format") and prop["format"] in {"uuid", "email", "uri"}:
                field["format"] = prop["format"]
            if prop.get("description"):
                field["description"] = prop["description"]
            constraints = {}
            if field_name in spec.schema.get("required", []):
                constraints["required"] = True
            if prop.get("enum"):
                constraints["enum"] = prop["enum"]
            if field_name == "id":
                constraints["unique"] = True
            if constraints:
                field["constraints"] = constraints
            fields.append(field)
        resources.append({
            "name": name, "path": spec.csv_name, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "description": spec.schema.get("description", ""),
            "schema": {"fields": fields, "primaryKey": "id"},
        })
    return {
        "name": "hsds-parcours-export", "title": "Parcours service directory (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package", "version": HSDS_VERSION, "resources": resources,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def write_layout(target_dir: Path) -> dict[str, int]:
    """Write organizations.json, services.json and csv/ (with datapackage.json) under ``target_dir``."""
    from .. import models as m

    target_dir.mkdir(parents=True, exist_ok=True)
    organizations = Rows.load("organization", m.Organization.objects.order_by("name", "pk"))
    services = Rows.load("service", m.Service.objects.order_by("name", "pk"))
    (target_dir / "organizations.json").write_text(
        json.dumps(organizations.objects("organization"), ensure_ascii=False, indent=2), encoding="utf-8")
    (target_dir / "services.json").write_text(
        json.dumps(services.objects("service"), ensure_ascii=False, indent=2), encoding="utf-8")
    csv_dir = target_dir / "csv"
    csv_dir.mkdir(exist_ok=True)
    counts = {}
    for name, rows in all_rows().items():
        spec = TABLES[name]
        with open(csv_dir / spec.csv_name, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(spec.fields)
            for row in rows:
                writer.writerow([_cell(row.get(field)) for field in spec.fields])
        counts[name] = len(rows)
    (csv_dir / "datapackage.json").write_text(json.dumps(datapackage(), ensure_ascii=False, indent=2),
                                              encoding="utf-8")
    return counts


__all__ = ["Rows", "all_rows", "compiled_schema", "datapackage", "write_layout"]
