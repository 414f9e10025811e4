"""The HSDS 3.0 API (Open Referral's API profile) under /api/hsds/: read-only, for any signed-in user.

Lists are paginated the HSDS way (``total_items``, ``total_pages``, ``page_number``, ``size``, ``first_page``,
``last_page``, ``empty``, ``contents``; ``page`` and ``per_page`` parameters) and hold fully nested objects,
built by the same code as the export files, so the API and the files always agree.
"""

from __future__ import annotations

import datetime
import math
import uuid

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from parcours.territories.models import Zone

from .hsds.spec import HSDS_VERSION
from .hsds.writing import Rows
from .models import Location, Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from .selectors import zone_coverage_q

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
EARTH_RADIUS_KM = 6371.0
DEFAULT_RADIUS_KM = 10.0
# Nested API objects: a service carries its organisation, an organisation its services (not back again).
API_EXCLUDED = {("service_at_location", "service"), ("organization", "services")}
ORGANIZATION_EXCLUDED = {("service", "organization"), ("service_at_location", "service")}

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy("A filter or page number is not valid.")),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy("Not signed in.")),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy("No such record.")),
}


def _page_serializer(name: str):
    return inline_serializer(name=name, fields={
        "total_items": serializers.IntegerField(), "total_pages": serializers.IntegerField(),
        "page_number": serializers.IntegerField(), "size": serializers.IntegerField(),
        "first_page": serializers.BooleanField(), "last_page": serializers.BooleanField(),
        "empty": serializers.BooleanField(),
        "contents": serializers.ListField(child=serializers.DictField(), help_text=gettext_lazy(
            "HSDS 3.0 objects, nested as the compiled schemas describe them.")),
    })


def _param(request, name: str) -> str:
    # PostgreSQL refuses a NUL character in any comparison: it can only be a mistake, drop it.
    return (request.query_params.get(name) or "").replace("\x00", "").strip()


def _int_param(request, name: str, default: int, *, maximum: int | None = None) -> int:
    raw = _param(request, name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None
    if value < 1:
        raise ValidationError({name: [_("Enter a number of at least 1.")]})
    return min(value, maximum) if maximum else value


def paginate(request, queryset: QuerySet, table: str, *, excluded) -> dict:
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    page = _int_param(request, "page", 1)
    ids = list(queryset.values_list("pk", flat=True))
    total = len(ids)
    pages = max(1, math.ceil(total / per_page))
    chosen = [str(pk) for pk in ids[(page - 1) * per_page:page * per_page]]
    rows = Rows.load(table, chosen, excluded=excluded)
    contents = rows.objects(table, chosen)
    return {
        "total_items": total, "total_pages": pages, "page_number": page, "size": len(contents),
        "first_page": page == 1, "last_page": page >= pages, "empty": not contents, "contents": contents,
    }


def _uuid_param(request, name: str) -> uuid.UUID | None:
    raw = _param(request, name)
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationError({name: [_("Enter a valid identifier (UUID).")]}) from None


def _modified_after(request) -> datetime.datetime | None:
    raw = _param(request, "modified_after")
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))  # a "+" in a query string arrives as a space
        if moment is None:
            day = parse_date(raw)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError({"modified_after": [_("Enter a date or date and time (ISO 8601).")]})
    return make_aware(moment) if is_naive(moment) else moment


