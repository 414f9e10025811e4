"""Questionnaires and their versions: XLSForm in, XForm out (pyxform), both kept with the warnings."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from parcours.accounts.models import Programme
from parcours.accounts.selectors import MANAGING_ROLES, user_has_role
from parcours.core.actors import staff_user
from parcours.core.audit import audit_record
from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.models import AuditEvent
from parcours.territories.models import Zone

from ..models import FormMedia, FormVersion, Questionnaire
from ..validation import form_expression_problems
from ..xform import XFormError, describe

XLSFORM_TYPES = {".xlsx", ".xlsm", ".xls", ".csv", ".md"}
DEFAULT_FORM_DIR = Path(__file__).resolve().parent.parent / "forms" / "default"
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET = re.compile(r"'(survey|choices|settings|external_choices|entities)' sheet", re.IGNORECASE)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _pyxform_problem(message: str, file_name: str) -> Problem:
    """pyxform names the row in its messages ("[row : 12] …"); keep it as the problem's row, with the sheet."""
    row = _ROW.search(message)
    sheet = _SHEET.search(message)
    field = _("sheet “%s”") % sheet.group(1).lower() if sheet else None
    return Problem(message=message.strip(), row=int(row.group(1)) if row else None, field=field, file=file_name)


def xlsform_convert(*, file_name: str, content: bytes) -> tuple[str, list[str]]:
    """The XForm and pyxform's warnings for an XLSForm file; ApplicationError naming sheet and row otherwise."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in XLSFORM_TYPES:
        raise ApplicationError(
            _("“%(file)s” is not an XLSForm: upload an .xlsx, .xls or .csv file.") % {"file": file_name},
            [Problem(_("Unsupported file type."), file=file_name)],
        )
    warnings: list[str] = []
    try:
        result = convert(xlsform=io.BytesIO(content), warnings=warnings, file_type=suffix)
    except PyXFormError as exc:
        raise ApplicationError(
            _("The XLSForm “%(file)s” has errors.") % {"file": file_name},
            [_pyxform_problem(line, file_name) for line in str(exc).splitlines() if line.strip()],
        ) from exc
    except Exception as exc:  # a corrupt workbook raises zipfile/openpyxl/xlrd errors of many kinds
        raise ApplicationError(
            _("“%(file)s” could not be read as an XLSForm workbook.") % {"file": file_name},
            [Problem(str(exc) or exc.__class__.__name__, file=file_name)],
        ) from exc
    return result.xform, warnings


PATH_KEYS = ("household_code", "zone_code", "address", "gps", "consent", "interview_date")


def _shape_problems(mapping) -> list[Problem]:
    """A mapping read from a file or an API body may have any shape: say what is wrong instead of crashing."""
    if not isinstance(mapping, dict):
        return [Problem(_("The mapping must be an object (JSON dictionary)."))]
    problems = []

    def expect(ok: bool, key: str, what: str) -> None:
        if not ok:
            problems.append(Problem(_("“%(key)s” must be %(what)s.") % {"key": key, "what": what}, field=key))

    text = _("a text")
    for key in PATH_KEYS:
        expect(isinstance(mapping.get(key, ""), str), key, text)
    members = mapping.get("members", {})
    expect(isinstance(members, dict), "members", _("an object with “repeat” and “fields”"))
    if isinstance(members, dict) and members:
        expect(isinstance(members.get("repeat"), str), "members.repeat", text)
        member_fields = members.get("fields", {})
        expect(isinstance(member_fields, dict) and all(isinstance(v, str) for v in member_fields.values()),
               "members.fields", _("an object of texts"))
    groups = mapping.get("sensitive_groups", [])
    expect(isinstance(groups, list) and all(isinstance(g, str) for g in groups), "sensitive_groups",
           _("a list of texts"))
    purposes = mapping.get("consent_purposes", {})
    expect(isinstance(purposes, dict) and all(isinstance(v, str) for v in purposes.values()), "consent_purposes",
           _("an object of texts"))
    return problems


def _check_mapping(mapping: dict, schema: dict, file_name: str) -> None:
    shape = _shape_problems(mapping)
    if shape:
        for p in shape:
            p.file = file_name
        raise ApplicationError(_("The registry mapping is not well formed."), shape)
    fields, repeats = schema["fields"], set(schema["repeats"])
    problems = []
    for key in PATH_KEYS:
        path = mapping.get(key)
        if path and path not in fields:
            problems.append(Problem(_("The mapping names “%s”, which the form does not have.") % path, field=key))
    members = mapping.get("members") or {}
    if members:
        repeat = members.get("repeat")
        if repeat not in repeats:
            problems.append(Problem(_("The mapping's members repeat “%s” is not a repeat of the form.") % repeat,
                                    field="members.repeat"))
        for key, name in (members.get("fields") or {}).items():
            if f"{repeat}/{name}" not in fields:
                problems.append(Problem(_("The mapping names “%s”, which the form does not have.")
                                        % f"{repeat}/{name}", field=f"members.{key}"))
    if problems:
        for p in problems:
            p.file = file_name
        raise ApplicationError(_("The registry mapping does not fit this form."), problems)


@transaction.atomic
def form_version_create(
    *, actor, programme: Programme, file_name: str, content: bytes, mapping: dict | None = None
) -> FormVersion:
    """Upload an XLSForm as a new version of its questionnaire (created on first upload) in ``programme``.

    Re-uploading the same version with the same content changes nothing; the same version with different content
    is refused (phones that downloaded it could not tell the two apart).
    """
    if not user_has_role(actor, programme.lead, MANAGING_ROLES):
        raise PermissionDenied(_("Only a manager of the programme's lead organisation may publish questionnaires."))
    xform, warnings = xlsform_convert(file_name=file_name, content=content)
    try:
        schema = describe(xform)
    except XFormError as exc:
        raise ApplicationError(_("The XForm made from “%s” cannot be read.") % file_name,
                               [Problem(str(exc), file=file_name)]) from exc
    unsupported = form_expression_problems(xform, file_name=file_name)
    if unsupported:
        # The server checks every submission with these expressions: it must be able to evaluate all of them.
        raise ApplicationError(_("The form “%s” has expressions the server cannot evaluate.") % file_name,
                               unsupported)
    if not schema["version"]:
        raise ApplicationError(
            _("The XLSForm “%s” has no version.") % file_name,
            [Problem(_("Give a version in the settings sheet (for example 2026110101)."), field="version",
                     file=file_name)],
        )
    questionnaire, created = Questionnaire.objects.get_or_create(
        programme=programme, form_id=schema["form_id"], defaults={"title": schema["title"] or schema["form_id"]}
    )
    if mapping is not None:
        _check_mapping(mapping, schema, file_name)
    elif questionnaire.mapping:
        _check_mapping(questionnaire.mapping, schema, file_name)
    existing = questionnaire.versions.filter(version=schema["version"]).first()
    xform_md5 = _md5(xform.encode())
    if existing:
        if existing.xform_md5 == xform_md5:
            return existing
        raise ApplicationError(
            _("Version %(version)s of “%(form)s” already exists with other content: raise the version in the "
              "settings sheet.") % {"version": schema["version"], "form": schema["form_id"]},
            [Problem(_("Version already used."), field="version", file=file_name)],
        )
    questionnaire.versions.update(is_current=False)
    if mapping is not None:
        questionnaire.mapping = mapping
    questionnaire.title = schema["title"] or questionnaire.title
    questionnaire.save()
    version = FormVersion(
        questionnaire=questionnaire, version=schema["version"], xform=xform, xform_md5=xform_md5, schema=schema,
        warnings=warnings, is_current=True, created_by=staff_user(actor),
    )
    version.xlsform.save(Path(file_name).name, ContentFile(content), save=False)
    version.full_clean()
    version.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=version,
                 changes={"form_id": [None, schema["form_id"]], "version": [None, schema["version"]]},
                 note=_("%d conversion warnings") % len(warnings) if warnings else "")
    return version


@transaction.atomic
def form_media_attach(*, actor, form_version: FormVersion, file_name: str, content: bytes,
                      content_type: str = "") -> FormMedia:
    """Attach (or replace) a media file the form refers to."""
    if not user_has_role(actor, form_version.questionnaire.programme.lead, MANAGING_ROLES):
        raise PermissionDenied(_("Only a manager may change a questionnaire's media."))
    name = Path(file_name).name
    if name not in form_version.schema.get("media", []):
        raise ApplicationError(
            _("The form does not use a file named “%(name)s”. It uses: %(names)s.")
            % {"name": name, "names": ", ".join(form_version.schema.get("media", [])) or "—"},
            [Problem(_("Undeclared media file."), file=name)],
        )
    media = FormMedia.objects.filter(form_version=form_version, filename=name).first() or FormMedia(
        form_version=form_version, filename=name
    )
    if media.pk:
        media.file.delete(save=False)
    media.md5 = _md5(content)
    media.content_type = content_type or ("text/csv" if name.endswith(".csv") else "application/octet-stream")
    media.file.save(name, ContentFile(content), save=False)
    media.full_clean()
    media.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=form_version, note=f"media {name}")
    return media


def zones_choices_csv(programme: Programme) -> bytes:
    """zones.csv for ``select_one_from_file``: the lowest-level zones under the programme's zones."""
    zones = Zone.objects.all()
    roots = list(programme.zones.all())
    if roots:
        from django.db.models import Q

        condition = Q()
        for root in roots:
            condition |= Q(path__startswith=root.path)
        zones = zones.filter(condition)
    leaves = zones.exclude(children__isnull=False).order_by("path")
    out = io.StringIO()
    writer = csv.writer(out)
    # CSV headers become XML element names in the form's secondary instance: "label::Français (fr)" would break
    # ODK Collect and Web Forms, and neither translates external labels yet, so "label" carries both scripts.
    writer.writerow(["name", "label", "label_fr", "label_ar", "parent"])
    for zone in leaves.select_related("parent"):
        both = f"{zone.name} — {zone.name_ar}" if zone.name_ar else zone.name
        writer.writerow([zone.code, both, zone.name, zone.name_ar, zone.parent.code if zone.parent else ""])
    return out.getvalue().encode("utf-8")


def default_questionnaire_deploy(*, actor, programme: Programme) -> FormVersion:
    """Publish the questionnaire shipped with Parcours to ``programme``, with its mapping and zones.csv."""
    import json

    xlsx = DEFAULT_FORM_DIR / "fiche_socio_economique.xlsx"
    mapping = json.loads((DEFAULT_FORM_DIR / "mapping.json").read_text(encoding="utf-8"))
    version = form_version_create(actor=actor, programme=programme, file_name=xlsx.name,
                                  content=xlsx.read_bytes(), mapping=mapping)
    if "zones.csv" in version.schema.get("media", []):
        form_media_attach(actor=actor, form_version=version, file_name="zones.csv",
                          content=zones_choices_csv(programme), content_type="text/csv")
    return version
