"""Done-when of issue 16, in Chromium: a new article (read by a background job, whose page forwards to
the suggestions) entered through its suggestions (tick three, edit one, accept) leaves draft claims with
their citations and history rows. Screenshots go to test-artifacts/screenshots/suggest-*.png."""

import datetime

import pytest

from core.models import Job
from core.roles import EDITORS
from sources.models import Citation, Source
from tests.browser.test_editing_in_a_browser import _login, _member, _shot
from tests.factories import ActorFactory
from tests.sources.checking_support import HOST, article_html, news_site_server
from tracker.models import Actor, Claim, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPHS = [
    "European leaders met in Paris on Monday to discuss the war in Ukraine and the security of the continent.",
    "The British prime minister said the United Kingdom was ready to put troops on the ground in Ukraine if "
    "there were a lasting peace agreement.",
    "He also warned that a deal made over the heads of Europeans would not last.",
    "Poland said it would not send soldiers but would support the effort with logistics.",
    "“Europe has to carry more of the burden of its own defence,” said Anna Berg, a defence analyst in Oslo.",
]


@pytest.fixture
def article_site(settings):
    with news_site_server(settings) as server:
        server.add("/2025/02/17/paris-troops", body=article_html(PARAGRAPHS, title="Leaders weigh troops for Ukraine"))
        yield server


def test_an_article_is_entered_through_its_suggestions(browser, live_server, article_site):
    editor = _member("editor", EDITORS)
    uk = ActorFactory(name="United Kingdom", slug="united-kingdom", kind="state", aliases=["UK", "Britain"])
    starmer = ActorFactory(name="Keir Starmer", slug="keir-starmer", kind="person", aliases=["Starmer"])
    ActorFactory(name="Poland", slug="poland", kind="state")
    Role.objects.create(actor=starmer, organisation=uk, title="Prime Minister", start_on=datetime.date(2024, 7, 5))
    url = article_site.url("/2025/02/17/paris-troops", host=HOST)

    page = _login(browser, live_server, "editor")
    page.goto(f"{live_server.url}/claims/new/")
    page.click("#from-article")
    page.fill("#id_url", url)
    page.fill("#id_reason", "Article on European troops for Ukraine")
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))
    page.click("button:has-text('Suggest claims')")
    page.wait_for_selector("#suggestions-form")
    # The page was read by a background job, whose page forwarded to the suggestions by itself.
    job = Job.objects.get(kind="suggest-read-article")
    assert [u.removeprefix(live_server.url) for u in visited[-2:]] == [
        f"/jobs/{job.pk}/",
        f"/sources/{job.result['source_id']}/suggestions/",
    ]
    _shot(page, "suggest-01-suggestions")

    assert page.input_value("#id_s-0-speaker") == "Keir Starmer"  # "The British prime minister said…"
    assert page.input_value("#id_s-1-speaker") == "Keir Starmer"  # "He also warned…"
    assert page.input_value("#id_s-2-speaker") == "Poland"
    assert page.input_value("#id_s-3-speaker") == "Anna Berg"
    for row in (0, 1, 3):
        page.check(f"#id_s-{row}-accept")
    page.fill("#id_s-0-text", "The UK is ready to put troops in Ukraine after a lasting peace agreement.")
    page.fill("#id_reason", "Claims of the Paris article")
    page.click("#accept-suggestions")
    page.wait_for_selector("text=3 draft claims created.")
    _shot(page, "suggest-02-accepted")

    source = Source.objects.get(url=url)
    claims = list(Claim.objects.order_by("pk"))
    assert [(c.speaker.name, c.status) for c in claims] == [
        ("Keir Starmer", "draft"),
        ("Keir Starmer", "draft"),
        ("Anna Berg", "draft"),
    ]
    assert claims[0].text == "The UK is ready to put troops in Ukraine after a lasting peace agreement."
    assert claims[2].kind == "direct_quote"
    assert Actor.objects.get(name="Anna Berg").kind == "person"
    citations = Citation.objects.filter(claim__in=claims).order_by("claim_id")
    assert [c.source_id for c in citations] == [source.pk] * 3
    assert citations[1].excerpt == PARAGRAPHS[2]
    history = [*Claim.history.all(), *Citation.history.all(), *Actor.history.filter(name="Anna Berg")]
    assert len(history) == 7
    assert {(row.history_user_id, row.history_change_reason) for row in history} == {
        (editor.pk, "Claims of the Paris article")
    }
    assert len({row.history_change_id for row in history}) == 1