def parse_proximity(raw: str | None) -> tuple[float, float, float] | None:
    """``lat,lon`` or ``lat,lon,km`` → (lat, lon, km); ValueError when it does not read."""
    if raw in (None, ""):
        return None
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) not in (2, 3):
        raise ValueError(raw)
    lat, lon = float(parts[0]), float(parts[1])
    km = float(parts[2]) if len(parts) == 3 else DEFAULT_RADIUS_KM
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < km <= 20000):
        raise ValueError(raw)
    return lat, lon, km


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def services_near(queryset: QuerySet[Service], lat: float, lon: float, km: float) -> list:
    """Ids of the services of ``queryset`` with a location within ``km`` of (lat, lon), nearest first."""
    # A bounding box in the database first, the exact distance in Python on what is left.
    dlat = km / 111.0
    dlon = km / max(1e-6, 111.0 * math.cos(math.radians(lat)))
    locations = Location.objects.filter(
        latitude__gte=lat - dlat, latitude__lte=lat + dlat, longitude__gte=lon - dlon, longitude__lte=lon + dlon,
    ).values_list("pk", "latitude", "longitude")
    near = {pk: distance_km(lat, lon, la, lo) for pk, la, lo in locations if distance_km(lat, lon, la, lo) <= km}
    best: dict = {}
    links = ServiceAtLocation.objects.filter(location_id__in=near, service__in=queryset).values_list(
        "service_id", "location_id")
    for service_id, location_id in links:
        best[service_id] = min(best.get(service_id, math.inf), near[location_id])
    return sorted(best, key=lambda pk: (best[pk], str(pk)))


def filter_services(request, queryset: QuerySet[Service]) -> QuerySet[Service] | list:
    """The HSDS filters (search, taxonomy_term_id, taxonomy_id, organization_id, modified_after, proximity)
    and Parcours' own (zone, status)."""
    search = _param(request, "search")
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(alternate_name__icontains=search) | Q(description__icontains=search)
            | Q(name_fr__icontains=search) | Q(name_ar__icontains=search) | Q(name_pt__icontains=search)
            | Q(organization__name__icontains=search)
        )
    term = _param(request, "taxonomy_term_id")
    if term:
        try:
            queryset = queryset.filter(taxonomy_terms__id=uuid.UUID(term))
        except ValueError:  # the HSDS id is a UUID; Parcours also takes a needs code ("food")
            queryset = queryset.filter(taxonomy_terms__code=term)
    taxonomy = _uuid_param(request, "taxonomy_id")
    if taxonomy:
        queryset = queryset.filter(taxonomy_terms__taxonomy_id=taxonomy)
    organization = _uuid_param(request, "organization_id")
    if organization:
        queryset = queryset.filter(organization_id=organization)
    moment = _modified_after(request)
    if moment:
        queryset = queryset.filter(updated_at__gte=moment)
    zone_code = _param(request, "zone")
    if zone_code:
        zone = Zone.objects.filter(code=zone_code).first()
        if zone is None:
            raise ValidationError({"zone": [_("No zone with this code.")]})
        queryset = queryset.filter(zone_coverage_q(zone))
    status = _param(request, "status")
    if status:
        if status not in Service.Status.values:
            raise ValidationError({"status": [_("Choose one of: %s") % ", ".join(Service.Status.values)]})
        queryset = queryset.filter(status=status)
    queryset = queryset.distinct()
    try:
        proximity = parse_proximity(_param(request, "proximity"))
    except ValueError:
        raise ValidationError({"proximity": [_("Give latitude,longitude or latitude,longitude,kilometres.")]}) \
            from None
    if proximity:
        return services_near(queryset, *proximity)
    return queryset.order_by("name", "pk")


class _IdList:
    """A list of ids that paginate() reads like a queryset (proximity results come ordered by distance)."""

    def __init__(self, ids: list):
        self.ids = ids

    def values_list(self, *args, **kwargs):
        return self.ids


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description=gettext_lazy("Page number, from 1.")),
    OpenApiParameter("per_page", int, description=gettext_lazy("Results per page (at most 200).")),
]
SERVICE_PARAMETERS = [
    OpenApiParameter("search", str, description=gettext_lazy("Words in the name, description or organisation.")),
    OpenApiParameter("taxonomy_term_id", str, description=gettext_lazy(
        "Services with this taxonomy term (its id, or a Parcours needs code such as food).")),
    OpenApiParameter("taxonomy_id", OpenApiTypes.UUID, description=gettext_lazy(
        "Services with any term of this taxonomy.")),
    OpenApiParameter("organization_id", OpenApiTypes.UUID, description=gettext_lazy(
        "Services of this organisation.")),
    OpenApiParameter("modified_after", OpenApiTypes.DATETIME, description=gettext_lazy(
        "Services changed on or after this date and time.")),
    OpenApiParameter("proximity", str, description=gettext_lazy(
        "latitude,longitude[,kilometres]: services with a location that close (10 km by default), nearest first.")),
    OpenApiParameter("zone", str, description=gettext_lazy(
        "Parcours extension: services covering this zone (by code), directly or through a zone above it.")),
    OpenApiParameter("status", str, enum=Service.Status.values, description=gettext_lazy(
        "Parcours extension: services with this status.")),
    *PAGE_PARAMETERS,
]


