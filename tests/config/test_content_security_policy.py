"""Every response carries the Content-Security-Policy: pages, the admin, the API and its docs.

tests/browser/test_csp.py checks in Chromium that the pages work under it."""

import pytest
from django.urls import reverse

from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def test_pages_the_admin_and_the_api_carry_the_policy(client, editor, partner_reader):
    client.force_login(editor)
    responses = {
        "dashboard": client.get(reverse("tracker:dashboard")),
        "login": client.get(reverse("login")),
        "admin": client.get(reverse("admin:index")),
        "api": client_for(partner_reader).get("/api/v1/claims/"),
        "api error": client_for(None).get("/api/v1/claims/"),
    }

    assert {name: r.status_code for name, r in responses.items()} == {
        "dashboard": 200,
        "login": 200,
        "admin": 200,
        "api": 200,
        "api error": 401,
    }
    assert {name: directives(r) for name, r in responses.items()} == dict.fromkeys(responses, POLICY)


def test_the_api_docs_serve_swagger_ui_from_this_site_and_need_no_inline_script(client):
    page = client.get(reverse("api:docs"))
    script = client.get(reverse("api:docs") + "?script=")

    assert page.status_code == 200
    assert directives(page) == {**POLICY, "img-src": ["'self'", "data:"]}  # no CDN anywhere
    html = page.content.decode()
    assert '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">' in html
    assert "cdn.jsdelivr.net" not in html
    assert '<script src="/api/v1/docs/?script="></script>' in html
    assert "<script>" not in html  # no inline script
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/v1/schema/"' in script.content.decode()
