"""URL normalisation with w3lib, and the migration that merges the sources it makes one (issue 13, point 7)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from core.models import ChangeEntry, FeedPending
from sources.choices import QuoteStatus
from sources.models import Citation, CitationCheck, Source, SourceCheck, SourceSnapshot
from sources.normalise import normalise_url
from sources.services import source_find_by_url
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, SourceFactory
from tracker.choices import EditorialStatus
from tracker.models import Role

MIGRATION = "sources.migrations.0006_merge_duplicate_urls"

# Two spellings of one page each. The old hand-written normaliser merged none of these.
EQUIVALENT = [
    pytest.param(
        "https://news.example/politics/./2025/../2025/leaders-meet", "https://news.example/politics/2025/leaders-meet"
    ),
    pytest.param("https://news.example/a/b/../../story", "https://news.example/story", id="dot-dot-segments"),
    pytest.param("https://lemonde.example/caf%c3%a9-politique", "https://lemonde.example/caf%C3%A9-politique"),
    pytest.param("https://lemonde.example/café-politique", "https://lemonde.example/caf%C3%A9-politique", id="utf8"),
    pytest.param("https://zeitung-münchen.example/artikel", "https://xn--zeitung-mnchen-osb.example/artikel"),
    pytest.param("https://XN--ZEITUNG-MNCHEN-OSB.example/artikel", "https://zeitung-MÜNCHEN.example/artikel"),
    pytest.param("https://news.example/world/leaders meet", "https://news.example/world/leaders%20meet"),
    pytest.param("https://news.example/%7Eeditor/notes", "https://news.example/~editor/notes", id="unreserved"),
    pytest.param("https://news.example/search?page=2&q=ukraine", "https://news.example/search?q=ukraine&page=2"),
]


@pytest.mark.parametrize(("one", "other"), EQUIVALENT)
def test_two_spellings_of_one_page_normalise_to_one_url(one: str, other: str) -> None:
    assert normalise_url(one) == normalise_url(other)
    # Idempotent, which the merge migration relies on: a normal URL is never another one's duplicate.
    assert normalise_url(normalise_url(one)) == normalise_url(one)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://news.example/politics/./x/../leaders-meet", "https://news.example/politics/leaders-meet"),
        ("https://lemonde.example/caf%c3%a9", "https://lemonde.example/caf%C3%A9"),
        ("https://Zeitung-München.example./artikel", "https://xn--zeitung-mnchen-osb.example/artikel"),
        ("https://news.example/world/leaders meet", "https://news.example/world/leaders%20meet"),
        ("https://news.example:443/s?utm_source=x&q=a%20b&b=1&UTM_Campaign=y#top", "https://news.example/s?b=1&q=a+b"),
        # Path case and an escaped slash are the server's business: kept as they are.
        ("https://news.example/Politics/./Story", "https://news.example/Politics/Story"),
        ("https://news.example/a%2fb/./c", "https://news.example/a%2Fb/c"),
    ],
)
def test_the_normal_form_is_w3libs_without_default_port_and_tracking(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


# --- The migration ----------------------------------------------------------------------------------


def _merge() -> None:
    """Run the migration's function on the historical models it gets in a real `migrate`."""
    state_apps = MigrationLoader(connection).project_state().apps
    importlib.import_module(MIGRATION).merge_duplicate_sources(state_apps, None)


def _stored(url: str, **fields) -> Source:
    """A source as the old normaliser stored it (bypassing today's normalisation)."""
    source = SourceFactory(**fields)
    Source.objects.filter(pk=source.pk).update(url=url)
    source.refresh_from_db()
    return source


def _check(source: Source, citation: Citation, status: str) -> CitationCheck:
    now = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    check = SourceCheck.objects.create(
        source=source, started_at=now, finished_at=now, url=source.url, outcome="ok", health="ok"
    )
    return CitationCheck.objects.create(
        source_check=check, citation=citation, excerpt=citation.excerpt, status=status, score=100.0
    )


