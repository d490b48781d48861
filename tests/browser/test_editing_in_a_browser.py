"""The daily flow in a real browser: Playwright driving Debian's headless Chromium against live_server.

Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

import os
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from core.roles import EDITORS, REVIEWERS
from sources.models import Citation, Source
from tests.browser.conftest import PASSWORD, SCREENSHOTS
from tests.factories import UserFactory
from tracker.choices import EditorialStatus
from tracker.models import Claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_EXCERPT = (
    "The European Union has already imposed a series of economic sanctions on Russia in response to its actions "
    "in Ukraine, and leaders may consider additional measures."
)


def _member(username, group):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def _login(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{live_server.url}/")
    return page


def _shot(page, name):
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_enter_submit_publish_see_on_the_timeline_and_conflict(browser, live_server):
    call_command("loadseeds", verbosity=0)
    _member("editor", EDITORS)
    _member("reviewer", REVIEWERS)
    _member("reviewer2", REVIEWERS)
    seed_source = Source.objects.get(title__startswith="European leaders weigh response")

    editor = _login(browser, live_server, "editor")
    _shot(editor, "01-dashboard-editor")

    # Claim entry, timed from opening the form to the saved claim's page.
    started = time.monotonic()
    editor.click("header >> text=New claim")
    editor.fill("#id_speaker", "European leaders")
    editor.fill("#id_text", "European leaders may consider additional sanctions on Russia.")
    editor.fill("#id_stated_on", "2025-02")
    editor.check("#id_stated_on_inferred")
    editor.fill("input[data-topic-filter]", "sanctions")
    editor.check("label:has-text('Sanctions on Russia') input")
    editor.select_option("#id_cit-0-source", str(seed_source.pk))
    editor.fill("#id_cit-0-excerpt", SEED_EXCERPT)
    editor.fill("#id_cit-0-locator", "paragraph 1")
    editor.fill("#id_cit-1-url", "https://News.Example.org/2025/02/paris-meeting?utm_source=newsletter#sanctions")
    editor.fill("#id_cit-1-title", "Paris emergency meeting: what is on the table")
    editor.fill("#id_cit-1-excerpt", "leaders may consider additional measures")
    editor.click("text=Add another citation")  # the JavaScript row; left empty, so skipped
    assert editor.locator(".citation-row").count() == 3
    editor.fill("#id_reason", "Entered from the seed article")
    _shot(editor, "02-claim-form-filled")
    editor.click("button:has-text('Save draft')")
    editor.wait_for_selector("text=Claim saved as a draft.")
    entry_seconds = time.monotonic() - started
    _shot(editor, "03-claim-draft")

    claim = Claim.objects.get(text="European leaders may consider additional sanctions on Russia.")
    assert claim.status == EditorialStatus.DRAFT and claim.stated_on_precision == "month"
    assert sorted(Citation.objects.filter(claim=claim).values_list("source__url", flat=True)) == [
        "",
        "https://news.example.org/2025/02/paris-meeting",
    ]
    assert editor.locator("blockquote.excerpt").count() == 2

    editor.fill("#reason-submit", "Two sources, excerpts copied verbatim")
    editor.click("button:has-text('Submit for review')")
    editor.wait_for_selector("text=Claim submitted for review.")
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.IN_REVIEW

    reviewer = _login(browser, live_server, "reviewer")
    reviewer.click(f"#queue ~ ul a[href='/claims/{claim.pk}/']")
    _shot(reviewer, "04-claim-in-review")
    reviewer.fill("#reason-publish", "Checked both excerpts against the sources")
    reviewer.click("button:has-text('Publish')")
    reviewer.wait_for_selector("text=Claim published.")
    claim.refresh_from_db()
    assert claim.status == EditorialStatus.PUBLISHED

    reviewer.click(f"h1 a[href='/actors/{claim.speaker.slug}/']")
    timeline_link = reviewer.locator(f"#actor-timeline svg a[href='/claims/{claim.pk}/']")
    assert timeline_link.count() == 1
    assert "additional sanctions" in timeline_link.locator("title").text_content()
    _shot(reviewer, "05-actor-timeline")

    # Two people open the same claim; the one who saves second gets the conflict page.
    second = _login(browser, live_server, "reviewer2")
    for page in (reviewer, second):
        page.goto(f"{live_server.url}/claims/{claim.pk}/edit/")
    reviewer.fill("#id_context", "Said before the Paris emergency meeting.")
    reviewer.fill("#id_reason", "Add context")
    reviewer.click("button:has-text('Save changes')")
    reviewer.wait_for_selector("text=Claim saved.")
    second.fill("#id_text", "European leaders may impose additional sanctions on Russia.")
    second.fill("#id_reason", "Sharper wording")
    second.click("button:has-text('Save changes')")
    second.wait_for_selector("text=Someone else saved this first")
    body = second.locator("table.diff").inner_text()
    assert "Said before the Paris emergency meeting." in body
    assert "European leaders may impose additional sanctions on Russia." in body
    _shot(second, "06-conflict")
    claim.refresh_from_db()
    assert claim.text == "European leaders may consider additional sanctions on Russia."
    assert claim.context == "Said before the Paris emergency meeting."

    reviewer.goto(f"{live_server.url}/topics/sanctions-on-russia/?on=2025-03-01")
    _shot(reviewer, "07-topic-matrix-and-timeline")
    reviewer.goto(f"{live_server.url}/topics/?on=2025-03-01")
    _shot(reviewer, "08-stance-matrix")
    print(f"\nclaim entry took {entry_seconds:.1f} s in the browser")


def test_markup_in_a_claim_and_an_excerpt_stays_text_in_the_browser(browser, live_server):
    call_command("loadseeds", verbosity=0)
    _member("editor", EDITORS)
    editor = _login(browser, live_server, "editor")
    dialogs = []
    editor.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    editor.goto(f"{live_server.url}/claims/new/")
    # Typing refreshes the suggestions from the autocomplete view.
    with editor.expect_response(lambda r: "/autocomplete/actors/?q=Starm" in r.url):
        editor.locator("#id_speaker").press_sequentially("Starm")
    editor.wait_for_function("document.querySelectorAll('#actor-options option').length === 1")
    assert editor.locator("#actor-options option").get_attribute("value") == "Keir Starmer"
    editor.fill("#id_speaker", "keir-starmer")
    editor.fill("#id_text", "<script>alert('claim')</script> is what he typed")
    editor.fill("#id_cit-0-url", "https://example.org/markup")
    editor.fill("#id_cit-0-excerpt", "<img src=x onerror=\"alert('excerpt')\"><b>bold</b>")
    editor.fill("#id_reason", "Markup test")
    editor.click("button:has-text('Save draft')")
    editor.wait_for_selector("text=Claim saved as a draft.")

    assert editor.locator("#claim-text").inner_text() == "<script>alert('claim')</script> is what he typed"
    assert editor.locator("blockquote.excerpt").inner_text() == "<img src=x onerror=\"alert('excerpt')\"><b>bold</b>"
    assert editor.locator("main img, main b").count() == 0
    editor.goto(f"{live_server.url}/claims/")
    editor.goto(f"{live_server.url}/actors/keir-starmer/")
    assert dialogs == []
    _shot(editor, "09-markup-inert")


def test_a_csv_with_a_bad_row_changes_nothing_in_the_browser(browser, live_server, tmp_path):
    call_command("loadseeds", verbosity=0)
    _member("editor", EDITORS)
    claims_before = Claim.objects.count()
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "speaker,text,kind,stated_on,topics,source_url,source_title,excerpt,locator\n"
        "keir-starmer,Fine row,reported,2025-02,,https://example.org/ok,OK,fine words,\n"
        "nobody,Bad row,reported,2025-02,,https://example.org/bad,Bad,,\n"
    )
    editor = _login(browser, live_server, "editor")
    editor.click("nav >> text=Import")
    editor.set_input_files("#id_file", str(csv_file))
    editor.click("button:has-text('Check the file')")
    editor.wait_for_selector("#import-preview")
    # The dry run ran as a background job; its page lists the rows with problems.
    problems = editor.locator("#import-preview tbody tr").nth(0).inner_text()
    assert "no actor is called “nobody”" in problems and "excerpt: this column is required." in problems
    assert editor.locator("button:has-text('Import all')").count() == 0
    _shot(editor, "10-import-preview-errors")
    assert Claim.objects.count() == claims_before
    assert not Source.objects.filter(url__startswith="https://example.org/").exists()
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"
