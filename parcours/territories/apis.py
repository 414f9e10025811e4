"""The zones API: the administrative hierarchy, read-only, for every signed-in user.

Geometries can weigh megabytes per zone, so they are sent only on request (``?geometry=1``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Zone
from .selectors import zone_get, zone_search


class ZoneOutput(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # Not read-only, so that the schema does not mark it as always present; this serializer never parses.
    geometry = serializers.JSONField(
        allow_null=True, required=False,
        help_text=_("GeoJSON geometry; only sent when asked for with geometry=1."),
    )

    class Meta:
        model = Zone
        fields = ["id", "code", "name", "name_ar", "parent", "level", "level_name", "population", "geometry"]
        read_only_fields = fields[:-1]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("geometry"):
            data.pop("geometry", None)
        return data


class GeometryInput(serializers.Serializer):
    geometry = serializers.BooleanField(required=False, default=False,
                                        help_text=_("Include each zone's GeoJSON geometry."))


class ZoneFilterInput(GeometryInput):
    parent = serializers.CharField(required=False, max_length=50,
                                   help_text=_("Code of the parent zone: its direct children only."))
    level = serializers.IntegerField(required=False, min_value=0, max_value=32767,
                                     help_text=_("0 for countries, 1 for their first subdivision, and so on."))
    q = serializers.CharField(required=False, allow_blank=True, max_length=200,
                              help_text=_("Words of the name (Latin or Arabic script, accents and diacritics ignored) "
                                          "or of the code."))


NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description=_("No zone with this code."))
BAD_INPUT = OpenApiResponse(OpenApiTypes.OBJECT, description=_("Invalid filter: each field with its messages."))


class ZoneListApi(GenericAPIView):
    @extend_schema(tags=["zones"], operation_id="zones_list", parameters=[ZoneFilterInput],
                   responses={200: ZoneOutput(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
                   summary=_("Zones, filtered by parent, level or name"))
    def get(self, request):
        serializer = ZoneFilterInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = serializer.validated_data
        zones = Zone.objects.select_related("parent")
        if not filters["geometry"]:
            zones = zones.defer("geometry")
        if "parent" in filters:
            zones = zones.filter(parent__code=filters["parent"])
        if "level" in filters:
            zones = zones.filter(level=filters["level"])
        if filters.get("q"):
            zones = zone_search(zones, filters["q"])
        page = self.paginate_queryset(zones)
        context = {"geometry": filters["geometry"]}
        return self.get_paginated_response(ZoneOutput(page, many=True, context=context).data)


class ZoneDetailApi(APIView):
    @extend_schema(tags=["zones"], parameters=[GeometryInput],
                   responses={200: ZoneOutput, 400: BAD_INPUT, 404: NOT_FOUND}, summary=_("A zone by its code"))
    def get(self, request, code):
        options = GeometryInput(data=request.query_params)
        options.is_valid(raise_exception=True)
        zone = zone_get(code)
        return Response(ZoneOutput(zone, context={"geometry": options.validated_data["geometry"]}).data)
