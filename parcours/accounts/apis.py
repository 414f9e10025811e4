"""Who am I: the signed-in user, their memberships with roles, and the programmes they take part in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Membership, Organisation, Programme, User
from .selectors import memberships_of, programmes_of


class OrganisationOutput(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "name_ar", "kind"]
        read_only_fields = fields


class MembershipOutput(serializers.ModelSerializer):
    organisation = OrganisationOutput(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role", "role_label"]
        read_only_fields = fields


class ProgrammeOutput(serializers.ModelSerializer):
    lead = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "slug", "name", "lead", "starts_on", "ends_on", "is_active"]
        read_only_fields = fields


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language", "is_superuser"]
        read_only_fields = fields


class MeOutput(serializers.Serializer):
    user = UserOutput(read_only=True)
    memberships = MembershipOutput(many=True, read_only=True, help_text=_("Active memberships only."))
    programmes = ProgrammeOutput(many=True, read_only=True)


class MeApi(APIView):
    @extend_schema(
        tags=["account"], responses={200: MeOutput, 403: OpenApiResponse(OpenApiTypes.OBJECT)},
        summary=_("The signed-in user, their roles and programmes"),
    )
    def get(self, request):
        user = request.user
        me = {
            "user": user,
            "memberships": memberships_of(user),
            "programmes": programmes_of(user).select_related("lead"),
        }
        return Response(MeOutput(me).data)
