"""Directory pages: find services, read a service or an organisation, edit services, import and export HSDS."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation as ParcoursOrganisation
from parcours.core.exceptions import ApplicationError
from parcours.registry.forms import add_service_error

from . import selectors, services
from .forms import DirectoryImportForm, OrganizationForm, ServiceForm, ServiceSearchForm
from .models import Organization, Service, ServiceAtLocation


def _search(form: ServiceSearchForm):
    queryset = Service.objects.select_related("organization").prefetch_related("taxonomy_terms")
    data = form.cleaned_data if form.is_valid() else {}
    q = (data.get("q") or "").strip()
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(name_fr__icontains=q) | Q(name_ar__icontains=q) | Q(name_pt__icontains=q)
            | Q(alternate_name__icontains=q) | Q(description__icontains=q) | Q(organization__name__icontains=q)
            | Q(organization__name_ar__icontains=q) | Q(organization__name_fr__icontains=q)
        )
    if data.get("term"):
        queryset = queryset.filter(taxonomy_terms=data["term"])
    if data.get("zone"):
        queryset = queryset.filter(selectors.zone_coverage_q(data["zone"]))
    if data.get("organization"):
        queryset = queryset.filter(organization=data["organization"])
    status = data.get("status") or ""
    if status == "":
        queryset = queryset.filter(status=Service.Status.ACTIVE)
    elif status != "all":
        queryset = queryset.filter(status=status)
    return queryset.distinct().order_by("name", "pk")


@login_required
def service_list(request):
    form = ServiceSearchForm(request.GET or None)
    page = Paginator(_search(form), settings.PARCOURS_PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(request, "directory/service_list.html", {
        "form": form, "page": page, "page_range": page.paginator.get_elided_page_range(page.number),
        "query": urlencode(kept), "filtered": bool(kept),
        "may_manage": selectors.user_may_manage_directory(request.user),
        "may_create": selectors.organizations_managed_by(request.user).exists(),
    })


@login_required
def service_detail(request, pk):
    service = get_object_or_404(
        Service.objects.select_related("organization").prefetch_related(
            "taxonomy_terms", "service_areas", "languages", "required_documents", "phones", "contacts",
            "cost_options", "schedules",
            Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location")
                     .prefetch_related("location__addresses", "location__phones")),
        ), pk=pk)
    return render(request, "directory/service_detail.html", {
        "service": service, "may_edit": selectors.user_may_edit_service(request.user, service),
        "map_data": _map_data(service),
    })


MAP_GEOMETRY_LIMIT = 300_000  # characters of zone outlines sent with the page; beyond, the zones are left off


def _map_data(service: Service) -> dict | None:
    """Places and covered zones of ``service`` for the page's small map; None when there is nothing to draw."""
    import json

    places = [{"lat": link.location.latitude, "lon": link.location.longitude, "name": link.location.name}
              for link in service.service_at_locations.all()
              if link.location.latitude is not None and link.location.longitude is not None]
    areas, size = [], 0
    for zone in service.service_areas.all():
        if zone.geometry:
            size += len(json.dumps(zone.geometry))
            if size > MAP_GEOMETRY_LIMIT:
                break
            areas.append({"name": zone.display_name, "geometry": zone.geometry})
    if not places and not areas:
        return None
    return {"places": places, "areas": areas, "tiles": settings.PARCOURS_MAP_TILES_URL or ""}


@login_required
def organization_detail(request, pk):
    organization = get_object_or_404(Organization.objects.select_related("parcours_organisation"), pk=pk)
    return render(request, "directory/organization_detail.html", {
        "organization": organization,
        "services": organization.services.prefetch_related("taxonomy_terms").order_by("name"),
        "locations": organization.locations.prefetch_related("addresses").order_by("name"),
        "may_create": selectors.organizations_managed_by(request.user).filter(pk=organization.pk).exists(),
        "may_edit": selectors.user_may_edit_organization(request.user, organization),
    })


