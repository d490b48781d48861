"""Checking a source: is the page still there, did its text change, are the cited excerpts still in it.

`source_check()` is the one entry point (Celery task, `checksources` command, admin "Check now"):

1. A source with pasted text and no URL is verified against its pasted text; nothing is fetched.
2. A source with a URL is fetched with the safe fetcher, politely (`sources.politeness`): robots.txt,
   a minimum interval per host shared through Redis, Retry-After. A busy host raises `HostBusy`
   after a short inline wait so the task can retry later without holding a worker.
3. The network part runs outside any transaction; everything it concludes is written in one
   transaction with the source row locked: one append-only `SourceCheck`, a `SourceSnapshot` when the
   main text changed materially, one `CitationCheck` per citation, the citations' latest status,
   empty metadata fields filled through `source_update()` (history under the system user, with a
   reason) and the source's health and next check. A source with a URL and pasted text stays
   monitored like any other; its excerpts are verified against the live page when it can be read and
   against the pasted text when it cannot (`_excerpt_text`; docs/design.md).
4. A check that carries a task id is idempotent: a redelivered task finds its `SourceCheck` and stops.
5. What is due is in the database: `source_check_request()` marks a source due in the transaction of
   the edit or "Check now" that asks for it; the check that answers the request clears it.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string
from rapidfuzz import fuzz

from core.feed import feed_touch
from core.history import get_system_user, save_bookkeeping, save_bookkeeping_many
from core.prepared import Prepared
from sources import content
from sources.choices import CheckOutcome, ExcerptText, SourceHealth
from sources.fetcher import FetchOutcome, FetchPolicy, FetchResult, policy_from_settings
from sources.models import (
    CHECK_BOOKKEEPING_FIELDS,
    QUOTE_BOOKKEEPING_FIELDS,
    Citation,
    CitationCheck,
    Source,
    SourceCheck,
    SourceCheckDelivery,
    SourceSnapshot,
)
from sources.politeness import HostBusy, HostThrottle, RobotsCache, backoff_seconds, polite_fetch, robots_fetcher
from sources.services import source_update
from sources.signals import citation_checks_recorded

logger = logging.getLogger(__name__)

# Failures that count towards "dead": the page or the site is not answering with the document.
# access_denied (and a paywall) means the page is there but closed to us: never dead. Neither are
# outcomes caused by our own rules (robots.txt, unsafe address, size, type) or by load (429).
DEATH_FAILURES = frozenset(
    {
        CheckOutcome.GONE,
        CheckOutcome.SOFT_404,
        CheckOutcome.REDIRECTED_ELSEWHERE,
        CheckOutcome.NOT_FOUND,
        CheckOutcome.SERVER_ERROR,
        CheckOutcome.TIMEOUT,
        CheckOutcome.DNS_ERROR,
        CheckOutcome.TLS_ERROR,
    }
)
SUCCESSES = frozenset({CheckOutcome.OK, CheckOutcome.REDIRECTED, CheckOutcome.STORED_TEXT})
# Source fields metadata may fill, and the metadata attribute each comes from.
METADATA_FIELDS = {"title": "title", "publisher": "publisher", "author": "author", "language": "language"}
METADATA_REASON = "Filled empty fields from the page's metadata (automatic source check)"


def _now() -> datetime.datetime:
    """The clock of checks (tests move it to spread failures over days)."""
    return timezone.now()


# --- Fetching ----------------------------------------------------------------------------------


class _LocalStore:
    """The few Redis commands RobotsCache uses, in process memory (no REDIS_URL: `make run`)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> str | None:
        with self._lock:
            value, expires = self._data.get(name, (None, 0.0))
            return value if expires > time.monotonic() else None

    def set(self, name: str, value: str, ex: int | None = None) -> None:
        with self._lock:
            self._data[name] = (value, time.monotonic() + (ex if ex is not None else 10**9))


