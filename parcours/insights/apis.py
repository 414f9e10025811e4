"""The insights REST API: zone figures (suppressed according to the caller) and published diagnostics.

Figures come from :func:`parcours.insights.figures.zone_figures` with the caller as viewer, so the disclosure
layer decides exactly as on the pages: raw for the lead organisation's casework staff, suppressed for partners.
Publications are created and revoked through the same services as the pages.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from parcours.accounts.models import Organisation
from parcours.territories.models import Zone

from .figures import zone_figures
from .selectors import programme_for_figures, publication_figures, publication_open, publications_visible_to
from .services import publication_create, publication_revoke
from .snapshot import GROUPS

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy(
        "Invalid input, or no scored household for this zone and period.")),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy("Not signed in, or not allowed.")),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy("No such record, or not visible to you.")),
}


class FiguresQuery(serializers.Serializer):
    programme = serializers.SlugField(help_text=gettext_lazy("Short name of the programme."))
    zone = serializers.CharField(required=False, max_length=60, help_text=gettext_lazy("Zone code; empty: all."))
    level = serializers.IntegerField(required=False, min_value=0, max_value=20)
    by = serializers.ChoiceField(choices=GROUPS, required=False)
    period = serializers.CharField(required=False, max_length=40,
                                   help_text=gettext_lazy("2025, 2025-Q2, 2025-03 or 2025-01..2025-06."))


class FigureRowOut(serializers.Serializer):
    zone_code = serializers.CharField(allow_null=True)
    zone_name = serializers.CharField()
    group = serializers.CharField(allow_null=True)
    group_label = serializers.CharField()
    n = serializers.IntegerField(allow_null=True)
    n_total = serializers.IntegerField(allow_null=True)
    population = serializers.FloatField(allow_null=True)
    H = serializers.FloatField(allow_null=True)
    A = serializers.FloatField(allow_null=True)
    M0 = serializers.FloatField(allow_null=True)
    se_H = serializers.FloatField(allow_null=True)
    se_M0 = serializers.FloatField(allow_null=True)
    ci_H = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    ci_M0 = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    vulnerable = serializers.FloatField(allow_null=True)
    severe = serializers.FloatField(allow_null=True)
    censored = serializers.DictField(child=serializers.FloatField(allow_null=True))
    uncensored = serializers.DictField(child=serializers.FloatField(allow_null=True))
    contributions = serializers.DictField(child=serializers.FloatField(allow_null=True))
    suppressed = serializers.DictField(child=serializers.CharField(),
                                       help_text=gettext_lazy("Field (or * for the whole row) → reason code: "
                                                              "below_k, complementary, extreme_rate."))


class FigureTableOut(serializers.Serializer):
    model_name = serializers.CharField()
    model_version = serializers.IntegerField()
    k = serializers.FloatField(help_text=gettext_lazy("The poverty cut-off of the model."))
    suppression_k = serializers.IntegerField(allow_null=True,
                                             help_text=gettext_lazy("Disclosure threshold applied; null: raw."))
    period = serializers.CharField(allow_null=True)
    zone_code = serializers.CharField(allow_null=True)
    level = serializers.IntegerField()
    by = serializers.CharField(allow_null=True)
    missing_policy = serializers.CharField()
    indicators = serializers.ListField(child=serializers.DictField())
    rows = FigureRowOut(many=True)


def _parse(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _zone(code: str | None) -> Zone | None:
    if not code:
        return None
    zone = Zone.objects.filter(code=code).first()
    if zone is None:
        raise serializers.ValidationError({"zone": [gettext_lazy("No zone has this code.")]})
    return zone


class ZoneFiguresApi(APIView):
    @extend_schema(operation_id="diagnostics_figures", parameters=[FiguresQuery],
                   responses={200: FigureTableOut, **ERRORS}, tags=["diagnostics"],
                   summary=gettext_lazy("Figures of a programme by zone (and group), suppressed for the caller"))
    def get(self, request):
        query = _parse(FiguresQuery, request.query_params)
        programme = programme_for_figures(user=request.user, slug=query["programme"])
        table = zone_figures(programme=programme, viewer=request.user, zone=_zone(query.get("zone")),
                             level=query.get("level"), by=query.get("by"), period=query.get("period"))
        return Response(table.as_dict())


class PublicationOut(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    programme = serializers.CharField(source="programme.slug")
    zone = serializers.CharField(source="zone.code", allow_null=True, default=None)
    level = serializers.IntegerField()
    period = serializers.CharField()
    k = serializers.IntegerField()
    as_of = serializers.DateTimeField()
    is_public = serializers.BooleanField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    model_version = serializers.IntegerField(source="model_version.version")


class PublicationIn(serializers.Serializer):
    programme = serializers.SlugField()
    title = serializers.CharField(max_length=200)
    zone = serializers.CharField(required=False, allow_blank=True, max_length=60)
    level = serializers.IntegerField(required=False, min_value=0, max_value=20)
    period = serializers.CharField(required=False, allow_blank=True, max_length=40)
    k = serializers.IntegerField(required=False, min_value=1, max_value=1000)
    organisations = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
    public = serializers.BooleanField(required=False, default=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class PublicationCreatedOut(PublicationOut):
    public_url = serializers.CharField(allow_null=True, help_text=gettext_lazy("Shown once: only a digest is kept."))


class PublicationListApi(APIView):
    @extend_schema(operation_id="diagnostics_publications", responses={200: PublicationOut(many=True), **ERRORS},
                   tags=["diagnostics"], summary=gettext_lazy("Published diagnostics visible to the caller"))
    def get(self, request):
        return Response(PublicationOut(publications_visible_to(request.user).order_by("-as_of"), many=True).data)

    @extend_schema(operation_id="diagnostics_publish", request=PublicationIn,
                   responses={201: PublicationCreatedOut, **ERRORS}, tags=["diagnostics"],
                   summary=gettext_lazy("Publish a diagnostic (managers of the lead organisation)"))
    def post(self, request):
        from django.urls import reverse

        data = _parse(PublicationIn, request.data)
        programme = programme_for_figures(user=request.user, slug=data["programme"])
        organisations = list(Organisation.objects.filter(slug__in=data["organisations"]))
        if len(organisations) != len(set(data["organisations"])):
            raise serializers.ValidationError({"organisations": [gettext_lazy("Unknown organisation.")]})
        expires_at = data.get("expires_at")
        if expires_at is not None and timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at, datetime.UTC)
        publication, token = publication_create(
            actor=request.user, programme=programme, title=data["title"], zone=_zone(data.get("zone")),
            level=data.get("level"), period=data.get("period") or None, k=data.get("k"), organisations=organisations,
            public=data["public"], expires_at=expires_at)
        out = dict(PublicationOut(publication).data)
        out["public_url"] = request.build_absolute_uri(
            reverse("insights:publication_public", kwargs={"token": token})) if token else None
        return Response(out, status=status.HTTP_201_CREATED)


class PublicationDetailApi(APIView):
    @extend_schema(operation_id="diagnostics_publication", parameters=[OpenApiParameter("by", str, enum=GROUPS)],
                   responses={200: FigureTableOut, **ERRORS}, tags=["diagnostics"],
                   summary=gettext_lazy("The frozen figures of a published diagnostic"))
    def get(self, request, pk):
        publication = publication_open(user=request.user, pk=pk)
        by = request.query_params.get("by")
        table = publication_figures(publication, by=by if by in GROUPS else None)
        if table is None:
            return Response({"detail": gettext_lazy("No figures for this group.")}, status=status.HTTP_404_NOT_FOUND)
        return Response(table.as_dict())


class PublicationRevokeApi(APIView):
    @extend_schema(operation_id="diagnostics_revoke", request=None, responses={200: PublicationOut, **ERRORS},
                   tags=["diagnostics"], summary=gettext_lazy("Revoke a published diagnostic"))
    def post(self, request, pk):
        publication = publication_revoke(actor=request.user, publication=publication_open(user=request.user, pk=pk))
        return Response(PublicationOut(publication).data)
