"""Benchmark of the audit-history pages on PostgreSQL with a million or more history rows.

Synthetic data for a throwaway database only: to build 1,000,000 rows in minutes, the generator
COPYs rows straight into three historical tables (actors, claims, citations) and the change index,
bypassing the services. That is never done to real data. One real claim is then edited through the
services a few hundred times so the object-history page is measured on a genuine, long history.

Run it with `make bench-history` (it creates and migrates the `tracker_bench` database).
"""

from __future__ import annotations

import datetime
import json
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.audit import history_model
from core.history import fill_valid_until, get_system_user
from core.models import ChangeEntry
from core.roles import EDITORS, REVIEWERS
from core.selectors import encode_cursor
from sources.models import Citation, Source
from tracker import services
from tracker.models import Actor, Claim

# Share of the synthetic rows per model, and how many versions each synthetic record gets.
MIX = [(Actor, 2), (Claim, 5), (Citation, 3)]
VERSIONS_PER_OBJECT = 8
SYNTHETIC_ID_BASE = 10_000_000
_USER = object()  # placeholder for the row's author, chosen like the change entry's
REASONS = ["Fix wording", "Add source", "Retag", "Typo", "Checked against transcript", "Date from source"]


def _value(f: models.Field, object_id: int, version: int) -> Any:
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.JSONField):
        return "[]"
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
        return None if f.null else datetime.date(2025, 2, 17)
    if isinstance(f, models.ForeignKey):
        return None if f.null else 1 + object_id % 500
    if isinstance(f, models.CharField | models.TextField):
        text = f"{f.name} {object_id} v{version}"
        return text[: f.max_length] if f.max_length else text
    if isinstance(f, models.IntegerField):
        return version
    return None


