"""Benchmark of the partner REST API on PostgreSQL with a generated dataset of benchmark size.

Synthetic data for a throwaway database only: to build 100,000 claims and over a million history
rows in minutes, the generator COPYs rows straight into the record tables, the historical tables
and the changes feed (FeedEvent), bypassing the services. That is never done to real data; the
command refuses any database that is not PostgreSQL with "bench" in its name. Position evidence is
recorded in its historical many-to-many table (time travel reads it); claim topics' history and the
change index are not filled: none of the measured endpoints reads them. One position in
RETRACT_EVERY is retracted a week before the run, after the moment the `recorded_as_of` requests
ask about, so partners get tombstones for them.

Run it with `make bench-api` (it creates and migrates the `tracker_benchapi` database).
"""

from __future__ import annotations

import datetime
import itertools
import json
import statistics
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.pagination import Cursor

from core import services as core_services
from core.api.access import TrackerCursorPagination
from core.audit import history_model, m2m_through
from core.choices import APIKeyScope
from core.history import fill_valid_until, get_system_user
from core.models import FeedEvent, FeedSequence
from positions.api.views import TopicStancesPagination
from positions.models import Position
from sources.models import Citation, Source
from tracker.choices import EditorialStatus
from tracker.models import Actor, Claim, Topic

PUBLISHED = EditorialStatus.PUBLISHED
STANCES = ["support", "oppose", "mixed", "unclear"]
RETRACT_EVERY = 50  # positions retracted since the time-travel moment: partners get tombstones
REASONS = ["Fix wording", "Add source", "Retag", "Typo", "Checked against transcript"]


def _fill(f: models.Field, now: datetime.datetime) -> Any:
    """A value for a field the generator does not set: its default, else empty or null."""
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return now
    if f.has_default():
        value = f.get_default()
        return json.dumps(value) if isinstance(f, models.JSONField) else value
    if f.null:
        return None
    if isinstance(f, models.CharField | models.TextField):
        return ""
    raise CommandError(f"No value for {f.model.__name__}.{f.name}")


