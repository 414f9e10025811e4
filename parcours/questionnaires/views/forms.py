"""Forms of the questionnaire pages: they parse and check what people send; services do the writing.

(They live in ``views/`` because ``questionnaires/forms/`` holds the XLSForms shipped with Parcours.)
"""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.forms import StyledFormMixin

from ..models import FormVersion, Submission
from ..services.forms import XLSFORM_TYPES

MAX_MAPPING_BYTES = 200_000
MAX_XML_CHARS = 5_000_000


def mapping_shape_errors(mapping) -> list[str]:
    """What makes ``mapping`` unusable before the service compares it with the form (wrong JSON types)."""
    if not isinstance(mapping, dict):
        return [str(_("The mapping must be a JSON object."))]
    errors = []
    for key, value in mapping.items():
        if key in {"members", "sensitive_groups"}:
            continue
        if not isinstance(value, str):
            errors.append(str(_("“%(key)s” must name a question (text).") % {"key": key}))
    members = mapping.get("members")
    if members is not None and not (isinstance(members, dict) and isinstance(members.get("fields", {}), dict)
                                    and all(isinstance(v, str) for v in members.get("fields", {}).values())):
        errors.append(str(_("“members” must be an object with a “repeat” and “fields” naming questions.")))
    groups = mapping.get("sensitive_groups")
    if groups is not None and not (isinstance(groups, list) and all(isinstance(g, str) for g in groups)):
        errors.append(str(_("“sensitive_groups” must be a list of group names.")))
    return errors


class XLSFormUploadForm(StyledFormMixin, forms.Form):
    xlsform = forms.FileField(
        label=_("XLSForm"),
        help_text=_("An .xlsx, .xls or .csv XLSForm. Its settings sheet gives the form identifier and version."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(XLSFORM_TYPES))}),
    )
    mapping = forms.FileField(
        required=False, label=_("Registry mapping (JSON)"),
        help_text=_("Optional. Which answers hold the household code, zone, members… Without it, the "
                    "questionnaire keeps its current mapping."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_mapping(self):
        upload = self.cleaned_data.get("mapping")
        if not upload:
            return None
        if upload.size > MAX_MAPPING_BYTES:
            raise forms.ValidationError(_("The mapping file is too large."))
        try:
            mapping = json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise forms.ValidationError(_("The mapping is not valid JSON: %(error)s"), params={"error": exc}) from exc
        errors = mapping_shape_errors(mapping)
        if errors:
            raise forms.ValidationError(errors)
        return mapping


class MediaUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Media file"),
                           help_text=_("Its name must be one the form uses (listed above)."))


class SubmissionFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Household code"),
                        widget=forms.SearchInput(attrs={"dir": "auto", "autocomplete": "off"}))
    status = forms.ChoiceField(required=False, label=_("Status"),
                               choices=[("", _("All statuses")), *Submission.Status.choices])
    channel = forms.ChoiceField(required=False, label=_("Channel"),
                                choices=[("", _("All channels")), *Submission.Channel.choices])
    version = forms.ModelChoiceField(queryset=FormVersion.objects.none(), required=False, label=_("Version"),
                                     empty_label=_("All versions"))
    date_from = forms.DateField(required=False, label=_("Received from"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(required=False, label=_("Received until"),
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    flagged = forms.BooleanField(required=False, label=_("Flagged for review only"))

    FILTERS = ("q", "status", "channel", "version", "date_from", "date_to", "flagged")

    def __init__(self, *args, questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = questionnaire.versions.all()
        self.fields["version"].label_from_instance = lambda v: v.version

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def search_arguments(self) -> dict:
        """The filters for ``selectors.submission_search``; a filter with an error is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.FILTERS if name in data and data[name] not in (None, "")}


class QuarantineCorrectionForm(StyledFormMixin, forms.Form):
    xml = forms.CharField(
        required=False, max_length=MAX_XML_CHARS, label=_("Submitted XML"),
        help_text=_("Correct the answers, then resubmit: the corrected submission replaces this one, which is "
                    "kept as history."),
        widget=forms.Textarea(attrs={"rows": 18, "dir": "ltr", "spellcheck": "false", "class": "font-monospace"}),
    )
    note = forms.CharField(required=False, max_length=1000, label=_("Note"),
                           widget=forms.TextInput(attrs={"dir": "auto"}),
                           help_text=_("Why and how it was corrected, for the history."))

    def clean(self):
        data = super().clean()
        if self.data.get("action") == "resubmit" and not (data.get("xml") or "").strip():
            self.add_error("xml", _("Give the corrected XML, or choose “Retry as it is”."))
        return data
