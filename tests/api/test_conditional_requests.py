"""ETags of representations: conditional GETs (If-None-Match -> 304) on records and pages, If-Match on
writes against what the writer was shown, 412 problems with the current ETag and version, problem
`type` URIs on the site's address, and a feed cursor ahead of the feed."""

import pytest
from django.test import override_settings

from core.feed import sequence_feed
from core.models import FeedEvent, FeedSequence
from positions.choices import Stance
from tests.api.conftest import client_for
from tests.factories import CitationFactory, PositionFactory
from tracker import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/",
        "/api/v1/positions/?page_size=5",
        "/api/v1/actors/keir-starmer/",
        "/api/v1/topics/troops-in-ukraine/stances/",
        "/api/v1/actors/keir-starmer/timeline/",
        "/api/v1/position-changes/",
        "/api/v1/changes/",
    ],
)
def test_a_get_with_the_etag_it_gave_answers_304_without_a_body(dossier, partner_reader, path):
    client = client_for(partner_reader)
    first = client.get(path)
    assert first.status_code == 200
    etag = first["ETag"]

    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    weak = client.get(path, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    stale = client.get(path, HTTP_IF_NONE_MATCH='"something-else"')

    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert weak.status_code == 304
    assert stale.status_code == 200
    assert stale.json() == first.json()


def test_a_records_etag_changes_when_its_evidence_is_published_though_its_version_does_not(
    dossier, partner_reader, reviewer
):
    client = client_for(partner_reader)
    path = f"/api/v1/positions/{dossier.position.pk}/"
    before = client.get(path)
    version = before.json()["version"]

    CitationFactory(claim=dossier.in_review)
    services.claim_publish(claim=dossier.in_review, user=reviewer, reason="Checked")
    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after.json()["version"] == version
    assert dossier.in_review.pk in after.json()["evidence"]
    assert dossier.in_review.pk not in before.json()["evidence"]
    assert after["ETag"] != before["ETag"]
    assert after["ETag"].startswith(f'"position-{dossier.position.pk}-v{version}-')


def test_a_list_pages_etag_changes_when_a_row_on_it_changes(dossier, partner_reader, reviewer):
    client = client_for(partner_reader)
    before = client.get("/api/v1/actors/")

    services.actor_update(
        actor=dossier.speaker, user=reviewer, reason="Summary", data={"summary": "PM"}, expected_version=1
    )
    after = client.get("/api/v1/actors/", HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "PM" in [row["summary"] for row in after.json()["results"]]


def test_if_match_from_before_the_evidence_changed_is_412_with_the_current_etag(dossier, reviewer, partner_reader):
    """The record's version is the same, but what the writer saw is not: they must look again."""
    client = client_for(reviewer)
    path = f"/api/v1/claims/{dossier.in_review.pk}/"
    stale_etag = client.get(path)["ETag"]
    CitationFactory(claim=dossier.in_review, excerpt="added by a colleague")
    current = client.get(path)

    response = client.patch(
        path, {"context": "Mine"}, format="json", HTTP_IF_MATCH=stale_etag, HTTP_X_CHANGE_REASON="x"
    )

    assert current.json()["version"] == dossier.in_review.version
    assert response.status_code == 412
    assert response["Content-Type"] == "application/problem+json"
    assert response["ETag"] == current["ETag"] != stale_etag
    assert response.json()["current_version"] == dossier.in_review.version
    assert "what it shows changed" in response.json()["detail"]
    dossier.in_review.refresh_from_db()
    assert dossier.in_review.context == ""


def test_a_stale_if_match_is_412_naming_the_current_version_and_etag(dossier, reviewer):
    client = client_for(reviewer)
    path = f"/api/v1/actors/{dossier.speaker.slug}/"
    etag = client.get(path)["ETag"]
    services.actor_update(
        actor=dossier.speaker, user=reviewer, reason="First", data={"summary": "First"}, expected_version=1
    )
    current = client.get(path)

    response = client.patch(path, {"summary": "Second"}, format="json", HTTP_IF_MATCH=etag, HTTP_X_CHANGE_REASON="x")

    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    assert "version 2" in response.json()["detail"] and "version 1" in response.json()["detail"]
    assert response["ETag"] == current["ETag"]
    retry = client.patch(
        path, {"summary": "Second"}, format="json", HTTP_IF_MATCH=response["ETag"], HTTP_X_CHANGE_REASON="x"
    )
    assert retry.status_code == 200
    assert retry.json()["summary"] == "Second"


def test_a_workflow_action_with_the_current_etag_succeeds_and_answers_the_new_one(dossier, editor):
    client = client_for(editor)
    position = PositionFactory(actor=dossier.speaker, topic=dossier.secret_topic, stance=Stance.OPPOSE)
    path = f"/api/v1/positions/{position.pk}/"
    etag = client.get(path)["ETag"]

    response = client.post(f"{path}submit/", {"reason": "Ready"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_review"
    assert response["ETag"] == client.get(path)["ETag"] != etag


@override_settings(SITE_URL="https://tracker.newsroom.test")
def test_problem_types_are_on_the_sites_address_and_describe_themselves(dossier, reviewer, partner_reader):
    client = client_for(reviewer)
    missing = client_for(partner_reader).get(f"/api/v1/claims/{dossier.draft.pk}/")
    unknown_url = client.get("/api/v1/no-such-thing/")
    bad = client.post("/api/v1/topics/", {"title": "T"}, format="json")

    assert missing.json()["type"] == "https://tracker.newsroom.test/api/problems/not-found"
    assert unknown_url.json()["type"] == "https://tracker.newsroom.test/api/problems/not-found"
    assert bad.json()["type"] == "https://tracker.newsroom.test/api/problems/invalid-request"
    page = client_for(None).get("/api/problems/not-found")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "Not found" in page.content.decode() and "partners see published work" in page.content.decode()
    index = client_for(None).get("/api/problems/").content.decode()
    for slug in ("invalid-request", "precondition-failed", "feed-cursor-ahead", "too-many-requests"):
        assert f"/api/problems/{slug}" in index
    assert client_for(None).get("/api/problems/no-such-problem").status_code == 404


def test_a_cursor_ahead_of_the_feed_is_a_409_problem_with_the_feeds_last_event(dossier, partner_reader):
    sequence_feed()
    last = FeedSequence.objects.get().last_seq
    client = client_for(partner_reader)

    at_end = client.get(f"/api/v1/changes/?after={last}")
    # A restore from an older backup: the feed's numbering goes back while the mirror's cursor stays.
    FeedSequence.objects.update(last_seq=last - 2)
    FeedEvent.objects.filter(seq__gt=last - 2).delete()
    ahead = client.get(f"/api/v1/changes/?after={last}")

    assert at_end.status_code == 200 and at_end.json()["results"] == []
    assert ahead.status_code == 409
    assert ahead["Content-Type"] == "application/problem+json"
    body = ahead.json()
    assert body["type"].endswith("/api/problems/feed-cursor-ahead")
    assert body["last_seq"] == last - 2
    assert str(last) in body["detail"]
