"""The printed referral slip for an organisation outside Parcours: one page in French, one in Arabic (PDF).

The person carries the slip to the service. It holds the shared fields only, who sent them and how to reach the
sender, and the code with which the receiving organisation records the outcome on the public page (or tells
the sender, who records it). WeasyPrint lays the Arabic page out right to left with shaped letters (Pango).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from . import fields as shared_fields
from .models import Referral
from .selectors import display_maps

SLIP_LANGUAGES = ("fr", "ar")


def _place(service) -> dict:
    """The first location of the service with its address and phones (what the person needs to get there)."""
    for sal in service.service_at_locations.select_related("location").all():
        location = sal.location
        if location is None:
            continue
        address = location.addresses.first()
        return {"name": location.name, "address": str(address) if address else "",
                "phones": [p.number for p in location.phones.all()]}
    return {"name": "", "address": "", "phones": []}


def _names(obj, language: str) -> str:
    if obj is None:
        return ""
    return (getattr(obj, f"name_{language}", "") or obj.name) if language != "en" else obj.name


def slip_context(referral: Referral, code: str, *, language: str) -> dict:
    service, organization = referral.service, referral.service.organization
    sender = referral.sender_organisation
    with translation.override(language):
        maps = display_maps([referral])  # need and area names in this page's language
        return {
            "language": language,
            "bidi": translation.get_language_bidi(),
            "service": _names(service, language),
            "organization": _names(organization, language),
            "sender": (sender.name_ar or sender.name) if language == "ar" else sender.name,
            "sender_phone": sender.phone,
            "sender_email": sender.email,
            "sent_by": referral.sent_by.full_name if referral.sent_by else "",
            "sent_on": date_format(timezone.localtime(referral.created_at).date(), "DATE_FORMAT"),
            "due_on": date_format(referral.due_on, "DATE_FORMAT") if referral.due_on else "",
            "rows": shared_fields.rows(referral.shared, **maps),
            "place": _place(service),
            "code": code,
            "outcome_url": settings.PARCOURS_SITE_URL.rstrip("/") + reverse("referrals:outcome"),
            "reference": str(referral.pk)[:8].upper(),
        }


def slip_html(referral: Referral, code: str) -> str:
    pages = [slip_context(referral, code, language=lang) for lang in SLIP_LANGUAGES]
    return render_to_string("referrals/slip.html", {"pages": pages})


def slip_pdf(referral: Referral, code: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only the slip needs it

    return HTML(string=slip_html(referral, code)).write_pdf()
