from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from core.api.problems import problem_page
from core.api.urls import api_urls

admin.site.site_header = "Fact and position tracker"
admin.site.site_title = "Tracker admin"


def email_configured() -> bool:
    """Password reset mails a link, so it exists only where EMAIL_HOST is set (README, "Configuration")."""
    return bool(settings.EMAIL_HOST)


def needs_email(view):
    """Without email a reset page would promise a mail that never comes: answer 404 instead."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not email_configured():
            raise Http404("Password reset is not available: no email is configured.")
        return view(request, *args, **kwargs)

    return wrapper


# django.contrib.auth.urls, with the reset pages behind `needs_email`. The login page is told whether to
# offer the reset; the template calls `email_configured` on each rendering, so a settings change shows.
account_urls = [
    path(
        "login/",
        auth_views.LoginView.as_view(extra_context={"password_reset_available": email_configured}),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password_reset/", needs_email(auth_views.PasswordResetView.as_view()), name="password_reset"),
    path(
        "password_reset/done/",
        needs_email(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        needs_email(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("reset/done/", needs_email(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
]


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page says. The static URL is looked up per request:
    in production it names the collected, hashed file, which does not exist before collectstatic."""
    return HttpResponsePermanentRedirect(static("tracker/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    # What each problem `type` URI of the API means (core/api/problems.py), outside the versioned API.
    path("api/problems/", problem_page, name="api-problems"),
    path("api/problems/<slug:slug>", problem_page, name="api-problem"),
    path(
        "api/v1/",
        include(
            api_urls("tracker.api.urls", "positions.api.urls", "sources.api.urls", "push.api.urls", "suggest.api.urls")
        ),
    ),
    path("accounts/", include(account_urls)),
    # Public fact-check pages: no login, published work only, 404 unless PUBLIC_PAGES_ENABLED.
    path("public/", include("publishing.urls")),
    # Each app's pages carry their full paths: a page moved between apps keeps its address.
    path("", include("tracker.urls")),
    path("", include("positions.urls")),
    path("", include("suggest.urls")),  # before sources: claims/new/from-article/
    path("", include("sources.urls")),
    path("history/", include("core.urls")),
    path("jobs/", include("core.job_urls")),
    path("", include("push.urls")),
]
