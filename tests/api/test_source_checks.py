"""Source health and the latest check on /sources/, excerpt checks on /citations/, and /source-checks/."""

import pytest

from core.history import save_bookkeeping
from sources.choices import CheckOutcome, QuoteStatus, SourceHealth
from sources.models import CitationCheck
from tests.api.conftest import client_for, make_check
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_a_source_shows_its_health_schedule_and_only_its_newest_check(dossier, partner_reader):
    source = dossier.source
    make_check(source, CheckOutcome.GONE, 404, minutes_ago=90)
    newest = make_check(source, CheckOutcome.REDIRECTED, 200, final_url="https://news.example.org/moved")
    source.health, source.last_checked_at, source.next_check_at = SourceHealth.MOVED, newest.finished_at, None
    save_bookkeeping(source, fields=["health", "last_checked_at", "next_check_at"])
    client = client_for(partner_reader)

    detail = client.get(f"/api/v1/sources/{source.pk}/").json()
    listed = client.get("/api/v1/sources/").json()["results"]

    assert detail["health"] == "moved"
    assert detail["next_check_at"] is None
    assert detail["last_checked_at"].startswith(newest.finished_at.strftime("%Y-%m-%dT%H:%M"))
    assert detail["latest_check"] == {
        "id": newest.pk,
        "outcome": "redirected",
        "http_status": 200,
        "finished_at": detail["latest_check"]["finished_at"],
        "final_url": "https://news.example.org/moved",
    }
    assert listed == [detail]


def test_a_source_never_checked_has_no_latest_check(reviewer):
    source = SourceFactory()

    body = client_for(reviewer).get(f"/api/v1/sources/{source.pk}/").json()

    assert (body["health"], body["last_checked_at"], body["latest_check"]) == ("unchecked", None, None)


def test_a_citation_shows_its_excerpt_check_with_score_and_closest_passage(dossier, partner_reader):
    citation = dossier.citation
    client = client_for(partner_reader)
    before = client.get(f"/api/v1/citations/{citation.pk}/").json()
    result = CitationCheck.objects.create(
        source_check=dossier.source_check,
        citation=citation,
        excerpt=citation.excerpt,
        status=QuoteStatus.ALTERED,
        score=87.5,
        matched_passage="ready to send troops to the ground",
    )
    citation.quote_status, citation.quote_check = QuoteStatus.ALTERED, result
    save_bookkeeping(citation, fields=["quote_status", "quote_check"])

    after = client.get(f"/api/v1/citations/{citation.pk}/").json()

    assert (before["quote_status"], before["quote_score"], before["quote_matched_passage"]) == (
        "unverified",
        None,
        None,
    )
    assert (after["quote_status"], after["quote_score"]) == ("altered", 87.5)
    assert after["quote_matched_passage"] == "ready to send troops to the ground"
    assert after["version"] == before["version"]  # check results are bookkeeping, not an edit


def test_source_checks_filter_by_source_and_outcome_newest_first(dossier, viewer):
    older = make_check(dossier.source, CheckOutcome.SERVER_ERROR, 503, minutes_ago=30)
    client = client_for(viewer)

    def ids(query):
        response = client.get(f"/api/v1/source-checks/?{query}")
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in response.json()["results"]]

    assert ids(f"source={dossier.source.pk}") == [older.pk, dossier.source_check.pk]  # latest recorded first
    assert ids("outcome=server_error") == [older.pk]
    assert ids("outcome=ok&outcome=gone") == sorted([dossier.source_check.pk, dossier.secret_check.pk], reverse=True)
    assert ids(f"source={dossier.secret_source.pk}") == [dossier.secret_check.pk]


def test_source_check_rows_show_the_fetch_and_reject_unknown_filters(dossier, partner_reader):
    client = client_for(partner_reader)

    row = client.get(f"/api/v1/source-checks/{dossier.source_check.pk}/").json()
    bad_outcome = client.get("/api/v1/source-checks/?outcome=fine")
    bad_source = client.get("/api/v1/source-checks/?source=abc")

    assert row["source"] == dossier.source.pk
    assert (row["outcome"], row["http_status"], row["health"]) == ("ok", 200, "ok")
    assert row["url"] == "https://news.example.org/paris"
    assert bad_outcome.status_code == 400
    assert bad_outcome.json()["errors"][0]["field"] == "outcome"
    assert bad_source.status_code == 400
    assert bad_source.json()["errors"][0]["field"] == "source"


def test_a_partner_sees_checks_of_a_source_once_a_published_claim_cites_it(dossier, partner_reader):
    from tests.factories import CitationFactory

    client = client_for(partner_reader)
    hidden = client.get(f"/api/v1/source-checks/{dossier.secret_check.pk}/")
    CitationFactory(claim=dossier.claim, source=dossier.secret_source, excerpt="ready")

    shown = client.get(f"/api/v1/source-checks/{dossier.secret_check.pk}/")

    assert hidden.status_code == 404
    assert shown.status_code == 200
