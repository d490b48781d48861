"""Who may see and who may change each page."""

import pytest
from django.urls import reverse

from sources.models import Source

pytestmark = pytest.mark.django_db


def _pages(dossier):
    claim, position = dossier["claim"], dossier["position"]
    source = Source.objects.first()
    read = {
        "dashboard": reverse("tracker:dashboard"),
        "search": reverse("tracker:search") + "?q=troops",
        "autocomplete": reverse("tracker:actor-autocomplete") + "?q=sta",
        "actors": reverse("tracker:actor-list"),
        "actor": reverse("positions:actor-detail", args=[claim.speaker.slug]),
        "topics": reverse("positions:topic-list") + "?on=2025-03-01",
        "topic": reverse("positions:topic-detail", args=[position.topic.slug]) + "?on=2025-03-01&since=2025-01",
        "claims": reverse("tracker:claim-list") + "?status=published",
        "claim": reverse("tracker:claim-detail", args=[claim.pk]),
        "sources": reverse("sources:source-list"),
        "source": reverse("sources:source-detail", args=[source.pk]),
        "position": reverse("positions:position-detail", args=[position.pk]),
        "import template": reverse("sources:claim-import-template"),
    }
    write = {
        "new claim": reverse("sources:claim-new"),
        "new position": reverse("positions:position-new") + f"?actor={position.actor.slug}&topic={position.topic.slug}",
        "import": reverse("sources:claim-import"),
        # Published records: only reviewers may edit them.
        "edit published claim": reverse("sources:claim-edit", args=[claim.pk]),
        "edit published position": reverse("positions:position-edit", args=[position.pk]),
    }
    return read, write


EXPECTED_WRITE = {
    "editor": {
        "new claim": 200,
        "new position": 200,
        "import": 200,
        "edit published claim": 403,
        "edit published position": 403,
    },
    "reviewer": {
        "new claim": 200,
        "new position": 200,
        "import": 200,
        "edit published claim": 200,
        "edit published position": 200,
    },
    "viewer": {
        "new claim": 403,
        "new position": 403,
        "import": 403,
        "edit published claim": 403,
        "edit published position": 403,
    },
}


@pytest.mark.parametrize("persona", ["editor", "reviewer", "viewer"])
def test_team_members_see_every_page_and_only_their_role_may_open_the_forms(client, request, dossier, persona):
    client.force_login(request.getfixturevalue(persona))
    read, write = _pages(dossier)

    assert {name: client.get(url).status_code for name, url in read.items()} == dict.fromkeys(read, 200)
    assert {name: client.get(url).status_code for name, url in write.items()} == EXPECTED_WRITE[persona]


def test_people_outside_the_team_are_refused_and_anonymous_visitors_sent_to_log_in(client, outsider, dossier):
    read, write = _pages(dossier)
    pages = {**read, **write}

    anonymous = {name: client.get(url) for name, url in pages.items()}
    assert {name: r.status_code for name, r in anonymous.items()} == dict.fromkeys(pages, 302)
    assert all(r["Location"].startswith("/accounts/login/?next=") for r in anonymous.values())

    client.force_login(outsider)
    assert {name: client.get(url).status_code for name, url in pages.items()} == dict.fromkeys(pages, 403)


def test_the_login_page_logs_an_editor_in_and_lands_on_the_dashboard(client, editor):
    page = client.get(reverse("login"))
    assert b'name="username"' in page.content

    response = client.post(reverse("login"), {"username": "editor", "password": "correct horse battery staple"})

    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:dashboard")
    assert client.get("/").context["user"] == editor


def test_navigation_depends_on_the_role(client, editor, viewer, dossier):
    client.force_login(viewer)
    viewer_page = client.get("/").content.decode()
    client.force_login(editor)
    editor_page = client.get("/").content.decode()

    for label in ("Dashboard", "Actors", "Topics", "Claims", "Sources", "Search", "Admin"):
        assert f">{label}</a>" in viewer_page and f">{label}</a>" in editor_page
    assert ">Import</a>" in editor_page and ">Import</a>" not in viewer_page
    assert "New claim" in editor_page and "New claim" not in viewer_page


def test_a_viewer_cannot_change_anything_by_posting_directly(client, viewer, dossier):
    from positions.models import Position
    from tracker.models import Claim

    claim, position = dossier["claim"], dossier["position"]
    client.force_login(viewer)
    history = (Claim.history.count(), Position.history.count())
    posts = {
        reverse("tracker:claim-transition", args=[claim.pk]): {
            "action": "retract",
            "reason": "x",
            "version": claim.version,
        },
        reverse("positions:position-transition", args=[position.pk]): {
            "action": "retract",
            "reason": "x",
            "version": position.version,
        },
        reverse("sources:claim-edit", args=[claim.pk]): {"text": "changed", "reason": "x", "version": 1},
        reverse("positions:position-edit", args=[position.pk]): {"stance": "oppose", "reason": "x", "version": 1},
        reverse("positions:position-new") + f"?actor={position.actor.slug}": {"stance": "oppose", "reason": "x"},
    }

    responses = {url: client.post(url, data) for url, data in posts.items()}

    assert {url: r.status_code for url, r in responses.items()} == dict.fromkeys(posts, 403)
    assert "You cannot do this" in responses[reverse("sources:claim-edit", args=[claim.pk])].content.decode()
    assert (Claim.history.count(), Position.history.count()) == history


def test_every_page_names_its_icon_and_favicon_ico_leads_to_it(client, viewer):
    client.force_login(viewer)

    page = client.get("/").content.decode()
    icon = client.get("/favicon.ico")

    assert '<link rel="icon" href="/static/tracker/favicon.svg" type="image/svg+xml">' in page
    assert icon.status_code == 301 and icon["Location"] == "/static/tracker/favicon.svg"
