"""A newcomer's day without the admin (issue 12, point 9), in Chromium against live_server.

An article the tracker has not seen (served by a local HTTP server as a real news page would be): two
new actors and a topic created on the pages, three claims with excerpts from that one URL, a position,
bulk submit, bulk publish, one change undone; then the actor, topic and source pages are checked. No
page of the admin is opened. Screenshots go to test-artifacts/screenshots/newcomer-*.png.
"""

import time

import pytest

from core.roles import EDITORS, REVIEWERS
from positions.models import Position
from sources.choices import QuoteStatus
from sources.models import Source
from tests.browser.test_editing_in_a_browser import _login, _member, _shot
from tests.sources.checking_support import HOST, news_site_server
from tracker.choices import EditorialStatus
from tracker.models import Actor, Claim, Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPHS = [
    "Munich, 15 February 2025. European officials gathered at the Munich Security Conference on Saturday "
    "as Washington signalled that Europe would have to shoulder more of its own defence.",
    "The EU's foreign policy chief, Kaja Kallas, said Europe must spend more on defence and warned that any "
    "deal made behind Ukraine's back would fail.",
    "“Any quick fix is a dirty deal,” Kallas told the conference.",
    "Nato Secretary-General Mark Rutte said allies would have to spend considerably more than two percent of "
    "their economic output on defence.",
    "Rutte added that Europe should come up with proposals rather than complain about being left out of talks.",
]
EXCERPTS = {
    "kallas-1": "Europe must spend more on defence and warned that any deal made behind Ukraine's back would fail",
    "kallas-2": "Any quick fix is a dirty deal",
    "rutte": "allies would have to spend considerably more than two percent of their economic output on defence",
}


def _article() -> str:
    body = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    related = "".join(f'<li><a href="/story/{n}">Related story {n}</a></li>' for n in range(8))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Europe told to carry more of its defence | Example News</title>
