"""Mounted at ``fill/``: filling a programme's questionnaire in the browser (ODK Web Forms)."""

from django.urls import path

from . import web_views

app_name = "web_forms"

urlpatterns = [
    path("<slug:programme_slug>/<str:form_id>/", web_views.fill, name="fill"),
    path("<slug:programme_slug>/<str:form_id>/form.xml", web_views.form_xml, name="form_xml"),
    path("<slug:programme_slug>/<str:form_id>/media/<str:filename>", web_views.media, name="media"),
    path("<slug:programme_slug>/<str:form_id>/submit", web_views.submit, name="submit"),
    # An existing submission opened again as an edit (?edit=<pk> on the form page).
    path("<slug:programme_slug>/<str:form_id>/submissions/<uuid:pk>/instance.xml", web_views.instance,
         name="instance"),
    path("<slug:programme_slug>/<str:form_id>/submissions/<uuid:pk>/attachments/<str:name>", web_views.attachment,
         name="attachment"),
]
