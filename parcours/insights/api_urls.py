"""API addresses of insights, included under /api/ by parcours.api.urls."""

from django.urls import path

from . import apis

urlpatterns: list = [
    path("diagnostics/figures/", apis.ZoneFiguresApi.as_view(), name="api-diagnostics-figures"),
    path("diagnostics/publications/", apis.PublicationListApi.as_view(), name="api-diagnostics-publications"),
    path("diagnostics/publications/<uuid:pk>/", apis.PublicationDetailApi.as_view(),
         name="api-diagnostics-publication"),
    path("diagnostics/publications/<uuid:pk>/revoke/", apis.PublicationRevokeApi.as_view(),
         name="api-diagnostics-revoke"),
]
