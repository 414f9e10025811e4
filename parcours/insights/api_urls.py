"""API addresses of insights, included under /api/ by parcours.api.urls."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
