"""The registry's REST API: households, their members and their consents.

Input serializers parse, services write, output serializers render. Every read starts from the access policy
(``households_visible_to`` / ``household_open``): a household the user may not see answers 404, so its
existence is not revealed; one they may see but not change answers 403 (the services refuse the write).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from parcours.accounts.models import Organisation, Programme
from parcours.territories.models import Zone

from . import services
from .models import Consent, Household, Identifier, Person
from .selectors import (
    household_can_edit,
    household_open,
    household_search,
    households_visible_to,
    households_with_member_count,
    organisations_user_may_register_for,
    persons_visible_to,
)

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy(
        "Invalid input: each field in error with its messages, or a message and a list of problems.")),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy(
        "Not signed in, or you may see this record but not change it.")),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy(
        "No such record, or it is not visible to you.")),
    415: OpenApiResponse(OpenApiTypes.OBJECT, description=gettext_lazy(
        "A body in a format the API does not read: send JSON.")),
}
READ_ERRORS = {code: ERRORS[code] for code in (403, 404)}


def parse(serializer_class, data, **kwargs) -> dict:
    """The validated input, or a 400 naming each field in error."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CodeRelatedField(serializers.SlugRelatedField):
    """A related record named by its code or slug. Anything but a clean, short string (a list, a NUL
    character, a lone surrogate) is refused before the database sees it."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            data = serializers.CharField(max_length=100).run_validation(data)
        except serializers.ValidationError:
            self.fail("invalid")
        return super().to_internal_value(data)


# --- Output -------------------------------------------------------------------------------------------------


class IdentifierOutput(serializers.ModelSerializer):
    class Meta:
        model = Identifier
        fields = ["id", "scheme", "value", "issuer"]
        read_only_fields = fields


class PersonOutput(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    display_name = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True, allow_null=True)
    identifiers = IdentifierOutput(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "household", "household_code", "display_name", *services.PERSON_FIELDS, "age",
                  "identifiers", "created_at", "updated_at"]
        read_only_fields = fields


HOUSEHOLD_OUTPUT_FIELDS = ["id", "code", "organisation", "programme", "zone", "zone_name", "address", "head",
                           "head_name", "sensitive", "created_at", "updated_at"]


class HouseholdOutput(serializers.ModelSerializer):
    """A household in a list (with ``member_count``, annotated by ``households_with_member_count``)."""

    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    zone = serializers.SlugRelatedField(slug_field="code", read_only=True)
    zone_name = serializers.CharField(source="zone.display_name", read_only=True)
    head = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    head_name = serializers.CharField(source="head.display_name", read_only=True, allow_null=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Household
        fields = [*HOUSEHOLD_OUTPUT_FIELDS, "member_count"]
        read_only_fields = fields


class HouseholdDetailOutput(HouseholdOutput):
    member_count = None  # the members are listed
    members = PersonOutput(many=True, read_only=True)
    can_edit = serializers.SerializerMethodField()

    class Meta(HouseholdOutput.Meta):
        fields = [*HOUSEHOLD_OUTPUT_FIELDS, "latitude", "longitude", "notes", "members", "can_edit"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_can_edit(self, household) -> bool:
        return household_can_edit(self.context["request"].user, household)


class ConsentOutput(serializers.ModelSerializer):
    organisations = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    recorded_by = serializers.StringRelatedField(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "household", "purpose", "organisations", "given_by", "recorded_by", "given_on",
                  "expires_on", "withdrawn_on", "withdrawal_reason", "is_active", "created_at"]
        read_only_fields = fields


# --- Input --------------------------------------------------------------------------------------------------


def _text(max_length: int | None = None, **kwargs):
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, **kwargs)


class IdentifierInput(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=Identifier.Scheme.choices)
    value = serializers.CharField(max_length=100)
    issuer = _text(200)


class PersonInput(serializers.Serializer):
    given_name = _text(100)
    family_name = _text(100)
    father_name = _text(100)
    given_name_ar = _text(100)
    family_name_ar = _text(100)
    father_name_ar = _text(100)
    sex = serializers.ChoiceField(choices=Person.Sex.choices)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    date_of_birth_estimated = serializers.BooleanField(required=False)
    relationship = serializers.ChoiceField(choices=Person.Relationship.choices)
    phone = _text(40)
    identifiers = IdentifierInput(many=True, required=False)


class PersonUpdateInput(PersonInput):
    identifiers = None  # identity numbers have their own life; a change of name does not touch them


class HouseholdUpdateInput(serializers.Serializer):
    code = _text(40, help_text=gettext_lazy("Left empty on creation, a unique code is generated."))
    zone = CodeRelatedField(slug_field="code", queryset=Zone.objects.all(),
                            help_text=gettext_lazy("Code of the zone where the household lives."))
    programme = CodeRelatedField(slug_field="slug", queryset=Programme.objects.all(), required=False,
                                 allow_null=True)
    address = _text(300)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90,
                                        required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                         required=False, allow_null=True)
    sensitive = serializers.BooleanField(required=False)
    notes = _text()


class HouseholdCreateInput(HouseholdUpdateInput):
    organisation = CodeRelatedField(
        slug_field="slug", queryset=Organisation.objects.filter(is_active=True), required=False,
        help_text=gettext_lazy("Short name of the registering organisation; may be left out when you work "
                               "for one organisation only."),
    )
    members = PersonInput(many=True, required=False)


class HouseholdFilterInput(serializers.Serializer):
    q = _text(200, help_text=gettext_lazy(
        "A name in Latin or Arabic script, a household code, a phone or identity number."))
    zone = CodeRelatedField(slug_field="code", queryset=Zone.objects.all(), required=False,
                            help_text=gettext_lazy("Zone code: households of this zone and the zones under it."))
    organisation = CodeRelatedField(slug_field="slug", queryset=Organisation.objects.all(), required=False,
                                    help_text=gettext_lazy("Short name of the owning organisation."))


class PersonFilterInput(serializers.Serializer):
    household = serializers.UUIDField(required=False, help_text=gettext_lazy("Members of this household only."))


class ConsentInput(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=Consent.Purpose.choices)
    organisations = CodeRelatedField(
        slug_field="slug", many=True, required=False, queryset=Organisation.objects.filter(is_active=True),
        help_text=gettext_lazy("Short names of the organisations the household agrees to share with."),
    )
    given_by = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), pk_field=serializers.UUIDField(), required=False, allow_null=True,
        help_text=gettext_lazy("The member of the household who gave the consent."),
    )
    given_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, household: Household | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if household is not None:
            # Only a member of this household can give its consent: others are "unknown" here.
            self.fields["given_by"].queryset = household.members.all()


class ConsentWithdrawInput(serializers.Serializer):
    reason = _text(300)
    on = serializers.DateField(required=False, allow_null=True,
                               help_text=gettext_lazy("Day of the withdrawal; today when left out."))


# --- Views --------------------------------------------------------------------------------------------------


def _detail(household: Household, request) -> dict:
    return HouseholdDetailOutput(household, context={"request": request}).data


def _registering_organisation(user) -> Organisation:
    """The organisation a household is registered for when the client does not say: the user's only one."""
    organisations = list(organisations_user_may_register_for(user)[:2])
    if not organisations:
        raise PermissionDenied(_("You may not register households."))
    if len(organisations) > 1:
        raise serializers.ValidationError(
            {"organisation": [_("You work for several organisations: say for which one you register.")]}
        )
    return organisations[0]


