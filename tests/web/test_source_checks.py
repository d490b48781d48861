"""Source checks on the web pages: the flagged claims, each citation's verification, "check now"."""

import datetime

import pytest
from django.urls import reverse

from core.history import get_system_user
from sources import checking
from sources.choices import CheckOutcome, QuoteStatus, SourceHealth
from sources.models import Source, SourceCheck
from sources.services import source_update
from tests.conftest import forget_pending_on_commit
from tests.factories import CitationFactory, ClaimFactory, SourceFactory
from tests.sources.checking_support import news_site_server, page_url
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db

ARTICLE = (
    "The minister said on Monday that British troops will go to the front line next spring "
    "and stay there for as long as needed. Critics called the plan reckless."
)
PRESENT = "British troops will go to the front line next spring"
ALTERED = "British troops will go to the front line next summer and stay"
MATCHED = "British troops will go to the front line next spring and stay"
# As the pages show them: the words that differ marked (sources/templatetags/quote_marks.py).
ALTERED_SHOWN = "British troops will go to the front line next <del>summer</del> and stay"
MATCHED_SHOWN = "British troops will go to the front line next <ins>spring</ins> and stay"
MISSING = "France will lead a naval mission in the Black Sea"


def _cite(source, excerpt, **claim_fields):
    return CitationFactory(source=source, excerpt=excerpt, claim=ClaimFactory(**claim_fields))


@pytest.fixture
def checked():
    """One stored-text article cited four times, then checked: present, altered, missing, and a retracted
    claim with a missing excerpt. Plus a claim citing a source never checked."""
    article = SourceFactory(url="", title="Minister interview", stored_text=ARTICLE)
    citations = {
        "present": _cite(article, PRESENT, text="Troops in spring"),
        "altered": _cite(article, ALTERED, text="Troops in summer", status=EditorialStatus.PUBLISHED),
        "missing": _cite(article, MISSING, text="Naval mission"),
        "retracted": _cite(article, MISSING, text="Retracted one", status=EditorialStatus.RETRACTED),
        "unchecked": _cite(SourceFactory(title="Never checked"), "whatever words", text="Unchecked claim"),
    }
    check = checking.source_check(source_id=article.pk)
    assert check.outcome == CheckOutcome.STORED_TEXT
    return citations


@pytest.fixture
def web_server(settings):
    """The local HTTP server of the sources tests, reachable as http://news.test:<port>/."""
    with news_site_server(settings) as server:
        yield server


class Clock:
    def __init__(self, monkeypatch):
        self.now = datetime.datetime.now(datetime.UTC)
        monkeypatch.setattr(checking, "_now", lambda: self.now)


def _dead_source(server, monkeypatch):
    """A page answering 404 on four daily checks: dead by the checker's own rules (three failures over three days)."""
    server.add("/gone", status=404, body="<p>Not found</p>")
    source = SourceFactory(title="Gone page", url=page_url(server, "/gone"))
    citation = _cite(source, "words that were on the page", text="Claim on a dead page")
    clock = Clock(monkeypatch)
    for _ in range(4):
        checking.source_check(source_id=source.pk)
        clock.now += datetime.timedelta(days=1)
    source.refresh_from_db()
    assert source.health == SourceHealth.DEAD
    return citation


def _section(page):
    """The dashboard's flagged section only (recent changes below it name other claims)."""
    return page.split('id="flagged"', 1)[1].split('id="recent"', 1)[0]


def _texts(claims):
    return sorted(c.text for c in claims)


def test_the_dashboard_lists_exactly_the_claims_with_altered_or_missing_excerpts_or_a_dead_source(
    client,
    viewer,
    checked,
    web_server,
    monkeypatch,
):
    dead = _dead_source(web_server, monkeypatch)
    client.force_login(viewer)

    response = client.get("/")

    flagged = list(response.context["flagged"])
    assert _texts(flagged) == ["Claim on a dead page", "Naval mission", "Troops in summer"]
    assert response.context["flagged_total"] == 3
    by_text = {c.text: c for c in flagged}
    assert [c.pk for c in by_text["Troops in summer"].flagged] == [checked["altered"].pk]
    assert [c.pk for c in by_text["Claim on a dead page"].flagged] == [dead.pk]
    page = _section(response.content.decode())
    # The altered excerpt is shown beside the passage the check found.
    assert ALTERED_SHOWN in page and MATCHED_SHOWN in page and "Closest passage in the source" in page
    assert reverse("tracker:claim-detail", args=[checked["missing"].claim.pk]) in page
    assert "Retracted one" not in page and "Troops in spring" not in page


