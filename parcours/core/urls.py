from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<uuid:pk>/", views.job_detail, name="job_detail"),
    path("<uuid:pk>/progress/", views.job_progress, name="job_progress"),
    path("<uuid:pk>/problems.csv", views.job_problems_csv, name="job_problems_csv"),
]