class HouseholdListCreateApi(GenericAPIView):
    serializer_class = HouseholdCreateInput  # what an OPTIONS request describes for POST

    @extend_schema(tags=["households"], operation_id="households_list", parameters=[HouseholdFilterInput],
                   responses={200: HouseholdOutput(many=True), 400: ERRORS[400], **READ_ERRORS},
                   summary=gettext_lazy("Households you may see"))
    def get(self, request):
        filters = parse(HouseholdFilterInput, request.query_params)
        households = household_search(
            households_visible_to(request.user), q=filters.get("q", ""), zone=filters.get("zone")
        )
        if filters.get("organisation"):
            households = households.filter(organisation=filters["organisation"])
        page = self.paginate_queryset(households_with_member_count(households))
        return self.get_paginated_response(HouseholdOutput(page, many=True).data)

    @extend_schema(tags=["households"], operation_id="households_create", request=HouseholdCreateInput,
                   responses={201: HouseholdDetailOutput, **ERRORS},
                   summary=gettext_lazy("Register a household with its members"))
    def post(self, request):
        data = parse(HouseholdCreateInput, request.data)
        organisation = data.pop("organisation", None) or _registering_organisation(request.user)
        household = services.household_create(actor=request.user, organisation=organisation, **data)
        return Response(_detail(household, request), status=status.HTTP_201_CREATED)


