"""The ClaimReview JSON-LD of the public fact-check page, checked as an aggregator's validator would.

The rules, from schema.org (ClaimReview, Claim, Rating) and Google's Fact Check structured data
(ClaimReview), as `assert_valid_claim_review` checks them:

Required on ClaimReview
- `@context` is https://schema.org and `@type` is ClaimReview; one ClaimReview per page.
- `url` (URL): the page hosting the fact check, absolute, on the same host as the page that carries the
  markup (no redirect): here the public page itself, equal to its canonical link.
- `claimReviewed` (Text): a short summary of the claim; under 75 characters so it does not wrap on a
  phone; the full claim is elsewhere on the page.
- `reviewRating` (Rating) with `alternateName` (Text, the verdict shown in results).
Recommended on ClaimReview
- `author` (Organization or Person): the publisher of the fact check, not of the claim, with `name`,
  and `url` (URL); a `logo` (ImageObject with `url`, or URL) when the organisation has one.
- `datePublished` (Date, ISO 8601): when the fact check was first published, which later edits of the
  claim do not change.
- `itemReviewed` (Claim), with, recommended:
  - `author` (Person or Organization): who made the claim, with `name` and `sameAs` (URL of an
    authoritative page about them; here their Wikidata entity) when known;
  - `datePublished` (Date, ISO 8601, reduced precision allowed): when the claim was made;
  - `appearance` (URL or CreativeWork): where the claim appeared; a CreativeWork needs a `url` or, for
    a document not online, a `name` (and its `publisher`, `datePublished` when known).
Rating (recommended beside `alternateName`)
- `name` (Text): the verdict's name (Google: the same as alternateName).
- For a verdict on the numeric scale: `ratingValue`, `bestRating`, `worstRating` are numbers with
  worstRating >= 1, worstRating < bestRating and worstRating <= ratingValue <= bestRating; the closer
  to bestRating, the truer. A verdict with no place on the scale ("unverifiable") has no ratingValue
  (and then no scale): alternateName alone carries it.
"""

import datetime
import re

import pytest
from django.urls import reverse

from sources.claimreview import CLAIM_REVIEWED_MAX, first_publications, short_claim
from tests.factories import CitationFactory, ClaimFactory, SourceFactory
from tests.publishing.conftest import json_ld_blocks
from tracker import services as claim_services
from tracker.choices import EditorialStatus, Veracity

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ABSOLUTE_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def assert_valid_claim_review(review: dict, *, page_url: str) -> None:
    """Every required and recommended property, with its type, as the module docstring lists them."""
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    # Required
    assert review["url"] == page_url
    assert ABSOLUTE_URL.match(review["url"])
    assert isinstance(review["claimReviewed"], str) and 0 < len(review["claimReviewed"]) <= CLAIM_REVIEWED_MAX
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert isinstance(rating["alternateName"], str) and rating["alternateName"]
    assert rating["name"] == rating["alternateName"]
    if "ratingValue" in rating:
        for key in ("ratingValue", "bestRating", "worstRating"):
            assert isinstance(rating[key], int | float), key
        assert 1 <= rating["worstRating"] < rating["bestRating"]
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    else:
        assert "bestRating" not in rating and "worstRating" not in rating
    # Recommended
    author = review["author"]
    assert author["@type"] in ("Organization", "Person")
    assert isinstance(author["name"], str) and author["name"]
    assert ABSOLUTE_URL.match(author["url"])
    if "logo" in author:
        assert author["logo"]["@type"] == "ImageObject" and ABSOLUTE_URL.match(author["logo"]["url"])
    assert ISO_DATE.match(review["datePublished"])
    datetime.date.fromisoformat(review["datePublished"])  # a full date: the day it was published
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"]["@type"] in ("Person", "Organization")
    assert isinstance(item["author"]["name"], str) and item["author"]["name"]
    if "sameAs" in item["author"]:
        assert re.match(r"^https://www\.wikidata\.org/wiki/Q\d+$", item["author"]["sameAs"])
    if "datePublished" in item:
        assert ISO_DATE.match(item["datePublished"])
    assert item["appearance"], "where the claim appeared"
    for work in item["appearance"]:
        assert work["@type"] == "CreativeWork"
        assert ABSOLUTE_URL.match(work["url"]) if "url" in work else work["name"]
        if "publisher" in work:
            assert work["publisher"]["@type"] == "Organization" and work["publisher"]["name"]
        if "datePublished" in work:
            assert ISO_DATE.match(work["datePublished"])


def _rate(claim, reviewer, veracity, rationale):
    return claim_services.claim_update(
        claim=claim,
        user=reviewer,
        reason="Rated",
        data={"veracity": veracity, "veracity_rationale": rationale},
        expected_version=None,
    )


def _page(client, claim):
    response = client.get(reverse("publishing:claim", args=[claim.pk]))
    assert response.status_code == 200
    return response, json_ld_blocks(response.content.decode())


