from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Fact and position tracker"
admin.site.site_title = "Tracker admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("tracker.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("positions/", include("positions.urls")),
    path("sources/", include("sources.urls")),
    path("", include("tracker.urls")),
    path("history/", include("tracker.history_urls")),
]
