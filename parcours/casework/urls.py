from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("overdue/", views.overdue, name="overdue"),
    path("team/", views.team, name="team"),
    path("settings/<slug:slug>/", views.programme_settings, name="settings"),
    path("open/<uuid:household_pk>/", views.case_open, name="case_open"),
    path("<uuid:pk>/", views.case_detail, name="case_detail"),
    path("<uuid:pk>/break-glass/", views.break_glass, name="break_glass"),
    path("<uuid:pk>/assign/", views.assign, name="assign"),
    path("<uuid:pk>/restrict/", views.restrict, name="restrict"),
    path("<uuid:pk>/propose/", views.propose, name="propose"),
    path("<uuid:pk>/needs/", views.need_add, name="need_add"),
    path("<uuid:pk>/needs/<uuid:need_pk>/", views.need_confirm, name="need_confirm"),
    path("<uuid:pk>/goals/", views.goal_add, name="goal_add"),
    path("<uuid:pk>/goals/<uuid:goal_pk>/", views.goal_status, name="goal_status"),
    path("<uuid:pk>/actions/", views.action_add, name="action_add"),
    path("<uuid:pk>/actions/<uuid:action_pk>/", views.action_status, name="action_status"),
    path("<uuid:pk>/review/", views.review, name="review"),
    path("<uuid:pk>/visits/", views.visit_add, name="visit_add"),
    path("<uuid:pk>/visits/<uuid:visit_pk>/", views.visit_record, name="visit_record"),
    path("<uuid:pk>/close/", views.close, name="close"),
    path("<uuid:pk>/reopen/", views.reopen, name="reopen"),
]
