"""Writes to the zone tree. Every door (web, admin, API, CLI, tasks, demo data) calls these.

Zones are reference data shared by all organisations: only superusers and organisation administrators
change them. A system actor (a plain label such as "cli" or "demo", used when no account runs the code) is
trusted, since it only exists for code run on the server itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, ProtectedError, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.core.audit import audit_record, diff, snapshot
from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.models import AuditEvent

from .models import Zone
from .selectors import user_may_manage_zones
from .zone_files import ZoneRecord, geometry_problem, read_zone_file

Progress = Callable[..., None]
ZONE_FIELDS = ("code", "name", "name_ar", "parent", "level_name", "population", "geometry")
AUDITED = ("code", "name", "name_ar", "parent", "level", "level_name", "population", "path")
VALUE_FIELDS = ("name", "name_ar", "level_name", "population", "geometry")
_CHUNK = 500  # SQLite limits the number of parameters of one query


def _require_manage(actor) -> None:
    if isinstance(actor, str) and actor:
        return
    if not user_may_manage_zones(actor):
        raise PermissionDenied(_("Only administrators may change zones."))


def _geometry_label(geometry: dict | None) -> str | None:
    """Geometries are summarised in the audit trail: whole polygons would swamp it."""
    if not geometry:
        return None
    coordinates = geometry.get("coordinates") or []
    polygons = [coordinates] if geometry.get("type") == "Polygon" else coordinates
    positions = sum(len(ring) for polygon in polygons for ring in polygon)
    return f"{geometry.get('type')} ({positions})"


def _audit_changes(before: dict, zone: Zone, old_geometry: dict | None) -> dict:
    changes = diff(before, snapshot(zone, AUDITED))
    if old_geometry != zone.geometry:
        changes["geometry"] = [_geometry_label(old_geometry), _geometry_label(zone.geometry)]
    return changes


def _place(zone: Zone, parent: Zone | None) -> None:
    zone.parent = parent
    zone.level = parent.level + 1 if parent else 0
    zone.path = f"{parent.path if parent else ''}{zone.code}/"


def _check_values(code: str, geometry: dict | None) -> None:
    if "/" in code:
        raise ApplicationError(_("A code may not contain “/”."), [Problem(_("A code may not contain “/”."),
                                                                          field="code")])
    problem = geometry_problem(geometry) if geometry is not None else None
    if problem:
        raise ApplicationError(problem, [Problem(problem, field="geometry")])


def _move_subtree(old_path: str, new_path: str, level_delta: int, exclude_pk=None) -> int:
    """Rewrite the paths (and levels) of every zone under ``old_path``: one UPDATE on any database."""
    queryset = Zone.objects.filter(path__startswith=old_path)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField()),
        level=F("level") + level_delta,
        updated_at=timezone.now(),
    )


@transaction.atomic
def zone_create(
    *,
    actor,
    code: str,
    name: str,
    name_ar: str = "",
    parent: Zone | None = None,
    level_name: str = "",
    population: int | None = None,
    geometry: dict | None = None,
) -> Zone:
    _require_manage(actor)
    code = (code or "").strip()
    _check_values(code, geometry)
    zone = Zone(code=code, name=(name or "").strip(), name_ar=(name_ar or "").strip(),
                level_name=(level_name or "").strip(), population=population, geometry=geometry)
    _place(zone, parent)
    zone.full_clean()
    zone.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=zone,
                 changes=_audit_changes({}, zone, None))
    return zone


@transaction.atomic
def zone_update(*, actor, zone: Zone, **data: Any) -> Zone:
    """Change a zone; a new parent or code rewrites the paths of the whole subtree."""
    _require_manage(actor)
    unknown = set(data) - set(ZONE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown zone fields: %s") % ", ".join(sorted(unknown)))
    before, old_geometry = snapshot(zone, AUDITED), zone.geometry
    old_path, old_level = zone.path, zone.level
    for name, value in data.items():
        setattr(zone, name, value.strip() if isinstance(value, str) else value)
    _check_values(zone.code, zone.geometry)
    parent = zone.parent
    if parent is not None and (parent.pk == zone.pk or parent.path.startswith(old_path)):
        problem = _("A zone cannot be placed under itself or under one of its own sub-zones.")
        raise ApplicationError(problem, [Problem(problem, field="parent")])
    _place(zone, parent)
    zone.full_clean()
    zone.save()
    if zone.path != old_path:
        _move_subtree(old_path, zone.path, zone.level - old_level, exclude_pk=zone.pk)
    changes = _audit_changes(before, zone, old_geometry)
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=zone, changes=changes)
    return zone


def zone_delete(*, actor, zone: Zone) -> None:
    """Delete a zone that has no sub-zone and that nothing refers to (households, organisations…)."""
    _require_manage(actor)
    if zone.children.exists():
        raise ApplicationError(_("The zone “%s” has sub-zones; delete or move them first.") % zone)
    try:
        with transaction.atomic():
            audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=zone,
                         changes=diff(snapshot(zone, AUDITED), {}))
            zone.delete()
    except ProtectedError as exc:
        raise ApplicationError(
            _("The zone “%s” is still used (households, programmes…); it cannot be deleted.") % zone
        ) from exc


# --- Import -------------------------------------------------------------------------------------------------


class _ZoneTable:
    """What an import's audit event is about: the zone table as a whole, not one record."""

    _meta = Zone._meta
    pk = ""

    def __init__(self, file_name: str):
        self.file_name = file_name

    def __str__(self) -> str:
        return _("zones from %(file)s") % {"file": self.file_name}


