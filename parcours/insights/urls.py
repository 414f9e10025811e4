from django.urls import path

from . import views, views_publications

app_name = "insights"
urlpatterns: list = [
    # Dashboards and zone reports (parcours/insights/views.py).
    path("", views.dashboard, name="dashboard"),
    path("<slug:slug>/zone/<str:code>/", views.zone, name="zone"),
    path("<slug:slug>/zone/<str:code>/rows/", views.zone_rows, name="zone_rows"),
    path("<slug:slug>/zone/<str:code>/report/", views.report_create, name="report_create"),
    path("<slug:slug>/zone/<str:code>/brief/", views.brief, name="brief"),
    path("reports/<uuid:pk>/", views.report_status, name="report_status"),
    path("reports/<uuid:pk>/<str:fmt>/", views.report_download, name="report_download"),
    # Published diagnostics (parcours/insights/views_publications.py).
    path("published/", views_publications.publications, name="publications"),
    path("<slug:slug>/published/", views_publications.publication_list, name="publication_list"),
    path("<slug:slug>/published/new/", views_publications.publication_new, name="publication_new"),
    path("published/<uuid:pk>/", views_publications.publication_detail, name="publication_detail"),
    path("published/<uuid:pk>/revoke/", views_publications.publication_revoke_view, name="publication_revoke"),
    path("public/<str:token>/", views_publications.publication_public, name="publication_public"),
]
