"""Questionnaire pages: the list per programme, XLSForm upload, a questionnaire's versions, media and mapping."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.selectors import programmes_of
from parcours.core.exceptions import ApplicationError, Problem

from .. import selectors, services
from ..models import FormMedia, FormVersion, Submission
from ..xform import label_for
from .forms import MediaUploadForm, XLSFormUploadForm

MAPPING_LABELS = {
    "household_code": gettext_lazy("Household code"), "zone_code": gettext_lazy("Zone code"),
    "address": gettext_lazy("Address"), "gps": gettext_lazy("GPS location"), "consent": gettext_lazy("Consent"),
    "members.repeat": gettext_lazy("Members (repeat)"), "given_name": gettext_lazy("Given name"),
    "given_name_ar": gettext_lazy("Given name in Arabic"), "family_name": gettext_lazy("Family name"),
    "family_name_ar": gettext_lazy("Family name in Arabic"), "father_name": gettext_lazy("Father's name"),
    "father_name_ar": gettext_lazy("Father's name in Arabic"), "sex": gettext_lazy("Sex"),
    "date_of_birth": gettext_lazy("Date of birth"), "age": gettext_lazy("Age"),
    "relationship": gettext_lazy("Relationship to the head"), "phone": gettext_lazy("Phone"),
    "national_id": gettext_lazy("National ID number"), "sensitive_groups": gettext_lazy("Sensitive answers"),
}


def _question_label(schema: dict, path: str) -> str:
    info = (schema or {}).get("fields", {}).get(path) or {}
    labels = info.get("label") or (schema or {}).get("groups", {}).get(path, {}).get("label") or {}
    return label_for(labels, get_language(), (schema or {}).get("default_language"))


def mapping_rows(mapping: dict, schema: dict) -> list[dict]:
    """The registry mapping as rows: what it feeds, which question, that question's label."""
    rows = []

    def add(key, path, label_key=None):
        paths = path if isinstance(path, list) else [path]
        for each in paths:
            rows.append({"what": MAPPING_LABELS.get(label_key or key, key), "path": each,
                         "question": _question_label(schema, each)})

    for key in ("household_code", "zone_code", "address", "gps", "consent"):
        if mapping.get(key):
            add(key, mapping[key])
    members = mapping.get("members") or {}
    if members.get("repeat"):
        add("members.repeat", members["repeat"])
        for key, name in (members.get("fields") or {}).items():
            add(key, f"{members['repeat']}/{name}")
    if mapping.get("sensitive_groups"):
        add("sensitive_groups", list(mapping["sensitive_groups"]))
    known = {"household_code", "zone_code", "address", "gps", "consent", "members", "sensitive_groups"}
    for key in sorted(set(mapping) - known):
        rows.append({"what": key, "path": str(mapping[key]), "question": ""})
    return rows


@login_required
def questionnaire_list(request):
    programmes = list(programmes_of(request.user).select_related("lead").order_by("name"))
    questionnaires = list(selectors.questionnaires_visible_to(request.user).order_by("title"))
    current = {v.questionnaire_id: v for v in
               FormVersion.objects.filter(questionnaire__in=questionnaires, is_current=True)}
    counts = selectors.questionnaire_counts(questionnaires)
    quarantine = selectors.open_quarantine_counts(programmes)
    blocks = []
    for programme in programmes:
        rows = []
        for q in questionnaires:
            if q.programme_id != programme.pk:
                continue
            found = counts.get(q.pk, {})
            rows.append({
                "questionnaire": q, "current": current.get(q.pk), "quarantine": found.get("quarantine", 0),
                "total": sum(n for s, n in found.items() if s != "quarantine"),
                "by_status": [(label, found[value]) for value, label in Submission.Status.choices if found.get(value)],
            })
        blocks.append({
            "programme": programme, "rows": rows, "quarantine": quarantine.get(programme.pk, 0),
            "may_manage": selectors.user_may_manage(request.user, programme),
            "may_see_submissions": selectors.user_may_see_submissions(request.user, programme),
        })
    return render(request, "questionnaires/questionnaire_list.html", {"blocks": blocks})


