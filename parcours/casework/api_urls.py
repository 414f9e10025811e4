"""API addresses of casework, included under /api/ by parcours.api.urls."""

from django.urls import path

from . import apis

urlpatterns = [
    path("cases/", apis.CaseListCreateApi.as_view(), name="case_list"),
    path("cases/<uuid:pk>/", apis.CaseDetailApi.as_view(), name="case_detail"),
    path("cases/<uuid:pk>/close/", apis.CaseCloseApi.as_view(), name="case_close"),
    path("cases/<uuid:pk>/reopen/", apis.CaseReopenApi.as_view(), name="case_reopen"),
    path("cases/<uuid:pk>/review/", apis.CaseReviewApi.as_view(), name="case_review"),
    path("cases/<uuid:pk>/break-glass/", apis.CaseBreakGlassApi.as_view(), name="case_break_glass"),
    path("cases/<uuid:pk>/needs/", apis.CaseNeedsApi.as_view(), name="case_needs"),
    path("cases/<uuid:pk>/needs/propose/", apis.CaseProposeNeedsApi.as_view(), name="case_needs_propose"),
    path("cases/<uuid:pk>/goals/", apis.CaseGoalsApi.as_view(), name="case_goals"),
    path("cases/<uuid:pk>/actions/", apis.CaseActionsApi.as_view(), name="case_actions"),
    path("cases/<uuid:pk>/visits/", apis.CaseVisitsApi.as_view(), name="case_visits"),
    path("needs/<uuid:pk>/", apis.NeedDetailApi.as_view(), name="need_detail"),
    path("goals/<uuid:pk>/", apis.GoalDetailApi.as_view(), name="goal_detail"),
    path("actions/", apis.ActionListApi.as_view(), name="action_list"),
    path("actions/<uuid:pk>/", apis.ActionDetailApi.as_view(), name="action_detail"),
    path("actions/<uuid:pk>/status/", apis.ActionStatusApi.as_view(), name="action_status"),
    path("visits/<uuid:pk>/record/", apis.VisitRecordApi.as_view(), name="visit_record"),
]
