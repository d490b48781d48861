"""Routes under /api/v1/. Each app's api/urls.py routes its own resources with an `APIRouter`;
`api_urls` puts them together with what is generic (the API root listing them all, the changes
feed, the schema and its docs, a problem for any other URL) in the `api` namespace.

config/urls.py names the apps: `include(api_urls("tracker.api.urls", ...))`.
"""

from __future__ import annotations

from importlib import import_module

from csp.decorators import csp_update
from django.conf import settings
from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.urlpatterns import format_suffix_patterns

from core import registry
from core.api.feed import ChangeFeed
from core.api.problems import problem_type


class APIRouter(DefaultRouter):
    """An app's routes, with `.json` suffixes like DefaultRouter's; `api_urls` adds the one API root."""

    include_root_view = False


def not_found(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse(
        {
            "type": problem_type("not-found"),
            "title": "Not found",
            "status": 404,
            "detail": "No such URL.",
        },
        status=404,
        content_type="application/problem+json",
    )


def api_root_entries(routers: list[DefaultRouter]) -> dict[str, str]:
    """Each routed prefix and its list URL name: the tracked resources in the registry's order, the others after."""
    entries: dict[str, str] = {}
    for router in routers:
        for prefix, _viewset, basename in router.registry:
            entries.setdefault(prefix, router.routes[0].name.format(basename=basename))
    order = [spec.resource for spec in registry.all_tracked()]
    return dict(sorted(entries.items(), key=lambda entry: order.index(entry[0]) if entry[0] in order else len(order)))


def api_urls(*modules: str) -> tuple[list, str]:
    """The /api/v1/ URLconf from the apps' api/urls.py modules (each has `router` and `urlpatterns`)."""
    apps = [import_module(name) for name in modules]
    root = APIRootView.as_view(api_root_dict=api_root_entries([app.router for app in apps]))
    docs = SpectacularSwaggerSplitView.as_view(url_name="api:schema")
    urlpatterns = [
        path("changes/", ChangeFeed.as_view(), name="change-list"),
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        # The split view serves its start-up script as a file, so the page needs no inline script
        # under the Content-Security-Policy; Swagger UI's files come from drf-spectacular-sidecar.
        path("docs/", csp_update(settings.API_DOCS_CSP)(docs), name="docs"),
        *format_suffix_patterns([re_path(r"^$", root, name="api-root")]),
        *(pattern for app in apps for pattern in app.urlpatterns),
        # Anything else under /api/v1/ answers a problem, not Django's HTML page.
        re_path(r"^", csrf_exempt(not_found), name="not-found"),
    ]
    return urlpatterns, "api"
