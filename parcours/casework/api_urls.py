"""API addresses of casework, included under /api/ by parcours.api.urls."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
