from django.urls import path

from . import views

app_name = "insights"
urlpatterns: list = [
    # Dashboards and zone reports (parcours/insights/views.py).
    path("", views.dashboard, name="dashboard"),
    path("<slug:slug>/zones/<str:code>/", views.zone, name="zone"),
    path("<slug:slug>/zones/<str:code>/rows/", views.zone_rows, name="zone_rows"),
    path("<slug:slug>/zones/<str:code>/report/", views.report_create, name="report_create"),
    path("<slug:slug>/zones/<str:code>/brief/", views.brief, name="brief"),
    path("reports/<uuid:pk>/", views.report_status, name="report_status"),
    path("reports/<uuid:pk>/<str:fmt>/", views.report_download, name="report_download"),
]
