from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<uuid:pk>/", views.service_detail, name="service_detail"),
    path("services/<uuid:pk>/edit/", views.service_edit, name="service_edit"),
    path("organisations/new/", views.organization_create, name="organization_create"),
    path("organisations/<uuid:pk>/", views.organization_detail, name="organization_detail"),
    path("organisations/<uuid:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("import/", views.directory_import, name="import"),
    path("export/", views.directory_export, name="export"),
]
