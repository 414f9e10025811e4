from django.urls import path

from . import import_views

app_name = "submission_imports"
urlpatterns = [
    path("questionnaires/<uuid:pk>/", import_views.submission_import, name="submission_import"),
]
