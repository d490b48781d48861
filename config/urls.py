from django.contrib import admin
from django.urls import include, path

from core.api.urls import api_urls

admin.site.site_header = "Fact and position tracker"
admin.site.site_title = "Tracker admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls("tracker.api.urls", "positions.api.urls", "sources.api.urls"))),
    path("accounts/", include("django.contrib.auth.urls")),
    # Each app's pages carry their full paths: a page moved between apps keeps its address.
    path("", include("tracker.urls")),
    path("", include("positions.urls")),
    path("", include("sources.urls")),
    path("history/", include("core.urls")),
    path("jobs/", include("core.job_urls")),
]
