"""Which HSDS table is which model, how objects nest, and how one record becomes a tabular row and back."""

from __future__ import annotations

import datetime
import gzip
import json
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import models

from .. import models as m

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "hsds"
HSDS_VERSION = "3.0"


@cache
def compiled_schema(name: str) -> dict:
    """A compiled HSDS 3.0 schema shipped with Parcours (``service``, ``organization`` or ``tabular``)."""
    with gzip.open(SCHEMA_DIR / f"{name}.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


@dataclass(frozen=True)
class Table:
    name: str  # HSDS table name, e.g. "service_at_location"
    model: type[models.Model]

    @property
    def schema(self) -> dict:
        return compiled_schema("tabular")["properties"][self.name]["items"]

    @property
    def csv_name(self) -> str:
        return self.schema["path"]

    @property
    def fields(self) -> list[str]:
        """Scalar fields of the table, in the schema's order (the CSV columns)."""
        return [name for name, prop in self.schema["properties"].items() if prop.get("type") not in {"array", "object"}]

    def field_type(self, name: str) -> str:
        return self.schema["properties"][name].get("type", "string")


# In the order records can be written: a table comes after the tables its links point to.
TABLES: dict[str, Table] = {
    t.name: t for t in (
        Table("taxonomy", m.Taxonomy),
        Table("taxonomy_term", m.TaxonomyTerm),
        Table("organization", m.Organization),
        Table("program", m.Program),
        Table("service", m.Service),
        Table("location", m.Location),
        Table("service_at_location", m.ServiceAtLocation),
        Table("contact", m.Contact),
        Table("phone", m.Phone),
        Table("schedule", m.Schedule),
        Table("funding", m.Funding),
        Table("service_area", m.ServiceArea),
        Table("required_document", m.RequiredDocument),
        Table("language", m.Language),
        Table("accessibility", m.Accessibility),
        Table("cost_option", m.CostOption),
        Table("organization_identifier", m.OrganizationIdentifier),
        Table("address", m.Address),
        Table("attribute", m.Attribute),
        Table("metadata", m.Metadata),
        Table("meta_table_description", m.MetaTableDescription),
    )
}

# Arrays of child records in nested objects: key → (child table, the child's field that points at the parent).
# Attributes and metadata hang off any record (by link_id / resource_id) and are added to every table below.
CHILDREN: dict[str, dict[str, tuple[str, str]]] = {
    "organization": {
        "funding": ("funding", "organization_id"), "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"), "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "services": ("service", "organization_id"),
    },
    "service": {
        "phones": ("phone", "service_id"), "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"), "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"), "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"), "contacts": ("contact", "service_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"), "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "location": {
        "languages": ("language", "location_id"), "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"), "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"), "schedules": ("schedule", "location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}
for _table in TABLES:
    if _table not in {"attribute", "metadata", "taxonomy", "taxonomy_term"}:
        CHILDREN.setdefault(_table, {})["attributes"] = ("attribute", "link_id")
    if _table != "metadata":
        CHILDREN.setdefault(_table, {})["metadata"] = ("metadata", "resource_id")

# Single nested objects: key → (table of the object, the field of the *parent* that holds the object's id).
OBJECTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {"organization": ("organization", "organization_id"), "program": ("program", "program_id")},
    "service_at_location": {"location": ("location", "location_id"), "service": ("service", "service_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}

# HSDS field → model field, where the names differ.
RENAMED = {("taxonomy_term", "taxonomy"): "taxonomy_name"}
# Links whose target may lie outside the data set (see the models): never reported as unknown.
OPEN_LINKS = {("organization", "parent_organization_id"), ("taxonomy_term", "parent_id")}
# Fields computed on export, ignored on import.
COMPUTED = {("service", "last_modified")}
ZONE_URI_PREFIX = "urn:parcours:zone:"


def model_field(table: str, name: str) -> models.Field | None:
    model = TABLES[table].model
    attname = RENAMED.get((table, name), name)
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    return None


def links(table: str) -> dict[str, str]:
    """Fields of ``table`` that must name a record of another table: field → target table."""
    result = {}
    for name in TABLES[table].fields:
        field = model_field(table, name)
        if field is not None and field.many_to_one and (table, name) not in OPEN_LINKS:
            result[name] = next(t for t, spec in TABLES.items() if spec.model is field.related_model)
    return result


def _plain(value: Any, hsds_type: str) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float) and hsds_type == "number" and value.is_integer():
        return int(value)
    return value


def record_to_row(table: str, obj: models.Model) -> dict[str, Any]:
    """The HSDS tabular row of ``obj``: its scalar HSDS fields, empty ones left out."""
    spec = TABLES[table]
    row: dict[str, Any] = {}
    for name in spec.fields:
        if (table, name) in COMPUTED:
            value = obj.updated_at
        else:
            field = model_field(table, name)
            if field is None:
                continue
            value = getattr(obj, field.attname)
        if value is None or value == "":
            # A required text left empty is written empty: HSDS wants the property, the value is unknown.
            if value == "" and name in spec.schema.get("required", ()):
                row[name] = ""
            continue
        row[name] = _plain(value, spec.field_type(name))
    return row
