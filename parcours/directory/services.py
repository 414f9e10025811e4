"""Writes to the service directory: services and organisations by hand, and HSDS 3.0 import and export.

Every door (pages, API, CLI, demo) calls these; each write is checked (``full_clean``), audited in the same
transaction, and refused with an ``ApplicationError`` that names what is wrong.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.core.audit import audit_record, diff, snapshot
from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.models import AuditEvent
from parcours.territories.models import Zone

from .hsds.reading import Reading, read_layout
from .hsds.spec import COMPUTED, TABLES, ZONE_URI_PREFIX, links, model_field
from .hsds.writing import write_layout
from .models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .selectors import (
    organizations_managed_by,
    parcours_organisations_linkable_by,
    user_may_edit_organization,
    user_may_edit_service,
    user_may_manage_directory,
)

SERVICE_FIELDS = (
    "name", "name_fr", "name_ar", "name_pt", "alternate_name", "description", "url", "email", "status",
    "interpretation_services", "application_process", "fees_description", "wait_time", "accreditations",
    "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "alert",
)
ORGANIZATION_FIELDS = (
    "name", "name_fr", "name_ar", "name_pt", "alternate_name", "description", "email", "website", "legal_status",
    "year_incorporated", "logo", "uri", "parcours_organisation",
)


def _clean(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        problems = [Problem(message=" ".join(msgs), field=name if name != "__all__" else None)
                    for name, msgs in exc.message_dict.items()]
        raise ApplicationError(_("The %(what)s cannot be saved.") % {"what": obj._meta.verbose_name},
                               problems) from exc


def _audit_new(actor, obj, parent=None, note: str = "") -> None:
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=obj, changes=diff({}, snapshot(obj)),
                 parent=parent, note=note)


def needs_taxonomy_install() -> tuple[int, int]:
    """Install or refresh the default needs taxonomy (the migration does it; this is for databases emptied since,
    e.g. by transactional tests). Idempotent: returns (created, updated)."""
    from .models import Taxonomy
    from .needs import install

    return install(Taxonomy, TaxonomyTerm)


# --- Services and organisations ------------------------------------------------------------------------------


def _attach_terms(*, actor, service: Service, terms: Iterable[TaxonomyTerm]) -> None:
    wanted = {t.pk: t for t in terms}
    current = {a.taxonomy_term_id: a for a in service.term_links.all()}
    for term_id, link in current.items():
        if term_id not in wanted:
            audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=link, parent=service,
                         changes={"taxonomy_term": [str(link.taxonomy_term), None]})
            link.delete()
    for term_id, term in wanted.items():
        if term_id not in current:
            link = Attribute(link_id=service.pk, link_entity="service", link_type="need", taxonomy_term=term,
                             service=service)
            _clean(link)
            link.save()
            _audit_new(actor, link, parent=service)


def _zone_area(zone: Zone) -> dict[str, str]:
    return {"name": zone.name, "uri": f"{ZONE_URI_PREFIX}{zone.code}"}


def _attach_zones(*, actor, service: Service, zones: Iterable[Zone]) -> None:
    wanted = {z.pk: z for z in zones}
    current = {a.zone_id: a for a in service.areas.filter(zone__isnull=False)}
    for zone_id, area in current.items():
        if zone_id not in wanted:
            audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=area, parent=service,
                         changes={"zone": [area.name, None]})
            area.delete()
    for zone_id, zone in wanted.items():
        if zone_id not in current:
            area = ServiceArea(service=service, zone=zone, **_zone_area(zone))
            _clean(area)
            area.save()
            _audit_new(actor, area, parent=service)


def _set_languages(*, actor, service: Service, languages: Iterable[str]) -> None:
    wanted = [code.strip().lower() for code in languages if code and code.strip()]
    current = {lang.code: lang for lang in service.languages.all()}
    for code, lang in current.items():
        if code not in wanted:
            audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=lang, parent=service,
                         changes={"code": [code, None]})
            lang.delete()
    for code in wanted:
        if code not in current:
            from django.conf import global_settings

            names = dict(global_settings.LANGUAGES)
            lang = Language(service=service, code=code, name=str(names.get(code, code)))
            _clean(lang)
            lang.save()
            _audit_new(actor, lang, parent=service)


def _require_service_owner(actor, organization: Organization | None) -> None:
    if organization is None or not organizations_managed_by(actor).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("You may not manage the services of this organisation."))


@transaction.atomic
def service_create(
    *,
    actor,
    organization: Organization,
    name: str,
    taxonomy_terms: Iterable[TaxonomyTerm] = (),
    zones: Iterable[Zone] = (),
    languages: Iterable[str] = (),
    **data: Any,
) -> Service:
    """Add a service to a directory organisation the actor manages (administrators and managers of it)."""
    _require_service_owner(actor, organization)
    unknown = set(data) - set(SERVICE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown service fields: %s") % ", ".join(sorted(unknown)))
    service = Service(organization=organization, name=name, **data)
    _clean(service)
    service.save()
    _audit_new(actor, service)
    _attach_terms(actor=actor, service=service, terms=taxonomy_terms)
    _attach_zones(actor=actor, service=service, zones=zones)
    _set_languages(actor=actor, service=service, languages=languages)
    return service


@transaction.atomic
def service_update(
    *,
    actor,
    service: Service,
    taxonomy_terms: Iterable[TaxonomyTerm] | None = None,
    zones: Iterable[Zone] | None = None,
    languages: Iterable[str] | None = None,
    **data: Any,
) -> Service:
    """Change a service; ``taxonomy_terms``, ``zones`` and ``languages`` replace the current ones when given."""
    if not user_may_edit_service(actor, service):
        raise PermissionDenied(_("You may not change this service."))
    unknown = set(data) - set(SERVICE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown service fields: %s") % ", ".join(sorted(unknown)))
    before = snapshot(service)
    for name, value in data.items():
        setattr(service, name, value)
    _clean(service)
    service.save()
    changes = diff(before, snapshot(service))
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=service, changes=changes)
    if taxonomy_terms is not None:
        _attach_terms(actor=actor, service=service, terms=taxonomy_terms)
    if zones is not None:
        _attach_zones(actor=actor, service=service, zones=zones)
    if languages is not None:
        _set_languages(actor=actor, service=service, languages=languages)
    return service


def service_retire(*, actor, service: Service, status: str = Service.Status.DEFUNCT, note: str = "") -> Service:
    """Take a service out of referrals without deleting it (its history and past referrals keep pointing at it)."""
    if status == Service.Status.ACTIVE:
        raise ApplicationError(_("A retired service cannot be active."))
    service = service_update(actor=actor, service=service, status=status)
    if note:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=service, note=note)
    return service


@transaction.atomic
def location_create(
    *,
    actor,
    organization: Organization,
    name: str,
    address_1: str = "",
    city: str = "",
    country: str = "",
    postal_code: str = "",
    state_province: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    description: str = "",
    transportation: str = "",
) -> Location:
    """A place of ``organization`` (managers of it), with its address and GPS position."""
    _require_service_owner(actor, organization)
    location = Location(organization=organization, name=name, latitude=latitude, longitude=longitude,
                        description=description, transportation=transportation)
    _clean(location)
    location.save()
    _audit_new(actor, location, parent=organization)
    if address_1 or city:
        if not country:  # a new place is usually in the country of the organisation's other places
            country = Address.objects.filter(location__organization=organization).exclude(country="").values_list(
                "country", flat=True).first() or ""
        address = Address(location=location, address_1=address_1, city=city, country=country,
                          postal_code=postal_code, state_province=state_province)
        _clean(address)
        address.save()
        _audit_new(actor, address, parent=organization)
    return location


@transaction.atomic
def service_location_add(*, actor, service: Service, location: Location, description: str = "") -> ServiceAtLocation:
    """Deliver ``service`` at ``location`` (a place of the same organisation)."""
    if not user_may_edit_service(actor, service):
        raise PermissionDenied(_("You may not change this service."))
    if location.organization_id != service.organization_id:
        raise ApplicationError(_("The location belongs to another organisation."))
    link = ServiceAtLocation(service=service, location=location, description=description)
    _clean(link)
    link.save()
    _audit_new(actor, link, parent=service)
    return link


@transaction.atomic
def schedule_add(*, actor, service: Service, byday: str, opens_at: str, closes_at: str,
                 description: str = "") -> Schedule:
    """A weekly opening of ``service`` (e.g. ``MO,TU,WE`` from 08:00 to 16:00)."""
    if not user_may_edit_service(actor, service):
        raise PermissionDenied(_("You may not change this service."))
    schedule = Schedule(service=service, freq="WEEKLY", wkst="MO", byday=byday, opens_at=opens_at,
                        closes_at=closes_at, description=description)
    _clean(schedule)
    schedule.save()
    _audit_new(actor, schedule, parent=service)
    return schedule


@transaction.atomic
def service_hours_set(*, actor, service: Service, byday: str, opens_at: str, closes_at: str) -> Schedule | None:
    """Set the one weekly opening of ``service`` (the pages' simple case); no days removes it.

    A service with several schedules (from an HSDS import) is left alone: ApplicationError.
    """
    if not user_may_edit_service(actor, service):
        raise PermissionDenied(_("You may not change this service."))
    schedules = list(service.schedules.all())
    if len(schedules) > 1:
        raise ApplicationError(_("This service has several schedules; change them through an HSDS import."))
    current = schedules[0] if schedules else None
    if not byday:
        if current is not None:
            audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=current, parent=service, changes={
                k: [v, None] for k, v in snapshot(current, ["byday", "opens_at", "closes_at"]).items()})
            current.delete()
        return None
    if current is None:
        return schedule_add(actor=actor, service=service, byday=byday, opens_at=opens_at, closes_at=closes_at)
    before = snapshot(current, ["byday", "opens_at", "closes_at"])
    current.byday, current.opens_at, current.closes_at = byday, opens_at, closes_at
    current.freq = current.freq or "WEEKLY"
    _clean(current)
    current.save()
    changes = diff(before, snapshot(current, ["byday", "opens_at", "closes_at"]))
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=current, parent=service, changes=changes)
    return current


@transaction.atomic
def service_locations_set(*, actor, service: Service, locations: Iterable[Location]) -> None:
    """Deliver ``service`` at exactly ``locations`` (places of its organisation)."""
    if not user_may_edit_service(actor, service):
        raise PermissionDenied(_("You may not change this service."))
    wanted = {loc.pk: loc for loc in locations}
    current = {link.location_id: link for link in service.service_at_locations.all()}
    for location_id, link in current.items():
        if location_id not in wanted:
            audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=link, parent=service,
                         changes={"location": [str(link.location), None]})
            link.delete()
    for location_id, location in wanted.items():
        if location_id not in current:
            service_location_add(actor=actor, service=service, location=location)


@transaction.atomic
def required_documents_set(*, actor, service: Service, documents: Iterable[str]) -> None:
    """Replace the documents needed to apply for ``service``."""
    if not user_may_edit_service(actor, service):
        raise PermissionDenied(_("You may not change this service."))
    wanted = [d.strip() for d in documents if d and d.strip()]
    current = {doc.document: doc for doc in service.required_documents.all()}
    for text, doc in current.items():
        if text not in wanted:
            audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=doc, parent=service,
                         changes={"document": [text, None]})
            doc.delete()
    for text in wanted:
        if text not in current:
            doc = RequiredDocument(service=service, document=text)
            _clean(doc)
            doc.save()
            _audit_new(actor, doc, parent=service)


@transaction.atomic
def phone_add(*, actor, service: Service, number: str, description: str = "") -> Phone:
    if not user_may_edit_service(actor, service):
        raise PermissionDenied(_("You may not change this service."))
    phone = Phone(service=service, number=number, type="voice", description=description)
    _clean(phone)
    phone.save()
    _audit_new(actor, phone, parent=service)
    return phone


def _require_directory_manager(actor) -> None:
    if not user_may_manage_directory(actor):
        raise PermissionDenied(_("Only administrators and managers may import or change directory organisations."))


def _check_link(actor, organization: Organization) -> None:
    """A user links a directory organisation only to a Parcours organisation they manage."""
    if organization.parcours_organisation_id is None:
        return
    if not parcours_organisations_linkable_by(actor).filter(pk=organization.parcours_organisation_id).exists():
        raise PermissionDenied(_("You may only link the directory to an organisation you manage."))


@transaction.atomic
def organization_create(*, actor, name: str, **data: Any) -> Organization:
    """Add an organisation to the directory: administrators and managers, for their own organisation;
    administrators also for organisations that do not use Parcours."""
    _require_directory_manager(actor)
    unknown = set(data) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown organisation fields: %s") % ", ".join(sorted(unknown)))
    organization = Organization(name=name, **data)
    if not user_may_edit_organization(actor, organization):
        raise PermissionDenied(_("You may not add this organisation to the directory."))
    _check_link(actor, organization)
    _clean(organization)
    organization.save()
    _audit_new(actor, organization)
    return organization


@transaction.atomic
def organization_update(*, actor, organization: Organization, **data: Any) -> Organization:
    if not user_may_edit_organization(actor, organization):
        raise PermissionDenied(_("You may not change this organisation."))
    unknown = set(data) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown organisation fields: %s") % ", ".join(sorted(unknown)))
    before = snapshot(organization)
    for name, value in data.items():
        setattr(organization, name, value)
    if not user_may_edit_organization(actor, organization):
        raise PermissionDenied(_("You may not give this organisation away."))
    _check_link(actor, organization)
    _clean(organization)
    organization.save()
    changes = diff(before, snapshot(organization))
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=organization, changes=changes)
    return organization


# --- HSDS import and export ----------------------------------------------------------------------------------


def _known_ids(reading: Reading, table: str, wanted: set[str]) -> set[str]:
    """Of ``wanted`` ids, those present in the import or already stored in ``table``."""
    present = wanted & set(reading.rows.get(table, {}))
    missing = wanted - present
    stored = set()
    for chunk_start in range(0, len(missing), 500):
        chunk = sorted(missing)[chunk_start:chunk_start + 500]
        stored |= {str(pk) for pk in TABLES[table].model.objects.filter(pk__in=chunk).values_list("pk", flat=True)}
    return present | stored


def _check_references(reading: Reading) -> None:
    for table in TABLES:
        rows = reading.rows.get(table, {})
        for field_name, target in links(table).items():
            wanted = {str(r[field_name]).lower() for r in rows.values() if r.get(field_name)}
            known = _known_ids(reading, target, wanted)
            for key, row in rows.items():
                value = row.get(field_name)
                if value and str(value).lower() not in known:
                    reading.add_problem(reading.sources[(table, key)].problem(
                        _("%(table)s %(id)s points to %(target)s %(value)s, which is neither in the import nor "
                          "in the directory.") % {"table": table, "id": key, "target": target, "value": value},
                        field_name))
    # Attributes and change records name their record by identifier and table name.
    for table, field_name in (("attribute", "link_id"),):
        rows = reading.rows.get(table, {})
        wanted = {str(r[field_name]).lower() for r in rows.values() if r.get(field_name)}
        known: set[str] = set()
        for target in TABLES:
            known |= _known_ids(reading, target, wanted - known)
        for key, row in rows.items():
            if row.get(field_name) and str(row[field_name]).lower() not in known:
                reading.add_problem(reading.sources[(table, key)].problem(
                    _("%(table)s %(id)s is attached to %(value)s, which is neither in the import nor in the "
                      "directory.") % {"table": table, "id": key, "value": row[field_name]}, field_name))


def _value(field: models.Field, value: Any) -> Any:
    """An HSDS value as the model field stores it; ValueError when it does not fit."""
    if value is None or value == "":
        return None if field.null else ""
    if field.many_to_one or isinstance(field, models.UUIDField):
        return uuid.UUID(str(value))
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat(str(value)[:10])
    if isinstance(field, models.IntegerField):
        number = float(value)
        if not number.is_integer():
            raise ValueError(value)
        return int(number)
    if isinstance(field, models.FloatField):
        return float(value)
    return str(value)


def _values(obj: models.Model) -> dict[str, Any]:
    # Links by identifier: reading the linked records would cost a query each, and the trail needs only the ids.
    names = [f.attname for f in obj._meta.concrete_fields if f.name not in {"created_at", "updated_at"}]
    return snapshot(obj, names)


def _zone_of(row: dict, zones: dict[str, Zone]) -> Zone | None:
    uri = str(row.get("uri") or "")
    return zones.get(uri[len(ZONE_URI_PREFIX):]) if uri.startswith(ZONE_URI_PREFIX) else None


def _write(*, actor, reading: Reading, note: str) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    trail: list[tuple[models.Model, dict]] = []
    zone_codes = {str(r.get("uri"))[len(ZONE_URI_PREFIX):] for r in reading.rows.get("service_area", {}).values()
                  if str(r.get("uri") or "").startswith(ZONE_URI_PREFIX)}
    zones = {z.code: z for z in Zone.objects.filter(code__in=zone_codes)}
    service_ids = _known_ids(reading, "service", {str(r.get("link_id")).lower()
                                                  for r in reading.rows.get("attribute", {}).values()})
    for table, spec in TABLES.items():
        rows = reading.rows.get(table, {})
        if not rows:
            continue
        stored = {str(obj.pk): obj for obj in spec.model.objects.filter(pk__in=list(rows))}
        tally = counts.setdefault(table, {"created": 0, "updated": 0, "unchanged": 0})
        for key, row in rows.items():
            source = reading.sources[(table, key)]
            obj = stored.get(key)
            before = _values(obj) if obj is not None else None
            if obj is None:
                obj = spec.model(pk=uuid.UUID(key))
            bad = False
            for name in spec.fields:
                field = model_field(table, name)
                if name == "id" or field is None or (table, name) in COMPUTED:
                    continue
                try:
                    setattr(obj, field.attname, _value(field, row.get(name)))
                except ValueError:
                    bad = True
                    reading.add_problem(source.problem(
                        _("“%(value)s” does not fit this field (%(kind)s expected).") % {
                            "value": row.get(name), "kind": field.description % field.__dict__}, name))
            if table == "service_area":
                obj.zone = _zone_of(row, zones)
            if table == "attribute":
                link = str(row.get("link_id") or "").lower()
                obj.service_id = uuid.UUID(link) if link in service_ids else None
            if bad:
                continue
            after = _values(obj)
            if before is not None and after == before:
                tally["unchanged"] += 1  # stored as it is: nothing to check or write
                continue
            try:
                # Links were checked against the import and the directory above; records of the same import
                # are saved in link order, so the check of each key by Django is left to the database constraint.
                obj.full_clean(exclude=[f.name for f in spec.model._meta.concrete_fields if f.many_to_one])
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    reading.add_problem(source.problem(" ".join(messages), None if name == "__all__" else name))
                continue
            # A new record has its HSDS id already: without force_insert Django would try an UPDATE first.
            obj.save(force_insert=before is None)
            tally["created" if before is None else "updated"] += 1
            trail.append((obj, diff(before or {}, _values(obj))))
    if not reading.problems:  # a refused import leaves no trace but its report
        for obj, changes in trail:
            audit_record(actor=actor, action=AuditEvent.Action.IMPORT, obj=obj, changes=changes, note=note)
    return counts


def _refuse(reading: Reading, what: str):
    raise ApplicationError(
        ngettext("%(count)s problem in %(what)s: nothing was imported.",
                 "%(count)s problems in %(what)s: nothing was imported.", len(reading.problems))
        % {"count": len(reading.problems), "what": what},
        reading.problems,
    )


def directory_import(*, actor, source_dir: Path | str, label: str = "") -> dict[str, Any]:
    """Import an HSDS 3.0 layout: ``organizations.json``, ``services.json`` and/or the CSV package (``csv/``).

    Every object is checked against the compiled HSDS schemas and every identifier it points to must be in the
    import or already in the directory. All or nothing: any problem refuses the whole import, with each problem's
    file, object or row, and field. Records keep their HSDS ids, so importing the same data again changes nothing.
    """
    if not user_may_manage_directory(actor):
        raise PermissionDenied(_("Only administrators and managers may import into the directory."))
    source_dir = Path(source_dir)
    what = label or source_dir.name
    reading = read_layout(source_dir)
    if reading.problems:
        _refuse(reading, what)
    _check_references(reading)
    if reading.problems:
        _refuse(reading, what)
    note = _("HSDS import of %(what)s") % {"what": what}
    try:
        with transaction.atomic():
            counts = _write(actor=actor, reading=reading, note=note)
            if reading.problems:
                raise _Rollback
    except _Rollback:
        _refuse(reading, what)
    total = {k: sum(c[k] for c in counts.values()) for k in ("created", "updated", "unchanged")}
    return {
        "message": _("%(created)s records created, %(updated)s updated, %(unchanged)s unchanged.") % total,
        "counts": counts, "total": total, "files": reading.files,
    }


class _Rollback(Exception):
    """Raised inside the import's transaction to undo what was written when a record was refused."""


def directory_export(*, target_dir: Path | str, actor=None) -> dict[str, int]:
    """Write the whole directory as HSDS 3.0: organizations.json, services.json and csv/ with datapackage.json."""
    counts = write_layout(Path(target_dir))
    if actor is not None:
        audit_record(actor=actor, action=AuditEvent.Action.EXPORT, obj=_DirectoryTable(),
                     changes={k: [None, v] for k, v in counts.items() if v}, note=str(target_dir))
    return counts


class _DirectoryTable:
    """What an export's audit event is about: the directory as a whole."""

    _meta = Service._meta
    pk = ""

    def __str__(self) -> str:
        return _("service directory")


MAX_UNPACKED = 200 * 1024 * 1024  # a ZIP bomb stops here


def _unpack(data: bytes, target: Path, name: str) -> None:
    """Unpack the HSDS files of a ZIP into ``target``: organizations.json, services.json, csv/*.csv and
    csv/datapackage.json, at the top of the archive or inside one folder. Other members are ignored, and no
    member is written outside ``target`` whatever its path says."""
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ApplicationError(_("%(file)s is not a ZIP file.") % {"file": name},
                               [Problem(message=_("This is not a ZIP file."), file=name)]) from exc
    wanted = {"organizations.json", "services.json"} | {f"csv/{spec.csv_name}" for spec in TABLES.values()}
    members = [info for info in archive.infolist() if not info.is_dir()]
    total = 0
    for info in members:
        parts = [p for p in info.filename.replace("\\", "/").split("/") if p]
        # Accept one wrapping folder ("export/services.json"), as zipping a folder gives.
        for relative in ("/".join(parts), "/".join(parts[1:])):
            if relative in wanted:
                total += info.file_size
                if total > MAX_UNPACKED:
                    raise ApplicationError(_("%(file)s unpacks to more than %(limit)s MB.") % {
                        "file": name, "limit": MAX_UNPACKED // (1024 * 1024)})
                destination = target / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(info))
                break


def directory_import_zip(*, actor, data: bytes, name: str) -> dict[str, Any]:
    """``directory_import`` of the layout inside a ZIP file (what the import page receives)."""
    import tempfile

    if not user_may_manage_directory(actor):
        raise PermissionDenied(_("Only administrators and managers may import into the directory."))
    with tempfile.TemporaryDirectory(prefix="hsds-import-") as folder:
        _unpack(data, Path(folder), name)
        return directory_import(actor=actor, source_dir=folder, label=name)


def directory_export_zip(*, actor) -> bytes:
    """The export layout as a ZIP file (what the export page sends)."""
    import io
    import tempfile
    import zipfile

    if not user_may_manage_directory(actor):
        raise PermissionDenied(_("Only administrators and managers may export the directory."))
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="hsds-export-") as folder:
        root = Path(folder)
        directory_export(target_dir=root, actor=actor)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()
