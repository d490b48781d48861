"""The audit-history pages, mounted at /history/ by config/urls.py."""

from django.urls import path, re_path

from core import views

app_name = "history"

urlpatterns = [
    path("", views.recent_changes, name="recent"),
    path("patrol/", views.patrol, name="patrol"),
    re_path(r"^export\.(?P<fmt>csv|json)$", views.export, name="export"),
    path("<str:model>/<int:pk>/", views.object_history, name="object"),
    path("<str:model>/<int:pk>/compare/", views.compare, name="compare"),
    path("<str:model>/<int:pk>/version/<int:history_id>/", views.version, name="version"),
    path("<str:model>/<int:pk>/revert/", views.revert, name="revert"),
    path("<str:model>/<int:pk>/undo/<int:history_id>/", views.undo, name="undo"),
]
