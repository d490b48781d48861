"""The push app's pages (config/urls.py includes them at the root)."""

from django.urls import path

from push import views

app_name = "push"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("watchlist/follow/", views.follow, name="follow"),
    path("watchlist/unfollow/", views.unfollow, name="unfollow"),
]
