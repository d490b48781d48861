"""Start from an article: the request finds or adds the source; a background job reads the page (never the
request), and the job's page forwards to the suggestions or says why there are none."""

import time

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.models import Job
from core.roles import EDITORS, VIEWERS
from sources.models import Source
from suggest.reading import HOST_BUSY, READ_JOB
from tests.conftest import _member
from tests.factories import SourceFactory
from tests.sources.checking_support import HOST
from tests.suggest.conftest import ARTICLE

pytestmark = pytest.mark.django_db

PATH = "/2025/02/17/paris"
REASON = "A new article on troops"


@pytest.fixture
def paste(client, django_capture_on_commit_callbacks):
    """Post the form; the job it starts runs when the request commits (Celery runs inline in tests)."""

    def post(url):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("suggest:from-url"), {"url": url, "reason": REASON})
        return response, Job.objects.filter(kind=READ_JOB).first()

    return post


def test_the_new_claim_page_leads_through_a_reading_job_to_the_suggestions(client, editor, tracked, news_site, paste):
    client.force_login(editor)
    assert reverse("suggest:from-url") in client.get(reverse("sources:claim-new")).content.decode()

    response, job = paste(news_site.url(PATH, host=HOST))

    source = Source.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert (job.status, job.user, job.payload["source_id"]) == (Job.Status.SUCCEEDED, editor, source.pk)
    assert job.result == {"source_id": source.pk, "has_text": True, "problem": ""}
    assert source.snapshots.count() == 1  # read through the source check
    assert news_site.paths() == ["/robots.txt", PATH]
    suggestions = reverse("suggest:source-suggestions", args=[source.pk])
    page = client.get(response["Location"]).content.decode()
    assert f'<meta http-equiv="refresh" content="0; url={suggestions}">' in page  # forwards by itself
    assert f'href="{suggestions}"' in page and "The article was read." in page
    speakers = [form.initial["speaker"] for form in client.get(suggestions).context["formset"].forms]
    assert speakers[0] == "Keir Starmer"  # "The British prime minister said…"


def test_the_request_itself_fetches_nothing(client, editor, news_site, django_capture_on_commit_callbacks):
    client.force_login(editor)
    url = news_site.url(PATH, host=HOST)

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("suggest:from-url"), {"url": url, "reason": REASON})

    assert news_site.requests == []  # the answer went back before anything was asked of the site
    job = Job.objects.get(kind=READ_JOB)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "Queued" in page and 'http-equiv="refresh" content="2"' in page

    for callback in queued:  # what the worker does once the request has committed
        callback()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["has_text"] is True
    assert news_site.paths() == ["/robots.txt", PATH]


def test_an_article_whose_text_is_known_opens_its_suggestions_without_a_job(client, editor, news_site, paste):
    url = news_site.url(PATH, host=HOST)
    source = SourceFactory(url=url, stored_text=ARTICLE)
    client.force_login(editor)

    response, job = paste(url)

    assert response["Location"] == reverse("suggest:source-suggestions", args=[source.pk])
    assert job is None and news_site.requests == []


def test_a_page_that_cannot_be_read_is_explained_on_the_jobs_page_with_a_way_back(
    client, editor, settings, news_site, paste
):
    settings.FETCH_ALLOWED_NETWORKS = []  # news.test is 127.0.0.1: a private address
    client.force_login(editor)
    url = news_site.url(PATH, host=HOST)

    _response, job = paste(url)

    source = Source.objects.get()
    check = source.checks.get()
    problem = f"No article text could be read from this address ({check.get_outcome_display()}: {check.error})."
    assert check.error and job.status == Job.Status.SUCCEEDED
    assert job.result == {"source_id": source.pk, "has_text": False, "problem": problem}
    assert news_site.paths() == []  # the fetcher refused before sending anything
    page = client.get(reverse("jobs:job-detail", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page  # finished, and nowhere to go on to
    assert f'<p id="read-problem">{escape(problem)}</p>' in page
    back = f"{reverse('suggest:from-url')}?url={url.replace(':', '%3A').replace('/', '%2F')}"
    assert f'href="{back}"' in page
    form = client.get(back).content.decode()
    assert f'value="{url}"' in form  # the address is filled in again


def test_a_host_asking_for_a_long_pause_is_reported_in_plain_words(client, editor, settings, news_site, paste):
    """robots.txt took the host's slot; the page may only be asked for in an hour: the job does not wait."""
    settings.FETCH_HOST_MIN_INTERVAL_SECONDS = 3600
    client.force_login(editor)

    _response, job = paste(news_site.url(PATH, host=HOST))

    assert job.result["has_text"] is False and job.result["problem"] == HOST_BUSY
    assert news_site.paths() == ["/robots.txt"]
    page = client.get(reverse("jobs:job-detail", args=[job.pk])).content.decode()
    assert "The site was asked for a page a moment ago; try again in a few seconds." in page
    assert 'id="back-to-form"' in page


def test_a_host_busy_for_a_moment_is_waited_for_inside_the_job(client, editor, settings, news_site, paste):
    settings.FETCH_HOST_MIN_INTERVAL_SECONDS = 0.5
    settings.FETCH_HOST_WAIT_INLINE_SECONDS = 0  # the check gives up at once: the job is what waits
    client.force_login(editor)
    started = time.monotonic()

    _response, job = paste(news_site.url(PATH, host=HOST))

    assert job.result["has_text"] is True
    robots, page = news_site.requests
    assert (robots.path, page.path) == ("/robots.txt", PATH)
    assert page.at - robots.at >= 0.4  # the host's pace was kept
    assert time.monotonic() - started < 10


def test_only_the_editor_who_started_it_sees_the_reading_job(client, editor, news_site, paste):
    client.force_login(editor)
    _response, job = paste(news_site.url(PATH, host=HOST))
    page = reverse("jobs:job-detail", args=[job.pk])
    assert client.get(page).status_code == 200

    client.force_login(_member("other-editor", EDITORS))
    assert client.get(page).status_code == 403
    client.logout()
    anonymous = client.get(page)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_viewers_cannot_start_from_a_url(client, db):
    client.force_login(_member("viewer2", VIEWERS))
    assert client.get(reverse("suggest:from-url")).status_code == 403
    assert client.post(reverse("suggest:from-url"), {"url": "https://news.test/a", "reason": REASON}).status_code == 403
    assert Job.objects.count() == 0 and Source.objects.count() == 0
