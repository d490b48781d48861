"""Claim entry, editing, conflicts and the review workflow through the web pages."""

import pytest
from django.urls import reverse

from core.choices import HistoryAction
from sources.models import Citation, Source
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, SourceFactory, TopicFactory
from tracker.choices import EditorialStatus
from tracker.models import Claim

pytestmark = pytest.mark.django_db


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _claim_post(speaker, topics=(), citations=(), **extra):
    data = {
        "speaker": speaker.name,
        "text": "The UK is willing to send troops to Ukraine if necessary.",
        "kind": "reported",
        "stated_on": "2025-02",
        "topics": [t.pk for t in topics],
        "context": "",
        "attribution_status": "unverified",
        "veracity": "unrated",
        "veracity_rationale": "",
        "reason": "Entered from the Paris article",
        **_management("cit", max(len(citations), 2)),
    }
    for index, citation in enumerate(citations):
        for key, value in citation.items():
            data[f"cit-{index}-{key}"] = value
        data.setdefault(f"cit-{index}-relation", "supports")
    for index in range(len(citations), 2):
        data[f"cit-{index}-relation"] = "supports"
    data.update(extra)
    return data


def test_an_editor_enters_a_claim_with_an_existing_and_a_new_source_in_one_change(client, editor):
    speaker, topic, existing = ActorFactory(name="Keir Starmer"), TopicFactory(), SourceFactory()
    client.force_login(editor)

    response = client.post(
        reverse("sources:claim-new"),
        _claim_post(
            speaker,
            topics=[topic],
            citations=[
                {"source": existing.pk, "excerpt": "the UK is willing to send troops", "locator": "paragraph 7"},
                {
                    "url": "HTTPS://News.Example.COM/paris?utm_source=x#top",
                    "title": "Paris summit",
                    "excerpt": "  send troops to Ukraine if necessary  ",
                },
            ],
        ),
    )

    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tracker:claim-detail", args=[claim.pk])
    assert (claim.speaker, claim.status, claim.stated_on_precision) == (speaker, EditorialStatus.DRAFT, "month")
    assert claim.stated_on.isoformat() == "2025-02-01"
    assert list(claim.topics.all()) == [topic]
    new_source = Source.objects.get(url="https://news.example.com/paris")
    assert new_source.title == "Paris summit"
    assert sorted((c.source_id, c.excerpt) for c in claim.citations.all()) == sorted(
        [(existing.pk, "the UK is willing to send troops"), (new_source.pk, "send troops to Ukraine if necessary")]
    )
    row = claim.history.get()
    assert (row.history_user, row.history_change_reason, row.history_action) == (
        editor,
        "Entered from the Paris article",
        HistoryAction.CREATED,
    )
    change_ids = {r.history_change_id for r in Citation.history.filter(claim_id=claim.pk)}
    change_ids |= {r.history_change_id for r in new_source.history.all()}
    assert change_ids == {row.history_change_id}


def test_a_citation_without_an_excerpt_or_a_source_is_refused_and_nothing_is_saved(client, editor):
    speaker, source = ActorFactory(), SourceFactory()
    client.force_login(editor)

    response = client.post(
        reverse("sources:claim-new"),
        _claim_post(speaker, citations=[{"source": source.pk, "excerpt": "   "}, {"locator": "p. 2"}]),
    )

    assert response.status_code == 400
    errors = response.context["citations"].errors
    assert "Copy the exact words" in str(errors[0]["excerpt"])
    assert "Pick a source or paste the URL" in str(errors[1]["source"])
    assert Claim.objects.count() == 0 and Claim.history.count() == 0


def test_the_edit_summary_is_required(client, editor):
    client.force_login(editor)
    response = client.post(reverse("sources:claim-new"), _claim_post(ActorFactory(), reason=""))
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert not Claim.objects.exists()


def test_an_unknown_speaker_is_named_in_the_error(client, editor):
    client.force_login(editor)
    data = _claim_post(ActorFactory())
    data["speaker"] = "Nobody At All"
    response = client.post(reverse("sources:claim-new"), data)
    assert "No actor is called “Nobody At All”" in str(response.context["form"].errors["speaker"])
    assert not Claim.objects.exists()


def test_a_near_identical_claim_by_the_same_speaker_warns_until_confirmed(client, editor):
    speaker = ActorFactory()
    earlier = ClaimFactory(speaker=speaker, text="The UK is willing to send troops to Ukraine, if necessary!")
    client.force_login(editor)

    warned = client.post(reverse("sources:claim-new"), _claim_post(speaker))
    assert warned.status_code == 400
    assert [c.pk for c in warned.context["duplicates"]] == [earlier.pk]
    assert b"Possible duplicate" in warned.content
    assert Claim.objects.count() == 1

    confirmed = client.post(reverse("sources:claim-new"), _claim_post(speaker, confirm_duplicate="on"))
    assert confirmed.status_code == 302
    assert Claim.objects.count() == 2


