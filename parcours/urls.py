from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("parcours.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("households/", include("parcours.registry.urls")),
    path("zones/", include("parcours.territories.urls")),
    path("jobs/", include("parcours.core.urls")),
    path("scoring/", include("parcours.scoring.urls")),
    path("questionnaires/", include("parcours.questionnaires.urls")),
    path("imports/", include("parcours.questionnaires.import_urls")),
    path("directory/", include("parcours.directory.urls")),
    path("cases/", include("parcours.casework.urls")),
    path("referrals/", include("parcours.referrals.urls")),
    path("diagnostics/", include("parcours.insights.urls")),
    path("api/", include("parcours.api.urls")),
    path("collect/<slug:programme_slug>/", include("parcours.questionnaires.openrosa.urls")),
    path("fill/", include("parcours.questionnaires.web_urls")),
    path("programmes/<slug:programme_slug>/devices/", include("parcours.questionnaires.devices")),
    path("admin/", admin.site.urls),
]
