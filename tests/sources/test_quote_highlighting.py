"""Altered excerpts: short quotes, the whole span, and the words that differ marked (issue 13, point 5)."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from sources import checking
from sources.choices import QuoteStatus
from sources.content import verify_excerpt
from sources.content.diffing import word_changes
from tests.factories import CitationFactory, ClaimFactory, SourceFactory
from tracker.choices import EditorialStatus

# Paragraphs of a wire report (facts of the Paris meeting of 17 February 2025).
ARTICLE = """European leaders met in Paris on Monday to discuss the war in Ukraine and the security of the continent.

The British prime minister said the United Kingdom was ready and willing to put troops on the ground in Ukraine \
if there were a lasting peace agreement.

Germany's chancellor called the debate about troops “premature” and “highly inappropriate” while the fighting \
continues.

Poland said it would not send soldiers but would support the effort with logistics and political backing."""


@pytest.mark.parametrize(
    ("excerpt", "passage"),
    [
        ("ready and able to put troops", "ready and willing to put troops"),
        ("European leaders met in Rome", "European leaders met in Paris"),
        ("the debate about soldiers", "the debate about troops"),
    ],
)
def test_a_short_quote_with_one_word_changed_is_altered_with_its_passage(excerpt: str, passage: str) -> None:
    assert len(excerpt) <= 35
    match = verify_excerpt(excerpt, ARTICLE)
    assert (match.status, match.matched_passage) == ("altered", passage)
    assert ARTICLE[match.start : match.end] == passage
    # Two words changed is another quote.
    assert verify_excerpt("ready and able to send ships", ARTICLE).status == "missing"


@pytest.mark.parametrize(
    ("excerpt", "passage"),
    [
        (
            "Italy said it would not send soldiers but would support the effort",
            "Poland said it would not send soldiers but would support the effort",
        ),
        (
            "the United Nations was ready and willing to put troops on the ground",
            "the United Kingdom was ready and willing to put troops on the ground",
        ),
        (
            "would support the effort with logistics and financial backing",
            "would support the effort with logistics and political backing",
        ),
    ],
)
def test_the_closest_passage_keeps_a_changed_first_or_last_word(excerpt: str, passage: str) -> None:
    match = verify_excerpt(excerpt, ARTICLE)
    assert (match.status, match.matched_passage) == ("altered", passage)


def test_word_changes_mark_only_the_words_that_differ_ignoring_quote_style_and_case() -> None:
    old, new = word_changes("called the debate “premature” and SILLY", 'called the debate "premature" and highly odd')
    assert [text for text, changed in old if changed] == ["SILLY"]
    assert [text for text, changed in new if changed] == ["highly", "odd"]
    assert "".join(text for text, _ in old) == "called the debate “premature” and SILLY"


def _render(template: str, **context) -> str:
    return Template("{% load quote_marks %}" + template).render(Context(context))


def test_the_filters_wrap_changed_runs_and_escape_everything_else() -> None:
    excerpt = "ready & willing to put <b>troops</b> in Ukraine"
    passage = "ready & able to put <b>troops</b> on the ground in Ukraine"
    assert _render("{{ e|excerpt_marked:p }}", e=excerpt, p=passage) == (
        "ready &amp; <del>willing</del> to put &lt;b&gt;troops&lt;/b&gt; in Ukraine"
    )
    assert _render("{{ p|passage_marked:e }}", e=excerpt, p=passage) == (
        "ready &amp; <ins>able</ins> to put &lt;b&gt;troops&lt;/b&gt; <ins>on the ground</ins> in Ukraine"
    )
    hostile = '<script>alert("x")</script> said'
    assert _render("{{ e|excerpt_marked:p }}", e=hostile, p="he said") == (
        "<del>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</del> said"
    )


@pytest.mark.django_db
def test_the_differing_words_are_marked_on_the_claim_source_and_flagged_pages(client, editor) -> None:
    source = SourceFactory(url="", title="Leaders meet in Paris", stored_text=ARTICLE)
    citation = CitationFactory(
        source=source,
        excerpt="Poland said it would not send soldiers but would support the effort with money",
        claim=ClaimFactory(text="Poland will support the effort", status=EditorialStatus.PUBLISHED),
    )
    checking.source_check(source_id=source.pk)
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.ALTERED
    client.force_login(editor)

    for url in (
        reverse("tracker:claim-detail", args=[citation.claim.pk]),
        reverse("sources:source-detail", args=[source.pk]),
        reverse("sources:claim-flagged"),
    ):
        page = client.get(url).content.decode()
        assert "but would support the effort with <del>money</del></blockquote>" in page, url
        assert "but would support the effort with <ins>logistics</ins></blockquote>" in page, url