def test_the_same_text_by_another_speaker_is_not_a_duplicate(client, editor):
    ClaimFactory(text="The UK is willing to send troops to Ukraine if necessary.")
    client.force_login(editor)
    assert client.post(reverse("sources:claim-new"), _claim_post(ActorFactory())).status_code == 302


def test_a_viewer_cannot_enter_a_claim(client, viewer):
    client.force_login(viewer)
    response = client.post(reverse("sources:claim-new"), _claim_post(ActorFactory()))
    assert response.status_code == 403
    assert not Claim.objects.exists()


def _edit_post(claim, **extra):
    citations = list(claim.citations.all())
    data = _claim_post(claim.speaker, version=claim.version, reason="Tighten the wording")
    data.update(_management("old", len(citations), len(citations)))
    for index, citation in enumerate(citations):
        data.update(
            {
                f"old-{index}-id": citation.pk,
                f"old-{index}-version": citation.version,
                f"old-{index}-excerpt": citation.excerpt,
                f"old-{index}-locator": citation.locator,
                f"old-{index}-relation": citation.relation,
            }
        )
    data.update(extra)
    return data


def test_editing_changes_the_claim_and_its_citations_under_one_edit_summary(client, editor):
    citation = CitationFactory(excerpt="old words")
    claim = citation.claim
    client.force_login(editor)

    response = client.post(
        reverse("sources:claim-edit", args=[claim.pk]),
        _edit_post(claim, text="The UK would send troops.", **{"old-0-excerpt": "new words"}),
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    citation.refresh_from_db()
    assert (claim.text, claim.version, citation.excerpt) == ("The UK would send troops.", 2, "new words")
    latest = claim.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Tighten the wording")
    assert citation.history.first().history_change_id == latest.history_change_id


def test_a_stale_edit_shows_the_conflict_page_and_overwrites_nothing(client, editor, reviewer):
    claim = CitationFactory().claim
    form_version = claim.version
    from tracker.services import claim_update

    claim_update(
        claim=claim,
        user=reviewer,
        reason="Reviewer fix",
        data={"text": "Their wording."},
        expected_version=form_version,
    )
    history_before = claim.history.count()
    client.force_login(editor)

    response = client.post(
        reverse("sources:claim-edit", args=[claim.pk]), _edit_post(claim, text="My wording.", version=form_version)
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this first" in body and "Their wording." in body and "My wording." in body
    assert "reviewer" in body and "Reviewer fix" in body
    claim.refresh_from_db()
    assert (claim.text, claim.version) == ("Their wording.", 2)
    assert claim.history.count() == history_before


def test_an_editor_cannot_edit_a_published_claim_but_a_reviewer_can(client, editor, reviewer):
    claim = CitationFactory(claim=ClaimFactory(status=EditorialStatus.PUBLISHED)).claim
    client.force_login(editor)
    assert client.post(reverse("sources:claim-edit", args=[claim.pk]), _edit_post(claim)).status_code == 403
    client.force_login(reviewer)
    assert client.post(reverse("sources:claim-edit", args=[claim.pk]), _edit_post(claim)).status_code == 302
    claim.refresh_from_db()
    assert claim.history.first().history_user == reviewer


def _transition(client, claim, action, reason):
    claim.refresh_from_db()
    return client.post(
        reverse("tracker:claim-transition", args=[claim.pk]),
        {"action": action, "reason": reason, "version": claim.version},
    )


def test_the_review_workflow_records_each_transition_and_the_comment(client, editor, reviewer):
    claim = CitationFactory().claim
    client.force_login(editor)
    assert _transition(client, claim, "submit", "Ready for review").status_code == 302
    assert _transition(client, claim, "publish", "I publish it myself").status_code == 403

    client.force_login(reviewer)
    _transition(client, claim, "return", "Quote the excerpt exactly, please")
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.DRAFT
    page = client.get(reverse("tracker:claim-detail", args=[claim.pk])).content.decode()
    assert "Quote the excerpt exactly, please" in page

    client.force_login(editor)
    _transition(client, claim, "submit", "Fixed")
    client.force_login(reviewer)
    _transition(client, claim, "publish", "Checked against the source")
    _transition(client, claim, "retract", "The source withdrew the quote")

    claim.refresh_from_db()
    assert claim.status == EditorialStatus.RETRACTED
    rows = [
        (r.history_action, r.history_user.username, r.history_change_reason) for r in claim.history.order_by("pk")[1:]
    ]
    assert rows == [
        (HistoryAction.SUBMITTED, "editor", "Ready for review"),
        (HistoryAction.RETURNED, "reviewer", "Quote the excerpt exactly, please"),
        (HistoryAction.SUBMITTED, "editor", "Fixed"),
        (HistoryAction.PUBLISHED, "reviewer", "Checked against the source"),
        (HistoryAction.RETRACTED, "reviewer", "The source withdrew the quote"),
    ]


def test_a_transition_without_a_comment_changes_nothing(client, editor):
    claim = CitationFactory().claim
    history_before = claim.history.count()
    client.force_login(editor)
    response = _transition(client, claim, "submit", "")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.DRAFT and claim.history.count() == history_before


def test_publishing_without_a_citation_is_refused_with_the_reason_shown(client, reviewer):
    claim = ClaimFactory()
    client.force_login(reviewer)
    response = _transition(client, claim, "publish", "Looks fine")
    page = client.get(response["Location"]).content.decode()
    assert "at least one citation" in page
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.DRAFT


def test_a_stale_workflow_button_shows_the_conflict_page(client, editor, reviewer):
    claim = CitationFactory().claim
    stale = claim.version
    client.force_login(reviewer)
    _transition(client, claim, "publish", "Fine")
    client.force_login(editor)
    response = client.post(
        reverse("tracker:claim-transition", args=[claim.pk]), {"action": "submit", "reason": "Go", "version": stale}
    )
    assert response.status_code == 409
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.PUBLISHED


def test_claim_text_and_excerpts_with_markup_render_inert(client, editor):
    claim = ClaimFactory(
        text='<script>alert("x")</script> said', status=EditorialStatus.PUBLISHED, stated_on="2025-02-17"
    )
    claim.topics.add(TopicFactory(title="<b>Topic</b>"))
    CitationFactory(claim=claim, excerpt='<img src=x onerror="alert(1)"><b>bold</b>')
    client.force_login(editor)

    pages = [
        reverse("tracker:claim-detail", args=[claim.pk]),
        reverse("tracker:claim-list"),
        reverse("positions:actor-detail", args=[claim.speaker.slug]),
        reverse("tracker:search") + "?q=script",
        reverse("sources:source-detail", args=[claim.citations.get().source_id]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body and "<b>bold</b>" not in body and "<b>Topic</b>" not in body, url
    detail = client.get(pages[0]).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; said" in detail
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;b&gt;bold&lt;/b&gt;" in detail
    # The timeline's <title> carries the claim text escaped too.
    assert "&lt;script&gt;" in client.get(pages[2]).content.decode()


def test_removing_a_citation_and_adding_one_in_the_edit_form(client, editor):
    citation = CitationFactory()
    claim = citation.claim
    client.force_login(editor)

    response = client.post(
        reverse("sources:claim-edit", args=[claim.pk]),
        _edit_post(
            claim,
            **{
                "old-0-remove": "on",
                "cit-0-url": "https://example.org/new",
                "cit-0-excerpt": "new words",
                "reason": "Better source",
            },
        ),
    )

    assert response.status_code == 302
    assert [(c.source.url, c.excerpt) for c in claim.citations.all()] == [("https://example.org/new", "new words")]
    assert Citation.history.filter(id=citation.pk).first().history_change_reason == "Better source"


def test_a_published_claim_keeps_its_last_citation(client, reviewer):
    claim = CitationFactory(claim=ClaimFactory(status=EditorialStatus.PUBLISHED)).claim
    client.force_login(reviewer)

    response = client.post(reverse("sources:claim-edit", args=[claim.pk]), _edit_post(claim, **{"old-0-remove": "on"}))

    assert response.status_code == 400
    assert "keeps at least one citation" in response.content.decode()
    assert claim.citations.count() == 1


def test_save_and_submit_creates_the_claim_and_sends_it_for_review_in_one_change(client, editor):
    speaker, existing = ActorFactory(name="Keir Starmer"), SourceFactory()
    client.force_login(editor)

    response = client.post(
        reverse("sources:claim-new"),
        _claim_post(speaker, citations=[{"source": existing.pk, "excerpt": "willing to send troops"}], submit="1"),
        follow=True,
    )

    claim = Claim.objects.get()
    assert claim.status == EditorialStatus.IN_REVIEW
    assert "Claim saved and submitted for review." in [str(m) for m in response.context["messages"]]
    rows = list(claim.history.order_by("history_id"))
    assert [(r.history_action, r.history_user, r.history_change_reason) for r in rows] == [
        ("created", editor, "Entered from the Paris article"),
        ("submitted", editor, "Entered from the Paris article"),
    ]
    assert rows[0].history_change_id == rows[1].history_change_id
