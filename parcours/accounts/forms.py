"""Forms of the accounts pages, and the styling every Parcours form shares.

Forms parse and validate input; they never save (services do).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

# Bootstrap classes by widget kind; checkbox lists and radio buttons are laid out by the field template.
_SELECTS = (forms.Select, forms.SelectMultiple)
_UNSTYLED = (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.HiddenInput)


class StyledFormMixin:
    """Gives widgets Bootstrap's classes, and marks fields in error once the form is validated.

    A form whose ``quiet`` is true (re-shown only to add a row) keeps its errors to itself.
    """

    quiet = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, _UNSTYLED):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, _SELECTS):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        if self.quiet or not self._errors:
            return
        for name in self._errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class EmailAuthenticationForm(StyledFormMixin, AuthenticationForm):
    """Sign in by e-mail address. The field keeps Django's name ``username`` (django-axes reads it)."""

    username = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "inputmode": "email"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm relabels the field from the model; people know it as their e-mail.
        self.fields["username"].label = _("E-mail")

    def clean_username(self):
        # Addresses are stored in lower case; people type them as they like.
        return (self.cleaned_data.get("username") or "").strip().lower()


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class StyledPasswordResetForm(StyledFormMixin, PasswordResetForm):
    pass


class StyledSetPasswordForm(StyledFormMixin, SetPasswordForm):
    pass
