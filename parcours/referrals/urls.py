from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("new/<uuid:action_pk>/", views.referral_create, name="referral_create"),
    path("outcome/", views.outcome, name="outcome"),
    path("<uuid:pk>/", views.referral_detail, name="referral_detail"),
    path("<uuid:pk>/slip/", views.referral_slip, name="referral_slip"),
    path("<uuid:pk>/<slug:move>/", views.referral_move, name="referral_move"),
]
