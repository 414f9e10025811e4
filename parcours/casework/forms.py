"""Forms of the casework pages: they parse what people type; services check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.forms import StyledFormMixin
from parcours.accounts.models import Organisation, Role, User
from parcours.directory.models import TaxonomyTerm
from parcours.directory.needs import NEEDS_CODES

from .models import Action, Case, Goal, Need, PlanReview


def _date(**kwargs):
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def staff_of(organisation, roles=(Role.ADMINISTRATOR, Role.MANAGER, Role.SOCIAL_WORKER)):
    return User.objects.filter(memberships__organisation=organisation, memberships__is_active=True,
                               memberships__role__in=roles, is_active=True).distinct()


class TermChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, term):
        return term.display_name if hasattr(term, "display_name") else str(term)


def need_terms():
    return TaxonomyTerm.objects.filter(code__in=NEEDS_CODES).order_by("name")


class CaseOpenForm(StyledFormMixin, forms.Form):
    restricted = forms.BooleanField(required=False, label=_("Restricted case"),
                                    help_text=_("Gender-based violence or child protection: only the assigned "
                                                "workers and the supervisor will see it."))
    restriction_kind = forms.ChoiceField(required=False, label=_("Kind of restriction"),
                                         choices=[("", "—"), *Case.RestrictionKind.choices])
    supervisor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Supervisor"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = staff_of(organisation, (Role.ADMINISTRATOR, Role.MANAGER))


class AssignForm(StyledFormMixin, forms.Form):
    workers = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False,
                                             label=_("Assigned workers"), widget=forms.CheckboxSelectMultiple)
    supervisor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Supervisor"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = staff_of(organisation)
        self.fields["supervisor"].queryset = staff_of(organisation, (Role.ADMINISTRATOR, Role.MANAGER))


class RestrictForm(StyledFormMixin, forms.Form):
    restricted = forms.BooleanField(required=False, label=_("Restricted case"))
    restriction_kind = forms.ChoiceField(required=False, label=_("Kind of restriction"),
                                         choices=[("", "—"), *Case.RestrictionKind.choices])


class NeedAddForm(StyledFormMixin, forms.Form):
    term = TermChoiceField(queryset=TaxonomyTerm.objects.none(), label=_("Need"))
    note = forms.CharField(required=False, label=_("Note"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = need_terms()


class GoalForm(StyledFormMixin, forms.ModelForm):
    target_on = _date(required=False, label=_("Target date"))

    class Meta:
        model = Goal
        fields = ["need", "title", "target_on"]

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = Need.objects.filter(case=case).select_related("term")


class GoalStatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Goal.Status.choices, label=_("Status"))
    outcome = forms.CharField(required=False, label=_("Outcome"), max_length=2000)


class ActionForm(StyledFormMixin, forms.ModelForm):
    due_on = _date(required=False, label=_("Due on"))

    class Meta:
        model = Action
        fields = ["goal", "need", "kind", "title", "responsible_organisation", "responsible_person", "due_on"]

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(case=case)
        self.fields["need"].queryset = Need.objects.filter(case=case).select_related("term")
        self.fields["responsible_organisation"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["responsible_person"].queryset = staff_of(case.organisation) if case else User.objects.none()


class ActionStatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Action.Status.choices, label=_("Status"))
    outcome = forms.CharField(required=False, label=_("Outcome"), max_length=2000)


class ReviewForm(StyledFormMixin, forms.Form):
    participant = forms.ModelChoiceField(queryset=None, required=False, label=_("Household member"))
    participant_name = forms.CharField(required=False, max_length=200, label=_("Or the name of the participant"))
    agreed = forms.TypedChoiceField(choices=[("yes", _("The household agrees to the plan")),
                                             ("no", _("The household does not agree"))],
                                    coerce=lambda v: v == "yes", widget=forms.RadioSelect, label=_("Agreement"))
    method = forms.ChoiceField(choices=PlanReview.Method.choices, label=_("How"))
    reviewed_on = _date(required=False, label=_("Reviewed on"))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Notes"))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = case.household.members.all() if case else None
        self.fields["participant"].label_from_instance = lambda p: p.display_name


class VisitForm(StyledFormMixin, forms.Form):
    scheduled_on = _date(label=_("Date"))
    worker = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Worker"))
    notes = forms.CharField(required=False, max_length=2000, label=_("Purpose"))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = staff_of(case.organisation)


class VisitRecordForm(StyledFormMixin, forms.Form):
    done_on = _date(required=False, label=_("Done on"))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("What was seen and said"))


class CloseForm(StyledFormMixin, forms.Form):
    reason = forms.ChoiceField(choices=Case.ClosureReason.choices, label=_("Reason for closure"))
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Summary"),
                              help_text=_("What was done and what came of it; the figures of the plan and the "
                                          "change in score are added."))


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(max_length=500, label=_("Reason"))


class SettingsForm(StyledFormMixin, forms.Form):
    scoring_model = forms.ModelChoiceField(queryset=None, required=False, label=_("Scoring model"))
    auto_open_threshold = forms.FloatField(required=False, min_value=0, label=_("Opening threshold"),
                                           help_text=_("A case opens by itself above this score. Empty: by hand "
                                                       "only."))

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scoring_model"].queryset = programme.scoring_models.all()
