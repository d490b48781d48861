"""Check sources now, in this process: `checksources --all | --source ID ... | --due`."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections, transaction
from tqdm import tqdm

from sources.checking import source_check
from sources.models import Source
from sources.politeness import HostBusy
from sources.selectors import flagged_citations
from sources.tasks import book_due_sources

# A host that stays busy longer than this (a long Retry-After) is left for the scheduled checks.
MAX_HOST_WAIT_SECONDS = 60.0


class Command(BaseCommand):
    help = "Check sources now (link health, text changes, excerpts) and print a summary of the outcomes."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every source with a URL or stored text.")
        which.add_argument("--source", type=int, nargs="+", metavar="ID", help="These sources.")
        which.add_argument("--due", action="store_true", help="Sources whose next check is due (books them).")
        parser.add_argument("--concurrency", type=int, default=8, help="Checks run at once (default 8).")

    def handle(self, *args, all, source, due, concurrency, verbosity, **options):
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1.")
        if source:
            ids = list(Source.objects.filter(pk__in=source).values_list("pk", flat=True))
            missing = sorted(set(source) - set(ids))
            if missing:
                raise CommandError(f"No source with id {', '.join(map(str, missing))}.")
        elif due:
            with transaction.atomic():
                ids = book_due_sources(limit=10**9)
        else:
            ids = list(Source.objects.exclude(url="", stored_text="").order_by("pk").values_list("pk", flat=True))

        outcomes: Counter[str] = Counter()
        health: Counter[str] = Counter()
        flagged = 0
        started = time.monotonic()
        with tqdm(total=len(ids), desc="Checking sources", unit="source", disable=verbosity == 0) as bar:
            for outcome, source_health, source_flagged in self._run(ids, concurrency):
                outcomes[outcome] += 1
                health[source_health] += 1
                flagged += source_flagged
                bar.update(1)
        self._table("outcome", outcomes)
        self._table("health", health)
        self.stdout.write(f"citations flagged (altered or missing excerpt, or dead source): {flagged}")
        self.stdout.write(f"{len(ids)} source(s) in {time.monotonic() - started:.1f}s")

    def _run(self, ids: list[int], concurrency: int):
        if concurrency == 1:
            # In this thread (and this database connection): what tests and `--source ID` need.
            for source_id in ids:
                yield self._check(source_id)
            return
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = [pool.submit(self._check_in_thread, source_id) for source_id in ids]
            for future in as_completed(futures):
                yield future.result()

    def _check_in_thread(self, source_id: int) -> tuple[str, str, int]:
        close_old_connections()
        try:
            return self._check(source_id)
        finally:
            connections.close_all()

    def _check(self, source_id: int) -> tuple[str, str, int]:
        waited = 0.0
        while True:
            try:
                check = source_check(source_id=source_id)
                break
            except HostBusy as busy:
                if waited + busy.retry_in_seconds > MAX_HOST_WAIT_SECONDS:
                    return "host busy (left for later)", "-", 0
                time.sleep(busy.retry_in_seconds)
                waited += busy.retry_in_seconds
        if check is None:
            return "nothing to check", "-", 0
        # Flagged as the dashboard counts it: an altered or missing excerpt, or a dead source.
        return check.outcome, check.health, flagged_citations().filter(source_id=source_id).count()

    def _table(self, title: str, counts: Counter[str]) -> None:
        width = max([len(title), *(len(key) for key in counts)])
        self.stdout.write(f"\n{title:<{width}}  count")
        self.stdout.write(f"{'-' * width}  -----")
        for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            self.stdout.write(f"{key:<{width}}  {count:>5}")
