from django.urls import path

from . import views

app_name = "territories"
urlpatterns = [
    path("", views.zone_list, name="zone_list"),
    # Before the detail route, so that "import" is never read as a zone code.
    path("import/", views.zone_import, name="zone_import"),
    path("<str:code>/", views.zone_detail, name="zone_detail"),
]
