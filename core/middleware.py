"""Serving through outages: what a request gets when the database or the cache does not answer.

Without the database nothing can be read or written, so a request that meets a lost or refused
connection answers 503 with Retry-After: RFC 9457 problem details under /api/, a plain page elsewhere.
The cache holds only counters and progress (API throttling, job progress); its callers catch
CACHE_ERRORS, log a warning and carry on without it. docs/design.md, "When Redis or the database is
down", says why.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from redis.exceptions import RedisError

from core.api.problems import problem_type

logger = logging.getLogger(__name__)

# What a cache backend raises when its server is down or hangs: redis-py's connection and timeout
# errors, OSError from the file cache (`make run`).
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)

RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 instead of a 500 page.

    OperationalError covers a refused or lost connection (and a lock or statement timeout, which is
    just as worth retrying); InterfaceError a connection already closed under us. The page is rendered
    without a request, so no context processor runs and nothing looks up the user.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("The database is unavailable (%s: %s); answering 503", type(exception).__name__, exception)
        if request.path_info.startswith(API_PREFIX):
            response: HttpResponse = JsonResponse(
                {
                    "type": problem_type("service-unavailable"),
                    "title": "Service unavailable",
                    "status": 503,
                    "detail": f"The database is not answering. Try again in {RETRY_AFTER_SECONDS} seconds.",
                },
                status=503,
                content_type="application/problem+json",
            )
        else:
            response = HttpResponse(render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
