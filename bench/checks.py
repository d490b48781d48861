"""Benchmark: how fast one Celery worker process checks 1,000 sources (`make bench-checks`).

1,000 sources on distinct host names (s0.bench.test, s1.bench.test, ...) that the static resolver
maps to a local server answering every request after 200 ms. One worker process (`-P threads -c 64`
by default) consumes the checks from Redis and writes to PostgreSQL. The pages are realistic
article pages (bench/article_page.py: ~63 KB of markup with navigation, ads, scripts, JSON-LD,
related posts and "Most read" that rotate on every request, around a 15,000-character article),
each cited three times. Three passes:

- cold: robots.txt is not cached yet, so each source costs two requests (robots.txt, then the page)
  and the page waits for the host's politeness interval after the robots.txt request; the first
  check stores the baseline snapshot and fills the source's empty metadata;
- warm, unchanged: robots.txt is cached (24 h in production), one request per source, the article
  text as before (the page's bytes are not: teasers and scripts rotate): the steady state;
- warm, changed: every article has one paragraph edited: a new snapshot per source.

Reported per pass: wall time, ratio to the ideal (sources x delay / concurrency), fetches in flight
(the server's peak and mean of concurrent requests), the worker's peak resident memory and its CPU
per check. Then `--inline` sources are checked one at a time in this process, unchanged and then
changed, for the CPU of one check without 64 threads contending for the GIL.

Needs PostgreSQL and Redis: BENCH_DATABASE_URL (default: DATABASE_URL's server, database
tracker_checks_bench, dropped and recreated) and BENCH_BROKER_URL (default: REDIS_URL's server,
database 13). Writes nothing to docs: copy the printed figures to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
from article_page import article_page, cited_excerpts  # noqa: E402
from processes import stop_worker  # noqa: E402


class SlowServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Answers every request after `delay` seconds; counts requests in flight."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 2048  # 64+ simultaneous connects must not overflow the listen backlog

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.version = 1  # 2: every article edited (one paragraph replaced)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.busy_seconds = 0.0
        self.cpu_seconds = 0.0  # the handler threads' own CPU: the page is built here, in our process
        self.requests = 0
        super().__init__(("127.0.0.1", 0), _Handler)

    def reset(self) -> None:
        with self.lock:
            self.peak, self.busy_seconds, self.requests = self.in_flight, 0.0, 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SlowServer

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):  # noqa: N802
        server = self.server
        started, cpu_started = time.monotonic(), time.thread_time()
        with server.lock:
            server.in_flight += 1
            server.requests += 1
            server.peak = max(server.peak, server.in_flight)
        try:
            time.sleep(server.delay)
            host = (self.headers.get("Host") or "").split(":")[0]
            if self.path == "/robots.txt":
                status, body, kind = 404, b"not found", "text/plain"
            else:
                page = article_page(host, version=server.version, request=server.requests)
                status, body, kind = 200, page.encode(), "text/html; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        finally:
            with server.lock:
                server.in_flight -= 1
                server.busy_seconds += time.monotonic() - started
                server.cpu_seconds += time.thread_time() - cpu_started


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, KiB."""
    total = 0
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _inline_cpu(server: SlowServer, source_ids: list[int], *, host_interval: float) -> dict[str, tuple]:
    """CPU of one `source_check` at a time, away from the worker's 64 threads (no GIL contention):
    the articles as the worker's last pass left them (unchanged), then edited back (changed)."""
    import statistics

    from django.db import connection

    from sources.checking import source_check

    results = {}
    server.delay = 0.0
    for label, version in (("unchanged", server.version), ("changed (one paragraph edited)", 3 - server.version)):
        time.sleep(host_interval + 0.5)  # every host's politeness slot free again
        server.version = version
        cpu, alone, changed = [], [], 0
        for source_id in source_ids:
            started, served = time.process_time(), server.cpu_seconds
            check = source_check(source_id=source_id)
            cpu.append((time.process_time() - started) * 1000)
            # Less what the local server spent building and sending the page (a remote site's work).
            alone.append(cpu[-1] - (server.cpu_seconds - served) * 1000)
            changed += bool(check.text_changed)
        connection.close()
        results[label] = (
            statistics.median(cpu),
            statistics.quantiles(cpu, n=10)[-1],
            statistics.median(alone),
            statistics.quantiles(alone, n=10)[-1],
            f"{changed}/{len(cpu)}",
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.2, help="server answer delay, seconds")
    parser.add_argument("--pool", default="threads")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--host-interval", type=float, default=1.0, help="FETCH_HOST_MIN_INTERVAL_SECONDS")
    parser.add_argument("--inline", type=int, default=100, help="sources checked one at a time in process")
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL") or _with_path(
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x", "/tracker_checks_bench"
    )
    broker_url = os.environ.get("BENCH_BROKER_URL") or _with_path(
        os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", "/13"
    )
    redis_url = os.environ.get("REDIS_URL") or _with_path(broker_url, "/3")
    server = SlowServer(args.delay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    queue = f"bench-checks-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",  # DEBUG keeps every SQL query in memory
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": os.environ.get("BENCH_CONN_MAX_AGE", "0"),  # 0: threads do not pin connections
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": redis_url,
        "FETCH_RESOLVER": "sources.resolvers.static_resolver",
        "FETCH_STATIC_HOSTS": "*.bench.test=127.0.0.1",
        "FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "FETCH_ALLOWED_PORTS": str(port),
        "FETCH_HOST_MIN_INTERVAL_SECONDS": str(args.host_interval),
        "FETCH_REDIS_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    import psycopg

    parts = urlsplit(database_url)
    db_name = parts.path.lstrip("/")
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        admin.execute(f'CREATE DATABASE "{db_name}"')

    import django

    django.setup()
    from celery import Celery
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    import sources.tasks
    from core.history import get_system_user
    from sources import services as source_services
    from sources.models import SourceCheck
    from tracker import services as tracker_services
    from tracker.models import Actor

    print(f"Database {db_name}: migrating and creating {args.sources} sources ...", flush=True)
    call_command("migrate", verbosity=0)
    sources.tasks.enqueue_check = lambda source_id: None  # set-up must not queue checks itself
    user = get_system_user()
    speaker = tracker_services.actor_create(user=user, reason="Benchmark", data={"name": "Bench", "kind": "person"})
    source_ids = []
    for i in range(args.sources):
        source = source_services.source_create(
            user=user, reason="Benchmark", data={"url": f"http://s{i}.bench.test:{port}/article", "title": f"S{i}"}
        )
        tracker_services.claim_create(
            user=user,
            reason="Benchmark",
            data={"speaker": speaker, "text": f"Claim {i}"},
            citations=[{"source": source, "excerpt": e} for e in cited_excerpts(f"s{i}.bench.test")],
        )
        source_ids.append(source.pk)
    assert Actor.objects.count() == 1
    connection.close()

    log = ROOT / "var" / "bench-checks-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    celery_bin = str(Path(sys.executable).parent / "celery")
    argv = [celery_bin, "-A", "config", "worker", "-Q", queue, "-P", args.pool, "-c", str(args.concurrency)]
    argv += ["--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker = subprocess.Popen(  # noqa: S603 - fixed argv
        argv, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    sender = Celery("bench-sender", broker=broker_url)
    figures = []
    try:
        time.sleep(5)  # worker start-up
        if worker.poll() is not None:
            raise SystemExit(f"The worker exited at start-up; see {log}")
        passes = [
            ("cold: first check (robots.txt fetched, baseline snapshot, metadata filled)", 1),
            ("warm: article unchanged", 1),
            ("warm: article changed (one paragraph edited)", 2),
        ]
        for label, version in passes:
            done_before = SourceCheck.objects.count()
            connection.close()
            server.reset()
            server.version = version
            peak_rss = 0
            cpu_before = _cpu_seconds(worker.pid)
            started = time.monotonic()
            for source_id in source_ids:
                sender.send_task("sources.tasks.check_source", args=[source_id], queue=queue)
            while True:
                peak_rss = max(peak_rss, _rss_kib(worker.pid))
                done = SourceCheck.objects.count() - done_before
                connection.close()
                if done >= len(source_ids):
                    break
                if time.monotonic() - started > 600:
                    raise SystemExit(f"Timed out with {done} checks done; see {log}")
                time.sleep(0.1)
            wall = time.monotonic() - started
            cpu = _cpu_seconds(worker.pid) - cpu_before
            ideal = len(source_ids) * args.delay / args.concurrency
            outcomes = dict(SourceCheck.objects.order_by().values_list("outcome").annotate(n=Count("id")))
            figures.append(
                {
                    "pass": label,
                    "wall": wall,
                    "ideal": ideal,
                    "ratio": wall / ideal,
                    "requests": server.requests,
                    "peak_in_flight": server.peak,
                    "mean_in_flight": server.busy_seconds / wall,
                    "rss_mib": peak_rss / 1024,
                    "cpu_ms_per_check": cpu * 1000 / len(source_ids),
                    "cpu_share": cpu / wall,
                    "outcomes": outcomes,
                }
            )
            time.sleep(max(1.5, args.host_interval + 0.5))  # let every host's politeness slot expire
    finally:
        sender.close()
        stop_worker(worker)
    try:
        inline = _inline_cpu(server, source_ids[: args.inline], host_interval=args.host_interval)
    finally:
        server.shutdown()

    print(
        f"\n{args.sources} sources, server delay {args.delay * 1000:.0f} ms, one worker process "
        f"-P {args.pool} -c {args.concurrency}, host interval {args.host_interval}s, "
        f"ideal {figures[0]['ideal']:.2f}s"
    )
    print(
        "| pass | wall time | ratio to ideal | requests | fetches in flight (peak / mean) | worker peak RSS "
        "| worker CPU per check | worker CPU / wall |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for f in figures:
        print(
            f"| {f['pass']} | {f['wall']:.2f} s | {f['ratio']:.2f}x | {f['requests']} | "
            f"{f['peak_in_flight']} / {f['mean_in_flight']:.1f} | {f['rss_mib']:.0f} MiB | "
            f"{f['cpu_ms_per_check']:.1f} ms | {f['cpu_share']:.2f} |"
        )
    print(f"outcomes (all passes): {figures[-1]['outcomes']}")
    print(
        f"\nOne check at a time in this process ({len(source_ids[: args.inline])} sources, CPU of the whole "
        "source_check: fetch, extraction, fingerprint, excerpts, the transaction):"
    )
    print(
        "| article | process CPU per check, median | p90 | the check alone (less the local server's page), median "
        "| p90 | text changed |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, (median, p90, alone, alone_p90, changed) in inline.items():
        print(f"| {label} | {median:.1f} ms | {p90:.1f} ms | {alone:.1f} ms | {alone_p90:.1f} ms | {changed} |")
    print(
        f"DATABASE_CONN_MAX_AGE={env['DATABASE_CONN_MAX_AGE']}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
