"""Background jobs' pages, mounted at /jobs/ by config/urls.py."""

from django.urls import path

from core import job_views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", job_views.job_detail, name="job-detail"),
]