class HouseholdDetailApi(APIView):
    @extend_schema(tags=["households"], responses={200: HouseholdDetailOutput, **READ_ERRORS},
                   summary=gettext_lazy("A household with its members (reads of sensitive ones are logged)"))
    def get(self, request, pk):
        return Response(_detail(household_open(user=request.user, pk=pk), request))

    @extend_schema(tags=["households"], request=HouseholdUpdateInput,
                   responses={200: HouseholdDetailOutput, **ERRORS}, summary=gettext_lazy("Change a household"))
    def patch(self, request, pk):
        household = household_open(user=request.user, pk=pk)
        data = parse(HouseholdUpdateInput, request.data, partial=True)
        household = services.household_update(actor=request.user, household=household, **data)
        return Response(_detail(household, request))


class HouseholdPersonCreateApi(APIView):
    @extend_schema(tags=["persons"], request=PersonInput, responses={201: PersonOutput, **ERRORS},
                   summary=gettext_lazy("Add a member to a household"))
    def post(self, request, pk):
        household = household_open(user=request.user, pk=pk)
        data = parse(PersonInput, request.data)
        person = services.person_create(actor=request.user, household=household, **data)
        return Response(PersonOutput(person).data, status=status.HTTP_201_CREATED)


def _person_open(user, pk) -> Person:
    """The person ``pk`` if ``user`` may see their household (404 otherwise); opening it goes through
    ``household_open``, so a member of a sensitive household is logged as its household is."""
    person = persons_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    person.household = household_open(user=user, pk=person.household_id)
    return person


class PersonListApi(GenericAPIView):
    @extend_schema(tags=["persons"], operation_id="persons_list", parameters=[PersonFilterInput],
                   responses={200: PersonOutput(many=True), 400: ERRORS[400], **READ_ERRORS},
                   summary=gettext_lazy("Members of the households you may see"))
    def get(self, request):
        filters = parse(PersonFilterInput, request.query_params)
        persons = persons_visible_to(request.user).prefetch_related("identifiers").order_by(
            "household__code", "created_at", "pk"
        )
        if filters.get("household"):
            persons = persons.filter(household_id=filters["household"])
        page = self.paginate_queryset(persons)
        return self.get_paginated_response(PersonOutput(page, many=True).data)


class PersonDetailApi(APIView):
    @extend_schema(tags=["persons"], responses={200: PersonOutput, **READ_ERRORS},
                   summary=gettext_lazy("A member of a household"))
    def get(self, request, pk):
        return Response(PersonOutput(_person_open(request.user, pk)).data)

    @extend_schema(tags=["persons"], request=PersonUpdateInput, responses={200: PersonOutput, **ERRORS},
                   summary=gettext_lazy("Change a member"))
    def patch(self, request, pk):
        person = _person_open(request.user, pk)
        data = parse(PersonUpdateInput, request.data, partial=True)
        return Response(PersonOutput(services.person_update(actor=request.user, person=person, **data)).data)

    @extend_schema(tags=["persons"], request=None, responses={204: None, **READ_ERRORS},
                   summary=gettext_lazy("Remove a member from their household"))
    def delete(self, request, pk):
        services.person_delete(actor=request.user, person=_person_open(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _consents(household: Household):
    return household.consents.select_related("recorded_by").prefetch_related(
        Prefetch("organisations", queryset=Organisation.objects.order_by("slug"))
    )


class HouseholdConsentListCreateApi(APIView):
    @extend_schema(tags=["consents"], responses={200: ConsentOutput(many=True), **READ_ERRORS},
                   summary=gettext_lazy("The consents of a household, withdrawn ones included"))
    def get(self, request, pk):
        household = household_open(user=request.user, pk=pk)
        return Response(ConsentOutput(_consents(household), many=True).data)

    @extend_schema(tags=["consents"], request=ConsentInput, responses={201: ConsentOutput, **ERRORS},
                   summary=gettext_lazy("Record a consent"))
    def post(self, request, pk):
        household = household_open(user=request.user, pk=pk)
        data = parse(ConsentInput, request.data, household=household)
        consent = services.consent_record(actor=request.user, household=household, **data)
        return Response(ConsentOutput(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawApi(APIView):
    @extend_schema(tags=["consents"], request=ConsentWithdrawInput, responses={200: ConsentOutput, **ERRORS},
                   summary=gettext_lazy("Withdraw a consent (from that day on, it no longer applies)"))
    def post(self, request, pk, consent_pk):
        household = household_open(user=request.user, pk=pk)
        consent = household.consents.filter(pk=consent_pk).first()
        if consent is None:
            raise Http404
        data = parse(ConsentWithdrawInput, request.data)
        consent = services.consent_withdraw(actor=request.user, consent=consent, reason=data.get("reason", ""),
                                            on=data.get("on"))
        return Response(ConsentOutput(consent).data)
