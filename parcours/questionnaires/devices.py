"""Device-account pages of a programme: list, create, change password, (de)activate, ODK Collect QR code.

For managers and administrators of the programme's lead organisation (others get 403). Passwords are never
stored in clear (only the Digest HA1), so the QR code carries the password only in the answer to the form that
set it; afterwards it is shown without, and the page says so.
"""

from __future__ import annotations

import base64
import json
import re
import zlib

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from parcours.accounts import services as accounts
from parcours.accounts.forms import StyledFormMixin
from parcours.accounts.models import DeviceAccount, Programme
from parcours.accounts.selectors import MANAGING_ROLES, user_has_role
from parcours.core.exceptions import ApplicationError
from parcours.registry.forms import add_service_error

from .openrosa import selectors

# Collect's project badge: a letter on a colour.
PROJECT_ICON = "P"
PROJECT_COLOUR = "#1b5e20"


class _PasswordFields(forms.Form):
    password1 = forms.CharField(
        label=gettext_lazy("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, so the text is in the reader's language.
        self.fields["password1"].help_text = _(
            "At least %(n)d characters. It is typed once on the phone, or read from the QR code."
        ) % {"n": accounts.MIN_DEVICE_PASSWORD}

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class DeviceCreateForm(StyledFormMixin, _PasswordFields):
    username = forms.SlugField(
        label=gettext_lazy("User name"), max_length=60,
        help_text=gettext_lazy("Lower-case letters, digits and hyphens, for example “tablet-kasserine-03”."),
    )
    label = forms.CharField(
        label=gettext_lazy("Label"), max_length=200, required=False,
        help_text=gettext_lazy("Who carries the phone, or where it is."),
    )
    field_order = ["username", "label", "password1", "password2"]


class DevicePasswordForm(StyledFormMixin, _PasswordFields):
    pass


# --- access ----------------------------------------------------------------------------------------------


def _managed_programme(request, slug: str) -> Programme:
    programme = get_object_or_404(Programme.objects.select_related("lead"), slug=slug)
    if not user_has_role(request.user, programme.lead, MANAGING_ROLES):
        raise PermissionDenied(_("Only a manager of the programme's lead organisation may manage its devices."))
    return programme


def _device(programme: Programme, pk) -> DeviceAccount:
    return get_object_or_404(DeviceAccount, programme=programme, pk=pk)


# --- the Collect configuration code ---------------------------------------------------------------------


def collect_server_url(request, programme: Programme) -> str:
    """The server URL typed in Collect; it appends /formList and /submission itself."""
    form_list = reverse("openrosa:form_list", kwargs={"programme_slug": programme.slug})
    return request.build_absolute_uri(form_list).removesuffix("/formList")


def collect_settings(request, programme: Programme, device: DeviceAccount, password: str | None) -> dict:
    general = {"server_url": collect_server_url(request, programme), "username": device.username}
    if password:
        general["password"] = password
    general["form_update_mode"] = "match_exactly"
    return {"general": general, "admin": {},
            "project": {"name": programme.name, "icon": PROJECT_ICON, "color": PROJECT_COLOUR}}


def qr_payload(settings: dict) -> str:
    """Collect's configuration QR format: the settings JSON, zlib-compressed, then base64."""
    return base64.b64encode(zlib.compress(json.dumps(settings, ensure_ascii=False).encode("utf-8"))).decode("ascii")


def qr_svg(payload: str, label: str) -> str:
    """The QR code as inline SVG, scaled by CSS, labelled for screen readers."""
    svg = qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage, border=4).to_string(encoding="unicode")
    svg = re.sub(r"^<svg [^>]*?(viewBox=\"[^\"]+\")[^>]*>",
                 rf'<svg class="pc-qr" role="img" aria-label="{escape(label)}" \1 '
                 r'xmlns="http://www.w3.org/2000/svg">', svg, count=1)
    return mark_safe(svg)  # noqa: S308 — made here from the qrcode library's output; the label is escaped


def _qr_page(request, programme, device, *, password: str | None = None):
    settings = collect_settings(request, programme, device, password)
    payload = qr_payload(settings)
    return render(request, "questionnaires/devices/device_qr.html", {
        "programme": programme, "device": device, "server_url": settings["general"]["server_url"],
        "password": password, "payload": payload,
        "qr": qr_svg(payload, _("ODK Collect configuration for %s") % device.username),
    })


# --- pages ---------------------------------------------------------------------------------------------


@login_required
def device_list(request, programme_slug: str):
    programme = _managed_programme(request, programme_slug)
    return render(request, "questionnaires/devices/device_list.html", {
        "programme": programme, "devices": selectors.programme_devices(programme),
        "server_url": collect_server_url(request, programme),
    })


@never_cache
@login_required
def device_create(request, programme_slug: str):
    programme = _managed_programme(request, programme_slug)
    form = DeviceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = accounts.device_account_create(
                actor=request.user, programme=programme, username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"], label=form.cleaned_data["label"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        except ApplicationError as exc:  # the only one these services raise is about the password
            form.add_error("password1", exc.message)
        else:
            messages.success(request, _("Device account “%s” created.") % device.username)
            # Answered here, not after a redirect: the password must not be kept anywhere to show it later.
            return _qr_page(request, programme, device, password=form.cleaned_data["password1"])
    return render(request, "questionnaires/devices/device_form.html", {
        "programme": programme, "form": form, "title": _("New device account"),
    })


@never_cache
@login_required
def device_password(request, programme_slug: str, pk):
    programme = _managed_programme(request, programme_slug)
    device = _device(programme, pk)
    form = DevicePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.device_account_set_password(actor=request.user, device=device,
                                                 password=form.cleaned_data["password1"])
        except ApplicationError as exc:
            form.add_error("password1", exc.message)
        else:
            messages.success(request, _("Password of “%s” changed.") % device.username)
            return _qr_page(request, programme, device, password=form.cleaned_data["password1"])
    return render(request, "questionnaires/devices/device_form.html", {
        "programme": programme, "form": form, "device": device,
        "title": _("New password for “%s”") % device.username,
    })


@require_POST
@login_required
def device_set_active(request, programme_slug: str, pk):
    programme = _managed_programme(request, programme_slug)
    device = _device(programme, pk)
    active = request.POST.get("active") == "true"
    accounts.device_account_set_active(actor=request.user, device=device, active=active)
    if active:
        messages.success(request, _("“%s” can connect again.") % device.username)
    else:
        messages.success(request, _("“%s” is deactivated: the phone can no longer connect.") % device.username)
    return redirect("devices:list", programme_slug=programme.slug)


@never_cache
@login_required
def device_qr(request, programme_slug: str, pk):
    programme = _managed_programme(request, programme_slug)
    return _qr_page(request, programme, _device(programme, pk))


app_name = "devices"

urlpatterns = [
    path("", device_list, name="list"),
    path("new/", device_create, name="create"),
    path("<uuid:pk>/password/", device_password, name="password"),
    path("<uuid:pk>/active/", device_set_active, name="active"),
    path("<uuid:pk>/qr/", device_qr, name="qr"),
]
