"""One claim search: the search page, the claims list, the API's `q` and the admin changelist find the same
claims for the same query (tracker.search.claim_search), on SQLite and on PostgreSQL."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import ClaimFactory
from tracker.choices import EditorialStatus
from tracker.models import Claim
from tracker.search import claim_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims():
    return {
        "troops": ClaimFactory(text="The UK is willing to send troops to Ukraine if necessary."),
        "sanctions": ClaimFactory(
            text="The EU will impose further sanctions on Russia.", status=EditorialStatus.PUBLISHED
        ),
        "context only": ClaimFactory(text="We are ready.", context="Asked whether troops would be deployed."),
        "both": ClaimFactory(text="Sanctions and troops are both on the table."),
        "unrelated": ClaimFactory(text="The summit ends on Tuesday."),
    }


def _names(claims, found):
    by_pk = {claim.pk: name for name, claim in claims.items()}
    return sorted(by_pk[pk] for pk in found)


def _everywhere(client, query):
    """The claims each surface finds for `query`, as sets of ids."""
    search = client.get(reverse("tracker:search"), {"q": query})
    claim_list = client.get(reverse("tracker:claim-list"), {"q": query})
    api = client.get("/api/v1/claims/", {"q": query})
    admin = client.get(reverse("admin:tracker_claim_changelist"), {"q": query})
    assert (search.status_code, claim_list.status_code, api.status_code, admin.status_code) == (200,) * 4
    return {
        "search page": [c.pk for c in search.context["results"]["claims"]],
        "claims list": [c.pk for c in claim_list.context["page"]],
        "API": [row["id"] for row in api.json()["results"]],
        "admin": [c.pk for c in admin.context["cl"].result_list],
    }


QUERIES = {
    "troops": ["both", "context only", "troops"],  # the context counts too
    "Troops UKRAINE": ["troops"],  # every word, any case
    '"send troops"': ["troops"],  # a phrase
    "troops -sanctions": ["context only", "troops"],  # a word left out
    "sanctions or ukraine": ["both", "sanctions", "troops"],  # either
    "summit": ["unrelated"],
    "nothing-like-this": [],
}


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_the_same_query_finds_the_same_claims_on_every_surface(client, editor, claims, query):
    client.force_login(editor)

    found = _everywhere(client, query)

    expected = QUERIES[query]
    assert {surface: _names(claims, ids) for surface, ids in found.items()} == dict.fromkeys(found, expected)
    # The search page and the claims list also agree on the order (best match first).
    assert found["search page"] == found["claims list"]


def test_a_word_in_another_form_is_found_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("stemming is PostgreSQL's (english configuration); SQLite matches substrings")
    troops = ClaimFactory(text="The UK is willing to send troops.")
    ClaimFactory(text="Nothing about soldiers.")
    assert list(claim_search(Claim.objects.all(), "troop")) == [troops]
    assert list(claim_search(Claim.objects.all(), "sending")) == [troops]


def test_a_match_in_the_text_ranks_above_a_match_in_the_context_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("ranking is PostgreSQL's; SQLite lists newest first")
    in_text = ClaimFactory(text="Troops will go.")
    in_context = ClaimFactory(text="We are ready.", context="Asked about troops.")
    assert list(claim_search(Claim.objects.order_by("-id"), "troops")) == [in_text, in_context]


def test_an_empty_query_leaves_the_claims_alone_and_nul_characters_are_dropped(claims):
    everything = Claim.objects.order_by("pk")
    assert list(claim_search(everything, "   ")) == list(everything)
    assert [c.pk for c in claim_search(Claim.objects.all(), "sum\x00mit")] == [claims["unrelated"].pk]


def test_the_claims_list_still_filters_by_status_with_a_query(client, viewer, claims):
    client.force_login(viewer)
    page = client.get(reverse("tracker:claim-list"), {"q": "sanctions", "status": "published"}).context["page"]
    assert [c.pk for c in page] == [claims["sanctions"].pk]
