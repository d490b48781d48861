"""What positions and sources add to the tracker's pages (core.web panels and columns), and the layering
that makes them necessary: the tracker's web modules import neither app, and those two not each other."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import ActorFactory, CitationFactory, ClaimFactory, PositionFactory
from tracker.choices import EditorialStatus

ROOT = Path(__file__).resolve().parents[2]
WEB_MODULES = {
    "tracker": ["views", "urls", "forms", "admin", "filtersets", "search"],
    "positions": ["views", "urls", "forms", "apps", "admin", "filtersets"],
    "sources": ["views", "urls", "forms", "apps", "admin", "filtersets", "imports"],
}
FORBIDDEN = {"tracker": {"positions", "sources"}, "positions": {"sources"}, "sources": {"positions"}}


def _imported_apps(path):
    apps = set()
    for node in ast.walk(ast.parse(path.read_text())):  # function-level imports included
        if isinstance(node, ast.Import):
            apps.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            apps.add(node.module.split(".")[0])
    return apps


@pytest.mark.parametrize("app", sorted(WEB_MODULES))
def test_web_modules_import_no_app_above_or_beside_them(app):
    found = {
        module: sorted(_imported_apps(ROOT / app / f"{module}.py") & FORBIDDEN[app]) for module in WEB_MODULES[app]
    }
    assert found == dict.fromkeys(WEB_MODULES[app], [])


@pytest.mark.django_db
def test_the_claim_page_shows_its_citations_and_the_positions_it_backs(client, viewer):
    citation = CitationFactory(excerpt="willing to send troops")
    claim = citation.claim
    position = PositionFactory(actor=claim.speaker)
    position.evidence.add(claim)
    lone = ClaimFactory()
    client.force_login(viewer)

    page = client.get(reverse("tracker:claim-detail", args=[claim.pk])).content.decode()
    lone_page = client.get(reverse("tracker:claim-detail", args=[lone.pk])).content.decode()

    assert page.index('id="citations-heading"') < page.index('id="evidence-for-heading"')
    assert '<blockquote class="excerpt">willing to send troops</blockquote>' in page
    assert f'href="/positions/{position.pk}/"' in page
    assert "No citations yet" in lone_page and 'id="evidence-for-heading"' not in lone_page


@pytest.mark.django_db
def test_the_position_page_shows_the_excerpts_behind_its_evidence(client, viewer):
    claim = CitationFactory(excerpt="ready to put troops on the ground").claim
    position = PositionFactory(actor=claim.speaker, status=EditorialStatus.IN_REVIEW)
    position.evidence.add(claim)
    client.force_login(viewer)

    page = client.get(reverse("positions:position-detail", args=[position.pk])).content.decode()

    excerpts = page.split('id="excerpts-heading"', 1)[1]
    assert f'href="/claims/{claim.pk}/"' in excerpts
    assert '<blockquote class="excerpt">ready to put troops on the ground</blockquote>' in excerpts


@pytest.mark.django_db
def test_list_columns_added_by_positions_and_sources(client, viewer):
    claim = CitationFactory().claim
    CitationFactory(claim=claim)
    PositionFactory(actor=claim.speaker)
    ActorFactory(name="Nobody")
    client.force_login(viewer)

    actors = client.get(reverse("tracker:actor-list"))
    claims = client.get(reverse("tracker:claim-list"))

    assert [c.header for c in actors.context["columns"]] == ["Positions"]
    assert {a.name: (a.claim_count, a.position_count) for a in actors.context["page"]} == {
        claim.speaker.name: (1, 1),
        "Nobody": (0, 0),
    }
    assert '<th scope="col">Positions</th>' in actors.content.decode()
    assert [c.header for c in claims.context["columns"]] == ["Citations"]
    assert [c.citation_count for c in claims.context["page"]] == [2]
    assert '<th scope="col">Citations</th>' in claims.content.decode()
