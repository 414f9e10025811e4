"""API addresses of referrals, included under /api/ by parcours.api.urls."""

from django.urls import path

from . import apis

urlpatterns = [
    path("referrals/", apis.ReferralListCreateApi.as_view(), name="referral_list"),
    path("referrals/suggestions/", apis.ReferralSuggestionsApi.as_view(), name="referral_suggestions"),
    path("referrals/<uuid:pk>/", apis.ReferralDetailApi.as_view(), name="referral_detail"),
    *[path(f"referrals/<uuid:pk>/{name.replace('_', '-')}/", apis.move_api(name).as_view(),
           name=f"referral_{name}") for name in apis.states.MOVES],
]
