"""Excerpts are looked for in all a reader sees before one is called missing (issue 13, point 2).

The pages are built like real news pages: navigation, ad slots, scripts, a standfirst, a photo
with its caption, a gallery, a related-posts block and JSON-LD. Facts are from the Paris meeting
of European leaders on 17 February 2025.
"""

import json

import pytest
from django.urls import reverse

from sources import checking
from sources.choices import CheckOutcome, QuoteStatus, SourceHealth
from sources.content import read_page, verify_in_page
from sources.models import CitationCheck
from tests.factories import CitationFactory, ClaimFactory, SourceFactory
from tests.sources.checking_support import page_url
from tracker.choices import EditorialStatus

BODY = [
    "European leaders met at the Élysée Palace on Monday for talks on the war in Ukraine, hastily arranged "
    "after the United States said it would open negotiations with Russia.",
    "The British prime minister told reporters the United Kingdom was ready and willing to contribute to "
    "security guarantees for Ukraine by putting its own troops on the ground if necessary.",
    "Germany's chancellor said the debate about sending peacekeepers was premature and highly inappropriate "
    "while the fighting continues, a view shared by several of the leaders present.",
    "Poland's prime minister said his country would not send soldiers to Ukraine but would support the "
    "countries that do with logistics and political backing.",
    "The leaders agreed that Europe must spend more on its own defence and that there could be no "
    "negotiations about Ukraine without Ukraine at the table.",
]
STANDFIRST = "Starmer says Britain could put troops on the ground as leaders gather in Paris"
CAPTION = "Leaders arrive at the Élysée Palace for the emergency summit on Monday afternoon"
GALLERY = "Mette Frederiksen speaks to the press in the courtyard after the meeting"
SCRIPT = "window.__APP_STATE__ = " + json.dumps({"ads": [f"slot-{i}" for i in range(400)], "user": None}) + ";"


def _json_ld(body: str | None) -> str:
    node = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Europe's leaders meet in Paris on Ukraine",
        "datePublished": "2025-02-17T18:30:00+01:00",
        "author": {"@type": "Person", "name": "Jane Reporter"},
    }
    if body:
        node["articleBody"] = body
    return f'<script type="application/ld+json">{json.dumps(node)}</script>'


