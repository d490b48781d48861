"""The pages, a form, the admin, the browsable API and the API docs work under the Content-Security-Policy
in Chromium: no `securitypolicyviolation` event and no console error on any of them.

The API docs serve Swagger UI from this site (drf-spectacular-sidecar): they work without internet,
and every request the browser makes to another origin is refused and recorded, so a page that still
reached for a CDN would fail here.
"""

import pytest
from django.core.management import call_command

from positions.models import Position
from sources.models import Source
from tests.browser.conftest import PASSWORD
from tests.factories import UserFactory
from tracker.models import Claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded in the page before any of its own scripts run (Playwright's init scripts are not subject to CSP).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}`);
});
"""


class Watched:
    """A logged-in page that keeps every console error and CSP violation of every page it visits."""

    def __init__(self, browser, live_server):
        self.base = live_server.url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.elsewhere: list[str] = []
        self.context.route(lambda url: not url.startswith(self.base), self._refuse_other_origins)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"{self.page.url}: {m.text}"))
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: {error}"))

    def _refuse_other_origins(self, route) -> None:
        if not route.request.url.startswith("data:"):
            self.elsewhere.append(route.request.url)
        route.abort()

    def visit(self, path: str) -> None:
        response = self.page.goto(f"{self.base}{path}", wait_until="load")
        assert response.status == 200, f"{path} answered {response.status}"
        assert self.page.url == f"{self.base}{path}", f"{path} was redirected to {self.page.url}"
        self.collect()

    def collect(self) -> None:
        self.page.wait_for_timeout(100)  # violations are reported asynchronously
        self.problems += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__violations.splice(0)")]

    def log_in(self, username: str) -> None:
        self.visit("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button:has-text('Log in')")
        self.page.wait_for_url(f"{self.base}/")
        self.collect()


def test_pages_forms_the_admin_and_the_api_docs_work_under_the_policy(browser, live_server):
    call_command("loadseeds", verbosity=0)
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    claim = Claim.objects.select_related("speaker").order_by("pk").first()
    position = Position.objects.select_related("topic").order_by("pk").first()
    source = Source.objects.order_by("pk").first()
    watched = Watched(browser, live_server)
    page = watched.page

    watched.log_in("admin")
    for path in [
        "/",
        "/actors/",
        f"/actors/{claim.speaker.slug}/",
        "/topics/?on=2025-03-01",
        f"/topics/{position.topic.slug}/?on=2025-03-01",
        "/claims/",
        f"/claims/{claim.pk}/",
        f"/positions/{position.pk}/",
        "/sources/",
        f"/sources/{source.pk}/",
        "/search/?q=troops",
        "/history/",
        f"/history/claim/{claim.pk}/",
    ]:
        watched.visit(path)

    # A form whose enhancements are scripts: the autocomplete, the topic filter, "Add another citation".
    watched.visit("/claims/new/")
    with page.expect_response(lambda r: "/autocomplete/actors/?q=Starm" in r.url):
        page.locator("#id_speaker").press_sequentially("Starm")
    page.wait_for_function("document.querySelectorAll('#actor-options option').length === 1")
    page.fill("input[data-topic-filter]", "sanctions")
    rows = page.locator(".citation-row").count()
    page.click("text=Add another citation")
    assert page.locator(".citation-row").count() == rows + 1
    watched.collect()

    # The admin: its index, a list with actions and filters, a change form with its widgets.
    for path in [
        "/admin/",
        "/admin/tracker/claim/",
        "/admin/auth/user/add/",
        f"/admin/tracker/claim/{claim.pk}/change/",
    ]:
        watched.visit(path)
    assert page.locator("form#claim_form").count() == 1

    # The browsable API and the API docs (Swagger UI renders the schema).
    watched.visit("/api/v1/")
    watched.visit("/api/v1/claims/")
    watched.visit("/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Fact and position tracker API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 10
    watched.collect()

    assert watched.problems == []
    assert watched.elsewhere == []  # no CDN: the docs and pages work offline

    # The watch itself works: an inline script is refused and reported.
    watched.visit("/")
    page.evaluate("document.body.appendChild(Object.assign(document.createElement('script'), {text: '1'}))")
    watched.collect()
    assert any("script-src-elem blocked inline" in problem for problem in watched.problems), watched.problems