def test_a_changed_source_whose_excerpt_is_still_present_is_not_flagged(client, editor, reviewer, checked):
    article = checked["present"].source
    source_update(  # partners see this source (its claims are published): a reviewer's change
        source=article,
        user=reviewer,
        reason="Transcript corrected",
        data={"stored_text": ARTICLE + " A long new paragraph about the budget, the navy and many other things."},
        expected_version=article.version,
    )
    checking.source_check(source_id=article.pk)
    article.refresh_from_db()
    assert article.health == SourceHealth.CHANGED
    client.force_login(editor)

    assert _texts(client.get("/").context["flagged"]) == ["Naval mission", "Troops in summer"]


def test_the_flagged_claims_page_is_paginated_and_linked_from_the_navigation(client, editor, checked):
    article = checked["present"].source
    for index in range(55):
        _cite(article, MISSING, text=f"Bulk claim {index:02}")
    checking.source_check(source_id=article.pk)
    client.force_login(editor)

    first = client.get(reverse("sources:claim-flagged"))
    second = client.get(reverse("sources:claim-flagged") + "?page=2")

    assert first.context["page"].paginator.count == 57
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 7
    shown = {c.pk for c in first.context["page"]} | {c.pk for c in second.context["page"]}
    assert len(shown) == 57
    assert 'href="/claims/flagged/" aria-current="page">Flagged</a>' in first.content.decode()
    dashboard = client.get("/")
    assert len(dashboard.context["flagged"]) == 10
    assert 'href="/claims/flagged/">All 57 flagged claims</a>' in dashboard.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_flagged_pages_use_a_fixed_number_of_queries(client, editor, django_assert_max_num_queries, rows):
    for index in range(rows):
        source = SourceFactory(url="", stored_text=ARTICLE)
        _cite(source, ALTERED, text=f"Altered {index}")
        _cite(source, MISSING, text=f"Missing {index}")
        checking.source_check(source_id=source.pk)
    client.force_login(editor)
    client.get("/")  # warm the session and content-type caches

    with django_assert_max_num_queries(16):  # + the notifications badge and panel (push)
        dashboard = client.get("/")
    with django_assert_max_num_queries(9):  # + the unverifiable excerpts, listed apart
        flagged = client.get(reverse("sources:claim-flagged"))

    assert dashboard.context["flagged_total"] == flagged.context["page"].paginator.count == 2 * rows
    altered_on_page = sum(c.text.startswith("Altered") for c in flagged.context["page"])
    assert flagged.content.decode().count("Closest passage in the source") == altered_on_page > 0


@pytest.mark.parametrize("persona", ["editor", "reviewer", "viewer"])
def test_every_team_member_sees_the_unreviewed_count_linking_to_history(client, request, persona, checked):
    ClaimFactory()  # factories write through history, so changes await review
    client.force_login(request.getfixturevalue(persona))
    from core.selectors import unpatrolled_count

    count, _ = unpatrolled_count()
    assert count > 0

    page = client.get("/").content.decode()

    assert f'<a id="unreviewed-changes" href="/history/?reviewed=no">{count} unreviewed changes</a>' in page
    assert ("mark them reviewed there" in page) == (persona == "reviewer")
    assert client.get("/history/?reviewed=no").status_code == 200


@pytest.mark.parametrize("persona", ["editor", "reviewer", "viewer"])
def test_the_claim_page_shows_each_citations_verification_and_its_sources_health(client, request, persona, checked):
    client.force_login(request.getfixturevalue(persona))

    def verification(key):
        response = client.get(reverse("tracker:claim-detail", args=[checked[key].claim.pk]))
        return response.content.decode()

    altered = verification("altered")
    assert 'Excerpt check: <span class="status quote-altered">Altered</span>' in altered
    assert MATCHED_SHOWN in altered and 'source <span class="status health-ok">OK</span>' in altered
    assert 'class="status quote-present">Present</span>' in verification("present")
    assert 'class="status quote-missing">Missing</span>' in verification("missing")
    unchecked = verification("unchecked")
    assert 'class="status quote-unverified">Unchecked</span>' in unchecked
    assert 'class="status health-unchecked">Not checked yet</span>' in unchecked
    assert ("Check now</button>" in altered) == (persona != "viewer")


