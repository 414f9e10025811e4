"""Forms of the referral pages: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import fields as shared_fields
from .states import State


class ReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), widget=forms.RadioSelect)
    person = forms.ModelChoiceField(queryset=None, label=_("Person referred"), empty_label=None)
    fields = forms.MultipleChoiceField(
        label=_("Information shared with the receiving organisation"), widget=forms.CheckboxSelectMultiple,
        choices=[(key, f.label) for key, f in shared_fields.FIELDS.items()],
        initial=list(shared_fields.DEFAULT_FIELDS),
        help_text=_("Share only what the service needs. The receiver sees these fields and nothing else."),
    )
    message = forms.CharField(label=_("Message to the receiving organisation"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("Expected by"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Default: the action's due date, or in 30 days."))
    slip_consent = forms.BooleanField(
        label=_("The person agreed to carry a slip with these details to the organisation (organisations outside "
                "Parcours)"), required=False)

    def __init__(self, *args, services=(), members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(str(s.pk), s.display_name) for s in services]
        self.fields["person"].queryset = members
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs.setdefault("class", "form-select")
            elif not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-control")


class MoveForm(forms.Form):
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class InboxFilterForm(forms.Form):
    box = forms.ChoiceField(choices=[("received", pgettext_lazy("referral box", "Received")),
                                     ("sent", pgettext_lazy("referral box", "Sent"))], required=False)
    state = forms.ChoiceField(choices=[("", _("All states")), *State.choices], required=False,
                              label=_("State"), widget=forms.Select(attrs={"class": "form-select"}))


class OutcomeForm(forms.Form):
    code = forms.CharField(label=_("Code on the slip"), max_length=30,
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off",
                                                         "dir": "ltr"}))
    result = forms.ChoiceField(label=_("Result"), widget=forms.RadioSelect, choices=[
        ("completed", _("The service was provided")), ("not_completed", _("The service could not be provided"))])
    outcome = forms.CharField(label=_("Outcome"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                              help_text=_("What was done, or why it could not be. Write no more than needed."))
