"""Throttling per key in the shared cache, the body size limit and the page size cap."""

import pytest
from django.test import override_settings

from core.api.access import KeyRateThrottle
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_each_key_is_throttled_separately_with_a_problem_and_retry_after(
    dossier, partner_reader, partner_submitter, monkeypatch
):
    monkeypatch.setattr(KeyRateThrottle, "rate", "3/minute", raising=False)
    reader, submitter = client_for(partner_reader), client_for(partner_submitter)

    statuses = [reader.get("/api/v1/topics/").status_code for _ in range(4)]
    other_key = submitter.get("/api/v1/topics/")

    assert statuses == [200, 200, 200, 429]
    assert other_key.status_code == 200
    limited = reader.get("/api/v1/topics/")
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["title"] == "Too many requests"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_a_body_over_the_limit_is_refused_with_413_and_nothing_is_created(dossier, editor):
    from tracker.models import Topic

    before = Topic.objects.count()

    response = client_for(editor).post(
        "/api/v1/topics/", {"title": "T", "question": "Q?", "summary": "x" * 5000, "reason": "r"}, format="json"
    )

    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than 2048 bytes."
    assert Topic.objects.count() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_a_body_over_the_limit_sent_with_a_key_is_refused_with_413(dossier, partner_submitter):
    from tracker.models import Claim

    before = Claim.objects.count()

    response = client_for(partner_submitter).post(
        "/api/v1/claims/", {"speaker": "keir-starmer", "text": "x" * 5000, "reason": "r"}, format="json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert Claim.objects.count() == before


def test_pages_hold_at_most_100_rows_and_a_larger_page_size_is_refused(dossier, viewer):
    from tests.factories import ActorFactory

    for _ in range(105):
        ActorFactory()
    client = client_for(viewer)

    full = client.get("/api/v1/actors/?page_size=100").json()
    too_large = client.get("/api/v1/actors/?page_size=1000")

    assert len(full["results"]) == 100
    assert full["next"] is not None
    assert too_large.status_code == 400
    assert too_large.json()["errors"] == [{"field": "page_size", "message": "Give a number from 1 to 100."}]


@pytest.mark.parametrize(
    "query", ["updated_since=", "stated_on_after=", "kind=", "page_size=0", "page_size=%C2%B2", "page_size=null"]
)
def test_a_blank_or_malformed_typed_parameter_is_refused_naming_it(dossier, partner_reader, query):
    response = client_for(partner_reader).get(f"/api/v1/claims/?{query}")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [query.split("=")[0]]


def test_blank_free_text_parameters_are_no_filter(dossier, partner_reader):
    client = client_for(partner_reader)

    assert client.get("/api/v1/claims/?q=&actor=").json() == client.get("/api/v1/claims/").json()


def test_an_id_filter_out_of_range_is_a_400_naming_the_parameter(dossier, partner_reader):
    client = client_for(partner_reader)

    huge = client.get("/api/v1/citations/?claim=-1.2e201")
    fraction = client.get("/api/v1/citations/?claim=1.5")
    fine = client.get(f"/api/v1/citations/?claim={dossier.claim.pk}")

    assert huge.status_code == 400
    assert huge.json()["errors"][0]["field"] == "claim"
    assert fraction.status_code == 400
    assert [row["id"] for row in fine.json()["results"]] == [dossier.citation.pk]


def test_an_id_beyond_64_bits_in_the_path_is_a_404_problem(dossier, reviewer):
    response = client_for(reviewer).get("/api/v1/claims/99999999999999999999999/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_nul_characters_anywhere_in_a_json_body_are_refused_naming_each_field(dossier, editor):
    from tracker.models import Role

    before = Role.objects.count()

    response = client_for(editor).post(
        "/api/v1/roles/",
        {"actor": "a\x00b", "organisation": "x", "title": "PM", "nested": [{"k": "v\x00"}], "reason": "r"},
        format="json",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert "NUL characters are not allowed." in str(body)
    assert "actor" in str(body) and "nested[0].k" in str(body)
    assert Role.objects.count() == before


# --- Bounds on what one request may carry (issue 14, item 1) --------------------------------------


def _claim_body(dossier, **values):
    return {"speaker": "keir-starmer", "text": "Words", "reason": "r", **values}


@pytest.mark.parametrize(
    ("field", "items"),
    [
        ("citations", lambda dossier: [{"source": dossier.source.pk, "excerpt": f"e{n}"} for n in range(51)]),
        ("topics", lambda dossier: [f"topic-{n}" for n in range(21)]),
    ],
)
def test_a_claim_with_too_many_nested_items_is_refused_before_any_is_read(
    dossier, editor, field, items, django_assert_max_num_queries
):
    from tracker.models import Claim

    before = Claim.objects.count()
    client = client_for(editor)
    body = _claim_body(dossier, **{field: items(dossier)})

    with django_assert_max_num_queries(8):  # the key/session, never one query per item
        response = client.post("/api/v1/claims/", body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == field and "At most" in error["message"]
    assert Claim.objects.count() == before


def test_a_position_with_too_many_evidence_claims_is_refused(dossier, editor):
    from positions.models import Position

    before = Position.objects.count()
    body = {"actor": "keir-starmer", "topic": "x", "stance": "support", "as_of": "2025-02-01", "reason": "r"}
    response = client_for(editor).post("/api/v1/positions/", {**body, "evidence": list(range(1, 52))}, format="json")

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["evidence"]
    assert Position.objects.count() == before


def test_an_actor_with_too_many_aliases_is_refused(dossier, editor):
    body = {"name": "Many names", "kind": "person", "aliases": [f"a{n}" for n in range(51)], "reason": "r"}
    response = client_for(editor).post("/api/v1/actors/", body, format="json")

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["aliases"]


@pytest.mark.parametrize("depth", [11, 1000, 50_000])
def test_json_nested_too_deep_is_a_problem_naming_the_body_not_a_server_error(dossier, editor, depth):
    body = '{"title": "T", "question": "Q?", "reason": "r", "summary": ' + "[" * depth + "]" * depth + "}"
    response = client_for(editor).post("/api/v1/topics/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "body", "message": "JSON nested deeper than 10 levels."}]


def test_marking_more_changes_than_the_longest_page_at_once_is_refused(reviewer):
    from django.core.exceptions import ValidationError

    from core.services import change_patrol

    with pytest.raises(ValidationError, match="at most 500"):
        change_patrol(user=reviewer, entry_ids=range(1, 502))