@login_required
def form_upload(request, programme):
    programme = selectors.programme_open(user=request.user, slug=programme)
    if not selectors.user_may_manage(request.user, programme):
        raise PermissionDenied(_("Only a manager of the programme's lead organisation may publish questionnaires."))
    form = XLSFormUploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["xlsform"]
        started = timezone.now()
        try:
            version = services.form_version_create(
                actor=request.user, programme=programme, file_name=upload.name, content=upload.read(),
                mapping=form.cleaned_data.get("mapping"),
            )
        except ApplicationError as exc:
            error = exc
        except ValidationError as exc:  # a value the model refuses (an identifier too long…)
            error = ApplicationError(_("The XLSForm “%(file)s” cannot be published.") % {"file": upload.name},
                                     [Problem(message, file=upload.name) for message in exc.messages])
        else:
            if version.created_at < started:
                messages.info(request, _("Version %(version)s of “%(form)s” was already published: nothing "
                                         "changed.") % {"version": version.version,
                                                         "form": version.questionnaire.form_id})
            else:
                messages.success(request, _("Version %(version)s of “%(form)s” is published.") % {
                    "version": version.version, "form": version.questionnaire.form_id})
                if version.warnings:
                    messages.warning(request, _("The conversion gave %(count)d warning(s): read them below.")
                                     % {"count": len(version.warnings)})
            return redirect("questionnaires:questionnaire_detail", pk=version.questionnaire_id)
    return render(request, "questionnaires/form_upload.html", {
        "programme": programme, "form": form, "error": error,
    }, status=400 if error else 200)


@login_required
def questionnaire_detail(request, pk):
    questionnaire = selectors.questionnaire_open(user=request.user, pk=pk)
    programme = questionnaire.programme
    versions = list(questionnaire.versions.select_related("created_by").prefetch_related("media"))
    current = next((v for v in versions if v.is_current), versions[0] if versions else None)
    media = []
    if current is not None:
        attached = {m.filename: m for m in current.media.all()}
        media = [{"name": name, "file": attached.get(name)} for name in current.schema.get("media", [])]
    counts = selectors.questionnaire_counts([questionnaire]).get(questionnaire.pk, {})
    return render(request, "questionnaires/questionnaire_detail.html", {
        "questionnaire": questionnaire, "programme": programme, "versions": versions, "current": current,
        "media": media, "missing_media": [m["name"] for m in media if m["file"] is None],
        "media_form": MediaUploadForm(),
        "mapping": mapping_rows(questionnaire.mapping or {}, current.schema if current else {}),
        "counts": [(label, counts.get(value, 0)) for value, label in Submission.Status.choices],
        "quarantine": counts.get("quarantine", 0),
        "may_manage": selectors.user_may_manage(request.user, programme),
        "may_see_submissions": selectors.user_may_see_submissions(request.user, programme),
    })


@login_required
def version_xlsform(request, pk):
    version = selectors.form_version_open(user=request.user, pk=pk)
    if not version.xlsform:
        raise Http404
    return FileResponse(version.xlsform.open("rb"), as_attachment=True, filename=Path(version.xlsform.name).name)


@login_required
def version_xform(request, pk):
    version = selectors.form_version_open(user=request.user, pk=pk)
    response = HttpResponse(version.xform, content_type="application/xml; charset=utf-8")
    name = f"{version.questionnaire.form_id}-{version.version}.xml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def media_download(request, pk):
    media = FormMedia.objects.select_related("form_version").filter(pk=pk).first()
    if media is None:
        raise Http404
    selectors.form_version_open(user=request.user, pk=media.form_version_id)
    return FileResponse(media.file.open("rb"), as_attachment=True, filename=media.filename,
                        content_type=media.content_type or "application/octet-stream")


@require_POST
@login_required
def media_upload(request, pk):
    version = selectors.form_version_open(user=request.user, pk=pk)
    if not selectors.user_may_manage(request.user, version.questionnaire.programme):
        raise PermissionDenied(_("Only a manager may change a questionnaire's media."))
    form = MediaUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.form_media_attach(actor=request.user, form_version=version, file_name=upload.name,
                                       content=upload.read(), content_type=upload.content_type or "")
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The file “%(name)s” is attached.") % {"name": Path(upload.name).name})
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("questionnaires:questionnaire_detail", pk=version.questionnaire_id)
