"""Forms of the registry pages: they parse and validate what people type; services do the writing.

Fields come from the models (same labels, help texts and limits); services raise ``ValidationError`` or
``ApplicationError`` for what only they can check, and ``add_service_error`` puts those back on the form.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from parcours.accounts.forms import StyledFormMixin
from parcours.accounts.models import Organisation
from parcours.core.exceptions import ApplicationError
from parcours.territories.models import Zone

from .models import Consent, Household, Identifier, Person
from .services import HOUSEHOLD_FIELDS, PERSON_FIELDS

# Zones offered as a search filter: countries down to the second subdivision keep the page light; a deeper
# zone can still be asked for by its code in the address.
SEARCH_ZONE_MAX_LEVEL = 2
NBSP = "\u00a0"
MAX_MEMBERS = 50


def _model_field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ZoneChoiceField(forms.ModelChoiceField):
    """Zones indented by depth, in the current language, with their code."""

    def label_from_instance(self, zone):
        return f"{NBSP * 2 * zone.level}{zone.display_name} ({zone.code})"


def add_service_error(form, error: Exception, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ``ValidationError`` or ``ApplicationError`` on ``form``, by the field it names."""
    field_map = field_map or {}

    def target(name):
        name = field_map.get(name, name)
        return name if name in form.fields and not form.fields[name].widget.is_hidden else None

    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                form.add_error(target(name), errors)
        else:
            form.add_error(None, error)
    elif isinstance(error, ApplicationError):
        placed = False
        for problem in error.problems:
            if problem.field:
                form.add_error(target(problem.field), str(problem.message))
                placed = True
        if not placed:
            form.add_error(None, str(error.message))
    else:  # pragma: no cover - callers pass only the two kinds above
        raise TypeError(error)


class HouseholdSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        required=False, max_length=200, label=_("Search"),
        widget=forms.SearchInput(attrs={
            "placeholder": _("Name (Latin or Arabic script), code, phone, ID number"), "dir": "auto",
            "autocomplete": "off",
        }),
    )
    zone = ZoneChoiceField(
        queryset=Zone.objects.filter(level__lte=SEARCH_ZONE_MAX_LEVEL), to_field_name="code", required=False,
        label=_("Zone"), empty_label=_("All zones"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A deeper zone asked for by code is accepted, and offered so the page shows what is filtered.
        code = self.data.get("zone") if self.is_bound else None
        if code:
            self.fields["zone"].queryset = Zone.objects.filter(
                level__lte=SEARCH_ZONE_MAX_LEVEL
            ) | Zone.objects.filter(code=code)


class HouseholdForm(StyledFormMixin, forms.Form):
    """The household's own fields. ``organisations`` limits who it may be registered for (create only)."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=capfirst(_("organisation"))
    )
    programme = _model_field(Household, "programme")
    zone = ZoneChoiceField(queryset=Zone.objects.all(), label=capfirst(_("zone")))
    code = _model_field(Household, "code", required=False)
    address = _model_field(Household, "address")
    latitude = _model_field(Household, "latitude", min_value=-90, max_value=90)
    longitude = _model_field(Household, "longitude", min_value=-180, max_value=180)
    sensitive = _model_field(Household, "sensitive")
    notes = _model_field(Household, "notes", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organisations=None, programmes=None, zones=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if zones is not None:
            self.fields["zone"].queryset = zones
        if editing:
            # A household stays with the organisation that registered it; its code is then required.
            del self.fields["organisation"]
            self.fields["code"].required = True
        else:
            self.fields["code"].help_text = _("Leave empty to have a code made for you.")
            self.fields["organisation"].queryset = organisations
            if organisations is not None and len(organisations) == 1:
                self.fields["organisation"].initial = organisations[0]
                self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["programme"].queryset = programmes if programmes is not None else self.fields[
            "programme"].queryset.none()
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"step": "any", "dir": "ltr"})

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in HOUSEHOLD_FIELDS if name in self.cleaned_data}

    def changes_for(self, household: Household) -> dict:
        """The fields whose value differs from ``household``'s, for ``household_update``."""
        return {k: v for k, v in self.service_data().items() if getattr(household, k) != v}


class PersonForm(StyledFormMixin, forms.Form):
    """A member's own fields. Arabic-script fields are right to left whatever the page's language."""

    given_name = _model_field(Person, "given_name")
    father_name = _model_field(Person, "father_name")
    family_name = _model_field(Person, "family_name")
    given_name_ar = _model_field(Person, "given_name_ar")
    father_name_ar = _model_field(Person, "father_name_ar")
    family_name_ar = _model_field(Person, "family_name_ar")
    sex = _model_field(Person, "sex")
    date_of_birth = _model_field(Person, "date_of_birth", widget=_date_input())
    date_of_birth_estimated = _model_field(Person, "date_of_birth_estimated")
    relationship = _model_field(Person, "relationship")
    phone = _model_field(Person, "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("given_name", "father_name", "family_name"):
            self.fields[name].widget.attrs.update({"dir": "ltr", "autocomplete": "off"})
        for name in ("given_name_ar", "father_name_ar", "family_name_ar"):
            self.fields[name].widget.attrs.update({"dir": "rtl", "lang": "ar", "autocomplete": "off"})
        self.fields["phone"].widget.attrs.update({"dir": "ltr", "type": "tel", "inputmode": "tel"})

    @staticmethod
    def initial_for(person: Person) -> dict:
        return {name: getattr(person, name) for name in PERSON_FIELDS}

    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}

    def changes_for(self, person: Person) -> dict:
        return {k: v for k, v in self.person_data().items() if getattr(person, k) != v}


# Where a service's identifier errors go on a member form.
IDENTIFIER_ERRORS_ON_MEMBER = {"scheme": "identifier_scheme", "value": "identifier_value",
                               "issuer": "identifier_value", NON_FIELD_ERRORS: "identifier_value"}


class MemberForm(PersonForm):
    """One row of the household's members: the person, and one identity number to add."""

    person_id = forms.UUIDField(required=False, widget=forms.HiddenInput())
    identifier_scheme = forms.ChoiceField(
        choices=[("", "---------"), *Identifier.Scheme.choices], required=False,
        label=capfirst(_("identity document")),
    )
    identifier_value = forms.CharField(max_length=100, required=False, label=capfirst(_("document number")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifier_value"].widget.attrs.update({"dir": "ltr", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        scheme, value = data.get("identifier_scheme"), (data.get("identifier_value") or "").strip()
        if value and not scheme:
            self.add_error("identifier_scheme", _("Choose the kind of document for this number."))
        if scheme and not value:
            self.add_error("identifier_value", _("Enter the document's number, or leave its kind empty."))
        return data

    def identifiers(self) -> list[dict]:
        scheme, value = self.cleaned_data.get("identifier_scheme"), self.cleaned_data.get("identifier_value")
        return [{"scheme": scheme, "value": value}] if scheme and value else []


class BaseMemberFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def filled_forms(self):
        """Rows to act on: existing members, and new rows someone typed in (blank extra rows are skipped)."""
        for form in self.forms:
            if form.cleaned_data.get("person_id") or form.has_changed():
                yield form


CreateMemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=0, min_num=1, validate_min=True, max_num=MAX_MEMBERS,
    validate_max=True,
)
EditMemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=0, can_delete=True, max_num=MAX_MEMBERS, validate_max=True
)


class IdentifierForm(StyledFormMixin, forms.Form):
    scheme = _model_field(Identifier, "scheme")
    value = _model_field(Identifier, "value")
    issuer = _model_field(Identifier, "issuer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs.update({"dir": "ltr", "autocomplete": "off"})


IdentifierFormSet = forms.formset_factory(IdentifierForm, extra=1, max_num=10, validate_max=True)


class IdentifierRemoveForm(StyledFormMixin, forms.Form):
    remove = forms.ModelMultipleChoiceField(
        queryset=Identifier.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Remove these documents"),
    )

    def __init__(self, *args, identifiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].queryset = identifiers


class ConsentForm(StyledFormMixin, forms.Form):
    purpose = _model_field(Consent, "purpose")
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=capfirst(_("organisations covered")),
        help_text=_("For sharing: the organisations that may see this household while the consent lasts."),
    )
    given_by = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, label=capfirst(_("given by"))
    )
    given_on = forms.DateField(
        label=capfirst(_("given on")), widget=_date_input(), initial=timezone.localdate
    )
    expires_on = forms.DateField(label=capfirst(_("expires on")), widget=_date_input(), required=False)

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(is_active=True).exclude(
            pk=household.organisation_id
        )
        self.fields["given_by"].queryset = household.members.all()


class ConsentWithdrawForm(StyledFormMixin, forms.Form):
    reason = _model_field(Consent, "withdrawal_reason")