class Command(BaseCommand):
    help = "Generate >= 1,000,000 synthetic history rows in a throwaway PostgreSQL database and time the pages."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000, help="Synthetic history rows to generate.")
        parser.add_argument("--repeat", type=int, default=30, help="Timed requests per page.")
        parser.add_argument("--edits", type=int, default=300, help="Service edits of the one real claim.")
        parser.add_argument("--skip-generate", action="store_true", help="Reuse the rows already generated.")

    def handle(self, *args, rows: int, repeat: int, edits: int, skip_generate: bool, **options):
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError(
                "benchhistory writes synthetic rows directly: run it only on a PostgreSQL database whose name "
                f"contains 'bench' (this is {connection.vendor} {name!r})."
            )
        users = self._users()
        if not skip_generate:
            started = time.perf_counter()
            claim = self._real_claim(users, edits)
            self._generate(rows, users)
            self.stdout.write(f"generated in {time.perf_counter() - started:.0f} s")
        claim = Claim.objects.filter(text__startswith="Benchmark claim").order_by("pk").first()
        total = ChangeEntry.objects.count()
        self.stdout.write(f"history rows: {total:,} change entries, claim {claim.pk} has {claim.version} versions")
        self._measure(users["reviewer"], claim, repeat, total)

    def _users(self) -> dict[str, Any]:
        User = get_user_model()
        users = {}
        for username, group in (("bench-editor", EDITORS), ("bench-reviewer", REVIEWERS)):
            user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            user.groups.add(Group.objects.get(name=group))
            users[username.removeprefix("bench-")] = user
        users["system"] = get_system_user()
        return users

    def _real_claim(self, users: dict[str, Any], edits: int) -> Claim:
        editor, reviewer = users["editor"], users["reviewer"]
        actor = services.actor_create(user=editor, reason="Benchmark", data={"name": "Bench Speaker", "kind": "person"})
        topics = [
            services.topic_create(user=editor, reason="Benchmark", data={"title": f"Bench topic {n}", "question": "?"})
            for n in range(3)
        ]
        source = Source.objects.create(title="Benchmark source")
        claim = services.claim_create(
            user=editor,
            reason="Benchmark",
            data={"speaker": actor, "text": "Benchmark claim v0"},
            topics=topics[:1],
            citations=[{"source": source, "excerpt": "bench words"}],
        )
        for n in range(1, edits + 1):
            services.claim_update(
                claim=claim,
                user=reviewer if n % 3 else editor,
                reason=REASONS[n % len(REASONS)],
                data={"text": f"Benchmark claim v{n}"},
                topics=[topics[n % 3]] if n % 5 == 0 else None,
                expected_version=claim.version,
            )
            claim.refresh_from_db()
        return claim

    def _generate(self, rows: int, users: dict[str, Any]) -> None:
        user_ids = [users["editor"].pk, users["reviewer"].pk, users["system"].pk]
        reviewer_id = users["reviewer"].pk
        end = timezone.now() - datetime.timedelta(days=1)
        start = end - datetime.timedelta(days=730)
        step = (end - start) / rows
        weights = sum(w for _, w in MIX)
        plan = []  # (model, rows for it, first history_id)
        for model, weight in MIX:
            count = rows * weight // weights
            table = history_model(model)._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(history_id), 0) FROM {table}")  # noqa: S608 (fixed table names)
                first_id = cursor.fetchone()[0] + 1
            plan.append((model, count, first_id))
        raw = connection.connection  # psycopg 3: COPY needs the driver's cursor
        with raw.cursor() as cursor:
            for index, (model, count, first_id) in enumerate(plan):
                history = history_model(model)
                fields = [f for f in history._meta.concrete_fields if f.name != "history_id"] + [
                    history._meta.get_field("history_id")
                ]
                columns = ", ".join(f'"{f.column}"' for f in fields)
                self.stdout.write(f"COPY {count:,} rows into {history._meta.db_table}")
                with cursor.copy(f"COPY {history._meta.db_table} ({columns}) FROM STDIN") as copy:  # noqa: S608
                    for row in self._history_rows(model, fields, count, first_id, index, len(plan), start, step):
                        copy.write_row([user_ids[row[1] % 3] if v is _USER else v for v in row[0]])
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'history_id'), %s)",
                    [history._meta.db_table, first_id + count],
                )
            self.stdout.write(f"COPY {sum(c for _, c, _ in plan):,} rows into {ChangeEntry._meta.db_table}")
            entry_columns = (
                "model, history_id, object_id, object_repr, history_date, user_id, action, history_type, reason, "
                "summary, change_id, patrolled_by_id, patrolled_at"
            )
            with cursor.copy(f"COPY core_changeentry ({entry_columns}) FROM STDIN") as entry_copy:
                for index, (model, count, first_id) in enumerate(plan):
                    label = model._meta.label_lower
                    for n in range(count):
                        object_id, version, date, change_id = self._shape(n, index, len(plan), start, step)
                        user_id = user_ids[n % 3]
                        patrolled = n % 50 != 0  # 2% left for review
                        entry_copy.write_row(
                            (
                                label,
                                first_id + n,
                                object_id,
                                f"{model._meta.verbose_name} {object_id}",
                                date,
                                user_id,
                                "created" if version == 1 else "changed",
                                "+" if version == 1 else "~",
                                REASONS[n % len(REASONS)],
                                "Created" if version == 1 else "text",
                                change_id,
                                reviewer_id if patrolled else None,
                                date if patrolled else None,
                            )
                        )
        for model, _count, _first_id in plan:
            fill_valid_until(history_model(model))
        with connection.cursor() as cursor:
            # What autovacuum does soon after a real load: statistics and the visibility map.
            cursor.execute("VACUUM ANALYZE")

    @staticmethod
    def _shape(n: int, index: int, models_count: int, start, step) -> tuple[int, int, datetime.datetime, uuid.UUID]:
        """Row n of a model: its object, version and date. Models interleave in time, versions of an object too."""
        object_id = SYNTHETIC_ID_BASE + n // VERSIONS_PER_OBJECT
        version = n % VERSIONS_PER_OBJECT + 1
        position = n * models_count + index
        return object_id, version, start + step * position, uuid.UUID(int=position + 1)

    def _history_rows(self, model, fields, count, first_id, index, models_count, start, step) -> Iterator[tuple]:
        for n in range(count):
            object_id, version, date, change_id = self._shape(n, index, models_count, start, step)
            values = []
            for f in fields:
                if f.name == "id":
                    values.append(object_id)
                elif f.name == "history_id":
                    values.append(first_id + n)
                elif f.name == "history_date" or f.name in ("created_at", "updated_at"):
                    values.append(date)
                elif f.name == "history_type":
                    values.append("+" if version == 1 else "~")
                elif f.name == "history_action":
                    values.append("created" if version == 1 else "changed")
                elif f.name == "history_change_id":
                    values.append(change_id)
                elif f.name == "history_change_reason":
                    values.append(REASONS[n % len(REASONS)])
                elif f.name == "history_user":
                    values.append(_USER)
                elif f.name == "version":
                    values.append(version)
                elif f.name == "slug":
                    values.append(f"synthetic-{object_id}")
                else:
                    values.append(_value(f, object_id, version))
            yield values, n

    @staticmethod
    def _percentiles(times: list[float]) -> tuple[float, float]:
        times = sorted(times)
        return statistics.median(times), times[min(len(times) - 1, round(0.95 * len(times)) - 1)]

    def _measure(self, reviewer: Any, claim: Claim, repeat: int, total: int) -> None:
        client = Client(HTTP_HOST="localhost")
        client.force_login(reviewer)
        recent = reverse("history:recent")
        ordered = ChangeEntry.objects.order_by("-history_date", "-id")
        deep_entry = ordered[int(total * 0.9)]  # OFFSET once, only to find a deep cursor
        by_model = ordered.filter(model="tracker.claim")
        deep_model_entry = by_model[int(by_model.count() * 0.9)]
        deep_citation_history = (
            history_model(Claim)._default_manager.filter(id=claim.pk).order_by("-history_id")[int(claim.version * 0.8)]
        )
        pages = [
            ("recent changes, first page (50)", recent),
            ("recent changes, page at 90% depth (50)", f"{recent}?after={encode_cursor(deep_entry)}"),
            ("recent changes, first page (200)", f"{recent}?size=200"),
            ("recent changes, page at 90% depth (200)", f"{recent}?size=200&after={encode_cursor(deep_entry)}"),
            ("recent changes, claims only, first page", f"{recent}?model=tracker.claim"),
            (
                "recent changes, claims only, 90% depth",
                f"{recent}?model=tracker.claim&after={encode_cursor(deep_model_entry)}",
            ),
            ("recent changes, one user, unreviewed", f"{recent}?user=bench-editor&reviewed=no"),
            ("object history, claim, newest 50 versions", reverse("history:object", args=["claim", claim.pk])),
            (
                "object history, claim, older page (80% depth)",
                f"{reverse('history:object', args=['claim', claim.pk])}?before={deep_citation_history.history_id}",
            ),
        ]
        sizes = {}
        for _label, url in pages:  # warm up; fail loudly on a broken page
            for _ in range(3):
                response = client.get(url)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
            sizes[url] = len(response.content)
        # Round-robin, so load from other processes on a shared machine spreads over every page alike.
        times: dict[str, list[float]] = {url: [] for _label, url in pages}
        for _ in range(repeat):
            for _label, url in pages:
                started = time.perf_counter()
                client.get(url)
                times[url].append((time.perf_counter() - started) * 1000)
        results = []
        for label, url in pages:
            p50, p95 = self._percentiles(times[url])
            results.append({"page": label, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "bytes": sizes[url]})
            self.stdout.write(f"{label:48} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        self.stdout.write(json.dumps({"rows": total, "repeat": repeat, "results": results}))
