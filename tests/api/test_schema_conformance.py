"""Schemathesis against the live schema, in-process through the WSGI app, at least 100 generated
requests per operation. Reads pass every check schemathesis has (`--checks all`: schema-valid requests
accepted, schema-violating ones refused, status codes, headers, content types and bodies as documented,
authentication enforced, unsupported methods refused); writes, whose generated bodies name records
that mostly do not exist, pass every check but the acceptance of schema-valid data.

Runs in `make test` (marker `schemathesis`; deselect with `-m "not schemathesis"` for a quick run).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import CHECKS
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from core.services import apikey_create

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "100"))
ALL_CHECKS = list(CHECKS.get_all())
WRITE_CHECKS = [check for check in ALL_CHECKS if check is not positive_data_acceptance]


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


HYPOTHESIS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def call_and_validate(case, key, monkeypatch, checks):
    from core.api.access import KeyRateThrottle

    monkeypatch.setattr(KeyRateThrottle, "rate", "1000000/minute", raising=False)
    if os.environ.get("SCHEMATHESIS_COUNT_FILE"):  # to measure cases per operation
        with open(os.environ["SCHEMATHESIS_COUNT_FILE"], "a") as counts:
            counts.write(f"{case.operation.label}\n")
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=checks)


@schema.include(method="GET").parametrize()
@HYPOTHESIS
def test_every_read_operation_passes_every_check(case, reviewer_key, monkeypatch):
    call_and_validate(case, reviewer_key, monkeypatch, ALL_CHECKS)


@schema.exclude(method="GET").parametrize()
@HYPOTHESIS
def test_every_write_operation_conforms_to_the_schema(case, reviewer_key, monkeypatch):
    call_and_validate(case, reviewer_key, monkeypatch, WRITE_CHECKS)


@pytest.mark.parametrize(
    ("path", "parameters"),
    [
        ("/api/v1/claims/", {}),
        ("/api/v1/claims/{id}/", None),
        ("/api/v1/topics/{slug}/stances/", {"slug": "troops-in-ukraine"}),
    ],
)
def test_a_304_answer_is_the_documented_one(dossier, reviewer_key, path, parameters):
    operation = schema[path]["GET"]
    parameters = {"id": dossier.claim.pk} if parameters is None else parameters
    auth = {"Authorization": f"Bearer {reviewer_key}"}
    first = operation.Case(path_parameters=parameters).call(headers=auth)
    assert first.status_code == 200
    case = operation.Case(path_parameters=parameters, headers={"If-None-Match": first.headers["etag"][0]})

    response = case.call(headers=auth)

    assert (response.status_code, response.content) == (304, b"")
    assert response.headers["etag"] == first.headers["etag"]
    case.validate_response(response, checks=ALL_CHECKS, headers=auth)
