"""Real Celery workers on Redis checking sources in the PostgreSQL test database.

The worker is a separate process (`celery -A config worker`), so the test data must be committed
(`transactional_db`) and the worker pointed at pytest-django's test database by name. Each test uses
its own queue, so workers of other test runs on the same Redis never take its messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from sources.choices import CheckOutcome, QuoteStatus, SourceHealth
from sources.models import SourceCheck, SourceCheckDelivery
from tests.factories import CitationFactory, SourceFactory
from tests.sources.checking_support import HOST, article_html, page_url
from tests.sources.httpserver import Response

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_URL", "")
EXCERPT = "ready and willing to put troops on the ground in Ukraine"
# Short limits so a killed worker's message is redelivered within seconds; they keep the order the
# settings enforce: fetch deadline < soft limit < hard limit < visibility timeout.
WORKER_LIMITS = {
    "FETCH_DEADLINE_SECONDS": "3",
    "CELERY_TASK_SOFT_TIME_LIMIT": "5",
    "CELERY_TASK_TIME_LIMIT": "6",
    "CELERY_BROKER_VISIBILITY_TIMEOUT": "10",
    "SOURCE_CHECK_MAX_RETRY_COUNTDOWN": "2",
}


def _broker_url() -> str:
    """TEST_CELERY_BROKER_URL, else REDIS_URL's server with database 13 (kept apart from the cache)."""
    if os.environ.get("TEST_CELERY_BROKER_URL"):
        return os.environ["TEST_CELERY_BROKER_URL"]
    parts = urlsplit(REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, "/13", "", ""))


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


@pytest.fixture
def worker_env(news_server):
    if not REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL (make test runs these when it is set)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database (set DATABASE_URL)")
    queue = f"test-checks-{uuid.uuid4().hex}"
    env = worker_environment(
        FETCH_ALLOWED_PORTS=str(news_server.port),
        FETCH_STATIC_HOSTS=f"{HOST}=127.0.0.1",
        FETCH_REDIS_KEY_PREFIX=settings.FETCH_REDIS_KEY_PREFIX,
    )
    return {"env": env, "queue": queue}


def worker_environment(**overrides: str) -> dict[str, str]:
    """A worker process's environment: the test database, the test broker, short limits, no eager tasks."""
    return {
        **os.environ,
        **WORKER_LIMITS,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": _broker_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": REDIS_URL,
        "FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        **overrides,
    }


class Worker:
    """One `celery worker` process (prefork, one child) consuming one queue; logs to a file."""

    def __init__(self, env: dict[str, str], queue: str, log: Path) -> None:
        self.log = log
        python_bin = Path(sys.executable).parent
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            [
                str(python_bin / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{queue}-{uuid.uuid4().hex[:6]}@%h",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def child_pids(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no warm shutdown, no acknowledgement."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(worker_env, tmp_path):
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(worker_env["env"], worker_env["queue"], tmp_path / "worker.log")
        started.append(worker)
        return worker

    start.log = tmp_path / "worker.log"
    yield start
    for worker in started:
        worker.stop()


def _send_check(worker_env, source_id: int) -> str:
    """Queue check_source on the real broker, as the dispatcher does in production."""
    # Not the current app: tasks of later tests would otherwise go to this broker instead of running eagerly.
    sender = Celery("test-sender", broker=worker_env["env"]["CELERY_BROKER_URL"], set_as_current=False)
    try:
        result = sender.send_task("sources.tasks.check_source", args=[source_id], queue=worker_env["queue"])
    finally:
        sender.close()
    return result.id


def _wait_for(condition, *, timeout: float, log: Path, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)"
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{tail}")


def test_a_real_worker_checks_a_source_end_to_end(news_server, worker_env, workers):
    news_server.add("/article", body=article_html())
    source = SourceFactory(url=page_url(news_server, "/article"))
    citation = CitationFactory(source=source, excerpt=EXCERPT)
    workers()

    task_id = _send_check(worker_env, source.pk)

    check = _wait_for(
        lambda: SourceCheck.objects.filter(source=source).first(), timeout=60, log=workers.log, what="the check"
    )
    assert check.task_id == task_id
    assert check.outcome == CheckOutcome.OK
    source.refresh_from_db()
    assert source.health == SourceHealth.OK
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.PRESENT
    assert news_server.paths() == ["/robots.txt", "/article"]


def _hanging_first_request(news_server):
    """The first request to /article hangs (the worker is mid-check); later ones answer at once."""
    seen = threading.Event()
    lock = threading.Lock()
    count = {"n": 0}

    def handler(request):
        with lock:
            count["n"] += 1
            first = count["n"] == 1
        if first:
            seen.set()
            return Response(body=article_html(), delay=30)
        return Response(body=article_html())

    news_server.add("/article", handler)
    return seen


def test_a_worker_killed_mid_check_loses_nothing_and_the_check_is_done_once_after_restart(
    news_server, worker_env, workers
):
    in_flight = _hanging_first_request(news_server)
    source = SourceFactory(url=page_url(news_server, "/article"))
    CitationFactory(source=source, excerpt=EXCERPT)
    first = workers()
    task_id = _send_check(worker_env, source.pk)
    assert in_flight.wait(60), workers.log.read_text(errors="replace")[-4000:]

    first.kill()  # SIGKILL mid-fetch: the message was never acknowledged (acks_late)
    assert SourceCheck.objects.filter(source=source).count() == 0
    workers()  # after the visibility timeout the broker hands the message to the new worker

    check = _wait_for(
        lambda: SourceCheck.objects.filter(source=source).first(), timeout=90, log=workers.log, what="the redone check"
    )
    time.sleep(2)  # room for a duplicate to show up, if there were one
    assert check.task_id == task_id
    assert check.outcome == CheckOutcome.OK
    assert SourceCheck.objects.filter(source=source).count() == 1
    assert len(news_server.requests_to("/article")) == 2
    assert SourceCheckDelivery.objects.get(delivery_key=f"{task_id}:0").deliveries == 2


def test_a_pool_process_killed_mid_check_is_replaced_and_the_check_redone_once(news_server, worker_env, workers):
    in_flight = _hanging_first_request(news_server)
    source = SourceFactory(url=page_url(news_server, "/article"))
    worker = workers()
    task_id = _send_check(worker_env, source.pk)
    assert in_flight.wait(60), workers.log.read_text(errors="replace")[-4000:]

    children = worker.child_pids()
    assert len(children) == 1
    os.kill(children[0], signal.SIGKILL)  # reject_on_worker_lost puts the message back at once

    check = _wait_for(
        lambda: SourceCheck.objects.filter(source=source).first(), timeout=60, log=workers.log, what="the redone check"
    )
    time.sleep(2)
    assert worker.process.poll() is None  # the worker itself lived on and restarted its pool process
    assert check.task_id == task_id
    assert check.outcome == CheckOutcome.OK
    assert SourceCheck.objects.filter(source=source).count() == 1
    assert SourceCheckDelivery.objects.get(delivery_key=f"{task_id}:0").deliveries == 2
