"""With Redis gone the API keeps serving reads; with the database gone it answers 503 problem details.

Both services are taken away for real, not by patching our own code:
- Redis: the cache points at 127.0.0.1:1, where nothing listens, so every cache call meets a refused
  connection inside redis-py, exactly as with the Redis server stopped (`redis_is_down` checks that).
- The database: for the request, the `default` connection is swapped for one the driver cannot open
  (PostgreSQL: 127.0.0.1 port 1; SQLite: a file in a directory that does not exist), so the driver
  fails to connect and Django raises OperationalError, as with the server stopped. The test's own
  connection, with its open transaction, is put back afterwards.
"""

import contextlib
import copy
import logging
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.api.conftest import client_for

REDIS_DOWN = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}
RETRY_AFTER = "30"
DATABASE_DOWN_PROBLEM = {
    "type": f"{settings.SITE_URL}/api/problems/service-unavailable",
    "title": "Service unavailable",
    "status": 503,
    "detail": "The database is not answering. Try again in 30 seconds.",
}


@pytest.fixture
def redis_is_down():
    with override_settings(CACHES=REDIS_DOWN):
        with pytest.raises(RedisConnectionError):
            cache.get("anything")  # the cache really is unreachable
        yield


@contextlib.contextmanager
def database_down():
    """The `default` connection replaced by one to a database that cannot be reached."""
    working = connections["default"]
    unreachable = copy.deepcopy(working.settings_dict)
    if working.vendor == "sqlite":
        unreachable["NAME"] = str(Path(tempfile.mkdtemp()) / "missing-directory" / "tracker.sqlite3")
    else:
        unreachable.update(HOST="127.0.0.1", PORT="1")
    broken = type(working)(unreachable, alias="default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = working


def test_with_redis_down_partners_still_read_lists_and_details_and_a_warning_is_logged(
    dossier, partner_reader, redis_is_down, caplog
):
    client = client_for(partner_reader)
    with caplog.at_level(logging.WARNING, logger="core.api.access"):
        listing = client.get("/api/v1/claims/")
        detail = client.get(f"/api/v1/claims/{dossier.claim.pk}/")
        actors = client.get("/api/v1/actors/")

    assert listing.status_code == 200, listing.content
    assert [row["id"] for row in listing.json()["results"]] == [dossier.claim.pk]
    assert detail.status_code == 200
    assert detail.json()["text"] == "The UK is ready to put troops on the ground."
    assert actors.status_code == 200
    assert sorted(row["name"] for row in actors.json()["results"]) == ["Keir Starmer", "UK government"]
    warnings = [r for r in caplog.records if r.name == "core.api.access" and r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert warnings[0].getMessage().startswith("API throttling skipped: the cache is unreachable (ConnectionError")


def test_with_redis_down_a_team_member_reads_drafts_through_the_api(dossier, editor, redis_is_down):
    response = client_for(editor).get(f"/api/v1/claims/{dossier.draft.pk}/")

    assert response.status_code == 200
    assert response.json()["text"] == "Zanzibar draft words."


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/claims/{pk}/", "/api/v1/"])
def test_with_the_database_down_a_partner_gets_503_problem_details_with_retry_after(
    dossier, partner_reader, path, caplog
):
    client = client_for(partner_reader)
    with database_down(), caplog.at_level(logging.ERROR, logger="core.middleware"):
        response = client.get(path.format(pk=dossier.claim.pk))

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == RETRY_AFTER
    assert response.json() == DATABASE_DOWN_PROBLEM
    assert "The database is unavailable (OperationalError" in caplog.text


def test_with_the_database_down_a_team_session_gets_503_problem_details(dossier, editor):
    client = client_for(editor)
    with database_down():
        response = client.get("/api/v1/claims/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == DATABASE_DOWN_PROBLEM


def test_a_write_with_the_database_down_gets_503_too(dossier, editor):
    client = client_for(editor)
    with database_down():
        response = client.post("/api/v1/topics/", {"title": "Ceasefire", "reason": "new topic"}, format="json")

    assert response.status_code == 503
    assert response.json()["status"] == 503
    assert response["Retry-After"] == RETRY_AFTER
