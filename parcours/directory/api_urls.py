"""API addresses of directory, included under /api/ by parcours.api.urls."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
