"""Forms of the directory pages: they parse what people type; the services write."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from parcours.accounts.forms import StyledFormMixin
from parcours.registry.forms import NBSP, ZoneChoiceField
from parcours.territories.models import Zone

from .models import Location, Organization, Schedule, Service, TaxonomyTerm

MAX_UPLOAD_SIZE = 50 * 1024 * 1024
# Zones offered on forms and filters: the country down to delegations keeps the pages light.
ZONE_MAX_LEVEL = 2
DAYS = list(Schedule.DAYS)


class TermMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, term):
        return term.display_name


class ZoneMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, zone):
        return f"{NBSP * 2 * zone.level}{zone.display_name} ({zone.code})"


class ServiceSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search"), widget=forms.SearchInput(
        attrs={"placeholder": _("Service or organisation name, description"), "dir": "auto", "autocomplete": "off"}))
    term = forms.ModelChoiceField(queryset=TaxonomyTerm.objects.none(), to_field_name="code", required=False,
                                  label=_("Need"), empty_label=_("All needs"))
    zone = ZoneChoiceField(queryset=Zone.objects.filter(level__lte=ZONE_MAX_LEVEL), to_field_name="code",
                           required=False, label=_("Zone"), empty_label=_("All zones"))
    organization = forms.ModelChoiceField(queryset=Organization.objects.all(), required=False,
                                          label=_("Organisation"), empty_label=_("All organisations"))
    status = forms.ChoiceField(required=False, label=_("Status"), choices=[
        ("", _("Active only")), ("all", _("Any status")), *Service.Status.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = TaxonomyTerm.objects.exclude(code="").order_by("name")
        self.fields["term"].label_from_instance = lambda term: term.display_name
        self.fields["organization"].label_from_instance = lambda org: org.display_name


class ServiceForm(StyledFormMixin, forms.ModelForm):
    """A service's description; needs, zones, languages and documents are passed to the service separately."""

    taxonomy_terms = TermMultipleChoiceField(
        queryset=TaxonomyTerm.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Needs answered"))
    zones = ZoneMultipleChoiceField(
        queryset=Zone.objects.filter(level__lte=ZONE_MAX_LEVEL), required=False, label=_("Zones covered"),
        help_text=_("A zone covers every zone under it."), widget=forms.SelectMultiple(attrs={"size": 8}))
    languages = forms.CharField(
        required=False, max_length=200, label=_("Languages"),
        help_text=_("ISO 639-1 codes separated by commas, e.g. ar, fr, en."))
    required_documents = forms.CharField(
        required=False, label=_("Documents to bring"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One document per line."))

    locations = forms.ModelMultipleChoiceField(
        queryset=Location.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Delivered at"))
    new_location_name = forms.CharField(required=False, max_length=255, label=_("New place: name"))
    new_location_address = forms.CharField(required=False, max_length=255, label=_("New place: address"))
    new_location_city = forms.CharField(required=False, max_length=255, label=_("New place: city"))
    new_location_latitude = forms.FloatField(required=False, min_value=-90, max_value=90,
                                             label=_("New place: latitude"), help_text=_("e.g. 36.8065"))
    new_location_longitude = forms.FloatField(required=False, min_value=-180, max_value=180,
                                              label=_("New place: longitude"), help_text=_("e.g. 10.1815"))
    days = forms.MultipleChoiceField(required=False, choices=DAYS, widget=forms.CheckboxSelectMultiple,
                                     label=_("Open on"))
    opens_at = forms.TimeField(required=False, label=_("Opens at"),
                               widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closes_at = forms.TimeField(required=False, label=_("Closes at"),
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    class Meta:
        model = Service
        fields = ["organization", "name", "name_fr", "name_ar", "name_pt", "status", "description",
                  "eligibility_description", "application_process", "fees_description", "minimum_age",
                  "maximum_age", "url", "email", "alert"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in
                   ("description", "eligibility_description", "application_process", "fees_description", "alert")}

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import needs_terms

        self.fields["organization"].queryset = organizations if organizations is not None else \
            Organization.objects.none()
        self.fields["organization"].required = True
        self.fields["taxonomy_terms"].queryset = needs_terms().order_by("name") | TaxonomyTerm.objects.filter(
            pk__in=[] if self.instance._state.adding else self.instance.taxonomy_terms.values("pk"))
        if organizations is not None:
            self.fields["locations"].queryset = Location.objects.filter(organization__in=organizations)
        else:
            self.fields["locations"].queryset = Location.objects.filter(organization=self.instance.organization)
        self.fields["locations"].label_from_instance = self._location_label
        if not self.instance._state.adding:
            self.fields.pop("organization")
            self.initial.setdefault("locations", [link.location for link in self.instance.service_at_locations.all()])
            schedules = list(self.instance.schedules.all())
            if len(schedules) > 1:  # kept as imported; the simple weekly hours do not describe them
                for name in ("days", "opens_at", "closes_at"):
                    self.fields.pop(name)
            elif schedules:
                self.initial.setdefault("days", [d for d in schedules[0].byday.split(",") if d])
                self.initial.setdefault("opens_at", schedules[0].opens_at[:5])
                self.initial.setdefault("closes_at", schedules[0].closes_at[:5])
            self.initial.setdefault("taxonomy_terms", list(self.instance.taxonomy_terms.all()))
            self.initial.setdefault("zones", list(self.instance.service_areas.all()))
            self.initial.setdefault("languages", ", ".join(lang.code for lang in self.instance.languages.all()))
            self.initial.setdefault("required_documents", "\n".join(
                doc.document for doc in self.instance.required_documents.all()))

    @staticmethod
    def _location_label(location) -> str:
        address = location.addresses.first()
        where = f" — {address.city}" if address and address.city else ""
        return f"{location.name or location.pk}{where}"

    def clean(self):
        data = super().clean()
        has_lat = data.get("new_location_latitude") is not None
        has_lon = data.get("new_location_longitude") is not None
        if has_lat != has_lon:
            self.add_error("new_location_longitude" if has_lat else "new_location_latitude",
                           _("Give both the latitude and the longitude, or neither."))
        if (has_lat or data.get("new_location_address")) and not data.get("new_location_name"):
            self.add_error("new_location_name", _("Name the new place."))
        if data.get("days") and not (data.get("opens_at") and data.get("closes_at")):
            self.add_error("opens_at", _("Give the opening and closing times."))
        return data

    def hours(self) -> dict | None:
        """The weekly opening hours typed, or None when the form does not manage them."""
        if "days" not in self.fields:
            return None
        days = [d for d, _label in DAYS if d in (self.cleaned_data.get("days") or [])]
        opens, closes = self.cleaned_data.get("opens_at"), self.cleaned_data.get("closes_at")
        return {"byday": ",".join(days), "opens_at": opens.strftime("%H:%M") if opens and days else "",
                "closes_at": closes.strftime("%H:%M") if closes and days else ""}

    def new_location(self) -> dict | None:
        name = self.cleaned_data.get("new_location_name")
        if not name:
            return None
        return {"name": name, "address_1": self.cleaned_data.get("new_location_address") or "",
                "city": self.cleaned_data.get("new_location_city") or "",
                "latitude": self.cleaned_data.get("new_location_latitude"),
                "longitude": self.cleaned_data.get("new_location_longitude")}

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields
                if name in self.cleaned_data and name != "organization"}
        data["taxonomy_terms"] = list(self.cleaned_data["taxonomy_terms"])
        data["zones"] = list(self.cleaned_data["zones"])
        data["languages"] = [code.strip() for code in self.cleaned_data["languages"].split(",") if code.strip()]
        return data

    def documents(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["required_documents"].splitlines() if line.strip()]

    def _post_clean(self):
        # The service validates the record (full_clean) and reports what is wrong on the form.
        pass


class DirectoryImportForm(forms.Form):
    file = forms.FileField(
        label=_("ZIP file"),
        help_text=_("A ZIP holding organizations.json and/or services.json, and/or the CSV data package in a "
                    "csv/ folder (as written by the export)."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".zip"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_SIZE:
            raise forms.ValidationError(
                _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_SIZE)})
        return upload


class OrganizationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "name_fr", "name_ar", "name_pt", "alternate_name", "description", "legal_status",
                  "email", "website", "year_incorporated", "parcours_organisation"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, linkable=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["parcours_organisation"]
        field.queryset = linkable if linkable is not None else field.queryset.none()
        field.empty_label = _("None: it does not use Parcours")

    def _post_clean(self):
        pass  # the service validates and reports on the form

    def organization_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}