def news_page(*, body: str | None = None, json_ld_body: str | None = None) -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in BODY) if body is None else body
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Europe's leaders meet in Paris on Ukraine | Example News</title>
<meta property="og:title" content="Europe's leaders meet in Paris on Ukraine">
{_json_ld(json_ld_body)}
<script>{SCRIPT}</script>
</head><body>
<header class="site-header"><a href="/">Example News</a>
<nav><a href="/world">World</a> <a href="/politics">Politics</a> <a href="/business">Business</a></nav></header>
<div class="ad-slot" id="top-banner"><script>loadAd("top-banner")</script></div>
<main>
<article>
<h1>Europe's leaders meet in Paris on Ukraine</h1>
<p class="standfirst">{STANDFIRST}</p>
<figure class="lead-image"><img src="/img/elysee.jpg" alt=""><figcaption>{CAPTION}</figcaption></figure>
<div class="byline">By Jane Reporter · 17 February 2025</div>
<div class="article-body">
{paragraphs}
</div>
<div class="gallery"><ul>
<li><figure><img src="/img/g1.jpg" alt=""><figcaption>{GALLERY}</figcaption></figure></li>
<li><figure><img src="/img/g2.jpg" alt="">
<figcaption>Emmanuel Macron greets the Nato secretary general</figcaption></figure></li>
</ul></div>
</article>
<aside class="related"><h2>Related</h2><ul>
<li><a href="/a1">Ukraine talks: what we know so far</a></li><li><a href="/a2">Five charts on defence spending</a></li>
</ul></aside>
</main>
<footer><p>© 2025 Example News. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
<script src="/static/app.js"></script>
</body></html>"""


def js_rendered_page(json_ld_body: str | None = None) -> str:
    """What a JavaScript-rendered article serves before its scripts run: a shell and a caption."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Europe's leaders meet in Paris on Ukraine</title>
{_json_ld(json_ld_body)}
<script>{SCRIPT}</script><script>{SCRIPT.replace("APP_STATE", "ROUTER")}</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<div id="root"><figure><img src="/img/elysee.jpg" alt=""><figcaption>{CAPTION}. Photograph: Example Agency
</figcaption></figure></div>
<noscript>Please enable JavaScript to read this article.</noscript>
<script src="/static/bundle.js"></script></body></html>"""


def _check(news_server, path, html, *excerpts):
    news_server.add(path, body=html)
    source = SourceFactory(url=page_url(news_server, path), title="Leaders meet", author="Jane Reporter")
    citations = [
        CitationFactory(source=source, excerpt=e, claim=ClaimFactory(status=EditorialStatus.PUBLISHED))
        for e in excerpts
    ]
    check = checking.source_check(source_id=source.pk)
    for citation in citations:
        citation.refresh_from_db()
    source.refresh_from_db()
    return source, check, citations


@pytest.mark.django_db
def test_quotes_in_the_standfirst_captions_and_gallery_are_present(news_server):
    main_text = read_page(news_page()).main
    assert BODY[1] in main_text  # the article body is the main text...
    assert not all(part in main_text for part in (STANDFIRST, CAPTION, GALLERY))  # ...and leaves some of these out

    source, check, citations = _check(
        news_server, "/world/leaders-paris", news_page(), STANDFIRST, CAPTION, GALLERY, BODY[2][:80]
    )

    assert check.outcome == CheckOutcome.OK and check.error == ""
    assert [c.quote_status for c in citations] == [QuoteStatus.PRESENT] * 4
    assert [r.score for r in CitationCheck.objects.filter(source_check=check).order_by("citation")] == [100.0] * 4
    # The snapshot (what changes are judged on) is still the main text only: no navigation, no gallery.
    assert "Privacy" not in check.snapshot.text and "Related" not in check.snapshot.text


@pytest.mark.django_db
def test_a_quote_only_in_the_json_ld_article_body_is_present(news_server):
    hidden = "There could be no negotiations about Ukraine without Ukraine at the table, the leaders agreed."
    page = js_rendered_page(json_ld_body=" ".join(BODY[:4]) + " " + hidden + " " + "More text. " * 20)
    source, check, (citation,) = _check(news_server, "/live/paris", page, hidden)
    assert citation.quote_status == QuoteStatus.PRESENT
    assert check.error == ""


@pytest.mark.django_db
def test_a_page_drawn_by_javascript_makes_its_quotes_unverifiable_not_missing(news_server, client, editor):
    page = js_rendered_page()
    reading = read_page(page)
    assert len(reading.main) < 200  # the caption is all there is to read

    source, check, citations = _check(news_server, "/world/paris-js", page, BODY[1][:90], BODY[3][:70])

    assert [c.quote_status for c in citations] == [QuoteStatus.UNVERIFIABLE] * 2
    assert check.outcome == CheckOutcome.OK
    assert check.error.startswith("The page could not be read: it has ")
    assert "probably drawn by JavaScript" in check.error
    assert source.health == SourceHealth.OK  # the page answered: it is not failing
    # Not an alteration: the flagged list carries it apart from the alterations; the claim page says why.
    client.force_login(editor)
    worklist, apart = client.get(reverse("sources:claim-flagged")).content.decode().split('id="unverifiable"')
    assert BODY[1][:60] not in worklist and BODY[1][:60] in apart
    claim_page = client.get(reverse("tracker:claim-detail", args=[citations[0].claim.pk])).content.decode()
    assert "Unverifiable — page could not be read" in claim_page
    assert "probably drawn by JavaScript" in claim_page


def test_a_quote_found_on_a_thin_page_is_still_present_and_a_wrong_one_on_a_full_page_missing():
    thin = read_page(js_rendered_page())
    assert verify_in_page(CAPTION, thin).status == "present"
    full = read_page(news_page())
    assert full.confident
    match = verify_in_page("France will lead a naval mission in the Black Sea next year", full)
    assert match.status == "missing"


@pytest.mark.django_db
def test_the_flagged_page_lists_unverifiable_excerpts_apart_from_alterations_with_the_reason(
    client, editor, news_server, django_assert_max_num_queries
):
    shell, _, (unreadable,) = _check(news_server, "/live/shell", js_rendered_page(), BODY[1][:90])
    _, _, (missing,) = _check(
        news_server, "/world/edited", news_page(), "France will lead a naval mission in the Black Sea"
    )
    assert (unreadable.quote_status, missing.quote_status) == (QuoteStatus.UNVERIFIABLE, QuoteStatus.MISSING)
    client.force_login(editor)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("sources:claim-flagged"))

    page = response.content.decode()
    worklist, apart = page.split('id="unverifiable"')
    assert [claim.pk for claim in response.context["page"]] == [missing.claim_id]  # the alteration worklist
    assert "France will lead a naval mission" in worklist and BODY[1][:60] not in worklist
    assert "Unverifiable — page could not be read</h2>" in page
    assert BODY[1][:60] in apart and "France will lead" not in apart
    assert "The page could not be read: it has" in apart and "probably drawn by JavaScript" in apart
    assert reverse("sources:source-detail", args=[shell.pk]) in apart
