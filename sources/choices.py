"""Choices of the sources app."""

from django.db import models


class SourceKind(models.TextChoices):
    NEWS_ARTICLE = "news_article", "News article"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    TRANSCRIPT = "transcript", "Transcript"
    SOCIAL_MEDIA_POST = "social_media_post", "Social media post"
    VIDEO_OR_AUDIO = "video_or_audio", "Video or audio"
    DOCUMENT = "document", "Document"


class CitationRelation(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    CONTEXT = "context", "Context"


class SourceHealth(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    OK = "ok", "OK"
    MOVED = "moved", "Moved (redirected)"
    CHANGED = "changed", "Text changed"
    DEGRADED = "degraded", "Degraded (checks failing)"
    DEAD = "dead", "Dead"


class CheckOutcome(models.TextChoices):
    """The fetch outcomes of sources.fetcher.FetchOutcome, plus those decided after it: a redirect to a
    different document, text verified without a fetch, a check given up."""

    OK = "ok", "OK"
    REDIRECTED = "redirected", "Redirected"
    # The address now leads to another document (another article, a section page): nothing is taken
    # from it, neither metadata nor verdicts (sources.checking._same_document).
    REDIRECTED_ELSEWHERE = "redirected_elsewhere", "Redirected to a different document"
    SOFT_404 = "soft_404", "Redirected to the front page"
    GONE = "gone", "Gone (404/410)"
    NOT_FOUND = "not_found", "Refused (other 4xx)"
    ACCESS_DENIED = "access_denied", "Access denied (401/403/451, paywall)"
    RATE_LIMITED = "rate_limited", "Rate limited (429)"
    SERVER_ERROR = "server_error", "Server error"
    TIMEOUT = "timeout", "Timed out"
    DNS_ERROR = "dns_error", "DNS error"
    TLS_ERROR = "tls_error", "TLS error"
    BLOCKED_UNSAFE = "blocked_unsafe", "Blocked: unsafe address"
    BLOCKED_ROBOTS = "blocked_robots", "Blocked by robots.txt"
    TOO_LARGE = "too_large", "Too large"
    UNSUPPORTED_TYPE = "unsupported_type", "Unsupported content type"
    # A source with only pasted text (no address): nothing is fetched. A source with an address and
    # pasted text is fetched like any other; its excerpts fall back to the pasted text (ExcerptText).
    STORED_TEXT = "stored_text", "Verified against the pasted text (no address to fetch)"
    ABANDONED = "abandoned", "Abandoned (the check kept crashing the worker)"


class QuoteStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Not verified yet"
    PRESENT = "present", "Present"
    ALTERED = "altered", "Altered"
    MISSING = "missing", "Missing"
    # The page was fetched but too little of it could be read to say an excerpt is missing (a page
    # drawn by JavaScript): not an alteration, so not in FLAGGED_QUOTE_STATUSES; the check says why.
    UNVERIFIABLE = "unverifiable", "Unverifiable — page could not be read"


FLAGGED_QUOTE_STATUSES = (QuoteStatus.ALTERED, QuoteStatus.MISSING)


class ExcerptText(models.TextChoices):
    """The text one check verified the excerpts against (docs/design.md, "Pasted text and the live page")."""

    LIVE_PAGE = "live_page", "the live page"
    PASTED_TEXT = "pasted_text", "the pasted text"
