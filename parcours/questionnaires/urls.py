from django.urls import path

from . import views

app_name = "questionnaires"
urlpatterns = [
    path("", views.questionnaire_list, name="questionnaire_list"),
    path("programmes/<slug:programme>/upload/", views.form_upload, name="form_upload"),
    path("programmes/<slug:programme>/quarantine/", views.quarantine_list, name="quarantine_list"),
    path("quarantine/<uuid:pk>/", views.quarantine_correct, name="quarantine_correct"),
    path("<uuid:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("<uuid:pk>/submissions/", views.submission_list, name="submission_list"),
    path("<uuid:pk>/export.csv", views.export_csv, name="export_csv"),
    path("<uuid:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("versions/<uuid:pk>/xlsform/", views.version_xlsform, name="version_xlsform"),
    path("versions/<uuid:pk>/xform/", views.version_xform, name="version_xform"),
    path("versions/<uuid:pk>/media/", views.media_upload, name="media_upload"),
    path("media/<uuid:pk>/", views.media_download, name="media_download"),
    path("submissions/<uuid:pk>/", views.submission_detail, name="submission_detail"),
    path("attachments/<uuid:pk>/", views.attachment_download, name="attachment_download"),
]
