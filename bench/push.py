"""Benchmark: webhook delivery to 10 endpoints, one slow and one dead (`make bench-push`).

About 1,000 feed events (claims created and published one after the other through the services,
two partner-visible events each) go to 10 endpoints of a local receiver: 8 answer at once, one
answers after `--slow` seconds (3 s), one accepts the connection and never answers (the POST times
out after WEBHOOK_TIMEOUT_SECONDS, 5 s). Real Celery worker processes on Redis and PostgreSQL, laid
out as the README's production section says: one for the "celery" queue (the kernel's feed
sequencing; `-P threads -c 4`) and one for the "push" queue (fan-out and delivery; `-P threads -c 16`
by default), or with `--one-worker` a single process consuming both.

Reported: p50/p95/max delivery latency of the 8 healthy endpoints (from the write's commit to the
receiver reading the POST), deliveries per second of the webhook worker, what the slow and the dead
endpoint got meanwhile, and each worker's CPU.

Needs PostgreSQL and Redis: BENCH_DATABASE_URL (default: DATABASE_URL's server, database
tracker_push_bench, dropped and recreated) and BENCH_BROKER_URL (default: REDIS_URL's server,
database 14; flushed, and the cache too). Writes nothing to docs: copy the printed figures to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from processes import stop_worker  # noqa: E402  (bench/, the script's directory, is on the path)


class Receiver(ThreadingHTTPServer):
    """Records (path, webhook payload, arrival time); /slow answers late, /dead never answers."""

    daemon_threads = True
    request_queue_size = 512

    def __init__(self, slow: float) -> None:
        self.slow = slow
        self.lock = threading.Lock()
        self.arrivals: list[tuple[str, dict, float]] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Receiver

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        arrived = time.time()
        with self.server.lock:
            self.server.arrivals.append((self.path, json.loads(body), arrived))
        if self.path == "/dead":
            time.sleep(60)
            return
        if self.path == "/slow":
            time.sleep(self.server.slow)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--slow", type=float, default=3.0, help="seconds the slow endpoint takes to answer")
    parser.add_argument("--pool", default="threads")
    parser.add_argument("--concurrency", type=int, default=16, help="threads of the webhook worker")
    parser.add_argument("--one-worker", action="store_true", help="one worker process for both queues")
    parser.add_argument(
        "--rate", type=float, default=4.0, help="claims published per second (two events each); 0: as fast as possible"
    )
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL") or _with_path(
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x", "/tracker_push_bench"
    )
    broker_url = os.environ.get("BENCH_BROKER_URL") or _with_path(
        os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", "/14"
    )
    receiver = Receiver(args.slow)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    port = receiver.server_address[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": broker_url,  # the cache beside the broker's keys: one throwaway database, flushed
        "FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "FETCH_ALLOWED_PORTS": str(port),
        "WEBHOOK_TIMEOUT_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    import psycopg
    import redis

    redis.Redis.from_url(broker_url).flushdb()  # the benchmark's own broker database: no stale messages
    parts = urlsplit(database_url)
    db_name = parts.path.lstrip("/")
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        admin.execute(f'CREATE DATABASE "{db_name}"')

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import sources.tasks
    from core.history import get_system_user
    from core.services import partner_create
    from push import services as push_services
    from push.models import WebhookDelivery
    from sources import services as source_services
    from sources.models import Citation
    from tracker import services as tracker_services

    print(f"Database {db_name}: migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    sources.tasks.enqueue_check = lambda source_id: None  # no source checks in this benchmark
    user = get_system_user()
    partner = partner_create(name="Bench partner")
    paths = [f"/ok{i}" for i in range(8)] + ["/slow", "/dead"]
    endpoints = {
        path: push_services.webhook_endpoint_create(partner=partner, url=f"http://127.0.0.1:{port}{path}")
        for path in paths
    }
    speaker = tracker_services.actor_create(user=user, reason="Benchmark", data={"name": "Bench", "kind": "person"})
    source = source_services.source_create(
        user=user, reason="Benchmark", data={"url": "https://bench.example.org/a", "title": "A"}
    )
    connection.close()

    log = ROOT / "var" / "bench-push-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(b"")
    # As in production (README): one worker for the kernel's queue, one for partner webhooks; or both
    # queues in one process (--one-worker), to compare.
    queues = {"celery,push": args.concurrency} if args.one_worker else {"celery": 4, "push": args.concurrency}
    workers = {queue: _start_worker(queue, args.pool, concurrency, env, log) for queue, concurrency in queues.items()}
    committed: dict[tuple[str, int], float] = {}
    try:
        time.sleep(5)
        if any(worker.poll() is not None for worker in workers.values()):
            raise SystemExit(f"A worker exited at start-up; see {log}")
        cpu_before = {queue: _cpu_seconds(worker.pid) for queue, worker in workers.items()}
        started = time.time()
        claims = args.events // 2
        for i in range(claims):
            if args.rate:
                time.sleep(max(0.0, started + i / args.rate - time.time()))
            claim = tracker_services.claim_create(
                user=user,
                reason="Benchmark",
                data={"speaker": speaker, "text": f"Claim {i}"},
                citations=[{"source": source, "excerpt": "the words"}],
            )
            tracker_services.claim_publish(claim=claim, user=user, reason="Benchmark")
            at = time.time()  # committed: the service's transaction ended
            committed[("claims", claim.pk)] = at
            committed[("citations", Citation.objects.filter(claim=claim).values_list("pk", flat=True).get())] = at
        writes_done = time.time()
        healthy = [endpoints[p].pk for p in paths[:8]]
        while True:
            pending = WebhookDelivery.objects.filter(endpoint_id__in=healthy, status="pending").count()
            delivered = WebhookDelivery.objects.filter(endpoint_id__in=healthy, status="delivered").count()
            connection.close()
            if delivered >= 8 * len(committed) and not pending:
                break
            if time.time() - writes_done > 600:
                raise SystemExit(f"Timed out with {delivered} healthy deliveries done; see {log}")
            time.sleep(0.2)
        finished = time.time()
        cpu = {queue: _cpu_seconds(worker.pid) - cpu_before[queue] for queue, worker in workers.items()}
    finally:
        for worker in workers.values():
            stop_worker(worker)
        receiver.shutdown()

    with receiver.lock:
        arrivals = list(receiver.arrivals)
    latencies, order_ok = [], True
    last_seq: dict[str, int] = {}
    for path, payload, arrived in arrivals:
        event = payload["data"]
        if path.startswith("/ok"):
            if event["seq"] < last_seq.get(path, 0):
                order_ok = False
            last_seq[path] = event["seq"]
            key = (event["resource"], event["id"])
            if key in committed:
                latencies.append(arrived - committed[key])
    healthy_count = sum(1 for path, _, _ in arrivals if path.startswith("/ok"))
    slow_count = sum(1 for path, _, _ in arrivals if path == "/slow")
    dead_count = sum(1 for path, _, _ in arrivals if path == "/dead")
    events = healthy_count // 8
    wall = finished - started
    layout = ", ".join(f"-Q {queue} -P {args.pool} -c {concurrency}" for queue, concurrency in queues.items())
    print(
        f"\n{events} events (from {len(committed) // 2} claims published one after the other in "
        f"{writes_done - started:.1f} s, --rate {args.rate:g}) to 10 endpoints; worker processes: {layout}"
    )
    print(
        "| healthy latency p50 / p95 / max | healthy deliveries | deliveries/s (webhook worker) | in order "
        "| slow endpoint got | dead endpoint attempts | CPU / wall per worker |"
    )
    print("|---|---|---|---|---|---|---|")
    cpus = ", ".join(f"{queue}: {seconds / wall:.2f}" for queue, seconds in cpu.items())
    print(
        f"| {statistics.median(latencies):.2f} / {_percentile(latencies, 95):.2f} / {max(latencies):.2f} s "
        f"| {healthy_count} | {(healthy_count + slow_count + dead_count) / wall:.0f} "
        f"| {'yes' if order_ok else 'NO'} | {slow_count} | {dead_count} | {cpus} |"
    )
    print(
        f"wall {wall:.1f} s from the first write to the last healthy delivery; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


def _start_worker(queue: str, pool: str, concurrency: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    celery_bin = str(Path(sys.executable).parent / "celery")
    argv = [celery_bin, "-A", "config", "worker", "-Q", queue, "-P", pool, "-c", str(concurrency)]
    argv += ["-n", f"bench-{queue.replace(',', '-')}@%h", "--loglevel", "WARNING"]
    argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(  # noqa: S603 - fixed argv
        argv, env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


if __name__ == "__main__":
    main()
