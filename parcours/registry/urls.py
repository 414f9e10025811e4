from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("new/", views.household_create, name="household_create"),
    path("member-row/", views.member_row, name="member_row"),
    path("<uuid:pk>/", views.household_detail, name="household_detail"),
    path("<uuid:pk>/edit/", views.household_edit, name="household_edit"),
    path("<uuid:pk>/members/new/", views.person_create, name="person_create"),
    path("<uuid:pk>/members/<uuid:person_pk>/edit/", views.person_edit, name="person_edit"),
    path("<uuid:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("<uuid:pk>/consents/<uuid:consent_pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