class LocalHostThrottle:
    """HostThrottle's interface for one process, for when there is no Redis to share it through."""

    def __init__(self, min_interval_seconds: float) -> None:
        self.min_interval_seconds = min_interval_seconds
        self._free_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def acquire(self, host: str) -> float:
        with self._lock:
            now = time.monotonic()
            free_at = self._free_at.get(host, 0.0)
            if free_at > now:
                return free_at - now
            self._free_at[host] = now + self.min_interval_seconds
            return 0.0

    def wait_time(self, host: str) -> float:
        with self._lock:
            return max(0.0, self._free_at.get(host, 0.0) - time.monotonic())

    def block_for(self, host: str, seconds: float) -> float:
        with self._lock:
            free_at = max(self._free_at.get(host, 0.0), time.monotonic() + seconds)
            self._free_at[host] = free_at
            return free_at - time.monotonic()


@dataclasses.dataclass(frozen=True)
class Fetching:
    """What every fetch of a source check shares in one process."""

    policy: FetchPolicy
    throttle: Any
    robots: RobotsCache


@functools.cache
def fetching() -> Fetching:
    """Policy, host throttle and robots cache from settings (rebuilt when tests change settings)."""
    overrides: dict[str, Any] = {"allowed_ports": frozenset(settings.FETCH_ALLOWED_PORTS)}
    if settings.FETCH_RESOLVER:
        overrides["resolver"] = import_string(settings.FETCH_RESOLVER)
    policy = policy_from_settings(**overrides)
    prefix = settings.FETCH_REDIS_KEY_PREFIX
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
        throttle: Any = HostThrottle(client, settings.FETCH_HOST_MIN_INTERVAL_SECONDS, key_prefix=prefix)
        store: Any = client
    else:
        throttle = LocalHostThrottle(settings.FETCH_HOST_MIN_INTERVAL_SECONDS)
        store = _LocalStore()
    robots = RobotsCache(store, robots_fetcher(policy), policy.user_agent, key_prefix=prefix)
    return Fetching(policy=policy, throttle=throttle, robots=robots)


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("FETCH_") or setting == "REDIS_URL":
        fetching.cache_clear()


def fetch_page(
    url: str, *, accepted_types: tuple[str, ...] | None = None, sleep: Callable[[float], None] = time.sleep
) -> FetchResult:
    """Fetch politely; wait inline for a host that frees up soon, raise HostBusy otherwise.

    The first fetch of a host takes its slot for robots.txt, so the page itself usually waits one
    interval: short waits are cheaper here than a round trip through the broker.
    """
    tools = fetching()
    policy = (
        tools.policy if accepted_types is None else dataclasses.replace(tools.policy, accepted_types=accepted_types)
    )
    deadline = time.monotonic() + settings.FETCH_HOST_WAIT_INLINE_SECONDS
    while True:
        try:
            return polite_fetch(url, policy=policy, throttle=tools.throttle, robots=tools.robots)
        except HostBusy as busy:
            if time.monotonic() + busy.retry_in_seconds > deadline:
                raise
            sleep(busy.retry_in_seconds)


# --- The check ---------------------------------------------------------------------------------


# --- Archive (optional) -------------------------------------------------------------------------

ARCHIVE_TYPES = ("application/json", "text/plain")