@pytest.mark.parametrize("persona", ["editor", "reviewer", "viewer"])
def test_the_source_page_shows_health_latest_checks_and_snapshots(client, request, persona, checked):
    article = checked["present"].source
    checking.source_check(source_id=article.pk)  # a second check: same text, no new snapshot
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("sources:source-detail", args=[article.pk]))

    page = response.content.decode()
    # Two identical checks are one row, "×2".
    [run] = response.context["check_runs"]
    assert (run.latest.outcome, run.count) == (CheckOutcome.STORED_TEXT, 2)
    assert page.count("We checked the excerpts against the pasted text (there is no address to fetch).") == 1
    assert "(×2 since" in page
    assert '<span class="status health-ok" id="source-health">OK</span>' in page
    assert "1 snapshot of its text" in page
    assert ("Check now</button>" in page) == (persona != "viewer")


def test_check_now_queues_a_check_that_runs_after_commit_and_returns_to_the_claim(
    client, editor, django_capture_on_commit_callbacks
):
    source = SourceFactory(url="", stored_text=ARTICLE)
    citation = _cite(source, ALTERED)
    forget_pending_on_commit()  # the set-up's own check must not absorb the one "Check now" queues
    claim_url = reverse("tracker:claim-detail", args=[citation.claim.pk])
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("sources:source-check", args=[source.pk]), {"next": claim_url})

    # Queued on commit, not during the request (the check itself then queues its feed events).
    assert len([c for c in callbacks if hasattr(c, "source_check_id")]) == 1
    assert response.status_code == 302 and response["Location"] == claim_url
    check = SourceCheck.objects.get(source=source)
    assert check.outcome == CheckOutcome.STORED_TEXT and check.task_id  # ran as the Celery task
    citation.refresh_from_db()
    assert citation.quote_status == QuoteStatus.ALTERED
    page = client.get(claim_url).content.decode()
    assert "Queued a check of" in page and MATCHED_SHOWN in page


def test_check_now_ignores_a_foreign_next_address(client, editor, django_capture_on_commit_callbacks):
    source = SourceFactory(url="", stored_text=ARTICLE)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("sources:source-check", args=[source.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("sources:source-detail", args=[source.pk])


def test_only_editors_and_reviewers_may_ask_for_a_check(client, viewer, outsider, django_capture_on_commit_callbacks):
    source = SourceFactory(url="", stored_text=ARTICLE)
    url = reverse("sources:source-check", args=[source.pk])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        anonymous = client.post(url)
        client.force_login(viewer)
        as_viewer = client.post(url)
        client.force_login(outsider)
        as_outsider = client.post(url)
        client.force_login(viewer)
        by_get = client.get(url)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert (as_viewer.status_code, as_outsider.status_code, by_get.status_code) == (403, 403, 405)
    assert callbacks == [] and not SourceCheck.objects.exists()


def test_flagged_pages_refuse_people_outside_the_team(client, outsider):
    assert client.get(reverse("sources:claim-flagged"))["Location"].startswith("/accounts/login/")
    client.force_login(outsider)
    assert client.get(reverse("sources:claim-flagged")).status_code == 403


def test_source_checks_write_no_history_rows_as_the_system_user(checked):
    # The checks above changed health and quote statuses, which stay out of history on purpose.
    assert not Source.history.filter(history_user=get_system_user()).exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_claim_and_source_pages_with_verifications_use_a_fixed_number_of_queries(
    client, editor, django_assert_max_num_queries, rows
):
    claim = ClaimFactory()
    article = SourceFactory(url="", stored_text=ARTICLE)
    for index in range(rows):
        CitationFactory(claim=claim, source=SourceFactory(url="", stored_text=ARTICLE), excerpt=ALTERED)
        _cite(article, MISSING, text=f"Missing {index}")
    for source in {c.source for c in claim.citations.all()} | {article}:
        checking.source_check(source_id=source.pk)
    client.force_login(editor)
    client.get("/")

    with django_assert_max_num_queries(11):  # + the notifications badge and the Follow button (push)
        claim_page = client.get(reverse("tracker:claim-detail", args=[claim.pk]))
    with django_assert_max_num_queries(10):  # + badge, Follow button, the text's latest snapshots
        source_page = client.get(reverse("sources:source-detail", args=[article.pk]))

    assert claim_page.content.decode().count("Closest passage in the source") == rows
    assert source_page.content.decode().count('class="status quote-missing">Missing</span>') == rows


def test_check_now_on_a_source_with_nothing_to_fetch_says_so_and_queues_nothing(
    client, editor, django_capture_on_commit_callbacks
):
    source = SourceFactory(url="", title="Printed leaflet", stored_text="")
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("sources:source-check", args=[source.pk]), follow=True)

    assert callbacks == [] and not SourceCheck.objects.exists()
    assert "neither a URL nor a stored text" in response.content.decode()
