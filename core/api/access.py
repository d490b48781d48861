"""Who is calling and what they may do: API keys, team sessions, scopes, throttling, page sizes.

Kept apart from core/api/base.py because DRF imports these classes from its settings while
rest_framework.views is still loading.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from core.choices import APIKeyScope
from core.middleware import CACHE_ERRORS
from core.models import APIKey
from core.services import apikey_find, apikey_touch

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50

# --- Authentication ----------------------------------------------------------------------------


class APIKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer tk_…` (or `Api-Key tk_…`). One SHA-256 and one indexed lookup per request."""

    keywords = (b"bearer", b"api-key")

    def authenticate(self, request) -> tuple[Any, APIKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the key as `Authorization: Bearer <key>`.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The API key is not valid.") from None
        key = apikey_find(secret)
        if key is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed("The API key is not valid, has expired or was revoked.")
        apikey_touch(key)
        return key.user, key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = APIKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key `tk_…` created in the admin or with `manage.py createapikey`.",
        }


def api_key(request) -> APIKey | None:
    return request.auth if isinstance(request.auth, APIKey) else None


def is_partner(request) -> bool:
    """Partner keys see published data only; so does anyone who is not on the team."""
    key = api_key(request)
    if key is not None and key.partner_id:
        return True
    return not request.user.has_perm("tracker.view_claim")


# --- Permissions ----------------------------------------------------------------------------------


class TrackerAPIPermission(BasePermission):
    """Reading needs a key or a team account; writing needs a team account or a key with `submit`.

    Partner `submit` keys may only do what a viewset lists in `partner_submit_actions`. A team write
    is refused here when the role lacks the model permission (a clear 403 before If-Match is even
    looked at); the services check again, with the record's state (e.g. published) in view.
    """

    message = "You do not have permission to do this."
    action_verbs = {
        "create": "add",
        "partial_update": "change",
        "update": "change",
        "destroy": "delete",
        "submit": "change",
        "publish": "publish",
        "return_to_draft": "publish",
        "retract": "publish",
    }

    def _team_may(self, request, view) -> bool:
        verb = self.action_verbs.get(getattr(view, "action", None) or "")
        model = getattr(view, "model", None)
        if verb is None or model is None:
            return True
        return request.user.has_perm(f"{model._meta.app_label}.{verb}_{model._meta.model_name}")

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        key = api_key(request)
        if key is not None and key.partner_id:
            if request.method in SAFE_METHODS:
                return True
            return key.scope == APIKeyScope.SUBMIT and view.action in getattr(view, "partner_submit_actions", ())
        if not request.user.has_perm("tracker.view_claim"):
            return False
        if request.method in SAFE_METHODS:
            return True
        if key is not None and key.scope != APIKeyScope.SUBMIT:
            return False
        return self._team_may(request, view)


# --- Throttling -----------------------------------------------------------------------------------


class KeyRateThrottle(SimpleRateThrottle):
    """Requests per key (or per team account) per minute, counted in the shared cache (Redis).

    With the cache down the request is let through with a warning (fails open): the counters guard
    the service's capacity, not who may see what, and refusing every read because Redis restarted
    would turn a cache outage into an API outage (docs/design.md, "When Redis or the database is down").
    """

    scope = "key"

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            logger.warning("API throttling skipped: the cache is unreachable (%s: %s)", type(error).__name__, error)
            return True

    def get_cache_key(self, request, view) -> str | None:
        key = api_key(request)
        if key is not None:
            ident = f"key-{key.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- Pagination -----------------------------------------------------------------------------------


class TrackerCursorPagination(CursorPagination):
    """Cursor pages of `page_size` rows (1 to 100); a size out of range is a 400, not silently clamped."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"

    def get_page_size(self, request) -> int:
        return page_size_from(request, self.page_size_query_param)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(PAGE_SIZE_BOUNDS)
                parameter["description"] = f"Rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."
        return parameters


PAGE_SIZE_BOUNDS = {"minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}


def page_size_from(request, name: str = "page_size") -> int:
    text = request.query_params.get(name)
    if text is None:
        return DEFAULT_PAGE_SIZE
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise exceptions.ValidationError({name: f"Give a number from 1 to {MAX_PAGE_SIZE}."})
    return int(text)


# --- Request bodies -------------------------------------------------------------------------------


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"


# Our deepest body is a claim with citations (3 levels); anything far deeper is an attack on the
# recursive walks (NUL check, serializers) that would otherwise meet a RecursionError.
MAX_JSON_DEPTH = 10


def _depth(value) -> int:
    """How deep lists and objects nest, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _nul_paths(value, path: str = "") -> list[str]:
    """Where NUL characters sit in parsed JSON, as field paths like `citations[0].excerpt`."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            found += [child] if "\x00" in str(key) else _nul_paths(item, child)
        return found
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _nul_paths(item, f"{path}[{index}]")]
    return []


class LimitedJSONParser(JSONParser):
    """JSON bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE bytes, without NUL characters.

    DRF parsers read the stream directly, so Django's own limit (which guards `request.body`) would
    not apply without this. PostgreSQL cannot hold NUL in text, and a NUL in a value used only for a
    lookup (a slug) would reach the driver as a server error: refuse it here, naming each field."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            parsed = super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError:  # Python's json gives up around 1,000 levels, with this, not a ValueError
            raise exceptions.ValidationError({"body": [f"JSON nested deeper than {MAX_JSON_DEPTH} levels."]}) from None
        if _depth(parsed) > MAX_JSON_DEPTH:
            raise exceptions.ValidationError({"body": [f"JSON nested deeper than {MAX_JSON_DEPTH} levels."]})
        bad = _nul_paths(parsed)
        if bad:
            raise exceptions.ValidationError({path: ["NUL characters are not allowed."] for path in bad})
        return parsed