def _organization_form(request, organization: Organization | None):
    linkable = selectors.parcours_organisations_linkable_by(request.user)
    if organization is not None and organization.parcours_organisation_id:
        # The current link stays choosable (an administrator of an outside entry may keep it as it is).
        linkable = ParcoursOrganisation.objects.filter(
            Q(pk__in=linkable.values("pk")) | Q(pk=organization.parcours_organisation_id))
    form = OrganizationForm(request.POST or None, instance=organization, linkable=linkable)
    if request.method == "POST" and form.is_valid():
        try:
            if organization is None:
                organization = services.organization_create(actor=request.user, **form.organization_data())
            else:
                organization = services.organization_update(actor=request.user, organization=organization,
                                                             **form.organization_data())
        except (ValidationError, ApplicationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The organisation was saved."))
            return redirect("directory:organization_detail", pk=organization.pk)
    return render(request, "directory/organization_form.html", {"form": form, "organization": organization})


@login_required
def organization_create(request):
    if not selectors.user_may_manage_directory(request.user):
        raise PermissionDenied
    return _organization_form(request, None)


@login_required
def organization_edit(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    if not selectors.user_may_edit_organization(request.user, organization):
        raise PermissionDenied(_("You may not change this organisation."))
    return _organization_form(request, organization)


class _Refused(Exception):
    """Undo a form's writes (the transaction) and show the form again with the services' errors."""


def _save(request, form: ServiceForm, service: Service | None) -> Service | None:
    try:
        with transaction.atomic():
            data = form.service_data()
            if service is None:
                service = services.service_create(actor=request.user, organization=form.cleaned_data["organization"],
                                                  **data)
            else:
                service = services.service_update(actor=request.user, service=service, **data)
            services.required_documents_set(actor=request.user, service=service, documents=form.documents())
            locations = list(form.cleaned_data.get("locations") or [])
            place = form.new_location()
            if place is not None:
                locations.append(services.location_create(actor=request.user, organization=service.organization,
                                                          **place))
            services.service_locations_set(actor=request.user, service=service, locations=locations)
            hours = form.hours()
            if hours is not None:
                services.service_hours_set(actor=request.user, service=service, **hours)
    except (ValidationError, ApplicationError) as exc:
        add_service_error(form, exc)
        return None
    return service


@login_required
def service_create(request):
    organizations = selectors.organizations_managed_by(request.user)
    if not organizations.exists():
        raise PermissionDenied(_("You manage no organisation of the directory."))
    initial = {}
    if request.GET.get("organization"):
        initial["organization"] = organizations.filter(pk=request.GET["organization"]).first() \
            if _is_uuid(request.GET["organization"]) else None
    form = ServiceForm(request.POST or None, organizations=organizations, initial=initial)
    if request.method == "POST" and form.is_valid():
        service = _save(request, form, None)
        if service is not None:
            messages.success(request, _("The service was created."))
            return redirect("directory:service_detail", pk=service.pk)
    return render(request, "directory/service_form.html", {"form": form, "service": None})


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
def service_edit(request, pk):
    service = get_object_or_404(Service.objects.select_related("organization"), pk=pk)
    if not selectors.user_may_edit_service(request.user, service):
        raise PermissionDenied(_("You may not change this service."))
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, service)
        if saved is not None:
            messages.success(request, _("The service was saved."))
            return redirect("directory:service_detail", pk=service.pk)
        service.refresh_from_db()
    return render(request, "directory/service_form.html", {"form": form, "service": service})


@login_required
def directory_import(request):
    if not selectors.user_may_manage_directory(request.user):
        raise PermissionDenied
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    result = error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.directory_import_zip(actor=request.user, data=upload.read(), name=upload.name)
        except ApplicationError as exc:
            error = exc
    return render(request, "directory/import.html", {"form": form, "result": result, "error": error},
                  status=400 if error else 200)


@login_required
def directory_export(request):
    if not selectors.user_may_manage_directory(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "directory/export.html", {
            "organizations": Organization.objects.count(), "services": Service.objects.count()})
    data = services.directory_export_zip(actor=request.user)
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="hsds-directory-{stamp}.zip"'
    return response
