"""Check outcomes in plain words with what happens next; repeated failures folded into one row
(issue 12, point 3)."""

import datetime

import pytest
from django.urls import reverse

from sources.choices import CheckOutcome, SourceHealth
from sources.models import SourceCheck
from sources.outcomes import check_runs, in_words, next_step
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)


def _check(source, outcome, *, minutes_ago=0, status=None, error="", next_in_hours=24, **extra):
    finished = NOW - datetime.timedelta(minutes=minutes_ago)
    return SourceCheck.objects.create(
        source=source,
        started_at=finished,
        finished_at=finished,
        url=source.url,
        outcome=outcome,
        http_status=status,
        error=error,
        health=SourceHealth.DEGRADED,
        next_check_at=NOW + datetime.timedelta(hours=next_in_hours),
        **extra,
    )


def test_an_unreachable_host_is_named_with_when_we_try_again():
    source = SourceFactory(url="https://www.trtworld.com/europe/leaders")
    check = _check(source, CheckOutcome.DNS_ERROR, error="could not resolve 'www.trtworld.com'")

    assert in_words(check) == "We could not reach www.trtworld.com (the name did not resolve)."
    assert next_step(check, now=NOW) == "We will try again in 1\xa0day."


def test_every_outcome_has_a_sentence_without_placeholders():
    source = SourceFactory(url="https://news.example.org/a")
    for outcome in CheckOutcome.values:
        words = in_words(_check(source, outcome, status=503, content_type="application/zip"))
        assert words.endswith(".") and "{" not in words, outcome


def test_repeated_identical_failures_are_one_row_with_a_count_and_the_latest_says_what_is_next():
    source = SourceFactory(url="https://www.trtworld.com/europe/leaders")
    for minutes in (30, 20, 10):
        _check(source, CheckOutcome.DNS_ERROR, minutes_ago=minutes, error="could not resolve")
    _check(source, CheckOutcome.OK, minutes_ago=40, status=200)

    runs = check_runs(list(source.checks.order_by("-finished_at", "-id")), now=NOW)

    assert [(r.latest.outcome, r.count) for r in runs] == [(CheckOutcome.DNS_ERROR, 3), (CheckOutcome.OK, 1)]
    assert runs[0].first_at == NOW - datetime.timedelta(minutes=30)
    assert runs[0].next == "We will try again in 1\xa0day." and runs[1].next == ""


def test_the_source_page_says_it_in_words(client, editor):
    source = SourceFactory(url="https://www.trtworld.com/europe/leaders")
    for minutes in (20, 10):
        _check(source, CheckOutcome.DNS_ERROR, minutes_ago=minutes, error="could not resolve 'www.trtworld.com'")
    client.force_login(editor)

    page = client.get(reverse("sources:source-detail", args=[source.pk])).content.decode()

    assert page.count("We could not reach www.trtworld.com (the name did not resolve).") == 1
    assert "(×2 since" in page and "We will try again in" in page
    assert "DNS error: could not resolve" in page  # the technical reason stays, for whoever debugs


def test_the_source_page_shows_what_changed_in_its_text_sentence_by_sentence(client, editor):
    from sources.models import SourceSnapshot

    source = SourceFactory(url="https://news.example.org/paris")
    SourceSnapshot.objects.create(
        source=source, text="Leaders met in Paris. Troops will go next spring.", fingerprint="a" * 64
    )
    SourceSnapshot.objects.create(
        source=source, text="Leaders met in Paris. Troops will go next summer.", fingerprint="b" * 64
    )
    client.force_login(editor)

    page = client.get(reverse("sources:source-detail", args=[source.pk])).content.decode()

    assert "Changes of its text" in page
    assert "<del>− Troops will go next spring.</del>" in page and "<ins>+ Troops will go next summer.</ins>" in page
    assert "Leaders met in Paris." not in page.split("Changes of its text")[1].split("</details>")[0]


def test_a_failing_source_is_called_degraded_on_the_pages_as_in_the_api(client, editor):
    source = SourceFactory(url="https://www.trtworld.com/europe/leaders", health=SourceHealth.DEGRADED)
    client.force_login(editor)

    page = client.get(reverse("sources:source-detail", args=[source.pk])).content.decode()

    assert 'class="status health-degraded" id="source-health">Degraded (checks failing)</span>' in page


def test_each_verdict_says_which_text_it_was_checked_against(client, editor):
    from sources import checking
    from tests.factories import CitationFactory, ClaimFactory

    pasted = SourceFactory(url="", title="Transcript", stored_text="We are ready to put troops on the ground.")
    CitationFactory(source=pasted, claim=ClaimFactory(text="Pasted"), excerpt="ready to put troops on the ground")
    checking.source_check(source_id=pasted.pk)
    client.force_login(editor)

    page = client.get(reverse("sources:source-detail", args=[pasted.pk])).content.decode()

    assert "against the pasted text" in page and "against the live page" not in page
