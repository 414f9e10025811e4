"""Reads of the OpenRosa endpoints and of the device-account pages."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from parcours.accounts.models import DeviceAccount, Programme

from ..models import FormMedia, FormVersion


def collect_programme(slug: str) -> Programme | None:
    """The programme a Collect server URL names; a closed programme takes no more data."""
    return Programme.objects.filter(slug=slug, is_active=True).select_related("lead").first()


def collect_device(username: str) -> DeviceAccount | None:
    """The active device account ``username``, whatever its programme (the caller checks the programme)."""
    if not username:
        return None
    return DeviceAccount.objects.filter(username=username, is_active=True).first()


def collect_current_versions(programme: Programme, *, form_id: str = "") -> QuerySet[FormVersion]:
    """The versions phones should have: the current one of each questionnaire open for submissions."""
    versions = FormVersion.objects.filter(
        questionnaire__programme=programme, questionnaire__is_active=True, is_current=True
    )
    if form_id:
        versions = versions.filter(questionnaire__form_id=form_id)
    return (
        versions.select_related("questionnaire")
        .annotate(media_count=Count("media"))
        .order_by("questionnaire__title", "questionnaire__form_id")
    )


def collect_version(programme: Programme, form_id: str, version: str) -> FormVersion | None:
    """Any version of a programme's form: phones holding an older one may still download it."""
    return (
        FormVersion.objects.filter(questionnaire__programme=programme, questionnaire__form_id=form_id,
                                   version=version)
        .select_related("questionnaire")
        .first()
    )


def collect_media(form_version: FormVersion, filename: str | None = None) -> QuerySet[FormMedia]:
    media = form_version.media.all()
    return media.filter(filename=filename) if filename is not None else media


def programme_devices(programme: Programme) -> QuerySet[DeviceAccount]:
    return DeviceAccount.objects.filter(programme=programme).select_related("created_by").order_by("username")
