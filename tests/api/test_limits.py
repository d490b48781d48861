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


def test_page_size_is_capped_at_100(dossier, viewer):
    from tests.factories import ActorFactory

    for _ in range(105):
        ActorFactory()

    page = client_for(viewer).get("/api/v1/actors/?page_size=1000").json()

    assert len(page["results"]) == 100
    assert page["next"] is not None


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
