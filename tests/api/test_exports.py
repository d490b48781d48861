"""CSV and JSON exports with the list filters, ClaimReview JSON-LD, and the full dump."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from tests.api.conftest import client_for
from tracker.choices import Veracity

pytestmark = pytest.mark.django_db


def _body(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_claims_export_as_csv_holds_only_published_claims_with_their_sources(dossier, partner_reader):
    response = client_for(partner_reader).get("/api/v1/claims/export/?as=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert [(r["id"], r["speaker"], r["topics"], r["source_urls"], r["citation_count"]) for r in rows] == [
        (str(dossier.claim.pk), "keir-starmer", "troops-in-ukraine", "https://news.example.org/paris", "1")
    ]


def test_exports_apply_the_list_filters_and_match_the_list_json(dossier, reviewer):
    client = client_for(reviewer)

    exported = json.loads(_body(client.get("/api/v1/claims/export/?as=json&status=draft&status=in_review")))
    listed = client.get("/api/v1/claims/?status=draft&status=in_review").json()["results"]

    assert (
        sorted(row["id"] for row in exported)
        == sorted(row["id"] for row in listed)
        == sorted([dossier.draft.pk, dossier.in_review.pk])
    )
    assert sorted(exported, key=lambda r: r["id"]) == sorted(listed, key=lambda r: r["id"])


def test_positions_export_lists_only_visible_evidence(dossier, partner_reader):
    response = client_for(partner_reader).get("/api/v1/positions/export/?as=csv&topic=troops-in-ukraine")

    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert sorted((r["actor"], r["evidence"]) for r in rows) == [
        ("keir-starmer", str(dossier.claim.pk)),
        ("uk-government", str(dossier.claim.pk)),
    ]


def test_an_unknown_export_format_is_named_in_the_problem(dossier, partner_reader):
    response = client_for(partner_reader).get("/api/v1/claims/export/?as=xlsx")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "as", "message": "Choose csv or json."}]


def test_claim_review_json_ld_for_a_rated_claim(dossier, partner_reader):
    dossier.claim.veracity = Veracity.MOSTLY_TRUE
    dossier.claim.veracity_rationale = "Troops were offered, with conditions."
    dossier.claim.save()
    client = client_for(partner_reader)

    review = json.loads(client.get(f"/api/v1/claims/{dossier.claim.pk}/claim-review/").content)
    graph = json.loads(_body(client.get("/api/v1/claims/claim-reviews/")))

    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "The UK is ready to put troops on the ground."
    assert review["reviewRating"] == {
        "@type": "Rating",
        "name": "Mostly true",
        "alternateName": "Mostly true",
        "bestRating": 5,
        "worstRating": 1,
        "ratingValue": 4,
    }
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Keir Starmer"}
    assert review["itemReviewed"]["appearance"][0]["url"] == "https://news.example.org/paris"
    # Without public pages the review lives only here; with them, on the public page (below).
    assert review["url"] == f"http://testserver/api/v1/claims/{dossier.claim.pk}/"
    assert review["author"] == {
        "@type": "Organization",
        "name": "Fact and position tracker",
        "url": "http://testserver/",
    }
    assert graph["@graph"] == [review]


def test_claim_review_is_dated_by_the_first_publication_and_hosted_on_the_public_page(
    dossier, partner_reader, reviewer, settings
):
    """The API and the public fact-check page build the review with one function (sources/claimreview.py)."""
    import datetime
    import uuid

    from tracker import services as claim_services

    settings.PUBLIC_PAGES_ENABLED = True
    settings.PUBLIC_PAGES_CACHE_PREFIX = f"public-test-{uuid.uuid4().hex}"  # no page cached by another test
    dossier.claim.history.update(history_date=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC))
    claim_services.claim_update(
        claim=dossier.claim,
        user=reviewer,
        reason="Rated",
        data={"veracity": Veracity.FALSE, "veracity_rationale": "No troops were offered."},
        expected_version=None,
    )
    client = client_for(partner_reader)

    review = json.loads(client.get(f"/api/v1/claims/{dossier.claim.pk}/claim-review/").content)
    graph = json.loads(_body(client.get("/api/v1/claims/claim-reviews/")))
    page = client.get(review["url"]).content.decode()

    assert review["url"] == f"http://testserver/public/claims/{dossier.claim.pk}/"
    assert review["datePublished"] == "2025-03-01"  # not the day of the edit (updated_at)
    assert graph["@graph"] == [review]
    ld = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(ld) == review


def test_claim_review_of_an_unrated_or_unpublished_claim_is_404(dossier, partner_reader, reviewer):
    assert client_for(partner_reader).get(f"/api/v1/claims/{dossier.claim.pk}/claim-review/").status_code == 404
    dossier.draft.veracity, dossier.draft.veracity_rationale = Veracity.FALSE, "No."
    dossier.draft.save()
    assert client_for(partner_reader).get(f"/api/v1/claims/{dossier.draft.pk}/claim-review/").status_code == 404
    assert client_for(reviewer).get(f"/api/v1/claims/{dossier.draft.pk}/claim-review/").status_code == 200


def test_exportdump_writes_the_published_data_as_partners_see_it_with_a_feed_cursor(
    dossier, partner_reader, tmp_path, settings
):
    settings.SITE_URL = "https://tracker.newsroom.test"  # the dump's links name the site's own address
    target = tmp_path / "dump.json"
    err = io.StringIO()

    call_command("exportdump", str(target), stdout=io.StringIO(), stderr=err)

    dump = json.loads(target.read_text())
    client = client_for(partner_reader)
    for resource in ["actors", "roles", "topics", "claims", "positions", "sources", "citations"]:
        listed = client.get(f"/api/v1/{resource}/?page_size=100").json()["results"]
        assert sorted(dump[resource], key=lambda r: r["id"]) == sorted(
            [{**row, **_relative_links(row)} for row in listed], key=lambda r: r["id"]
        ), resource
    assert client.get(f"/api/v1/changes/?after={dump['feed_cursor']}").json()["results"] == []
    assert "rows" in err.getvalue()  # the progress bar
    assert "zanzibar" not in target.read_text().lower()


def _relative_links(row):
    if "evidence_urls" in row:
        return {
            "evidence_urls": [
                u.replace("http://testserver", "https://tracker.newsroom.test") for u in row["evidence_urls"]
            ]
        }
    return {}


def test_a_claim_review_answers_304_to_its_etag_until_its_rating_changes(dossier, partner_reader):
    dossier.claim.veracity, dossier.claim.veracity_rationale = Veracity.MOSTLY_TRUE, "Offered, with conditions."
    dossier.claim.save()
    client = client_for(partner_reader)
    path = f"/api/v1/claims/{dossier.claim.pk}/claim-review/"
    first = client.get(path)

    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    dossier.claim.veracity = Veracity.FALSE
    dossier.claim.save()
    changed = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.status_code, first["Content-Type"]) == (200, "application/ld+json")
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert json.loads(changed.content)["reviewRating"]["name"] == "False"


def test_streamed_exports_carry_no_etag_and_ignore_if_none_match(dossier, partner_reader):
    client = client_for(partner_reader)
    for path in ("/api/v1/claims/export/", "/api/v1/positions/export/?as=csv", "/api/v1/claims/claim-reviews/"):
        response = client.get(path, HTTP_IF_NONE_MATCH="*")

        assert response.status_code == 200, path
        assert not response.has_header("ETag"), path
        assert _body(response), path
