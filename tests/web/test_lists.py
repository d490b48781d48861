"""List pages: filters, search, and query counts that do not grow with the data."""

import pytest
from django.urls import reverse

from tests.factories import ActorFactory, CitationFactory, ClaimFactory, PositionFactory, SourceFactory, TopicFactory
from tracker.choices import ActorKind, EditorialStatus

pytestmark = pytest.mark.django_db


def _data(n):
    for _ in range(n):
        claim = CitationFactory(claim=ClaimFactory(status=EditorialStatus.PUBLISHED)).claim
        topic = TopicFactory()
        claim.topics.add(topic)
        PositionFactory(actor=claim.speaker, topic=topic, status=EditorialStatus.PUBLISHED).evidence.add(claim)
        PositionFactory(actor=claim.speaker, status=EditorialStatus.IN_REVIEW)
        ClaimFactory(speaker=claim.speaker, status=EditorialStatus.IN_REVIEW)


# Session, user, permissions, the unread-notifications badge (push), the page's own queries; the same
# for 3 rows as for 30.
MAX_QUERIES = {
    "tracker:dashboard": 16,  # + flagged claims, their citations, their count, the unreviewed count, notifications
    "tracker:actor-list": 7,
    "tracker:claim-list": 8,
    "sources:source-list": 7,
    "positions:topic-list": 7,
}


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("page", sorted(MAX_QUERIES))
def test_list_pages_use_a_fixed_number_of_queries(client, editor, django_assert_max_num_queries, page, rows):
    _data(rows)
    client.force_login(editor)
    client.get(reverse(page))  # warm the session and content-type caches
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(reverse(page))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_detail_pages_with_charts_use_a_fixed_number_of_queries(client, editor, django_assert_max_num_queries, rows):
    _data(rows)
    claim = ClaimFactory(status=EditorialStatus.PUBLISHED)
    topic = TopicFactory()
    for _ in range(rows):
        other = PositionFactory(topic=topic, status=EditorialStatus.PUBLISHED)
        other.evidence.add(ClaimFactory(speaker=other.actor))
    client.force_login(editor)
    client.get("/")
    with django_assert_max_num_queries(13):  # + the notifications badge and the Follow button
        assert client.get(reverse("positions:actor-detail", args=[claim.speaker.slug])).status_code == 200
    with django_assert_max_num_queries(13):  # + the notifications badge and the Follow button
        assert client.get(reverse("positions:topic-detail", args=[topic.slug])).status_code == 200


def test_the_actor_list_filters_by_name_alias_and_kind(client, viewer):
    ActorFactory(name="Keir Starmer", aliases=["Starmer"], kind=ActorKind.PERSON)
    ActorFactory(name="United Kingdom", kind=ActorKind.STATE)
    client.force_login(viewer)

    def names(query):
        return [a.name for a in client.get(reverse("tracker:actor-list") + query).context["page"]]

    assert names("?q=starm") == ["Keir Starmer"]
    assert names("?kind=state") == ["United Kingdom"]
    assert names("") == ["Keir Starmer", "United Kingdom"]


def test_the_claim_list_filters_by_status_speaker_and_topic(client, viewer):
    published = ClaimFactory(status=EditorialStatus.PUBLISHED, text="Troops now")
    topic = TopicFactory(slug="troops")
    published.topics.add(topic)
    draft = ClaimFactory(text="Sanctions later")
    client.force_login(viewer)

    def texts(query):
        return [c.text for c in client.get(reverse("tracker:claim-list") + query).context["page"]]

    assert texts("?status=published") == ["Troops now"]
    assert texts(f"?speaker={draft.speaker.slug}") == ["Sanctions later"]
    assert texts("?topic=troops") == ["Troops now"]
    assert texts("?q=sanction") == ["Sanctions later"]


def test_search_finds_actors_claims_sources_and_topics(client, viewer):
    ActorFactory(name="Keir Starmer")
    ClaimFactory(text="Starmer said the UK is willing to send troops.")
    SourceFactory(title="Starmer interview transcript")
    TopicFactory(title="Troops in Ukraine")
    ClaimFactory(text="Unrelated")
    client.force_login(viewer)

    response = client.get(reverse("tracker:search") + "?q=Starmer")
    results = response.context["results"]

    assert [a.name for a in results["actors"]] == ["Keir Starmer"]
    assert [c.text for c in results["claims"]] == ["Starmer said the UK is willing to send troops."]
    # Sources are the sources app's panel on the page.
    assert [s.title for s in response.context["matching_sources"]] == ["Starmer interview transcript"]
    assert 'id="source-results"' in response.content.decode()
    assert [t.title for t in client.get(reverse("tracker:search") + "?q=troops").context["results"]["topics"]] == [
        "Troops in Ukraine"
    ]


def test_actor_autocomplete_returns_matching_names_as_json(client, editor):
    ActorFactory(name="Keir Starmer", slug="keir-starmer")
    ActorFactory(name="Emmanuel Macron")
    client.force_login(editor)
    data = client.get(reverse("tracker:actor-autocomplete") + "?q=star").json()
    assert data == {"results": [{"name": "Keir Starmer", "slug": "keir-starmer", "kind": "Person"}]}


def test_the_dashboard_lists_my_drafts_and_the_review_queue(client, editor, reviewer):
    from tracker.services import claim_create

    mine = claim_create(user=editor, reason="mine", data={"speaker": ActorFactory(), "text": "My draft"})
    theirs = claim_create(user=reviewer, reason="theirs", data={"speaker": ActorFactory(), "text": "Their draft"})
    queued = ClaimFactory(status=EditorialStatus.IN_REVIEW, text="Waiting")
    client.force_login(editor)

    context = client.get("/").context

    assert list(context["my_claims"]) == [mine]
    assert theirs not in context["my_claims"]
    assert list(context["queue_claims"]) == [queued]
    reasons = [entry.reason for entry in context["recent"]]
    assert reasons.index("theirs") < reasons.index("mine")  # newest first
