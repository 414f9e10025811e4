from django.urls import path

from . import targeting_views, views

app_name = "scoring"
urlpatterns = [
    path("programmes/<slug:programme>/", views.model_list, name="model_list"),
    path("programmes/<slug:programme>/new/", views.model_create, name="model_create"),
    path("programmes/<slug:programme>/default/", views.model_default_install, name="model_default_install"),
    path("programmes/<slug:programme>/priority/", targeting_views.priority_list, name="priority_list"),
    path("programmes/<slug:programme>/priority/export.<str:fmt>", targeting_views.priority_export,
         name="priority_export"),
    path("programmes/<slug:programme>/quotas/", targeting_views.quotas, name="quotas"),
    path("programmes/<slug:programme>/quotas/export.<str:fmt>", targeting_views.quotas_export, name="quotas_export"),
    path("programmes/<slug:programme>/targeting-errors/", targeting_views.targeting_errors, name="targeting_errors"),
    path("models/<uuid:pk>/", views.model_detail, name="model_detail"),
    path("models/<uuid:pk>/edit/", views.model_edit, name="model_edit"),
    path("models/<uuid:pk>/export.yaml", views.model_export, name="model_export"),
    path("models/<uuid:pk>/rescore/", views.model_rescore, name="model_rescore"),
    path("models/<uuid:pk>/active/", views.model_activate, name="model_activate"),
]
