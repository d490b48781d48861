"""A small dossier with published and unpublished records, and API clients per persona."""

import datetime
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from positions.choices import Stance
from sources.choices import CheckOutcome, SourceHealth
from sources.models import SourceCheck
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    PositionFactory,
    SourceFactory,
    TopicFactory,
)
from tracker.choices import EditorialStatus
from tracker.models import Role

PUBLISHED = EditorialStatus.PUBLISHED


@pytest.fixture(autouse=True)
def separate_throttle_counters(monkeypatch):
    """Each test counts requests afresh, without flushing a cache other processes may share."""
    import uuid

    from core.api.access import KeyRateThrottle

    monkeypatch.setattr(KeyRateThrottle, "cache_format", f"throttle_{uuid.uuid4().hex}_%(scope)s_%(ident)s")


@pytest.fixture
def dossier(db):
    """Published work and, beside it, drafts whose every piece a partner must never see."""
    speaker = ActorFactory(name="Keir Starmer", slug="keir-starmer")
    government = ActorFactory(name="UK government", slug="uk-government", kind="state")
    topic = TopicFactory(title="Troops in Ukraine", slug="troops-in-ukraine")
    source = SourceFactory(url="https://news.example.org/paris", title="Paris summit")
    claim = ClaimFactory(speaker=speaker, text="The UK is ready to put troops on the ground.", status=PUBLISHED)
    claim.topics.add(topic)
    citation = CitationFactory(claim=claim, source=source, excerpt="ready to put troops on the ground")
    position = PositionFactory(
        actor=speaker, topic=topic, stance=Stance.SUPPORT, as_of=datetime.date(2025, 2, 17), status=PUBLISHED
    )
    role = Role.objects.create(actor=speaker, organisation=government, title="Prime Minister")
    PositionFactory(
        actor=government, topic=topic, stance=Stance.SUPPORT, as_of=datetime.date(2025, 2, 1), status=PUBLISHED
    ).evidence.add(claim)

    # Unpublished: a draft about a new person, from a new source, on a new topic.
    secret_actor = ActorFactory(name="Secret Minister", slug="secret-minister")
    secret_topic = TopicFactory(title="Secret plan", slug="secret-plan")
    secret_source = SourceFactory(url="https://leak.example.org/memo", title="Leaked memo")
    draft = ClaimFactory(speaker=secret_actor, text="Zanzibar draft words.", status=EditorialStatus.DRAFT)
    draft.topics.add(secret_topic, topic)
    draft_citation = CitationFactory(claim=draft, source=secret_source, excerpt="zanzibar excerpt")
    in_review = ClaimFactory(speaker=speaker, text="Zanzibar in review.", status=EditorialStatus.IN_REVIEW)
    retracted = ClaimFactory(speaker=speaker, text="Zanzibar retracted.", status=EditorialStatus.RETRACTED)
    position.evidence.add(claim, draft, in_review)
    draft_position = PositionFactory(
        actor=secret_actor, topic=secret_topic, stance=Stance.OPPOSE, status=EditorialStatus.DRAFT
    )
    draft_position.evidence.add(draft)
    secret_role = Role.objects.create(actor=secret_actor, organisation=government, title="Zanzibar envoy")
    source_check = make_check(source, CheckOutcome.OK, 200)
    secret_check = make_check(secret_source, CheckOutcome.GONE, 404)
    return SimpleNamespace(
        speaker=speaker,
        government=government,
        topic=topic,
        source=source,
        claim=claim,
        citation=citation,
        position=position,
        role=role,
        secret_actor=secret_actor,
        secret_topic=secret_topic,
        secret_source=secret_source,
        draft=draft,
        draft_citation=draft_citation,
        in_review=in_review,
        retracted=retracted,
        draft_position=draft_position,
        secret_role=secret_role,
        source_check=source_check,
        secret_check=secret_check,
    )


def make_check(source, outcome, http_status, *, minutes_ago=0, final_url=""):
    """A finished check row as sources.checking records it (the rows are append-only, not tracked)."""
    finished = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes_ago)
    health = SourceHealth.OK if outcome == CheckOutcome.OK else SourceHealth.DEGRADED
    return SourceCheck.objects.create(
        source=source,
        started_at=finished - datetime.timedelta(seconds=1),
        finished_at=finished,
        url=source.url,
        outcome=outcome,
        http_status=http_status,
        final_url=final_url,
        health=health,
    )


def client_for(persona) -> APIClient:
    client = APIClient()
    if persona is None:
        return client
    if hasattr(persona, "secret"):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {persona.secret}")
    else:
        client.force_authenticate(user=None)
        client.force_login(persona)
    return client


PERSONAS = ["anonymous", "partner_reader", "partner_submitter", "viewer", "editor", "reviewer"]


@pytest.fixture
def persona_client(request):
    """`persona_client("editor")` -> (persona, APIClient) logged in as that persona."""

    def make(name: str):
        persona = None if name == "anonymous" else request.getfixturevalue(name)
        return persona, client_for(persona)

    return make
