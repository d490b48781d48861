"""Schemathesis against the live schema, in-process through the WSGI app: for every operation at
least 100 generated requests, no server error, every response (errors included) as the schema says.

Runs in `make test` (marker `schemathesis`; deselect with `-m "not schemathesis"` for a quick run).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from config.wsgi import application
from core.services import apikey_create

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
EXAMPLES_PER_OPERATION = 100


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: a request must not close the connection holding the test's transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def reviewer_key(reviewer, dossier, keep_test_connection):
    """A reviewer's own key: the widest access, so every operation's success path can be reached."""
    return apikey_create(name="schemathesis", scope="submit", user=reviewer)[1]


@pytest.mark.schemathesis
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_every_operation_conforms_to_the_schema(case, reviewer_key, monkeypatch):
    from core.api.access import KeyRateThrottle

    monkeypatch.setattr(KeyRateThrottle, "rate", "1000000/minute", raising=False)
    if os.environ.get("SCHEMATHESIS_COUNT_FILE"):  # to measure cases per operation
        with open(os.environ["SCHEMATHESIS_COUNT_FILE"], "a") as counts:
            counts.write(f"{case.operation.label}\n")
    case.call_and_validate(
        headers={"Authorization": f"Bearer {reviewer_key}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
