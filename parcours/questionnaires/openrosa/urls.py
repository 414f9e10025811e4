"""Mounted at ``collect/<programme_slug>/``: the programme's server URL for ODK Collect is that prefix."""

from django.urls import path

from . import views

app_name = "openrosa"

urlpatterns = [
    path("formList", views.form_list, name="form_list"),
    path("forms/<str:form_id>/<str:version>/form.xml", views.form_download, name="form_download"),
    path("forms/<str:form_id>/<str:version>/manifest", views.form_manifest, name="form_manifest"),
    path("forms/<str:form_id>/<str:version>/media/<str:filename>", views.form_media, name="form_media"),
    path("submission", views.submission, name="submission"),
]