def archive_lookup(url: str, *, around: datetime.date | None) -> tuple[str, datetime.datetime | None] | None:
    """The Wayback Machine capture closest to `around` (or the latest): (capture URL, when), or None.

    Goes through the same safe, polite fetcher as every other request. A busy archive host is not a
    reason to retry the whole check: the look-up is skipped and tried again at the next failure.
    """
    query = {"url": url}
    if around is not None:
        query["timestamp"] = around.strftime("%Y%m%d")
    try:
        result = fetch_page(f"{settings.SOURCE_CHECK_ARCHIVE_API}?{urlencode(query)}", accepted_types=ARCHIVE_TYPES)
    except HostBusy:
        return None
    if not result.ok:
        return None
    try:
        closest = json.loads(result.body)["archived_snapshots"]["closest"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(closest, dict) or not closest.get("available") or not closest.get("url"):
        return None
    archive_url = str(closest["url"])
    if not archive_url.startswith(("http://", "https://")) or len(archive_url) > 2000:
        return None
    try:
        captured = datetime.datetime.strptime(str(closest.get("timestamp", "")), "%Y%m%d%H%M%S").replace(
            tzinfo=datetime.UTC
        )
    except ValueError:
        captured = None
    return archive_url, captured


@dataclasses.dataclass
class _Observation:
    """What the network part of a check saw, before anything is written."""

    started_at: datetime.datetime
    outcome: str
    url: str = ""
    result: FetchResult | None = None
    text: str | None = None  # main text, when there is one to verify excerpts against
    reading: content.PageReading | None = None  # of an HTML page: the fuller text and whether it was readable
    fingerprint: str = ""
    snapshot_id: int | None = None  # the snapshot whose text is `text`, character for character, when known
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    error: str = ""
    archive: tuple[str, datetime.datetime | None] | None = None


def _observe_stored(source: Source, *, started_at: datetime.datetime) -> _Observation:
    text = source.stored_text
    return _Observation(
        started_at=started_at,
        outcome=CheckOutcome.STORED_TEXT,
        url=source.url,
        text=text,
        fingerprint=content.fingerprint(text),
    )


def _observe(source: Source) -> _Observation:
    started_at = _now()
    if not source.url:
        return _observe_stored(source, started_at=started_at)
    result = fetch_page(source.url)
    observation = _Observation(
        started_at=started_at, outcome=str(result.outcome), url=source.url, result=result, error=result.error
    )
    if not result.ok:
        if settings.SOURCE_CHECK_ARCHIVE_LOOKUP and observation.outcome in DEATH_FAILURES | {
            CheckOutcome.ACCESS_DENIED
        }:
            observation.archive = archive_lookup(source.url, around=source.published_on)
        return observation
    mime = (result.content_type or "").split(";")[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml"):
        known = _known_text(source, result.final_url)
        observation.reading = content.read_page(result.text, url=result.final_url, known=known)
        observation.text = observation.reading.main
        if observation.reading.reused:  # the latest snapshot's text, so its fingerprint
            observation.fingerprint = source.latest_snapshot_fingerprint
            observation.snapshot_id = source.latest_snapshot_id
        if _fillable_fields(source):  # a source with every field filled has nothing to take from it
            observation.metadata = _metadata_dict(content.extract_metadata(result.text, url=result.final_url))
    elif mime == "text/plain":
        observation.text = result.text
    elif mime == "application/pdf":
        observation.reading = content.read_pdf(result.body)
        observation.text = observation.reading.main
    if observation.outcome == CheckOutcome.REDIRECTED and observation.text and not _same_document(source, observation):
        observation.outcome = CheckOutcome.REDIRECTED_ELSEWHERE
        observation.metadata, observation.reading = {}, None
        observation.error = (
            f"The address now leads to a different document ({result.final_url}); nothing taken from it."
        )
        return observation
    if observation.text is not None and (observation.text.strip() or mime != "application/pdf"):
        if not observation.fingerprint:
            observation.fingerprint, observation.snapshot_id = _fingerprint(source, observation.text)
        if not observation.text.strip():
            observation.error = "The page has no readable text; excerpts not verified."
        elif observation.reading is not None and not observation.reading.confident:
            observation.error = observation.reading.reason
    else:
        # No text (a PDF that could not be opened, or a type we do not read): a hash of the bytes still
        # tells us whether the file changed.
        observation.fingerprint = hashlib.sha256(result.body).hexdigest()
        observation.error = (
            observation.reading.reason
            if observation.reading is not None and observation.reading.reason
            else "No text extracted from this content type; excerpts not verified."
        )
        observation.text, observation.reading = None, None
    return observation


def _fillable_fields(source: Source) -> list[str]:
    """The source's empty fields a page's metadata may fill."""
    empty = [name for name in METADATA_FIELDS if not getattr(source, name)]
    return empty + (["published_on"] if source.published_on is None else [])


def _with_latest_snapshot(sources: QuerySet[Source], *, text: bool = False) -> QuerySet[Source]:
    """Sources with their latest snapshot's id and fingerprint (and text) in the same statement:
    `latest_snapshot_id`, `latest_snapshot_fingerprint`, `latest_snapshot_text` (None without one)."""
    latest = SourceSnapshot.objects.filter(source=OuterRef("pk")).order_by("-created_at", "-id")
    fields = {"latest_snapshot_id": "pk", "latest_snapshot_fingerprint": "fingerprint"}
    if text:
        fields["latest_snapshot_text"] = "text"
    return sources.annotate(**{name: Subquery(latest.values(field)[:1]) for name, field in fields.items()})


# Run for every check of every source: compiled once (core.prepared; compiling took ten times longer
# than running them).
_SOURCE_TO_CHECK = Prepared(lambda pk: _with_latest_snapshot(Source.objects.filter(pk=pk), text=True))
_SOURCE_TO_RECORD = Prepared(lambda pk: _with_latest_snapshot(Source.objects.select_for_update().filter(pk=pk)))
_CITATIONS_TO_VERIFY = Prepared(
    lambda source_id: (
        Citation.objects.filter(source_id=source_id)
        .order_by("pk")
        .only("pk", "claim_id", "excerpt", *QUOTE_BOOKKEEPING_FIELDS)
    )
)


def _fingerprint(source: Source, text: str) -> tuple[str, int | None]:
    """The fingerprint of `text`; the latest snapshot's, without computing it, when the text is that one
    (and then that snapshot's id).

    An unchanged article extracts to the same main text check after check: comparing it with the
    snapshot's text (read with the source) costs far less than the stable form the fingerprint hashes.
    """
    if source.latest_snapshot_id is not None and source.latest_snapshot_text == text:
        return source.latest_snapshot_fingerprint, source.latest_snapshot_id
    return content.fingerprint(text), None


#: A main text reused because its article's markup is unchanged (`_known_text`) is extracted afresh
#: when it is older than this: a change that would reach the text without showing in that markup (an
#: extractor that now reads a paragraph outside the article) is then seen within a week.
EXTRACTION_MEMO_MAX_AGE = datetime.timedelta(days=7)


def _known_text(source: Source, url: str) -> content.KnownText | None:
    """The latest snapshot's text and where on the page it was read from, if a page at `url` with the
    same markup there may reuse it (`Source.extraction_memo`; sources.content.container). `source`
    comes with its latest snapshot (`_with_latest_snapshot`)."""
    memo = source.extraction_memo or {}
    if memo.get("version") != content.EXTRACTOR_VERSION or memo.get("url") != url:
        return None
    try:
        since = datetime.date.fromisoformat(memo["since"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.localdate() - since >= EXTRACTION_MEMO_MAX_AGE:
        return None
    if source.latest_snapshot_id is None or memo.get("snapshot") != source.latest_snapshot_id:
        return None
    return content.KnownText(source.latest_snapshot_text, memo["path"], memo["digest"])


def _extraction_memo(source: Source, observation: _Observation, snapshot: SourceSnapshot | None) -> dict[str, Any]:
    """What `_known_text` reads at the next check: set when the snapshot's text is this page's main
    text character for character and the article it came from was placed; else nothing."""
    reading = observation.reading
    if reading is None or not reading.path or snapshot is None or snapshot.pk != observation.snapshot_id:
        return {}
    since = (source.extraction_memo or {}).get("since") if reading.reused else None
    return {
        "version": content.EXTRACTOR_VERSION,
        "url": observation.result.final_url if observation.result else observation.url,
        "snapshot": snapshot.pk,
        "path": reading.path,
        "digest": reading.digest,
        "since": since or timezone.localdate().isoformat(),
    }


SAME_DOCUMENT_SIMILARITY = 60  # rapidfuzz token_set_ratio between the last snapshot and the page now


def _same_document(source: Source, observation: _Observation) -> bool:
    """After a redirect, whether the page we reached is still the document we cited.

    Evidence, strongest first: the text of our last snapshot (a moved article keeps most of its words);
    the excerpts cited from it (one found is enough); with neither, only the address itself: the same
    host and path up to the scheme, "www." and a trailing slash (http→https, a canonical slash). An
    article redirected to another article or to a section page fails all three.
    """
    text = observation.text or ""
    previous = source.latest_snapshot_text
    if previous:
        return fuzz.token_set_ratio(content.stable_text(previous)[:20_000], content.stable_text(text)[:20_000]) >= (
            SAME_DOCUMENT_SIMILARITY
        )
    excerpts = list(source.citations.values_list("excerpt", flat=True)[:20])
    if excerpts:
        return any(content.verify_excerpt(excerpt, text).found for excerpt in excerpts)
    final = observation.result.final_url if observation.result else ""
    return _address_key(final) == _address_key(source.url)


def _address_key(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return host, parts.path.rstrip("/") + ("?" + parts.query if parts.query else "")


def _metadata_dict(metadata: Any) -> dict[str, Any]:
    if metadata is None:
        return {}
    values = dataclasses.asdict(metadata) if dataclasses.is_dataclass(metadata) else dict(metadata)
    return {
        key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in values.items() if value
    }


def source_check(*, source_id: int, task_id: str | None = None) -> SourceCheck | None:
    """Check one source now and record the result; None when the source is gone or has nothing to check.

    With `task_id`, a second call for the same task returns the first call's row and fetches nothing.
    Raises HostBusy when the page's host cannot be contacted soon (the caller retries later).
    """
    if task_id:
        done = SourceCheck.objects.filter(task_id=task_id).first()
        if done is not None:
            return done
    source = next(iter(_SOURCE_TO_CHECK.rows(source_id)), None)
    if source is None or not (source.url or source.stored_text.strip()):
        return None
    observation = _observe(source)
    try:
        return _record(source_id=source_id, task_id=task_id, observation=observation)
    except IntegrityError:
        # Another delivery of the same task recorded it between our first look and now.
        done = SourceCheck.objects.filter(task_id=task_id).first() if task_id else None
        if done is None:
            raise
        return done


@dataclasses.dataclass(frozen=True)
class DueMark:
    """What `source_check_request()` wrote: due since `requested_at`; `folded` when a check already
    queued for the source takes the request (its due time was pushed back by the burst window)."""

    requested_at: datetime.datetime
    folded: bool


def source_check_request(*, source_id: int, burst: datetime.timedelta) -> DueMark | None:
    """Mark a source due, in the caller's transaction; None when the source has nothing to check.

    The database, not the broker, says which sources need a check: the dispatcher picks up every due
    source, so a check whose broker message is lost (Redis down) is delayed, never dropped. Written in
    the transaction of the edit that asked for it, so the request commits or rolls back with the edit.
    When a check is queued already (asked for, and booked past now by its nudge) the request folds into
    it: the queued check reads the citations under the source's row lock when it records its verdicts,
    so it sees this edit; if it had started fetching, the request stays pending and the source comes due
    again after `burst`, for the dispatcher. One UPDATE either way (it runs for every new citation).
    Bookkeeping: no history row (the edit that asked has its own).
    """
    now = _now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {Source._meta.db_table}
                SET next_check_at = CASE WHEN check_requested_at IS NOT NULL AND next_check_at > %s
                                         THEN %s ELSE %s END,
                    check_requested_at = %s
                WHERE id = %s AND (url <> '' OR stored_text <> '')
                RETURNING next_check_at <> check_requested_at""",  # noqa: S608 - the table name is ours
            [adapt(now), adapt(now + burst), adapt(now), adapt(now), source_id],
        )
        row = cursor.fetchone()
    return None if row is None else DueMark(requested_at=now, folded=bool(row[0]))


def source_check_abandon(*, source_id: int, task_id: str | None, reason: str) -> SourceCheck | None:
    """Record that a check was given up (it kept killing its worker); the source is scheduled as usual."""
    if task_id and (done := SourceCheck.objects.filter(task_id=task_id).first()):
        return done
    if not Source.objects.filter(pk=source_id).exists():
        return None
    observation = _Observation(started_at=_now(), outcome=CheckOutcome.ABANDONED, error=reason)
    return _record(source_id=source_id, task_id=task_id, observation=observation)


def source_check_defer(*, source_id: int, until: datetime.datetime) -> None:
    """Move a source's next check later (its host asked us to wait longer than a task may sleep)."""
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is not None:
            source.next_check_at = max(until, source.next_check_at or until)
            save_bookkeeping(source, fields=["next_check_at"])


def record_delivery(*, task_id: str, retries: int, source_id: int) -> int:
    """Count one more start of this task (a Celery retry is a new delivery key); return the count.

    One atomic upsert (PostgreSQL and SQLite >= 3.35 both speak it), committed at once: the count
    must survive the worker being killed a moment later.
    """
    table = SourceCheckDelivery._meta.db_table
    now = _now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (delivery_key, source_id, deliveries, first_started_at, last_started_at) "  # noqa: S608 - table name from the model
            "VALUES (%s, %s, 1, %s, %s) "
            "ON CONFLICT (delivery_key) DO UPDATE "
            f"SET deliveries = {table}.deliveries + 1, last_started_at = excluded.last_started_at "
            "RETURNING deliveries",
            [f"{task_id}:{retries}", source_id, now, now],
        )
        return int(cursor.fetchone()[0])


def _record(*, source_id: int, task_id: str | None, observation: _Observation) -> SourceCheck | None:
    now = _now()
    with transaction.atomic():
        source = next(iter(_SOURCE_TO_RECORD.rows(source_id)), None)
        if source is None:
            return None
        observation = _as_it_is_now(source, observation)
        result = observation.result
        check = SourceCheck(
            source=source,
            task_id=task_id or None,
            started_at=observation.started_at,
            finished_at=now,
            url=observation.url,
            outcome=observation.outcome,
            error=observation.error[:5000],
            fingerprint=observation.fingerprint,
            metadata_found=observation.metadata,
        )
        if result is not None:
            check.http_status = result.status
            check.redirect_chain = result.redirect_chain
            check.final_url = result.final_url[:2000] if result.final_url != observation.url else ""
            check.elapsed_ms = result.elapsed_ms
            check.content_type = (result.content_type or "")[:100]
        if observation.archive:
            check.archive_url, check.archived_at = observation.archive
        if _outdated(source, observation):
            return _record_outdated(source, check, now=now)
        # A request made after this check started looking (a fetch takes seconds) may want what the
        # page says now: it stays pending, and the source due (or booked by that request's nudge).
        requested = source.check_requested_at
        still_wanted = (
            requested is not None
            and requested > observation.started_at
            and observation.outcome != CheckOutcome.STORED_TEXT
        )
        wanted_at = source.next_check_at

        success = observation.outcome in SUCCESSES
        if success:
            check.snapshot, check.text_changed = _snapshot(source, observation)
            source.content_fingerprint = observation.fingerprint
            source.extraction_memo = _extraction_memo(source, observation, check.snapshot)
        if observation.metadata:
            source, check.metadata_filled = _fill_metadata(source, observation.metadata)
        _schedule(source, check, observation, now=now)
        if still_wanted:
            source.next_check_at = wanted_at
        else:
            source.check_requested_at = None
        check.health = source.health
        check.next_check_at = source.next_check_at
        excerpt_text = _excerpt_text(source, observation)
        check.excerpts_checked_against = excerpt_text.against if excerpt_text else ""
        check.save()
        save_bookkeeping(source, fields=CHECK_BOOKKEEPING_FIELDS)
        if excerpt_text is not None:
            citation_ids = _verify_citations(source, check, excerpt_text.text, excerpt_text.reading)
        else:
            citation_ids = list(source.citations.values_list("pk", flat=True))
        # Partners mirroring through the changes feed see the new health, latest check and quote
        # results: recorded as pending in this transaction, so they commit (or not) with the check.
        feed_touch({Source: [source.pk], Citation: citation_ids})
    return check


@dataclasses.dataclass(frozen=True)
class _ExcerptText:
    """The text a check verifies the excerpts against, and which one it is."""

    text: str
    reading: content.PageReading | None
    against: str


def _excerpt_text(source: Source, observation: _Observation) -> _ExcerptText | None:
    """The live page when it could be read with confidence, else the pasted text, else None.

    The live page comes first: it is what readers see, and a silent edit there is what monitoring is
    for. The pasted text stands in when the page cannot be read (gone, paywalled, redirected to
    another document, drawn by JavaScript, a file we cannot read for text). The pasted text is the
    source's as it is under the row lock: an edit that committed while the page was fetched is the
    one verified. An empty page (a script-only shell, a blank paywall) with nothing pasted says
    nothing about the excerpts: none is verified.
    """
    if observation.outcome == CheckOutcome.ABANDONED:
        return None
    pasted = source.stored_text if source.stored_text.strip() else ""
    if observation.outcome == CheckOutcome.STORED_TEXT:
        return _ExcerptText(pasted, None, ExcerptText.PASTED_TEXT) if pasted else None
    live = observation.text if observation.outcome in SUCCESSES and observation.text else ""
    readable = live.strip() and (observation.reading is None or observation.reading.confident)
    if readable or (live.strip() and not pasted):
        return _ExcerptText(live, observation.reading, ExcerptText.LIVE_PAGE)
    if pasted:
        return _ExcerptText(pasted, None, ExcerptText.PASTED_TEXT)
    return None


def _as_it_is_now(source: Source, observation: _Observation) -> _Observation:
    """A pasted text with no URL is verified as it is under the row lock, not as it was read before it.

    An edit of the text that committed between that read and the lock is then verified by this check,
    which also clears the request the edit made. Reading it again costs nothing: nothing is fetched.
    """
    stored = source.stored_text
    if (
        not source.url
        and stored.strip()
        and (observation.outcome != CheckOutcome.STORED_TEXT or observation.text != stored)
    ):
        return _observe_stored(source, started_at=observation.started_at)
    return observation


def _outdated(source: Source, observation: _Observation) -> bool:
    """The check looked at a URL the source no longer has, or at a pasted text it no longer has (or it
    read the pasted text of a source that has since been given a URL to fetch)."""
    if observation.outcome == CheckOutcome.STORED_TEXT:
        return bool(source.url) or not source.stored_text.strip()
    return observation.result is not None and observation.url != source.url


OUTDATED_NOTE = "The source was edited while this check ran (new URL or text); not applied, checked again."


def _record_outdated(source: Source, check: SourceCheck, *, now: datetime.datetime) -> SourceCheck:
    """Keep the record of what was seen, apply none of it, and leave the source due for its new address."""
    check.error = OUTDATED_NOTE
    if source.check_requested_at is None:  # the edit marks it due; this covers a write that did not
        source.next_check_at = source.check_requested_at = now
        save_bookkeeping(source, fields=["next_check_at", "check_requested_at"])
    check.health, check.next_check_at = source.health, source.next_check_at
    check.save()
    return check


def _snapshot(source: Source, observation: _Observation) -> tuple[SourceSnapshot | None, bool]:
    """The snapshot for this text: the latest one if nothing material changed, else a new one.

    `source` is the locked row with its latest snapshot's id and fingerprint (`_with_latest_snapshot`);
    that snapshot's text is read only if the fingerprint differs (it can be long)."""
    latest = None
    if source.latest_snapshot_id is not None:
        latest = SourceSnapshot.from_db(
            source._state.db,
            ["id", "source_id", "fingerprint"],
            [source.latest_snapshot_id, source.pk, source.latest_snapshot_fingerprint],
        )
    if latest is not None and latest.fingerprint == observation.fingerprint:
        return latest, False
    text = observation.text if observation.text is not None else ""
    # Fingerprints that differ mean a material change, unless the snapshot's was made by an earlier
    # version of the stable form: the snapshot's text is fingerprinted again (the new text is not).
    if latest is not None and (
        not (latest.text or text)  # a file without text either time (its bytes' hash): no text to compare
        or content.fingerprint(latest.text) == observation.fingerprint
    ):
        return latest, False
    snapshot = SourceSnapshot.objects.create(source=source, text=text, fingerprint=observation.fingerprint)
    observation.snapshot_id = snapshot.pk  # its text is this text
    # The first snapshot is the baseline, not a change.
    return snapshot, latest is not None


def _schedule(source: Source, check: SourceCheck, observation: _Observation, *, now: datetime.datetime) -> None:
    """Health, failure counting and the next check, from this check's outcome."""
    outcome = observation.outcome
    minimum = datetime.timedelta(hours=settings.SOURCE_CHECK_MIN_INTERVAL_HOURS)
    maximum = datetime.timedelta(days=settings.SOURCE_CHECK_MAX_INTERVAL_DAYS)
    failure_interval = datetime.timedelta(hours=settings.SOURCE_CHECK_FAILURE_INTERVAL_HOURS)
    source.last_checked_at = now
    if outcome in SUCCESSES:
        source.consecutive_failures = 0
        source.first_failure_at = None
        if check.text_changed:
            source.health = SourceHealth.CHANGED
        elif outcome == CheckOutcome.REDIRECTED:
            source.health = SourceHealth.MOVED
        else:
            source.health = SourceHealth.OK
        if outcome == CheckOutcome.STORED_TEXT:
            # Pasted text with no URL only changes through an edit, which queues a check itself.
            source.check_interval, source.next_check_at = None, None
            return
        # Stable pages are checked less and less often; a change brings them back to the minimum.
        stable = not check.text_changed and source.check_interval is not None
        interval = min(maximum, source.check_interval * 2) if stable else minimum
    elif outcome in DEATH_FAILURES:
        source.consecutive_failures += 1
        source.first_failure_at = source.first_failure_at or now
        spread = now - source.first_failure_at
        dead = (
            source.consecutive_failures >= settings.SOURCE_CHECK_DEAD_AFTER_FAILURES
            and spread >= datetime.timedelta(days=settings.SOURCE_CHECK_DEAD_AFTER_DAYS)
        )
        source.health = SourceHealth.DEAD if dead else SourceHealth.DEGRADED
        interval = failure_interval
    else:
        # The page answered but not with the document (access denied, rate limited), or our own
        # rules stopped us: degraded, never dead, and the failure count is left as it is.
        source.health = SourceHealth.DEGRADED
        interval = failure_interval
        retry_after = observation.result.retry_after_seconds if observation.result else None
        if outcome == CheckOutcome.RATE_LIMITED:
            # One to two hours (jittered so sources of one site spread out), or the server's Retry-After.
            interval = datetime.timedelta(
                seconds=backoff_seconds(0, base=2 * 3600, cap=6 * 3600, retry_after=retry_after)
            )
    source.check_interval = interval
    source.next_check_at = now + interval


def _fill_metadata(source: Source, metadata: dict[str, Any]) -> tuple[Source, list[str]]:
    """Fill the source's empty fields from the page's metadata; never overwrite an editor's value."""

    data: dict[str, Any] = {}
    for field_name, key in METADATA_FIELDS.items():
        value = str(metadata.get(key) or "").strip()
        max_length = Source._meta.get_field(field_name).max_length
        if value and not getattr(source, field_name) and max_length and len(value) <= max_length:
            data[field_name] = value
    published = metadata.get("published_on")
    if published and source.published_on is None:
        try:
            day = datetime.date.fromisoformat(str(published)[:10])
        except ValueError:
            day = None
        if day is not None and day <= timezone.localdate():
            data["published_on"] = day
            precision = metadata.get("published_precision")
            if precision:
                data["published_on_precision"] = precision
    if not data:
        return source, []
    bookkeeping = {name: getattr(source, name) for name in CHECK_BOOKKEEPING_FIELDS}
    try:
        with transaction.atomic():
            updated = source_update(
                source=source,
                user=get_system_user(),
                reason=METADATA_REASON,
                data=data,
                expected_version=source.version,
            )
    except ValidationError as error:
        logger.info("Metadata for source %s not used: %s", source.pk, error)
        return source, []
    # source_update re-read the row; carry over the bookkeeping this check already computed.
    for name, value in bookkeeping.items():
        setattr(updated, name, value)
    return updated, sorted(data)


def _verify_citations(source: Source, check: SourceCheck, text: str, reading: content.PageReading | None) -> list[int]:
    """Verify every citation's excerpt against `text` and record the verdicts (one insert of the
    CitationCheck rows, one update of the citations' latest verdict); the ids of the citations."""
    threshold = settings.SOURCE_CHECK_QUOTE_THRESHOLD
    citations = _CITATIONS_TO_VERIFY.rows(source.pk)
    results = []
    for citation in citations:
        if reading is not None:  # an HTML page: not in the main text is looked for in the rest (issue 13)
            match = content.verify_in_page(citation.excerpt, reading, threshold=threshold)
        else:
            match = content.verify_excerpt(citation.excerpt, text, threshold=threshold)
        result = CitationCheck(
            source_check=check,
            citation=citation,
            excerpt=citation.excerpt,
            status=match.status,
            score=round(float(match.score), 2),
            matched_passage=match.matched_passage or "",
            start=match.start,
            end=match.end,
        )
        result.previous_status = citation.quote_status
        results.append(result)
    if not results:
        return []
    CitationCheck.objects.bulk_create(results)
    for citation, result in zip(citations, results, strict=True):
        citation.quote_status, citation.quote_check = result.status, result
    save_bookkeeping_many(citations, fields=QUOTE_BOOKKEEPING_FIELDS)
    citation_checks_recorded.send(sender=CitationCheck, checks=results)
    return [citation.pk for citation in citations]


__all__ = [
    "DEATH_FAILURES",
    "FetchOutcome",
    "fetch_page",
    "fetching",
    "record_delivery",
    "source_check",
    "source_check_abandon",
    "source_check_defer",
    "source_check_request",
]