def test_the_fact_check_page_carries_a_valid_claim_review_with_every_property_filled(dossier, reviewer, anonymous):
    dossier.speaker.wikidata_id = "Q6384"
    dossier.speaker.save()
    # Published on 1 March 2025; rated (an edit) today: the review is dated by the publication.
    first = datetime.datetime(2025, 3, 1, 9, 30, tzinfo=datetime.UTC)
    dossier.claim.history.filter(status=EditorialStatus.PUBLISHED).update(history_date=first)
    _rate(dossier.claim, reviewer, Veracity.MOSTLY_TRUE, "Troops were offered, with conditions.")

    response, blocks = _page(anonymous, dossier.claim)

    page_url = f"http://testserver/public/claims/{dossier.claim.pk}/"
    assert len(blocks) == 1
    review = blocks[0]
    assert_valid_claim_review(review, page_url=page_url)
    assert f'<link rel="canonical" href="{page_url}">' in response.content.decode()
    assert review == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page_url,
        "claimReviewed": "The UK is ready to put troops on the ground.",
        "datePublished": "2025-03-01",
        "author": {
            "@type": "Organization",
            "name": "Example Fact Desk",
            "url": "https://factdesk.example.org/",
            "logo": {"@type": "ImageObject", "url": "https://factdesk.example.org/logo.png"},
        },
        "reviewRating": {
            "@type": "Rating",
            "name": "Mostly true",
            "alternateName": "Mostly true",
            "ratingValue": 4,
            "bestRating": 5,
            "worstRating": 1,
        },
        "reviewBody": "Troops were offered, with conditions.",
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Keir Starmer", "sameAs": "https://www.wikidata.org/wiki/Q6384"},
            "datePublished": "2025-02-17",
            "appearance": [{"@type": "CreativeWork", "url": "https://news.example.org/paris", "name": "Paris summit"}],
        },
    }
    assert dossier.claim.updated_at.date() != datetime.date(2025, 3, 1)


def test_an_unverifiable_claim_from_a_stored_document_by_an_organisation(dossier, reviewer, anonymous):
    text = (
        "The EU has imposed a series of economic sanctions on Russia in response to its actions in Ukraine, "
        "and is considering further measures this month."
    )
    claim = ClaimFactory(
        speaker=dossier.government, text=text, status=EditorialStatus.PUBLISHED, stated_on=datetime.date(2025, 2, 1)
    )
    claim.stated_on_precision = "month"
    claim.save()
    document = SourceFactory(
        url="",
        title="Briefing to the press, Paris",
        publisher="Élysée",
        published_on=datetime.date(2025, 2, 1),
        published_on_precision="month",
        stored_text="The EU has imposed a series of economic sanctions on Russia.",
    )
    CitationFactory(claim=claim, source=document, excerpt="The EU has imposed a series of economic sanctions")
    _rate(claim, reviewer, Veracity.UNVERIFIABLE, "No record of the further measures could be found.")

    response, [review] = _page(anonymous, claim)

    assert_valid_claim_review(review, page_url=f"http://testserver/public/claims/{claim.pk}/")
    assert review["reviewRating"] == {"@type": "Rating", "name": "Unverifiable", "alternateName": "Unverifiable"}
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "UK government"}
    assert review["itemReviewed"]["datePublished"] == "2025-02"
    assert review["itemReviewed"]["appearance"] == [
        {
            "@type": "CreativeWork",
            "name": "Briefing to the press, Paris",
            "publisher": {"@type": "Organization", "name": "Élysée"},
            "datePublished": "2025-02",
        }
    ]
    assert review["claimReviewed"] == "The EU has imposed a series of economic sanctions on Russia in response to…"
    assert len(review["claimReviewed"]) <= 75
    assert text in response.content.decode()  # the full claim is on the page


def test_an_unrated_published_claim_has_a_page_without_a_review(dossier, anonymous):
    response, blocks = _page(anonymous, dossier.claim)

    assert blocks == []
    assert "Not rated yet" in response.content.decode()
    assert dossier.claim.text in response.content.decode()


def test_markup_in_the_claim_cannot_leave_the_json_ld_script(dossier, reviewer, anonymous):
    claim = ClaimFactory(speaker=dossier.speaker, text="</script><script>alert(1)</script>", status="published")
    CitationFactory(claim=claim, source=dossier.source)
    _rate(claim, reviewer, Veracity.FALSE, "Said & done <b>never</b>.")

    response, [review] = _page(anonymous, claim)

    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert review["claimReviewed"] == "</script><script>alert(1)</script>"
    assert review["reviewBody"] == "Said & done <b>never</b>."


def test_the_first_publication_survives_a_retraction_and_a_new_publication(dossier, reviewer):
    claim = ClaimFactory(speaker=dossier.speaker)
    CitationFactory(claim=claim, source=dossier.source)
    claim_services.claim_publish(claim=claim, user=reviewer, reason="Checked")
    first = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    claim.history.update(history_date=first)  # the draft's row and the publication, both long ago
    claim_services.claim_retract(claim=claim, user=reviewer, reason="Wrong speaker")
    claim_services.claim_return(claim=claim, user=reviewer, reason="Fixed")
    claim_services.claim_publish(claim=claim, user=reviewer, reason="Again")

    assert first_publications([claim.pk, dossier.draft.pk]) == {claim.pk: first}


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("Russia is the enemy.", "Russia is the enemy."),
        ("  Spaces   are   collapsed.  ", "Spaces are collapsed."),
        ("word " * 30, "word " * 14 + "word…"),
        ("x" * 100, "x" * 74 + "…"),
        ("A sentence that ends near the limit, with a comma, then carries on past it for a while.", None),
    ],
)
def test_claim_reviewed_is_cut_at_a_word_boundary(text, short):
    result = short_claim(text)

    assert len(result) <= 75
    if short is not None:
        assert result == short
    else:
        assert result == "A sentence that ends near the limit, with a comma, then carries on past it…"
