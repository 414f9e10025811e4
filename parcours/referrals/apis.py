"""The referrals API: a partner's own system lists the referrals addressed to it, reads the shared fields and
answers them; the sender creates and revokes. The same services and visibility rules as the pages.

A receiver gets the shared snapshot only (``shared``); the plan action and the case are given to the sender.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from parcours.casework.models import Action
from parcours.casework.selectors import cases_visible_to
from parcours.directory.models import Service
from parcours.registry.apis import ERRORS, READ_ERRORS, parse
from parcours.registry.models import Person

from . import fields as shared_fields
from . import selectors, services, states
from .models import Referral, ReferralEvent


class EventOutput(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()
    # Plain text, so the schema has one enumeration of states (the referral's own ``state``).
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)

    class Meta:
        model = ReferralEvent
        fields = ["kind", "from_state", "to_state", "by", "note", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_by(self, event) -> str:
        return event.actor.full_name if event.actor else event.actor_label


class ReferralOutput(serializers.ModelSerializer):
    service = serializers.UUIDField(source="service_id", read_only=True)
    service_name = serializers.CharField(source="service.display_name", read_only=True)
    sender_organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    receiving_organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    shared = serializers.JSONField(read_only=True, help_text=gettext_lazy(
        "The fields the sender shared (name → value), as they were when sent. A need is {term, title}."))
    allowed_moves = serializers.SerializerMethodField()
    action = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = ["id", "state", "service", "service_name", "sender_organisation", "receiving_organisation",
                  "shared_fields", "shared", "due_on", "reason", "outcome", "allowed_moves", "action",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def _sees_case(self, referral) -> bool:
        known = self.context.get("sender_ids")
        if known is not None:
            return referral.pk in known
        return selectors.is_sender_view(self.context["request"].user, referral)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_moves(self, referral) -> list[str]:
        return [m.name for m in services.moves_for(self.context["request"].user, referral,
                                                   sees_case=self._sees_case(referral))]

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_action(self, referral):
        """The plan action, for the sender only (a receiver knows nothing of the case)."""
        return str(referral.action_id) if self._sees_case(referral) else None


class ReferralDetailOutput(ReferralOutput):
    events = EventOutput(many=True, read_only=True)

    class Meta(ReferralOutput.Meta):
        fields = [*ReferralOutput.Meta.fields, "events"]
        read_only_fields = fields


class ReferralInput(serializers.Serializer):
    action = serializers.UUIDField(help_text=gettext_lazy("The plan action being referred."))
    service = serializers.UUIDField(help_text=gettext_lazy("The directory service referred to."))
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=list(shared_fields.FIELDS)), required=False,
        default=list(shared_fields.DEFAULT_FIELDS),
        help_text=gettext_lazy("Fields shared with the receiver (default: given_name, age_band, phone, need)."))
    person = serializers.UUIDField(required=False, allow_null=True,
                                   help_text=gettext_lazy("The household member referred (default: the head)."))
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    due_on = serializers.DateField(required=False, allow_null=True)
    slip_consent = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy(
        "For an organisation outside Parcours: the person agreed to carry a slip with the shared fields."))


class MoveInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, help_text=gettext_lazy(
        "Required to decline, not complete or revoke (the reason) and to complete (the outcome)."))


class SuggestionOutput(serializers.Serializer):
    service = serializers.UUIDField()
    name = serializers.CharField()
    score = serializers.FloatField()
    need_match = serializers.BooleanField()
    zone_match = serializers.BooleanField()
    distance_km = serializers.FloatField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    eligibility = serializers.CharField()
    uses_slip = serializers.BooleanField()


def _visible_action(user, pk) -> Action:
    try:
        return Action.objects.select_related("case__household__zone", "need__term").get(
            pk=pk, case__in=cases_visible_to(user))
    except (Action.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


BOX = OpenApiParameter("box", str, enum=["received", "sent"], description=gettext_lazy(
    "received: addressed to my organisations; sent: sent from my cases; both when absent."))
STATE = OpenApiParameter("state", str, enum=list(states.State.values))


class ReferralListCreateApi(GenericAPIView):
    serializer_class = ReferralOutput

    def get_queryset(self):
        user = self.request.user
        box = self.request.query_params.get("box")
        found = {"received": selectors.referrals_received, "sent": selectors.referrals_sent}.get(
            box, lambda u: selectors.referrals_visible_to(u))(user)
        state = self.request.query_params.get("state")
        if state in states.State.values:
            found = found.filter(state=state)
        return found.order_by("-created_at")

    @extend_schema(operation_id="referrals_list", parameters=[BOX, STATE], responses={200: ReferralOutput(many=True),
                   **READ_ERRORS}, summary=gettext_lazy("Referrals addressed to or sent by my organisations"))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        # Which of them the user reads as sender: one query for the page, not one per referral.
        sender_ids = set(selectors.referrals_sent(request.user).filter(pk__in=[r.pk for r in page])
                         .values_list("pk", flat=True))
        if request.user.is_superuser:
            sender_ids = {r.pk for r in page}
        context = {"request": request, "sender_ids": sender_ids}
        return self.get_paginated_response(ReferralOutput(page, many=True, context=context).data)

    @extend_schema(operation_id="referrals_create", request=ReferralInput,
                   responses={201: ReferralDetailOutput, **ERRORS},
                   summary=gettext_lazy("Refer a plan action to a service (consent gate, minimal fields)"))
    def post(self, request):
        data = parse(ReferralInput, request.data)
        action = _visible_action(request.user, data["action"])
        service = Service.objects.select_related("organization__parcours_organisation").filter(
            pk=data["service"]).first()
        if service is None:
            raise serializers.ValidationError({"service": [gettext_lazy("No such service.")]})
        person = None
        if data.get("person"):
            person = Person.objects.filter(pk=data["person"], household=action.case.household).first()
            if person is None:
                raise serializers.ValidationError({"person": [gettext_lazy("Not a member of this household.")]})
        referral = services.referral_send(
            actor=request.user, action=action, service=service, fields=data["fields"], person=person,
            message=data.get("message", ""), due_on=data.get("due_on"), slip_consent=data["slip_consent"])
        return Response(ReferralDetailOutput(referral, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class ReferralDetailApi(APIView):
    @extend_schema(operation_id="referrals_retrieve", responses={200: ReferralDetailOutput, **READ_ERRORS})
    def get(self, request, pk):
        referral = selectors.referral_open(user=request.user, pk=pk)
        return Response(ReferralDetailOutput(referral, context={"request": request}).data)


class ReferralMoveApi(APIView):
    """One change of state; ``move`` is set per address (accept, decline, start, complete, not-complete, revoke)."""

    move = ""

    def post(self, request, pk):
        referral = selectors.referral_open(user=request.user, pk=pk)
        data = parse(MoveInput, request.data)
        referral = services.referral_move(actor=request.user, referral=referral, move=self.move,
                                          note=data.get("note", ""))
        return Response(ReferralDetailOutput(referral, context={"request": request}).data)


def move_api(name: str) -> type[ReferralMoveApi]:
    move = states.MOVES[name]
    summary = gettext_lazy("Change the referral's state: %(move)s") % {"move": name}
    decorated = extend_schema(operation_id=f"referrals_{name}", request=MoveInput,
                              responses={200: ReferralDetailOutput, **ERRORS}, summary=summary,
                              description=f"{', '.join(sorted(move.sources))} → {move.target}")

    def post(self, request, pk):  # a function of its own per move: extend_schema marks the function it decorates
        return ReferralMoveApi.post(self, request, pk)

    return type(f"Referral{name.title().replace('_', '')}Api", (ReferralMoveApi,),
                {"move": name, "post": decorated(post)})


class ReferralSuggestionsApi(APIView):
    @extend_schema(operation_id="referrals_suggestions",
                   parameters=[OpenApiParameter("action", OpenApiTypes.UUID, required=True)],
                   responses={200: SuggestionOutput(many=True), **READ_ERRORS},
                   summary=gettext_lazy("Active services ranked for a plan action, with the reasons"))
    def get(self, request):
        action = _visible_action(request.user, request.query_params.get("action"))
        rows = [{
            "service": r.candidate.key.pk, "name": r.candidate.name, "score": r.score,
            "need_match": r.need_match, "zone_match": r.zone_match, "distance_km": r.distance_km,
            "reasons": r.reasons, "eligibility": r.candidate.eligibility,
            "uses_slip": r.candidate.key.organization.parcours_organisation_id is None,
        } for r in selectors.suggestions(action)]
        return Response(SuggestionOutput(rows, many=True).data)
