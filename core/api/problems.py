"""The kinds of problem the API answers (RFC 9457), each with a `type` URI under the site's own address
(`{SITE_URL}/api/problems/<slug>`) that serves a page saying what it means and what to do.

The URIs are identifiers a client may compare; the pages are for the person reading a log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Problem:
    slug: str
    status: int
    title: str
    description: str


PROBLEMS = [
    Problem(
        "invalid-request",
        400,
        "Invalid request",
        "A field or query parameter is missing or wrong. `errors` lists each one as `{field, message}`; "
        "nothing was changed.",
    ),
    Problem(
        "authentication-required",
        401,
        "Authentication required",
        "Send `Authorization: Bearer <key>` with a key the team gave you; a revoked or expired key counts as none.",
    ),
    Problem("forbidden", 403, "Forbidden", "Your key or role may not do this (a `read` key writes nothing)."),
    Problem(
        "not-found",
        404,
        "Not found",
        "No such URL, or no record you may see there: partners see published work and what it references only.",
    ),
    Problem("method-not-allowed", 405, "Method not allowed", "This URL does not take that HTTP method."),
    Problem("not-acceptable", 406, "Not acceptable", "The API cannot answer in the media type your Accept names."),
    Problem(
        "feed-cursor-ahead",
        409,
        "Feed cursor ahead of the feed",
        "The `after` cursor you sent is beyond the last event of the changes feed. This happens when the "
        "tracker was restored from a backup taken before your last poll: events you applied may no longer "
        "exist. `last_seq` gives the feed's last event now. Rebuild your mirror: replay the feed from empty "
        "(no `after`) or load a fresh dump, then poll from its cursor.",
    ),
    Problem(
        "precondition-failed",
        412,
        "Precondition failed",
        "The record (or what it shows) changed since you read it, so your change was not applied. The answer "
        "carries the current `ETag` header and `current_version`: read the record again, reapply your change, "
        "and send the new ETag in `If-Match`.",
    ),
    Problem(
        "request-too-large",
        413,
        "Request body too large",
        "The body is larger than the limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 2 MiB by default).",
    ),
    Problem("unsupported-media-type", 415, "Unsupported media type", "Send the body as `application/json`."),
    Problem(
        "precondition-required",
        428,
        "Precondition required",
        "Updates, deletes and workflow actions need `If-Match` with the ETag of a GET of the record, so no "
        "one's change is overwritten unseen.",
    ),
    Problem(
        "too-many-requests",
        429,
        "Too many requests",
        "Your key made more requests than API_THROTTLE_RATE allows; wait the seconds `Retry-After` gives.",
    ),
    Problem(
        "service-unavailable",
        503,
        "Service unavailable",
        "The database is not answering (a restart or maintenance); try again after `Retry-After` seconds.",
    ),
    Problem("error", 0, "Error", "An error without a more specific kind; `detail` says what happened."),
]
BY_SLUG = {problem.slug: problem for problem in PROBLEMS}
BY_STATUS = {problem.status: problem for problem in PROBLEMS if problem.slug != "feed-cursor-ahead"}


def problem_type(slug: str) -> str:
    """The `type` URI of a kind of problem, on the site's public address (SITE_URL)."""
    return f"{settings.SITE_URL}/api/problems/{slug}"


def problem_for_status(status: int) -> Problem:
    return BY_STATUS.get(status, BY_SLUG["error"])


def problem_page(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """`/api/problems/<slug>`: what one kind of problem means; `/api/problems/` lists them all."""
    if slug is None:
        return render(request, "api/problems.html", {"problems": PROBLEMS})
    problem = BY_SLUG.get(slug)
    if problem is None:
        raise Http404("No such kind of problem.")
    return render(request, "api/problems.html", {"problems": [problem], "problem": problem})