@pytest.mark.django_db
def test_migration_merges_sources_that_became_one_and_keeps_their_citations(system_user) -> None:
    survivor = _stored("https://news.example/politics/./leaders-meet", title="Leaders meet in Paris")
    duplicate = _stored("https://news.example/politics/leaders-meet", publisher="Example News", language="en")
    other = _stored("https://news.example/politics/other-story", title="Other story")
    kept = CitationFactory(source=survivor, excerpt="ready and willing to put troops on the ground")
    moved = CitationFactory(source=duplicate, excerpt="premature and highly inappropriate")
    retracted = CitationFactory(
        source=duplicate,
        excerpt="would support the effort with logistics",
        claim=ClaimFactory(status=EditorialStatus.RETRACTED),
    )
    role = Role.objects.create(
        actor=ActorFactory(), organisation=ActorFactory(), title="Prime minister", source=duplicate
    )
    verdict = _check(duplicate, moved, QuoteStatus.PRESENT)
    Citation.objects.filter(pk=moved.pk).update(quote_status=QuoteStatus.PRESENT, quote_check=verdict)
    SourceSnapshot.objects.create(source=duplicate, text="Leaders met in Paris.", fingerprint="f" * 64)
    versions = {c.pk: c.version for c in (kept, moved, retracted)}
    entries_before = ChangeEntry.objects.count()

    _merge()

    assert list(Source.objects.order_by("pk").values_list("pk", "url")) == [
        (survivor.pk, "https://news.example/politics/leaders-meet"),
        (other.pk, "https://news.example/politics/other-story"),
    ]
    survivor.refresh_from_db()
    # Empty fields of the survivor were filled from the duplicate; its own title kept.
    assert (survivor.title, survivor.publisher, survivor.language) == ("Leaders meet in Paris", "Example News", "en")
    assert survivor.version == 2
    assert survivor.next_check_at is not None  # the moved excerpts are checked against it soon
    assert sorted(Citation.objects.filter(source=survivor).values_list("pk", flat=True)) == sorted(
        [kept.pk, moved.pk, retracted.pk]
    )
    moved.refresh_from_db()
    assert (moved.version, moved.quote_status, moved.quote_check_id) == (
        versions[moved.pk] + 1,
        QuoteStatus.PRESENT,
        verdict.pk,
    )  # the verdict was about the same page: kept, and its check moved with it
    assert SourceCheck.objects.get(pk=verdict.source_check_id).source_id == survivor.pk
    assert SourceSnapshot.objects.get().source_id == survivor.pk
    role.refresh_from_db()
    assert role.source_id == survivor.pk
    assert Citation.objects.get(pk=kept.pk).version == versions[kept.pk]  # untouched

    # History: one row per changed record, by the system user, with the reason, in one change set.
    moved_row = moved.history.order_by("-history_id").first()
    assert (moved_row.history_type, moved_row.history_action, moved_row.history_user_id, moved_row.source_id) == (
        "~",
        "changed",
        system_user.pk,
        survivor.pk,
    )
    assert moved_row.history_change_reason.startswith("Merged sources whose URLs are the same page")
    assert "https://news.example/politics/leaders-meet → https://news.example/politics/./leaders-meet" in (
        moved_row.history_change_reason
    )
    deleted_row = Source.history.filter(id=duplicate.pk).order_by("-history_id").first()
    assert (deleted_row.history_type, deleted_row.history_action) == ("-", "deleted")
    survivor_row = survivor.history.order_by("-history_id").first()
    assert (survivor_row.url, survivor_row.publisher, survivor_row.version) == (
        "https://news.example/politics/leaders-meet",
        "Example News",
        2,
    )
    change_ids = {moved_row.history_change_id, deleted_row.history_change_id, survivor_row.history_change_id}
    assert len(change_ids) == 1

    entries = ChangeEntry.objects.order_by("id")[entries_before:]
    assert [(e.model, e.object_id, e.action, e.summary) for e in entries] == [
        ("sources.citation", moved.pk, "changed", "Source"),
        ("sources.citation", retracted.pk, "changed", "Source"),
        ("tracker.role", role.pk, "changed", "Source"),
        ("sources.source", duplicate.pk, "deleted", "Deleted"),
        ("sources.source", survivor.pk, "changed", "URL, Publisher, Language"),
    ]
    assert {e.user_id for e in entries} == {system_user.pk}
    pending = set(FeedPending.objects.filter(history_id__isnull=False).values_list("model", "object_id"))
    assert {
        ("sources.citation", moved.pk),
        ("sources.citation", retracted.pk),
        ("tracker.role", role.pk),
        ("sources.source", duplicate.pk),
        ("sources.source", survivor.pk),
    } <= pending

    # A lookup by either old spelling finds the survivor.
    assert source_find_by_url("https://news.example/politics/./leaders-meet") == survivor
    assert source_find_by_url("https://NEWS.example/politics/leaders-meet#comments") == survivor


@pytest.mark.django_db
def test_migration_rewrites_a_lone_url_in_the_new_form_and_leaves_normal_ones_alone(system_user) -> None:
    spaced = _stored("https://news.example/world/leaders meet", title="Leaders meet")
    normal = _stored("https://news.example/world/normal", title="Normal")
    history_before = Source.history.count()

    _merge()

    spaced.refresh_from_db()
    normal.refresh_from_db()
    assert (spaced.url, spaced.version) == ("https://news.example/world/leaders%20meet", 2)
    assert spaced.next_check_at is None  # nothing merged into it: no check needed
    assert (normal.url, normal.version) == ("https://news.example/world/normal", 1)
    row = Source.history.order_by("-history_id").first()
    assert (row.id, row.history_change_reason) == (
        spaced.pk,
        "URL rewritten in the new normal form (dot segments, escapes, IDN host, sorted query; issue 13)",
    )
    assert Source.history.count() == history_before + 1
    assert ChangeEntry.objects.order_by("-id").first().summary == "URL"

    _merge()  # a second run finds nothing to do
    assert Source.history.count() == history_before + 1