<meta property="og:title" content="Europe told to carry more of its defence">
<meta name="author" content="Example News staff"><script>window.dataLayer=[];</script></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/europe">Europe</a></nav></header>
<main><article><h1>Europe told to carry more of its defence</h1>
<p class="byline">By Example News staff · 15 February 2025</p>{body}</article>
<aside><h2>Most read</h2><ul>{related}</ul></aside></main>
<footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"""


@pytest.fixture
def article_server(settings):
    with news_site_server(settings) as server:
        server.add("/2025/02/15/munich-defence", body=_article())
        yield server


def _new_actor(page, name, kind, aliases):
    page.click("main >> text=New actor")
    page.fill("#id_name", name)
    page.select_option("#id_kind", kind)
    page.fill("#id_aliases", aliases)
    page.fill("#id_reason", "Speaker in the Munich article")
    page.click("button:has-text('Add actor')")
    page.wait_for_selector(f"text=Actor “{name}” added.")


def _new_claim(page, live_server, *, speaker, text, excerpt, url):
    page.goto(f"{live_server.url}/claims/new/")
    page.fill("#id_speaker", speaker)
    page.fill("#id_text", text)
    page.fill("#id_stated_on", "2025-02-15")
    page.check("label:has-text('European defence spending') input")
    page.fill("#id_cit-0-url", url)
    page.fill("#id_cit-0-excerpt", excerpt)
    page.fill("#id_reason", "Entered from the Munich article")
    page.click("button:has-text('Save draft')")
    page.wait_for_selector("text=Claim saved as a draft.")


def test_a_newcomer_enters_an_article_without_the_admin(browser, live_server, article_server):
    _member("editor", EDITORS)
    _member("reviewer", REVIEWERS)
    url = article_server.url("/2025/02/15/munich-defence", host=HOST)
    visited: list[str] = []
    started = time.monotonic()

    editor = _login(browser, live_server, "editor")
    editor.on("framenavigated", lambda frame: visited.append(frame.url))
    editor.click("header >> text=Actors")
    _new_actor(editor, "Kaja Kallas", "person", "Kallas\nEU foreign policy chief")
    editor.goto(f"{live_server.url}/actors/")
    _new_actor(editor, "Mark Rutte", "person", "Rutte")
    editor.goto(f"{live_server.url}/topics/")
    editor.click("main >> text=New topic")
    editor.fill("#id_title", "European defence spending")
    editor.fill("#id_question", "Should European countries spend much more on defence?")
    editor.fill("#id_reason", "Topic of the Munich conference")
    editor.click("button:has-text('Add topic')")
    editor.wait_for_selector("text=Topic “European defence spending” added.")
    _shot(editor, "newcomer-01-topic")

    _new_claim(
        editor,
        live_server,
        speaker="Kaja Kallas",
        text="Europe must spend more on defence; a deal made behind Ukraine's back would fail.",
        excerpt=EXCERPTS["kallas-1"],
        url=url,
    )
    _new_claim(
        editor,
        live_server,
        speaker="Kallas",
        text="Any quick fix is a dirty deal.",
        excerpt=EXCERPTS["kallas-2"],
        url=url,
    )
    _new_claim(
        editor,
        live_server,
        speaker="Mark Rutte",
        text="Allies will have to spend considerably more than 2% of GDP on defence.",
        excerpt=EXCERPTS["rutte"],
        url=url,
    )
    _shot(editor, "newcomer-02-claim")
    assert Source.objects.filter(url=url).count() == 1
    assert Claim.objects.count() == 3

    editor.goto(f"{live_server.url}/positions/new/?actor=kaja-kallas")
    editor.select_option("#id_topic", label="European defence spending")
    editor.select_option("#id_stance", "support")
    editor.fill("#id_as_of", "2025-02-15")
    editor.check("label:has-text('Europe must spend more on defence') input")
    editor.fill("#id_reason", "Stated at Munich")
    editor.click("button:has-text('Save draft')")
    editor.wait_for_selector("text=Position saved as a draft.")

    # Bulk submit from the claims list.
    editor.goto(f"{live_server.url}/claims/?status=draft")
    for box in editor.locator("input[name=claims]").all():
        box.check()
    editor.select_option("#bulk-action", "submit")
    editor.fill("#bulk-reason", "Excerpts copied verbatim from the article")
    editor.click("button:has-text('Apply to each picked claim')")
    editor.wait_for_selector("text=3 claims submitted for review.")
    position = Position.objects.get()
    editor.goto(f"{live_server.url}/positions/{position.pk}/")
    editor.fill("#reason-submit", "Backed by her Munich claim")
    editor.click("button:has-text('Submit for review')")
    editor.wait_for_selector("text=Position submitted for review.")

    # A reviewer publishes the queue in one go, then the position.
    reviewer = _login(browser, live_server, "reviewer")
    reviewer.on("framenavigated", lambda frame: visited.append(frame.url))
    reviewer.click("text=Review them together")
    for box in reviewer.locator("input[name=claims]").all():
        box.check()
    reviewer.select_option("#bulk-action", "publish")
    reviewer.fill("#bulk-reason", "Checked against the article")
    reviewer.click("button:has-text('Apply to each picked claim')")
    reviewer.wait_for_selector("text=3 claims published.")
    _shot(reviewer, "newcomer-03-bulk-published")
    reviewer.goto(f"{live_server.url}/positions/{position.pk}/")
    reviewer.fill("#reason-publish", "Evidence published")
    reviewer.click("button:has-text('Publish')")
    reviewer.wait_for_selector("text=Position published.")
    assert set(Claim.objects.values_list("status", flat=True)) == {EditorialStatus.PUBLISHED}

    # An edit, then "Undo this change" from the history.
    rutte_claim = Claim.objects.get(speaker__slug="mark-rutte")
    reviewer.goto(f"{live_server.url}/claims/{rutte_claim.pk}/edit/")
    reviewer.fill("#id_context", "Said in a side event")
    reviewer.fill("#id_reason", "Context")
    reviewer.click("button:has-text('Save changes')")
    reviewer.wait_for_selector("text=Claim saved.")
    reviewer.click("text=Full history")
    reviewer.locator("text=Undo this change").first.click()
    reviewer.fill("#id_reason", "The context was wrong")
    _shot(reviewer, "newcomer-04-undo")
    reviewer.click("button:has-text('Undo this change')")
    reviewer.wait_for_selector("text=Reverted to the version of")
    rutte_claim.refresh_from_db()
    assert rutte_claim.context == ""

    # What the team now sees.
    reviewer.goto(f"{live_server.url}/actors/kaja-kallas/")
    # Her two claims as diamonds, and her position's circle, which links to its one evidence claim.
    assert reviewer.locator("#actor-timeline svg a.tl-claim").count() == 2
    assert reviewer.locator("#actor-timeline svg a.tl-point").count() == 1
    _shot(reviewer, "newcomer-05-actor")
    reviewer.goto(f"{live_server.url}/topics/european-defence-spending/")
    assert "Kaja Kallas" in reviewer.locator("svg").first.inner_html()
    _shot(reviewer, "newcomer-06-topic")
    source = Source.objects.get(url=url)
    reviewer.goto(f"{live_server.url}/sources/{source.pk}/")
    page = reviewer.content()
    assert "We read the page." in page
    assert page.count("blockquote") >= 3 or reviewer.locator("text=Any quick fix is a dirty deal").count() >= 1
    _shot(reviewer, "newcomer-07-source")
    statuses = set(source.citations.values_list("quote_status", flat=True))
    assert statuses == {QuoteStatus.PRESENT}, statuses
    assert Actor.objects.get(slug="kaja-kallas").aliases == ["Kallas", "EU foreign policy chief"]
    assert Topic.objects.filter(slug="european-defence-spending").exists()
    assert not [u for u in visited if "/admin/" in u]
    print(f"\nnewcomer walk took {time.monotonic() - started:.1f} s in the browser")