@dataclass
class _Planned:
    record: ZoneRecord
    zone: Zone
    before: dict | None  # the stored values of an existing zone; None for a new one


def _existing(codes: set[str]) -> dict[str, Zone]:
    found: dict[str, Zone] = {}
    codes_list = sorted(codes)
    for i in range(0, len(codes_list), _CHUNK):
        for zone in Zone.objects.filter(code__in=codes_list[i:i + _CHUNK]):
            found[zone.code] = zone
    return found


def _stored(zone: Zone) -> dict:
    return {name: getattr(zone, name) for name in (*VALUE_FIELDS, "parent_id", "path", "level")}


def zones_import(
    *, actor, content: bytes, file_name: str, progress: Progress | None = None
) -> dict[str, Any]:
    """Create or update the zones of a CSV or GeoJSON file (see ``zone_files`` for the format).

    All-or-nothing: every row is checked first and all problems are reported together in an
    ApplicationError; only a clean file is written, in one transaction, parents before children. Zones
    already stored are updated, so importing the same file twice changes nothing.
    """
    _require_manage(actor)
    report = progress or (lambda done, total, message="": None)
    parsed = read_zone_file(content, file_name)
    problems = list(parsed.problems)

    def problem(record: ZoneRecord, field: str, message: str) -> None:
        problems.append(Problem(message, row=record.where, field=field, file=file_name))

    if not parsed.records:
        _raise(problems, file_name)
    records: dict[str, ZoneRecord] = {}
    for record in parsed.records:
        first = records.setdefault(record.code, record)
        if first is not record:
            problem(record, "code", _("The code “%(code)s” already appears at row %(row)s.")
                    % {"code": record.code, "row": first.where})
    existing = _existing(set(records) | {r.parent_code for r in records.values() if r.parent_code})
    # Parents of stored zones, read from their paths: "A/B/C/" says B's parent is A and C's is B.
    stored_parent: dict[str, str | None] = {}
    for zone in existing.values():
        codes = zone.path.rstrip("/").split("/")
        for i, code in enumerate(codes):
            stored_parent.setdefault(code, codes[i - 1] if i else None)

    def final_parent(code: str) -> str | None:
        record = records.get(code)
        if record is not None and "parent_code" in record.values:
            return record.parent_code
        return stored_parent.get(code)

    total = 2 * len(records)
    planned: list[_Planned] = []
    for done, record in enumerate(records.values(), 1):
        report(done, total, _("Checking the file"))
        parent_code = record.parent_code
        if parent_code == record.code:
            problem(record, "parent_code", _("A zone cannot be its own parent."))
        elif parent_code and parent_code not in records and parent_code not in existing:
            problem(record, "parent_code", _("The parent “%(code)s” is neither in this file nor among the "
                                             "existing zones.") % {"code": parent_code})
        if not record.ok:
            continue
        zone = existing.get(record.code) or Zone(code=record.code)
        before = _stored(zone) if zone.pk and record.code in existing else None
        for name in VALUE_FIELDS:
            if name in record.values:
                setattr(zone, name, record.values[name])
        try:
            zone.full_clean(exclude=["parent", "path", "level"], validate_unique=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    problem(record, field, message)
        planned.append(_Planned(record, zone, before))
    paths = _resolve_paths(records, final_parent, problem)
    if problems:
        _raise(problems, file_name)
    return _write(actor=actor, planned=planned, paths=paths, final_parent=final_parent, existing=existing,
                  file_name=file_name, report=report, total=total, file_format=parsed.format)


def _resolve_paths(records: dict[str, ZoneRecord], final_parent, problem) -> dict[str, str | None]:
    """The path each zone of the file will have; cycles among parents are reported on their rows."""
    paths: dict[str, str | None] = {}
    for code in records:
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in paths:
            if current in chain:
                cycle = [*chain[chain.index(current):], current]
                for member in cycle[:-1]:
                    # A zone that is its own parent was already reported as such.
                    if member in records and len(cycle) > 2:
                        problem(records[member], "parent_code",
                                _("The parents form a cycle: %(cycle)s.") % {"cycle": " → ".join(cycle)})
                for member in chain:
                    paths[member] = None
                break
            chain.append(current)
            current = final_parent(current)
        else:
            base = paths[current] if current is not None else ""
            for member in reversed(chain):
                base = None if base is None else f"{base}{member}/"
                paths[member] = base
    return paths


def _raise(problems: list[Problem], file_name: str):
    problems.sort(key=lambda p: p.row or 0)
    raise ApplicationError(
        ngettext("%(count)s problem in %(file)s: nothing was imported.",
                 "%(count)s problems in %(file)s: nothing was imported.", len(problems))
        % {"count": len(problems), "file": file_name},
        problems,
    )


def _write(*, actor, planned, paths, final_parent, existing, file_name, report, total, file_format) -> dict:
    pk_by_code = {code: zone.pk for code, zone in existing.items()}
    pk_by_code.update({p.zone.code: p.zone.pk for p in planned})
    # Stored parents kept by rows without a parent_code column were not loaded yet.
    missing = {final_parent(p.zone.code) for p in planned} - set(pk_by_code) - {None}
    pk_by_code.update({code: zone.pk for code, zone in _existing(missing).items()})
    created, moved, changed = [], [], []
    now = timezone.now()
    for item in planned:
        zone = item.zone
        parent_code = final_parent(zone.code)
        zone.parent_id = pk_by_code[parent_code] if parent_code else None
        zone.path = paths[zone.code]
        zone.level = zone.path.count("/") - 1
        if item.before is None:
            created.append(zone)
            continue
        if zone.parent_id != item.before["parent_id"]:
            moved.append(item)
        if any(getattr(zone, name) != item.before[name] for name in (*VALUE_FIELDS, "parent_id")):
            zone.updated_at = now
            changed.append(zone)
    half = total // 2
    report(half, total, _("Writing the zones"))
    try:
        with transaction.atomic():
            # Moves first, parents before children: each rewrites the current paths of the mover's subtree.
            for item in sorted(moved, key=lambda i: i.zone.level):
                current = Zone.objects.filter(pk=item.zone.pk).values_list("path", "level").get()
                _move_subtree(current[0], item.zone.path, item.zone.level - current[1])
            created.sort(key=lambda z: z.level)
            for i in range(0, len(created), _CHUNK):
                Zone.objects.bulk_create(created[i:i + _CHUNK])
                report(half + i + len(created[i:i + _CHUNK]), total, _("Writing the zones"))
            Zone.objects.bulk_update(changed, [*VALUE_FIELDS, "parent", "path", "level", "updated_at"],
                                     batch_size=_CHUNK)
            counts = {"created": len(created), "updated": len(changed),
                      "unchanged": len(planned) - len(created) - len(changed)}
            note = _("%(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
                "file": file_name, **counts}
            audit_record(actor=actor, action=AuditEvent.Action.IMPORT, obj=_ZoneTable(file_name),
                         changes={k: [None, v] for k, v in counts.items()}, note=note)
    except (IntegrityError, Zone.DoesNotExist) as exc:
        # Another import (or an edit) changed the same zones between the checks and the writes.
        raise ApplicationError(_("The zones changed while %(file)s was being imported; nothing was written. "
                                 "Import the file again.") % {"file": file_name}) from exc
    report(total, total, _("Done."))
    return {
        "message": _("%(created)s zones created, %(updated)s updated, %(unchanged)s unchanged.") % counts,
        "counts": counts, "file": file_name, "format": file_format,
    }
