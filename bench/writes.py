"""Benchmark: tracked writes (`make bench-writes`).

One run, side by side:
- latency of one claim write through the services (a new source, a claim, one citation: what an
  editor's "new claim" form does), p50/p95 over sequential writes, each its own transaction;
- throughput with 1, 2 and 4 writer processes on distinct records (claims/s), for the feed as it is
  (writers record pending changes; a sequencer numbers them) and with the old feed lock emulated
  (every write takes the `FeedSequence` row lock for its whole transaction and computes its events
  inside it, as before issue 11), so the lock's cost is measured in the same run;
- the sequencer's own throughput (events numbered per second) for everything written above;
- a 1,000-row CSV import (the service path the import job runs), and the latency of an editor's
  one-field save on another record while that import runs.

Needs PostgreSQL: BENCH_DATABASE_URL (default: DATABASE_URL's server, database tracker_writes_bench,
dropped and re-created). Celery messages go to an in-memory broker: the write path pays for queueing
its sequencing run, not for running it. Prints the figures; docs/benchmarks.md has the last run.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCES = [
    "The British prime minister said the United Kingdom was ready and willing to put troops on the ground in Ukraine.",
    "Poland said it would not send soldiers but would support the effort with logistics and equipment.",
    "The German chancellor called the debate about peacekeepers premature while the fighting continues.",
    "The French president urged Europe to spend more on its own defence and to act together.",
    "The Nato secretary general said any agreement must give Ukraine lasting security guarantees.",
]


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# --- Set-up (in the parent, after django.setup) -----------------------------------------------


def _setup_people():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.roles import EDITORS, REVIEWERS
    from tracker import services

    User = get_user_model()
    editor, _ = User.objects.get_or_create(username="bench-editor")
    editor.groups.add(Group.objects.get(name=EDITORS), Group.objects.get(name=REVIEWERS))
    speakers = [
        services.actor_create(user=editor, reason="Bench set-up", data={"name": f"Speaker {n}", "kind": "person"})
        for n in range(8)
    ]
    topic = services.topic_create(
        user=editor, reason="Bench set-up", data={"title": "Peacekeepers", "question": "Send troops to Ukraine?"}
    )
    return editor.pk, [s.pk for s in speakers], topic.pk


# --- One write ----------------------------------------------------------------------------------


def _write_claim(*, editor, speaker, topic, tag: str, old_lock: bool) -> None:
    from django.db import transaction

    from core.feed import sequence_feed
    from core.models import FeedSequence
    from sources import services as source_services
    from tracker import services

    text = SENTENCES[hash(tag) % len(SENTENCES)]
    with transaction.atomic():
        if old_lock:
            # As before issue 11: the feed's row locked from the start of the change to its commit.
            FeedSequence.objects.select_for_update().get_or_create(pk=1)
        source = source_services.source_create(
            user=editor,
            reason="New article",
            data={"url": f"https://news.example.org/2025/02/{tag}", "title": f"Leaders meet in Paris ({tag})"},
        )
        services.claim_create(
            user=editor,
            reason="New claim from the article",
            data={"speaker": speaker, "text": f"{text} ({tag})"},
            topics=[topic],
            citations=[{"source": source, "excerpt": text}],
        )
        if old_lock:
            sequence_feed()  # ...and its events computed inside that transaction, under the lock


def _writer(args) -> tuple[int, float]:
    index, count, editor_pk, speaker_pk, topic_pk, old_lock, start_at = args
    import django
    from django.db import connections

    django.setup()
    connections.close_all()
    from django.contrib.auth import get_user_model

    from tracker.models import Actor, Topic

    editor = get_user_model().objects.get(pk=editor_pk)
    speaker, topic = Actor.objects.get(pk=speaker_pk), Topic.objects.get(pk=topic_pk)
    while time.time() < start_at:
        time.sleep(0.001)
    began = time.perf_counter()
    for n in range(count):
        _write_claim(
            editor=editor,
            speaker=speaker,
            topic=topic,
            tag=f"p{index}-{'old' if old_lock else 'new'}-{n}-{start_at}",
            old_lock=old_lock,
        )
    return count, time.perf_counter() - began


def _throughput(processes: int, per_process: int, people, *, old_lock: bool) -> float:
    from django.db import connections

    editor_pk, speakers, topic_pk = people
    connections.close_all()
    start_at = time.time() + 1.5  # every process set up before the clock starts
    jobs = [
        (i, per_process, editor_pk, speakers[i % len(speakers)], topic_pk, old_lock, start_at) for i in range(processes)
    ]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_writer, jobs)
    total = sum(count for count, _ in results)
    slowest = max(seconds for _, seconds in results)
    return total / slowest


def _latency(count: int, people) -> list[float]:
    from django.contrib.auth import get_user_model

    from tracker.models import Actor, Topic

    editor_pk, speakers, topic_pk = people
    editor = get_user_model().objects.get(pk=editor_pk)
    speaker, topic = Actor.objects.get(pk=speakers[0]), Topic.objects.get(pk=topic_pk)
    for n in range(10):  # warm-up: connections, caches, plans
        _write_claim(editor=editor, speaker=speaker, topic=topic, tag=f"warm-{n}", old_lock=False)
    timings = []
    for n in range(count):
        began = time.perf_counter()
        _write_claim(editor=editor, speaker=speaker, topic=topic, tag=f"lat-{n}", old_lock=False)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


# --- The import and an editor's save beside it --------------------------------------------------


def _import_csv(rows: int) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["speaker", "text", "source_url", "excerpt", "topics"])
    for n in range(rows):
        sentence = SENTENCES[n % len(SENTENCES)]
        url = f"https://import.example.org/a/{n}"
        writer.writerow([f"Speaker {n % 8}", f"{sentence} (import {n})", url, sentence, "peacekeepers"])
    return out.getvalue()


def _editor_saves(editor_pk: int, actor_pk: int, stop: threading.Event, timings: list[float]) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from tracker import services
    from tracker.models import Actor

    editor = get_user_model().objects.get(pk=editor_pk)
    n = 0
    try:
        while not stop.is_set():
            actor = Actor.objects.get(pk=actor_pk)
            began = time.perf_counter()
            services.actor_update(
                actor=actor, user=editor, reason="Typo", data={"summary": f"Edit {n}"}, expected_version=actor.version
            )
            timings.append((time.perf_counter() - began) * 1000)
            n += 1
            time.sleep(0.2)
    finally:
        connections.close_all()


def _import_with_editor(rows: int, people) -> tuple[float, list[float]]:
    from django.contrib.auth import get_user_model

    from sources import imports
    from tracker import services

    editor_pk, _speakers, _topic = people
    editor = get_user_model().objects.get(pk=editor_pk)
    other = services.actor_create(user=editor, reason="Bench", data={"name": "Edited meanwhile", "kind": "person"})
    parsed = imports.parse(_import_csv(rows))
    assert parsed.ok, parsed.errors[:3]
    stop, timings = threading.Event(), []
    saver = threading.Thread(target=_editor_saves, args=(editor_pk, other.pk, stop, timings))
    saver.start()
    began = time.perf_counter()
    result = imports.apply(parsed, user=editor, reason="Bench import")
    seconds = time.perf_counter() - began
    stop.set()
    saver.join()
    assert result.ok, [row.errors for row in result.rows if row.errors][:3]
    return seconds, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-writes", type=int, default=200)
    parser.add_argument("--per-process", type=int, default=100, help="claims each writer process writes")
    parser.add_argument("--import-rows", type=int, default=1000)
    options = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL") or _with_path(
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x", "/tracker_writes_bench"
    )
    name = urlsplit(database_url).path.lstrip("/")
    admin_url = _with_path(database_url, "/postgres")
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "0",
            "CELERY_BROKER_URL": "memory://localhost/",
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.feed import sequence_feed
    from core.models import FeedEvent, FeedPending

    people = _setup_people()
    sequence_feed()
    print(f"PostgreSQL database {name}; {os.cpu_count()} cores\n")

    timings = _latency(options.latency_writes, people)
    print(
        f"one claim write (new source + claim + citation), {len(timings)} sequential: "
        f"p50 {statistics.median(timings):.1f} ms, p95 {_percentile(timings, 0.95):.1f} ms"
    )
    pending, events_before = FeedPending.objects.count(), FeedEvent.objects.count()
    began = time.perf_counter()
    sequence_feed()
    seconds = time.perf_counter() - began
    print(
        f"sequencer (off the write path): {pending} pending changes numbered in {seconds:.2f} s "
        f"({pending / seconds:.0f}/s), {FeedEvent.objects.count() - events_before} events (drafts have none)\n"
    )

    print("claims/s on distinct records (speed-up against 1 process)")
    print("| writers | feed pending + sequencer | old feed lock (emulated) |")
    print("|---:|---:|---:|")
    base = {}
    for processes in (1, 2, 4):
        row = []
        for old_lock in (False, True):
            rate = _throughput(processes, options.per_process, people, old_lock=old_lock)
            base.setdefault(old_lock, rate)
            row.append(f"{rate:.1f} ({rate / base[old_lock]:.2f}×)")
        print(f"| {processes} | {row[0]} | {row[1]} |")
        sequence_feed()

    seconds, saves = _import_with_editor(options.import_rows, people)
    print(
        f"\n{options.import_rows}-row import: {seconds:.1f} s; an editor's one-field save meanwhile, "
        f"{len(saves)} saves: p50 {statistics.median(saves):.0f} ms, max {max(saves):.0f} ms"
        if saves
        else f"\n{options.import_rows}-row import: {seconds:.1f} s (no save finished meanwhile)"
    )


if __name__ == "__main__":
    main()
