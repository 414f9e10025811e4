"""The import page of a questionnaire: upload KoboToolbox or ODK Central exports → a background job → its page."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.forms import StyledFormMixin

from . import selectors
from .imports.sources import CSV_TYPES, XLSX_TYPES, ZIP_TYPES
from .tasks import import_jobs_of, submissions_import_job_create, submissions_import_task

ACCEPTED = sorted(CSV_TYPES | XLSX_TYPES | ZIP_TYPES)
MAX_UPLOAD_SIZE = 500 * 1024 * 1024  # in all: a 100,000-household Kobo workbook is about 150 MB


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe): cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ACCEPTED)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class SubmissionImportForm(StyledFormMixin, forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("Export files"),
        help_text=gettext_lazy("A CSV or XLSX export, the main CSV with its repeat CSV files (select them "
                               "together), or ODK Central's CSV zip. UTF-8 text only."),
    )
    version = forms.ChoiceField(
        label=gettext_lazy("Form version"),
        help_text=gettext_lazy("The version whose questions the columns are read against."),
    )
    ignore_unknown_columns = forms.BooleanField(
        required=False, label=gettext_lazy("Ignore columns that are not questions of this version"),
        help_text=gettext_lazy("Without this, such a column refuses the whole import, so no answer is lost "
                               "without your knowing."),
    )

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [
            (v.version, _("%(version)s (current)") % {"version": v.version} if v.is_current else v.version)
            for v in versions
        ]
        current = next((v for v in versions if v.is_current), None)
        if current is not None:
            self.fields["version"].initial = current.version

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        for upload in uploads:
            if Path(upload.name).suffix.lower() not in ACCEPTED:
                raise forms.ValidationError(_("“%(name)s” is not a CSV, XLSX or ZIP file.") % {"name": upload.name})
        total = sum(upload.size for upload in uploads)
        if total > MAX_UPLOAD_SIZE:
            raise forms.ValidationError(_("The files are too large (%(size)s); the limit is %(limit)s.") % {
                "size": filesizeformat(total), "limit": filesizeformat(MAX_UPLOAD_SIZE)})
        return uploads


@login_required
def submission_import(request, pk):
    questionnaire = selectors.questionnaire_open(user=request.user, pk=pk)
    if not selectors.user_may_manage(request.user, questionnaire.programme):
        raise PermissionDenied(_("Only a manager of the programme's lead organisation may import submissions."))
    versions = list(questionnaire.versions.all())
    form = SubmissionImportForm(request.POST or None, request.FILES or None, versions=versions)
    if request.method == "POST" and form.is_valid():
        job = submissions_import_job_create(
            actor=request.user, questionnaire=questionnaire, uploads=form.cleaned_data["files"],
            version=form.cleaned_data["version"], ignore_unknown_columns=form.cleaned_data["ignore_unknown_columns"],
        )
        submissions_import_task.enqueue(str(job.pk))
        return redirect("core:job_detail", pk=job.pk)
    return render(request, "questionnaires/imports/import_form.html", {
        "questionnaire": questionnaire, "form": form, "has_versions": bool(versions),
        "jobs": import_jobs_of(request.user, questionnaire)[:5],
    }, status=400 if form.errors else 200)
