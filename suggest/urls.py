"""Suggested claims pages. Mounted at the site root (config/urls.py)."""

from django.urls import path

from suggest import views

app_name = "suggest"

urlpatterns = [
    path("sources/<int:pk>/suggestions/", views.source_suggestions, name="source-suggestions"),
    path("claims/new/from-article/", views.suggest_from_url, name="from-url"),
]