class HsdsRootApi(APIView):
    @extend_schema(operation_id="hsds_root", tags=["hsds"], summary=gettext_lazy("About this HSDS API"),
                   responses={200: inline_serializer(name="HsdsRoot", fields={
                       "version": serializers.CharField(), "profile": serializers.CharField(),
                       "openapi_url": serializers.CharField()}), 401: ERRORS[401]})
    def get(self, request):
        return Response({
            "version": HSDS_VERSION,
            "profile": "https://docs.openreferral.org/en/latest/hsds/api_reference.html",
            "openapi_url": request.build_absolute_uri("/api/schema/"),
        })


class ServiceListApi(APIView):
    @extend_schema(operation_id="hsds_service_list", tags=["hsds"], parameters=SERVICE_PARAMETERS,
                   summary=gettext_lazy("Services (HSDS 3.0), fully nested"),
                   responses={200: _page_serializer("HsdsServicePage"), 400: ERRORS[400], 401: ERRORS[401]})
    def get(self, request):
        found = filter_services(request, Service.objects.all())
        source = _IdList(found) if isinstance(found, list) else found
        return Response(paginate(request, source, "service", excluded=API_EXCLUDED))


def _one(request, table: str, model, pk, excluded) -> Response:
    if not model.objects.filter(pk=pk).exists():
        raise Http404
    rows = Rows.load(table, [str(pk)], excluded=excluded)
    return Response(rows.objects(table, [str(pk)])[0])


class ServiceDetailApi(APIView):
    @extend_schema(operation_id="hsds_service_detail", tags=["hsds"],
                   summary=gettext_lazy("One service (HSDS 3.0), with its organisation"),
                   responses={200: OpenApiTypes.OBJECT, 401: ERRORS[401], 404: ERRORS[404]})
    def get(self, request, pk):
        return _one(request, "service", Service, pk, API_EXCLUDED)


class OrganizationListApi(APIView):
    @extend_schema(operation_id="hsds_organization_list", tags=["hsds"],
                   parameters=[OpenApiParameter("search", str), *PAGE_PARAMETERS],
                   summary=gettext_lazy("Organisations (HSDS 3.0)"),
                   responses={200: _page_serializer("HsdsOrganizationPage"), 400: ERRORS[400], 401: ERRORS[401]})
    def get(self, request):
        queryset = Organization.objects.all()
        search = _param(request, "search")
        if search:
            queryset = queryset.filter(Q(name__icontains=search) | Q(alternate_name__icontains=search)
                                       | Q(description__icontains=search))
        return Response(paginate(request, queryset.order_by("name", "pk"), "organization",
                                 excluded=ORGANIZATION_EXCLUDED | {("organization", "services")}))


class OrganizationDetailApi(APIView):
    @extend_schema(operation_id="hsds_organization_detail", tags=["hsds"],
                   summary=gettext_lazy("One organisation (HSDS 3.0), with its services"),
                   responses={200: OpenApiTypes.OBJECT, 401: ERRORS[401], 404: ERRORS[404]})
    def get(self, request, pk):
        return _one(request, "organization", Organization, pk, ORGANIZATION_EXCLUDED)