class Command(BaseCommand):
    help = "Generate a partner-API-sized synthetic dataset in a throwaway PostgreSQL database and time the API."

    def add_arguments(self, parser):
        parser.add_argument("--actors", type=int, default=1_000)
        parser.add_argument("--claims", type=int, default=100_000, help="Each gets two citations.")
        parser.add_argument("--positions", type=int, default=20_000)
        parser.add_argument("--topics", type=int, default=10)
        parser.add_argument("--sources", type=int, default=20_000)
        parser.add_argument("--claim-versions", type=int, default=8, help="History rows per claim.")
        parser.add_argument("--repeat", type=int, default=30, help="Timed requests per endpoint.")
        parser.add_argument("--skip-generate", action="store_true", help="Reuse the rows already generated.")

    def handle(self, *args, repeat: int, skip_generate: bool, **options):
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError(
                "benchapi writes synthetic rows directly: run it only on a PostgreSQL database whose name "
                f"contains 'bench' (this is {connection.vendor} {name!r})."
            )
        if not skip_generate:
            started = time.perf_counter()
            self._generate(**options)
            self.stdout.write(f"generated in {time.perf_counter() - started:.0f} s")
        counts = {
            "actors": Actor.objects.count(),
            "claims": Claim.objects.count(),
            "citations": Citation.objects.count(),
            "positions": Position.objects.count(),
            "feed events": FeedEvent.objects.count(),
            "history rows": sum(
                history_model(m)._default_manager.count() for m in (Actor, Topic, Source, Claim, Citation, Position)
            ),
        }
        self.stdout.write(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
        self._measure(repeat, counts)

    # --- Generation ------------------------------------------------------------------------------

    def _copy(self, cursor, model: type[models.Model], rows: Iterable[dict[str, Any]], now) -> int:
        """COPY rows (dicts by attname) into the model's table; unset fields get defaults."""
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.name == "history_id")]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        rows = iter(rows)
        first = next(rows)
        fillers = {f.attname: _fill(f, now) for f in fields if f.attname not in first}
        n = 0
        with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for row in itertools.chain([first], rows):
                copy.write_row([row[f.attname] if f.attname in row else fillers[f.attname] for f in fields])
                n += 1
        self.stdout.write(f"COPY {n:,} rows into {model._meta.db_table}")
        return n

    def _history(self, cursor, model, rows: Iterable[dict[str, Any]], versions: int, now, user_id: int) -> None:
        """One historical row per version of each record: version 1 created, the rest changed."""

        def expand() -> Iterator[dict[str, Any]]:
            for row in rows:
                for version in range(1, versions + 1):
                    yield {
                        **row,
                        "updated_at": row.get("updated_at", row["created_at"]),
                        "version": version,
                        "history_date": row["created_at"] + datetime.timedelta(minutes=version),
                        "history_type": "+" if version == 1 else "~",
                        "history_action": "created" if version == 1 else "changed",
                        "history_change_id": uuid.uuid4(),
                        "history_change_reason": REASONS[version % len(REASONS)],
                        "history_user_id": user_id,
                        "history_relation": None,
                    }

        self._copy(cursor, history_model(model), expand(), now)

    def _generate(self, *, actors, claims, positions, topics, sources, claim_versions, **_ignored) -> None:
        if Claim.objects.exists():
            raise CommandError("The database already has claims: use a fresh one (make bench-api) or --skip-generate.")
        now = timezone.now()
        start = now - datetime.timedelta(days=730)
        system_id = get_system_user().pk

        def at(n: int, total: int) -> datetime.datetime:
            return start + datetime.timedelta(days=700) * n / total

        actor_rows = [
            {"id": a, "name": f"Actor {a:04d}", "slug": f"actor-{a}", "kind": "person", "created_at": at(a, actors)}
            for a in range(1, actors + 1)
        ]
        topic_rows = [
            {"id": t, "title": f"Topic {t}", "slug": f"topic-{t}", "question": f"Do we {t}?", "created_at": start}
            for t in range(1, topics + 1)
        ]
        source_rows = [
            {
                "id": s,
                "url": f"https://s{s % 500}.bench.test/article/{s}",
                "title": f"Article {s}",
                "created_at": at(s, sources),
            }
            for s in range(1, sources + 1)
        ]

        def claim_rows() -> Iterator[dict[str, Any]]:
            for c in range(1, claims + 1):
                yield {
                    "id": c,
                    "speaker_id": 1 + c % actors,
                    "text": f"Synthetic claim number {c}: a sentence of ordinary length about topic {1 + c % topics}.",
                    "stated_on": (at(c, claims)).date(),
                    "status": PUBLISHED,
                    "version": claim_versions,
                    "created_at": at(c, claims),
                    "updated_at": at(c, claims) + datetime.timedelta(minutes=claim_versions),
                }

        def citation_rows() -> Iterator[dict[str, Any]]:
            for c in range(1, claims + 1):
                for k in (0, 1):
                    yield {
                        "id": 2 * c - 1 + k,
                        "claim_id": c,
                        "source_id": 1 + (2 * c + k) % sources,
                        "excerpt": f"words {c}-{k} from the source",
                        "created_at": at(c, claims),
                    }

        per_pair = max(1, positions // (actors * topics))
        retracted_at = now - datetime.timedelta(days=7)  # after the moment the time-travel requests ask about

        def position_rows(*, live: bool = True) -> Iterator[dict[str, Any]]:
            """Positions as they are now (`live`) or as first published; one in RETRACT_EVERY retracted since."""
            p = 0
            for a in range(1, actors + 1):
                for t in range(1, topics + 1):
                    for k in range(per_pair):
                        p += 1
                        if p > positions:
                            return
                        row = {
                            "id": p,
                            "actor_id": a,
                            "topic_id": t,
                            "stance": STANCES[(a + t + k) % len(STANCES)],
                            "as_of": (start + datetime.timedelta(days=100 + 300 * k + a % 97)).date(),
                            "status": PUBLISHED,
                            "version": 3,
                            "created_at": at(p, positions),
                        }
                        if live and p % RETRACT_EVERY == 0:
                            row.update(status=EditorialStatus.RETRACTED, version=4, updated_at=retracted_at)
                        yield row

        def retraction_rows() -> Iterator[dict[str, Any]]:
            for row in position_rows():
                if row["status"] == EditorialStatus.RETRACTED:
                    yield {
                        **row,
                        "history_date": retracted_at,
                        "history_type": "~",
                        "history_action": "retracted",
                        "history_change_id": uuid.uuid4(),
                        "history_change_reason": "Misattributed",
                        "history_user_id": system_id,
                        "history_relation": None,
                    }

        raw = connection.connection  # psycopg 3: COPY needs the driver's cursor
        with raw.cursor() as cursor:
            self._copy(cursor, Actor, actor_rows, now)
            self._history(cursor, Actor, actor_rows, 1, now, system_id)
            self._copy(cursor, Topic, topic_rows, now)
            self._history(cursor, Topic, topic_rows, 1, now, system_id)
            self._copy(cursor, Source, source_rows, now)
            self._history(cursor, Source, source_rows, 1, now, system_id)
            self._copy(cursor, Claim, claim_rows(), now)
            self._history(cursor, Claim, claim_rows(), claim_versions, now, system_id)
            through = Claim.topics.through
            links = ({"id": c, "claim_id": c, "topic_id": 1 + c % topics} for c in range(1, claims + 1))
            self._copy(cursor, through, links, now)
            self._copy(cursor, Citation, citation_rows(), now)
            self._history(cursor, Citation, citation_rows(), 1, now, system_id)
            self._copy(cursor, Position, position_rows(), now)
            self._history(cursor, Position, position_rows(live=False), 3, now, system_id)
            self._copy(cursor, history_model(Position), retraction_rows(), now)
            evidence = Position.evidence.through
            # Evidence: a claim by the same actor (claim c is spoken by actor 1 + c % actors).
            self._copy(
                cursor,
                evidence,
                (
                    {"id": row["id"], "position_id": row["id"], "claim_id": row["actor_id"] - 1 or actors}
                    for row in position_rows()
                ),
                now,
            )
            # Each position version links its evidence, as save_tracked records it: time travel reads these.
            evidence_history = m2m_through(Position, "evidence")._meta.db_table
            cursor.execute(
                f"INSERT INTO {evidence_history} (id, history_id, position_id, claim_id) "  # noqa: S608
                f"SELECT e.id, h.history_id, e.position_id, e.claim_id FROM {history_model(Position)._meta.db_table} h "
                f"JOIN {evidence._meta.db_table} e ON e.position_id = h.id"
            )
            self.stdout.write(f"INSERT {cursor.rowcount:,} rows into {evidence_history}")

            def feed_rows() -> Iterator[dict[str, Any]]:
                seq = 0
                for resource, ids in (
                    ("actors", range(1, actors + 1)),
                    ("topics", range(1, topics + 1)),
                    ("sources", range(1, sources + 1)),
                ):
                    for pk in ids:
                        seq += 1
                        yield {"seq": seq, "resource": resource, "object_id": pk, "op": "upsert", "recorded_at": now}
                for c in range(1, claims + 1):  # a claim, then its two citations, as claim_create commits them
                    for resource, pk in (("claims", c), ("citations", 2 * c - 1), ("citations", 2 * c)):
                        seq += 1
                        yield {"seq": seq, "resource": resource, "object_id": pk, "op": "upsert", "recorded_at": now}
                for p in range(1, min(positions, actors * topics * per_pair) + 1):
                    if p % RETRACT_EVERY == 0:
                        continue  # retracted: not visible, so not in the feed
                    seq += 1
                    yield {"seq": seq, "resource": "positions", "object_id": p, "op": "upsert", "recorded_at": now}

            last_seq = self._copy(cursor, FeedEvent, feed_rows(), now)
        for model in (Actor, Topic, Source, Claim, Citation, Position):
            fill_valid_until(history_model(model))
        FeedSequence.objects.update_or_create(pk=1, defaults={"last_seq": last_seq})
        models_with_sequences = [Actor, Topic, Source, Claim, Citation, Position, Claim.topics.through, evidence]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models_with_sequences):
                cursor.execute(statement)
            # The history above is copied record by record (each record's versions together); the
            # application appends it in time order, which keeps indexes on the date compact. Rebuilt
            # as such an index would be (a copied index is twice its size, and PostgreSQL then
            # prefers a scan of the whole table to it).
            for model in (Actor, Topic, Source, Claim, Citation, Position):
                cursor.execute(f"REINDEX TABLE {connection.ops.quote_name(history_model(model)._meta.db_table)}")
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a real load

    # --- Measurement -----------------------------------------------------------------------------

    @staticmethod
    def _percentiles(times: list[float]) -> tuple[float, float]:
        times = sorted(times)
        return statistics.median(times), times[min(len(times) - 1, round(0.95 * len(times)) - 1)]

    def _floor(self, ids_below: int | None) -> bytes:
        """The same 100 claims as a list page, with one hand-written SQL query, JSON-encoded by hand."""
        sql = """
            SELECT c.id, a.slug, c.text, c.kind, c.stated_on, c.stated_on_precision, c.stated_on_inferred,
                   c.context, c.attribution_status, c.veracity, c.veracity_rationale, c.status, c.version,
                   c.created_at, c.updated_at,
                   (SELECT coalesce(array_agg(t.slug ORDER BY t.title), '{}') FROM tracker_claim_topics ct
                      JOIN tracker_topic t ON t.id = ct.topic_id WHERE ct.claim_id = c.id),
                   (SELECT coalesce(json_agg(json_build_object(
                        'id', ci.id, 'source', s.id, 'source_url', s.url, 'source_title', s.title,
                        'excerpt', ci.excerpt, 'locator', ci.locator, 'relation', ci.relation,
                        'accessed_on', ci.accessed_on) ORDER BY ci.id), '[]')
                      FROM sources_citation ci JOIN sources_source s ON s.id = ci.source_id WHERE ci.claim_id = c.id)
            FROM tracker_claim c JOIN tracker_actor a ON a.id = c.speaker_id
            WHERE c.status = 'published' AND c.id < %s
            ORDER BY c.id DESC LIMIT 100
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids_below or 2**62])
            rows = cursor.fetchall()
        results = [
            {
                "id": r[0],
                "speaker": r[1],
                "topics": r[15],
                "text": r[2],
                "kind": r[3],
                "stated_on": r[4].isoformat() if r[4] else None,
                "stated_on_precision": r[5],
                "stated_on_inferred": r[6],
                "context": r[7],
                "attribution_status": r[8],
                "veracity": r[9],
                "veracity_rationale": r[10],
                "status": r[11],
                "citations": r[16] if isinstance(r[16], list) else json.loads(r[16]),
                "version": r[12],
                "created_at": r[13].isoformat(),
                "updated_at": r[14].isoformat(),
            }
            for r in rows
        ]
        return json.dumps({"results": results}).encode()

    @staticmethod
    def _moment() -> datetime.datetime:
        """The `recorded_as_of` moment: when 85 % of the position history had been written (found
        once with OFFSET by the script), so most positions exist then and the retractions come after."""
        history = history_model(Position)._default_manager.order_by("history_date", "history_id")
        return history.values_list("history_date", flat=True)[int(history.count() * 0.85)]

    @staticmethod
    def _actor_with_a_retraction() -> Actor:
        """The middle actor among those with a position retracted after the moment."""
        ids = sorted(Position.objects.filter(status=EditorialStatus.RETRACTED).values_list("actor_id", flat=True))
        return Actor.objects.get(pk=ids[len(ids) // 2])

    @staticmethod
    def _cpu_clock() -> Callable[[], int]:
        """Nanoseconds of CPU spent by this process and its PostgreSQL backend: on a shared machine
        the wall-clock time of a request grows with other jobs' load, its CPU time much less so.
        The backend's time comes from /proc, so only with PostgreSQL on this machine (else this
        process alone); parallel query workers are not counted."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            schedstat = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")

        def backend() -> int:
            try:
                return int(schedstat.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                return 0

        return lambda: time.process_time_ns() + backend()

    def _measure(self, repeat: int, counts: dict[str, int]) -> None:
        partner = core_services.partner_create(name=f"Bench partner {uuid.uuid4().hex[:6]}")
        claims = "/api/v1/claims/"
        deep_id = (
            Claim.objects.filter(status=PUBLISHED)
            .order_by("-id")
            .values_list("id", flat=True)[int(counts["claims"] * 0.9)]
        )  # OFFSET once, only to find a deep cursor
        paginator = TrackerCursorPagination()
        paginator.base_url = f"http://localhost{claims}?page_size=100"
        deep_url = paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(deep_id))).removeprefix(
            "http://localhost"
        )
        topic = Topic.objects.order_by("id").first()
        feed_after = (
            FeedEvent.objects.filter(resource="claims")
            .order_by("seq")
            .values_list("seq", flat=True)[counts["claims"] // 2]
        )
        detail_id = (
            Claim.objects.filter(status=PUBLISHED).order_by("id").values_list("id", flat=True)[counts["claims"] // 2]
        )
        stances = f"/api/v1/topics/{topic.slug}/stances/?as_of=2026-01-01"
        names = Actor.objects.order_by("name", "id").values_list("name", flat=True)
        stances_paginator = TopicStancesPagination()
        stances_paginator.base_url = f"http://localhost{stances}"
        deep_stances = stances_paginator.encode_cursor(
            Cursor(offset=0, reverse=False, position=names[int(counts["actors"] * 0.9)])  # OFFSET once, as above
        ).removeprefix("http://localhost")
        recorded = f"recorded_as_of={quote(self._moment().isoformat())}"
        actor = self._actor_with_a_retraction()
        pages = [
            ("claims list, first page (100)", f"{claims}?page_size=100"),
            ("claims list, page at 90% depth (100)", deep_url),
            ("claim detail", f"{claims}{detail_id}/"),
            (f"topic stances as of a date ({topic.slug}), first page", stances),
            (f"topic stances as of a date ({topic.slug}), 90% depth", deep_stances),
            ("changes feed, page of 100 (mid-feed)", f"/api/v1/changes/?after={feed_after - 1}&page_size=100"),
            (f"actor timeline, recorded_as_of ({actor.slug})", f"/api/v1/actors/{actor.slug}/timeline/?{recorded}"),
            (f"topic stances, recorded_as_of ({topic.slug})", f"{stances}&{recorded}"),
            ("position changes, recorded_as_of", f"/api/v1/position-changes/?{recorded}"),
            (
                f"position changes, recorded_as_of ({topic.slug})",
                f"/api/v1/position-changes/?topic={topic.slug}&{recorded}",
            ),
        ]
        clients = {}
        for label, url in pages:  # one key per endpoint, so the per-key throttle never answers 429 here
            _key, secret = core_services.apikey_create(name=f"bench {label}", scope=APIKeyScope.READ, partner=partner)
            clients[url] = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
        sizes, queries, rows = {}, {}, {}
        for _label, url in pages:  # warm up; fail loudly on a broken page
            for _ in range(3):
                with CaptureQueriesContext(connection) as captured:
                    response = clients[url].get(url)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
            sizes[url], queries[url] = len(response.content), len(captured)
            body = response.json()
            rows[url] = len(body) if isinstance(body, list) else len(body["results"]) if "results" in body else 1
        # Round-robin, so load from other processes on a shared machine spreads over every endpoint alike.
        times: dict[str, list[float]] = {url: [] for _label, url in pages}
        cpu: dict[str, list[float]] = {url: [] for _label, url in pages}
        floor_times: dict[str, list[float]] = {"first": [], "deep": []}
        for _ in range(3):
            self._floor(None)
        cpu_ns = self._cpu_clock()
        for _ in range(repeat):
            for _label, url in pages:
                started, cpu_started = time.perf_counter(), cpu_ns()
                clients[url].get(url)
                times[url].append((time.perf_counter() - started) * 1000)
                cpu[url].append((cpu_ns() - cpu_started) / 1e6)
            for which, below in (("first", None), ("deep", deep_id + 1)):
                started = time.perf_counter()
                self._floor(below)
                floor_times[which].append((time.perf_counter() - started) * 1000)
        results = []
        for label, url in pages:
            p50, p95 = self._percentiles(times[url])
            cpu_p50 = statistics.median(cpu[url])
            results.append(
                {
                    "endpoint": label,
                    "url": url,
                    "p50_ms": round(p50, 1),
                    "p95_ms": round(p95, 1),
                    "cpu_p50_ms": round(cpu_p50, 1),
                    "queries": queries[url],
                    "rows": rows[url],
                    "bytes": sizes[url],
                }
            )
            self.stdout.write(
                f"{label:52} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   cpu p50 {cpu_p50:6.1f} ms   "
                f"{queries[url]} queries   {rows[url]} rows"
            )
        for which in ("first", "deep"):
            p50, p95 = self._percentiles(floor_times[which])
            size = len(self._floor(None if which == "first" else deep_id + 1))
            results.append({"endpoint": f"floor: 1 SQL + json.dumps, {which} 100", "p50_ms": round(p50, 1),
                            "p95_ms": round(p95, 1), "queries": 1, "rows": 100, "bytes": size})  # fmt: skip
            self.stdout.write(f"floor ({which} 100 claims, 1 SQL query)          p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        by = {r["endpoint"]: r for r in results}
        first, deep = by["claims list, first page (100)"], by["claims list, page at 90% depth (100)"]
        floor = by["floor: 1 SQL + json.dumps, first 100"]
        self.stdout.write(
            f"deep/first p50 {deep['p50_ms'] / first['p50_ms']:.2f}x; list/floor p50 "
            f"{first['p50_ms'] / floor['p50_ms']:.2f}x; max queries {max(queries.values())}"
        )
        self.stdout.write(json.dumps({"counts": counts, "repeat": repeat, "results": results}))
