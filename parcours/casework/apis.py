"""The casework REST API: cases, their needs, goals, actions, visits and reviews, and their changes of state.

Input serializers parse, the same services as the web pages write, output serializers render. Every read starts
from ``cases_visible_to`` / ``case_open``: a case the user may not see answers 404 (restricted cases included, and
their reads are logged); a refused change of state answers 400 with the service's message.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from parcours.accounts.models import Organisation, User
from parcours.directory.models import TaxonomyTerm
from parcours.registry.apis import ERRORS, READ_ERRORS, CodeRelatedField, parse
from parcours.registry.models import Household, Person
from parcours.registry.selectors import household_open

from . import selectors, services
from .models import Action, Case, FollowUpVisit, Goal, Need, PlanReview

TAGS = ["casework"]


def _text(max_length: int | None = None, **kwargs):
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, **kwargs)


# --- Output -----------------------------------------------------------------------------------------------------


class NeedOutput(serializers.ModelSerializer):
    term = serializers.SlugRelatedField(slug_field="code", read_only=True)
    term_name = serializers.CharField(source="term.display_name", read_only=True)

    class Meta:
        model = Need
        fields = ["id", "case", "term", "term_name", "source", "indicator", "priority", "confirmed",
                  "confirmed_at", "note", "created_at"]
        read_only_fields = fields


class GoalOutput(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "case", "need", "title", "target_on", "status", "outcome", "created_at", "updated_at"]
        read_only_fields = fields


class ActionOutput(serializers.ModelSerializer):
    responsible_organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    responsible_person = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = ["id", "case", "need", "goal", "kind", "title", "responsible_organisation", "responsible_person",
                  "due_on", "status", "outcome", "completed_on", "is_overdue", "created_at", "updated_at"]
        read_only_fields = fields


class VisitOutput(serializers.ModelSerializer):
    worker = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)
    reassessment_score = serializers.FloatField(source="reassessment.value", read_only=True, allow_null=True,
                                                default=None)

    class Meta:
        model = FollowUpVisit
        fields = ["id", "case", "scheduled_on", "worker", "done", "done_on", "notes", "reassessment",
                  "reassessment_score", "created_at"]
        read_only_fields = fields


class ReviewOutput(serializers.ModelSerializer):
    reviewed_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = PlanReview
        fields = ["id", "case", "reviewed_on", "reviewed_by", "participant", "participant_name", "agreed", "method",
                  "notes"]
        read_only_fields = fields


CASE_FIELDS = ["id", "household", "household_code", "programme", "organisation", "status", "opened_from",
               "opened_at", "opening_score", "workers", "supervisor", "restricted", "restriction_kind",
               "activated_at", "closed_at", "closure_reason", "closure_summary", "updated_at"]


class CaseOutput(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    workers = serializers.SlugRelatedField(slug_field="email", many=True, read_only=True)
    supervisor = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = CASE_FIELDS
        read_only_fields = fields


class ScoreChangeOutput(serializers.Serializer):
    baseline = serializers.FloatField(allow_null=True)
    current = serializers.FloatField(allow_null=True)
    delta = serializers.FloatField(allow_null=True)
    indicators = serializers.ListField(child=serializers.DictField())


class CaseDetailOutput(CaseOutput):
    needs = NeedOutput(many=True, read_only=True)
    goals = GoalOutput(many=True, read_only=True)
    actions = ActionOutput(many=True, read_only=True)
    visits = VisitOutput(many=True, read_only=True)
    reviews = ReviewOutput(many=True, read_only=True)
    score_change = serializers.SerializerMethodField()

    class Meta(CaseOutput.Meta):
        fields = [*CASE_FIELDS, "needs", "goals", "actions", "visits", "reviews", "score_change"]
        read_only_fields = fields

    @extend_schema_field(ScoreChangeOutput(allow_null=True))
    def get_score_change(self, case) -> dict | None:
        change = selectors.score_change(case)
        if change is None:
            return None
        return {"baseline": change["baseline"].value, "current": change["current"].value, "delta": change["delta"],
                "indicators": [{k: row[k] for k in ("name", "baseline", "current", "change")}
                               for row in change["indicators"]]}


# --- Input ------------------------------------------------------------------------------------------------------


def _users():
    return User.objects.filter(is_active=True)


class CaseFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Case.Status.choices, required=False)
    mine = serializers.BooleanField(required=False, help_text=gettext_lazy("Only the cases assigned to me."))
    household = serializers.UUIDField(required=False)


class CaseCreateInput(serializers.Serializer):
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all(), pk_field=serializers.UUIDField())
    workers = serializers.SlugRelatedField(slug_field="email", many=True, required=False, queryset=_users())
    supervisor = serializers.SlugRelatedField(slug_field="email", required=False, allow_null=True, queryset=_users())
    restricted = serializers.BooleanField(required=False)
    restriction_kind = serializers.ChoiceField(choices=Case.RestrictionKind.choices, required=False,
                                               allow_blank=True)


class CaseUpdateInput(serializers.Serializer):
    workers = serializers.SlugRelatedField(slug_field="email", many=True, required=False, queryset=_users())
    supervisor = serializers.SlugRelatedField(slug_field="email", required=False, allow_null=True, queryset=_users())
    restricted = serializers.BooleanField(required=False)
    restriction_kind = serializers.ChoiceField(choices=Case.RestrictionKind.choices, required=False,
                                               allow_blank=True)


class CloseInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Case.ClosureReason.choices)
    summary = _text()


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ReviewInput(serializers.Serializer):
    agreed = serializers.BooleanField()
    method = serializers.ChoiceField(choices=PlanReview.Method.choices)
    participant = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none(), required=False,
                                                     allow_null=True, pk_field=serializers.UUIDField())
    participant_name = _text(200)
    notes = _text()
    reviewed_on = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["participant"].queryset = case.household.members.all()


class NeedInput(serializers.Serializer):
    term = CodeRelatedField(slug_field="code", queryset=TaxonomyTerm.objects.all(),
                            help_text=gettext_lazy("Code of the need in the needs taxonomy, e.g. legal-aid."))
    note = _text()


class NeedUpdateInput(serializers.Serializer):
    confirmed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True)


class _CaseScoped(serializers.Serializer):
    def __init__(self, *args, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            for name, queryset in (("need", case.needs.all()), ("goal", case.goals.all())):
                if name in self.fields:
                    self.fields[name].queryset = queryset


class GoalInput(_CaseScoped):
    need = serializers.PrimaryKeyRelatedField(queryset=Need.objects.none(), required=False, allow_null=True,
                                              pk_field=serializers.UUIDField())
    title = serializers.CharField(max_length=300)
    target_on = serializers.DateField(required=False, allow_null=True)


class GoalUpdateInput(GoalInput):
    status = serializers.ChoiceField(choices=Goal.Status.choices, required=False)
    outcome = serializers.CharField(required=False, allow_blank=True)


class ActionInput(_CaseScoped):
    need = serializers.PrimaryKeyRelatedField(queryset=Need.objects.none(), required=False, allow_null=True,
                                              pk_field=serializers.UUIDField())
    goal = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.none(), required=False, allow_null=True,
                                              pk_field=serializers.UUIDField())
    kind = serializers.ChoiceField(choices=Action.Kind.choices)
    title = serializers.CharField(max_length=300)
    responsible_organisation = CodeRelatedField(slug_field="slug", queryset=Organisation.objects.all(),
                                                required=False, allow_null=True)
    responsible_person = serializers.SlugRelatedField(slug_field="email", queryset=_users(), required=False,
                                                      allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)


class ActionStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Action.Status.choices)
    outcome = serializers.CharField(required=False, allow_blank=True)


class VisitInput(serializers.Serializer):
    scheduled_on = serializers.DateField()
    worker = serializers.SlugRelatedField(slug_field="email", queryset=_users(), required=False, allow_null=True)
    notes = _text()


class VisitRecordInput(serializers.Serializer):
    notes = serializers.CharField()
    done_on = serializers.DateField(required=False, allow_null=True)


class ActionFilterInput(serializers.Serializer):
    overdue = serializers.BooleanField(required=False, help_text=gettext_lazy(
        "Only open actions past their due date, in my cases or that I am responsible for."))
    status = serializers.ChoiceField(choices=Action.Status.choices, required=False)


# --- Views ------------------------------------------------------------------------------------------------------


def _detail(case: Case) -> dict:
    case = Case.objects.select_related("household", "programme", "organisation", "supervisor").prefetch_related(
        "workers", "needs__term", "goals", "actions__responsible_organisation", "actions__responsible_person",
        "visits__worker", "visits__reassessment", "reviews__reviewed_by").get(pk=case.pk)
    return CaseDetailOutput(case).data


def _item(user, model, pk):
    """A need, goal, action or visit of a case ``user`` may see (opening the case: restricted reads logged)."""
    obj = model.objects.filter(pk=pk, case__in=selectors.cases_visible_to(user).values("pk")).first()
    if obj is None:
        raise Http404
    obj.case = selectors.case_open(user=user, pk=obj.case_id)
    return obj


class CaseListCreateApi(GenericAPIView):
    serializer_class = CaseCreateInput

    @extend_schema(tags=TAGS, operation_id="cases_list", parameters=[CaseFilterInput],
                   responses={200: CaseOutput(many=True), 400: ERRORS[400], **READ_ERRORS},
                   summary=gettext_lazy("Cases you may see"))
    def get(self, request):
        filters = parse(CaseFilterInput, request.query_params)
        cases = selectors.cases_visible_to(request.user).prefetch_related("workers")
        if filters.get("status"):
            cases = cases.filter(status=filters["status"])
        if filters.get("mine"):
            cases = cases.filter(workers=request.user)
        if filters.get("household"):
            cases = cases.filter(household_id=filters["household"])
        page = self.paginate_queryset(cases.distinct().order_by("-opened_at", "pk"))
        return self.get_paginated_response(CaseOutput(page, many=True).data)

    @extend_schema(tags=TAGS, operation_id="cases_create", request=CaseCreateInput,
                   responses={201: CaseDetailOutput, **ERRORS}, summary=gettext_lazy("Open a case for a household"))
    def post(self, request):
        data = parse(CaseCreateInput, request.data)
        household = household_open(user=request.user, pk=data.pop("household").pk)
        case = services.case_open(actor=request.user, household=household, **data)
        return Response(_detail(case), status=status.HTTP_201_CREATED)


class CaseDetailApi(APIView):
    @extend_schema(tags=TAGS, responses={200: CaseDetailOutput, **READ_ERRORS},
                   summary=gettext_lazy("A case with its plan, visits and change since the baseline"))
    def get(self, request, pk):
        return Response(_detail(selectors.case_open(user=request.user, pk=pk)))

    @extend_schema(tags=TAGS, request=CaseUpdateInput, responses={200: CaseDetailOutput, **ERRORS},
                   summary=gettext_lazy("Change who works on a case, or its restriction"))
    def patch(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        data = parse(CaseUpdateInput, request.data, partial=True)
        if "workers" in data or "supervisor" in data:
            services.case_assign(actor=request.user, case=case,
                                 workers=data.get("workers", list(case.workers.all())),
                                 supervisor=data.get("supervisor", case.supervisor))
        if "restricted" in data:
            services.case_restrict(actor=request.user, case=case, restricted=data["restricted"],
                                   restriction_kind=data.get("restriction_kind", case.restriction_kind))
        return Response(_detail(case))


class CaseCloseApi(APIView):
    @extend_schema(tags=TAGS, request=CloseInput, responses={200: CaseDetailOutput, **ERRORS},
                   summary=gettext_lazy("Close a case with a reason"))
    def post(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        return Response(_detail(services.case_close(actor=request.user, case=case, **parse(CloseInput, request.data))))


class CaseReopenApi(APIView):
    @extend_schema(tags=TAGS, request=ReasonInput, responses={200: CaseDetailOutput, **ERRORS},
                   summary=gettext_lazy("Reopen a closed case with a reason"))
    def post(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        data = parse(ReasonInput, request.data)
        return Response(_detail(services.case_reopen(actor=request.user, case=case, reason=data["reason"])))


class CaseReviewApi(APIView):
    @extend_schema(tags=TAGS, request=ReviewInput, responses={201: ReviewOutput, **ERRORS},
                   summary=gettext_lazy("Record the plan's review with the household (their agreement activates "
                                        "the case)"))
    def post(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        data = parse(ReviewInput, request.data, case=case)
        review = services.plan_review_record(actor=request.user, case=case, **data)
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


class CaseBreakGlassApi(APIView):
    @extend_schema(tags=TAGS, request=ReasonInput, responses={200: CaseDetailOutput, **ERRORS},
                   summary=gettext_lazy("A manager opens a restricted case in an emergency, with a reason"))
    def post(self, request, pk):
        case = selectors.case_hidden_restricted(user=request.user, pk=pk)
        if case is None:
            raise Http404
        services.break_glass(actor=request.user, case=case, reason=parse(ReasonInput, request.data)["reason"])
        return Response(_detail(selectors.case_open(user=request.user, pk=pk)))


class CaseNeedsApi(APIView):
    @extend_schema(tags=TAGS, responses={200: NeedOutput(many=True), **READ_ERRORS},
                   summary=gettext_lazy("The needs of a case"))
    def get(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        return Response(NeedOutput(case.needs.select_related("term"), many=True).data)

    @extend_schema(tags=TAGS, request=NeedInput, responses={201: NeedOutput, **ERRORS},
                   summary=gettext_lazy("Add a need entered with the household"))
    def post(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        need = services.need_add(actor=request.user, case=case, **parse(NeedInput, request.data))
        return Response(NeedOutput(need).data, status=status.HTTP_201_CREATED)


class CaseProposeNeedsApi(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: NeedOutput(many=True), **ERRORS},
                   summary=gettext_lazy("Propose needs again from the current score and answers"))
    def post(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        return Response(NeedOutput(services.case_propose_needs(actor=request.user, case=case), many=True).data)


class NeedDetailApi(APIView):
    @extend_schema(tags=TAGS, request=NeedUpdateInput, responses={200: NeedOutput, **ERRORS},
                   summary=gettext_lazy("Confirm a proposed need with the household (or not)"))
    def patch(self, request, pk):
        need = _item(request.user, Need, pk)
        data = parse(NeedUpdateInput, request.data)
        return Response(NeedOutput(services.need_confirm(actor=request.user, need=need, **data)).data)

    @extend_schema(tags=TAGS, responses={204: None, **ERRORS},
                   summary=gettext_lazy("Dismiss a proposed need the household does not have"))
    def delete(self, request, pk):
        services.need_dismiss(actor=request.user, need=_item(request.user, Need, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseGoalsApi(APIView):
    @extend_schema(tags=TAGS, responses={200: GoalOutput(many=True), **READ_ERRORS},
                   summary=gettext_lazy("The goals of a case"))
    def get(self, request, pk):
        return Response(GoalOutput(selectors.case_open(user=request.user, pk=pk).goals.all(), many=True).data)

    @extend_schema(tags=TAGS, request=GoalInput, responses={201: GoalOutput, **ERRORS},
                   summary=gettext_lazy("Add a goal with a target date"))
    def post(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        goal = services.goal_create(actor=request.user, case=case, **parse(GoalInput, request.data, case=case))
        return Response(GoalOutput(goal).data, status=status.HTTP_201_CREATED)


class GoalDetailApi(APIView):
    @extend_schema(tags=TAGS, request=GoalUpdateInput, responses={200: GoalOutput, **ERRORS},
                   summary=gettext_lazy("Change a goal (title, target date, status, outcome)"))
    def patch(self, request, pk):
        goal = _item(request.user, Goal, pk)
        data = parse(GoalUpdateInput, request.data, partial=True, case=goal.case)
        return Response(GoalOutput(services.goal_update(actor=request.user, goal=goal, **data)).data)


class CaseActionsApi(APIView):
    @extend_schema(tags=TAGS, responses={200: ActionOutput(many=True), **READ_ERRORS},
                   summary=gettext_lazy("The actions of a case"))
    def get(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        return Response(ActionOutput(case.actions.select_related("responsible_organisation", "responsible_person"),
                                     many=True).data)

    @extend_schema(tags=TAGS, request=ActionInput, responses={201: ActionOutput, **ERRORS},
                   summary=gettext_lazy("Plan an action (who, what, by when)"))
    def post(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        action = services.action_create(actor=request.user, case=case, **parse(ActionInput, request.data, case=case))
        return Response(ActionOutput(action).data, status=status.HTTP_201_CREATED)


class ActionListApi(GenericAPIView):
    @extend_schema(tags=TAGS, operation_id="actions_list", parameters=[ActionFilterInput],
                   responses={200: ActionOutput(many=True), 400: ERRORS[400], **READ_ERRORS},
                   summary=gettext_lazy("Actions of the cases you may see (overdue ones with overdue=true)"))
    def get(self, request):
        filters = parse(ActionFilterInput, request.query_params)
        if filters.get("overdue"):
            actions = selectors.actions_overdue(request.user)
        else:
            visible = selectors.cases_visible_to(request.user).values("pk")
            actions = Action.objects.filter(case__in=visible).select_related("responsible_organisation",
                                                                             "responsible_person")
        if filters.get("status"):
            actions = actions.filter(status=filters["status"])
        page = self.paginate_queryset(actions.order_by("due_on", "pk"))
        return self.get_paginated_response(ActionOutput(page, many=True).data)


class ActionDetailApi(APIView):
    @extend_schema(tags=TAGS, request=ActionInput, responses={200: ActionOutput, **ERRORS},
                   summary=gettext_lazy("Change an action's plan"))
    def patch(self, request, pk):
        action = _item(request.user, Action, pk)
        data = parse(ActionInput, request.data, partial=True, case=action.case)
        return Response(ActionOutput(services.action_update(actor=request.user, action=action, **data)).data)


class ActionStatusApi(APIView):
    @extend_schema(tags=TAGS, request=ActionStatusInput, responses={200: ActionOutput, **ERRORS},
                   summary=gettext_lazy("Move an action on: in progress, done, not done, cancelled"))
    def post(self, request, pk):
        action = _item(request.user, Action, pk)
        data = parse(ActionStatusInput, request.data)
        action = services.action_set_status(actor=request.user, action=action, status=data["status"],
                                            outcome=data.get("outcome"))
        return Response(ActionOutput(action).data)


class CaseVisitsApi(APIView):
    @extend_schema(tags=TAGS, responses={200: VisitOutput(many=True), **READ_ERRORS},
                   summary=gettext_lazy("The follow-up visits of a case"))
    def get(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        return Response(VisitOutput(case.visits.select_related("worker", "reassessment"), many=True).data)

    @extend_schema(tags=TAGS, request=VisitInput, responses={201: VisitOutput, **ERRORS},
                   summary=gettext_lazy("Schedule a follow-up visit"))
    def post(self, request, pk):
        case = selectors.case_open(user=request.user, pk=pk)
        visit = services.visit_schedule(actor=request.user, case=case, **parse(VisitInput, request.data))
        return Response(VisitOutput(visit).data, status=status.HTTP_201_CREATED)


class VisitRecordApi(APIView):
    @extend_schema(tags=TAGS, request=VisitRecordInput, responses={200: VisitOutput, **ERRORS},
                   summary=gettext_lazy("Record that a visit took place"))
    def post(self, request, pk):
        visit = _item(request.user, FollowUpVisit, pk)
        visit = services.visit_record(actor=request.user, visit=visit, **parse(VisitRecordInput, request.data))
        return Response(VisitOutput(visit).data)