class ServiceAtLocationListApi(APIView):
    @extend_schema(operation_id="hsds_service_at_location_list", tags=["hsds"],
                   parameters=[OpenApiParameter("search", str),
                               OpenApiParameter("taxonomy_term_id", str),
                               OpenApiParameter("organization_id", OpenApiTypes.UUID), *PAGE_PARAMETERS],
                   summary=gettext_lazy("Services at locations (HSDS 3.0)"),
                   responses={200: _page_serializer("HsdsServiceAtLocationPage"), 400: ERRORS[400],
                              401: ERRORS[401]})
    def get(self, request):
        queryset = ServiceAtLocation.objects.all()
        services = filter_services(request, Service.objects.all())
        if isinstance(services, list):
            queryset = queryset.filter(service_id__in=services)
        elif any(request.query_params.get(k) for k in ("search", "taxonomy_term_id", "organization_id",
                                                        "taxonomy_id", "modified_after", "zone", "status")):
            queryset = queryset.filter(service__in=services)
        return Response(paginate(request, queryset.order_by("created_at", "pk"), "service_at_location",
                                 excluded={("service", "organization")}))


class ServiceAtLocationDetailApi(APIView):
    @extend_schema(operation_id="hsds_service_at_location_detail", tags=["hsds"],
                   responses={200: OpenApiTypes.OBJECT, 401: ERRORS[401], 404: ERRORS[404]})
    def get(self, request, pk):
        return _one(request, "service_at_location", ServiceAtLocation, pk, {("service", "organization")})


class TaxonomyListApi(APIView):
    @extend_schema(operation_id="hsds_taxonomy_list", tags=["hsds"], parameters=PAGE_PARAMETERS,
                   summary=gettext_lazy("Taxonomies (HSDS 3.0)"),
                   responses={200: _page_serializer("HsdsTaxonomyPage"), 400: ERRORS[400], 401: ERRORS[401]})
    def get(self, request):
        return Response(paginate(request, Taxonomy.objects.order_by("name", "pk"), "taxonomy", excluded=set()))


class TaxonomyDetailApi(APIView):
    @extend_schema(operation_id="hsds_taxonomy_detail", tags=["hsds"],
                   responses={200: OpenApiTypes.OBJECT, 401: ERRORS[401], 404: ERRORS[404]})
    def get(self, request, pk):
        return _one(request, "taxonomy", Taxonomy, pk, set())


class TaxonomyTermListApi(APIView):
    @extend_schema(operation_id="hsds_taxonomy_term_list", tags=["hsds"],
                   parameters=[OpenApiParameter("taxonomy_id", OpenApiTypes.UUID),
                               OpenApiParameter("parent_id", OpenApiTypes.UUID),
                               OpenApiParameter("top_only", bool), OpenApiParameter("search", str),
                               *PAGE_PARAMETERS],
                   summary=gettext_lazy("Taxonomy terms (HSDS 3.0)"),
                   responses={200: _page_serializer("HsdsTaxonomyTermPage"), 400: ERRORS[400], 401: ERRORS[401]})
    def get(self, request):
        queryset = TaxonomyTerm.objects.all()
        taxonomy = _uuid_param(request, "taxonomy_id")
        if taxonomy:
            queryset = queryset.filter(taxonomy_id=taxonomy)
        parent = _uuid_param(request, "parent_id")
        if parent:
            queryset = queryset.filter(parent_id=parent)
        if request.query_params.get("top_only") in {"true", "1"}:
            queryset = queryset.filter(parent_id__isnull=True)
        search = _param(request, "search")
        if search:
            queryset = queryset.filter(Q(name__icontains=search) | Q(code__icontains=search)
                                       | Q(name_fr__icontains=search) | Q(name_ar__icontains=search))
        return Response(paginate(request, queryset.order_by("name", "pk"), "taxonomy_term", excluded=set()))


class TaxonomyTermDetailApi(APIView):
    @extend_schema(operation_id="hsds_taxonomy_term_detail", tags=["hsds"],
                   responses={200: OpenApiTypes.OBJECT, 401: ERRORS[401], 404: ERRORS[404]})
    def get(self, request, pk):
        return _one(request, "taxonomy_term", TaxonomyTerm, pk, set())
