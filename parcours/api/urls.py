"""Every API address in one place; the views live in each app's apis.py."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from parcours.accounts.apis import MeApi
from parcours.registry import apis as registry
from parcours.territories.apis import ZoneDetailApi, ZoneListApi

from .auth import TokenObtainApi
from .errors import not_found

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's files come from drf-spectacular-sidecar under /static/: no CDN.
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", TokenObtainApi.as_view(), name="token"),
    path("me/", MeApi.as_view(), name="me"),
    path("households/", registry.HouseholdListCreateApi.as_view(), name="household_list"),
    path("households/<uuid:pk>/", registry.HouseholdDetailApi.as_view(), name="household_detail"),
    path("households/<uuid:pk>/persons/", registry.HouseholdPersonCreateApi.as_view(), name="person_create"),
    path("households/<uuid:pk>/consents/", registry.HouseholdConsentListCreateApi.as_view(), name="consent_list"),
    path("households/<uuid:pk>/consents/<uuid:consent_pk>/withdraw/", registry.ConsentWithdrawApi.as_view(),
         name="consent_withdraw"),
    path("persons/", registry.PersonListApi.as_view(), name="person_list"),
    path("persons/<uuid:pk>/", registry.PersonDetailApi.as_view(), name="person_detail"),
    path("zones/", ZoneListApi.as_view(), name="zone_list"),
    path("zones/<str:code>/", ZoneDetailApi.as_view(), name="zone_detail"),
    # Each later app owns its API addresses (api_urls.py); they are mounted here, before the catch-all.
    path("", include("parcours.directory.api_urls")),
    path("", include("parcours.casework.api_urls")),
    path("", include("parcours.referrals.api_urls")),
    path("", include("parcours.insights.api_urls")),
    # Last: any other address ending in a slash answers a JSON 404 (without the slash, Django first redirects).
    re_path(r"^.*/$", not_found),
]
