"""A check's outcome in plain words, with what happens next, for the people reading a source's page.

"DNS error (could not resolve 'www.trtworld.com': [Errno -2] Name or service not known)" is what the
fetcher knows; a researcher wants "We could not reach www.trtworld.com (the name did not resolve). We
will try again in 24 hours." The technical error stays on the page beside it, for whoever debugs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.timesince import timeuntil

from sources.choices import CheckOutcome
from sources.models import SourceCheck

_SENTENCES = {
    CheckOutcome.OK: "We read the page.",
    CheckOutcome.REDIRECTED: "The address now leads to {final_url}; we read that page.",
    CheckOutcome.REDIRECTED_ELSEWHERE: "The address now leads to a different document ({final_url}): the page we "
    "cited is probably gone or replaced. Nothing was taken from that page.",
    CheckOutcome.SOFT_404: "The address now leads to the site's front page: the article has probably been removed.",
    CheckOutcome.GONE: "{host} says the page no longer exists (HTTP {status}).",
    CheckOutcome.NOT_FOUND: "{host} refused to serve the page (HTTP {status}).",
    CheckOutcome.ACCESS_DENIED: "{host} would not let us read the page (HTTP {status}: a login, a paywall or a block).",
    CheckOutcome.RATE_LIMITED: "{host} asked us to slow down (HTTP 429).",
    CheckOutcome.SERVER_ERROR: "{host} had a fault of its own (HTTP {status}).",
    CheckOutcome.TIMEOUT: "{host} did not answer in time.",
    CheckOutcome.DNS_ERROR: "We could not reach {host} (the name did not resolve).",
    CheckOutcome.TLS_ERROR: "We could not open a secure connection to {host} (certificate or TLS error).",
    CheckOutcome.BLOCKED_UNSAFE: "The address points into a private or local network; we never fetch those.",
    CheckOutcome.BLOCKED_ROBOTS: "{host}'s robots.txt asks robots not to read this page, so we did not.",
    CheckOutcome.TOO_LARGE: "The page is larger than we are willing to read.",
    CheckOutcome.UNSUPPORTED_TYPE: "The address serves {content_type}, not a page we can read for text.",
    CheckOutcome.STORED_TEXT: "We checked the excerpts against the pasted text (there is no address to fetch).",
    CheckOutcome.ABANDONED: "The check kept failing inside our worker and was given up.",
}
_FAILURES = {
    CheckOutcome.REDIRECTED_ELSEWHERE,
    CheckOutcome.SOFT_404,
    CheckOutcome.GONE,
    CheckOutcome.NOT_FOUND,
    CheckOutcome.ACCESS_DENIED,
    CheckOutcome.RATE_LIMITED,
    CheckOutcome.SERVER_ERROR,
    CheckOutcome.TIMEOUT,
    CheckOutcome.DNS_ERROR,
    CheckOutcome.TLS_ERROR,
    CheckOutcome.ABANDONED,
}


def in_words(check: SourceCheck) -> str:
    """What the check found, in a sentence."""
    host = urlsplit(check.final_url or check.url).hostname or "the site"
    return _SENTENCES.get(check.outcome, check.get_outcome_display() + ".").format(
        host=host,
        status=check.http_status or "no status",
        final_url=check.final_url or "another address",
        content_type=check.content_type or "a kind of file",
    )


def next_step(check: SourceCheck, *, now: datetime.datetime | None = None) -> str:
    """When the next check runs, said as a promise for a failure ("We will try again in 1 day")."""
    now = now or timezone.now()
    if check.next_check_at is None:
        return "" if check.outcome == CheckOutcome.STORED_TEXT else "No further check is planned."
    when = "in a moment" if check.next_check_at <= now else f"in {timeuntil(check.next_check_at, now)}"
    if check.outcome in _FAILURES:
        return f"We will try again {when}."
    return f"The next check is {when}."


@dataclass
class CheckRun:
    """Consecutive checks with the same result, shown as one row ("×4, 12:00 to 12:05")."""

    latest: SourceCheck
    count: int = 1
    first_at: datetime.datetime | None = None
    words: str = ""
    next: str = ""


def check_runs(checks: list[SourceCheck], *, now: datetime.datetime | None = None) -> list[CheckRun]:
    """Newest first, like `checks`; repeats of one outcome folded into the newest of them."""
    runs: list[CheckRun] = []
    for check in checks:
        last = runs[-1] if runs else None
        if last is not None and _same_result(check, last.latest) and not check.text_changed:
            last.count += 1
            last.first_at = check.finished_at
            continue
        runs.append(CheckRun(latest=check, first_at=check.finished_at, words=in_words(check)))
    if runs:
        runs[0].next = next_step(runs[0].latest, now=now)
    return runs


def _same_result(one: SourceCheck, other: SourceCheck) -> bool:
    fields = ("outcome", "http_status", "error", "final_url", "text_changed", "excerpts_checked_against")
    return all(getattr(one, name) == getattr(other, name) for name in fields)
