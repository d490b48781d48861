"""A partner's mirror written only with a client generated from our schema (openapi-python-client),
against the app served over HTTP: the schema must be complete and typed enough for that to work.

The client is generated afresh from the live schema in each run (about ten seconds), without warnings,
then imported and used as a partner's engineer would: the typed feed and list operations, typed models.
"""

import importlib
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from core.services import apikey_create, partner_create
from positions import services as position_services
from tests.api.test_changes_feed import RESOURCES, _story
from tests.factories import CitationFactory
from tracker import services

PACKAGE = "tracker_client"
CONFIG = f"post_hooks: []\npackage_name_override: {PACKAGE}\nproject_name_override: tracker-client\n"


@pytest.fixture
def generated_client(tmp_path, monkeypatch):
    """The `tracker_client` package generated from /api/v1/schema/, importable for this test."""
    schema = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text(CONFIG)
    generated = subprocess.run(  # noqa: S603 (fixed arguments, our own interpreter)
        [
            *(sys.executable, "-m", "openapi_python_client", "generate"),
            *("--path", "schema.json", "--config", "config.yaml", "--meta", "none"),
            *("--output-path", PACKAGE, "--fail-on-warning"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "warning" not in (generated.stdout + generated.stderr).lower()
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def _module(package, path: str):
    return importlib.import_module(f"{package.__name__}.{path}")


def _replay(package, client, cursor=None, mirror=None):
    """Apply the feed's events from `cursor` through the generated `changes` operation."""
    changes = _module(package, "api.changes.changes_retrieve")
    mirror = mirror if mirror is not None else {resource: {} for resource in RESOURCES}
    while True:
        page = changes.sync(client=client, after=cursor, page_size=7) if cursor else changes.sync(client=client)
        assert type(page).__name__ == "ChangePage", page
        for event in page.results:
            if event.op.value == "upsert":
                assert type(event.data).__name__ == event.resource.value[:-1].capitalize()  # typed, not a dict
                mirror[event.resource.value][event.id] = event.data.to_dict()
            else:
                mirror[event.resource.value].pop(event.id, None)  # a record never seen: nothing to drop
        cursor = page.next_cursor
        if not page.has_more:
            return mirror, cursor


def _lists(package, client):
    """Every resource's list, page by page, through the generated list operations."""
    shown = {}
    for resource in RESOURCES:
        operation = _module(package, f"api.{resource}.{resource}_list")
        rows, cursor = {}, None
        while True:
            page = operation.sync(client=client, page_size=100, **({"cursor": cursor} if cursor else {}))
            rows.update({row.id: row.to_dict() for row in page.results})
            if not page.next_:
                break
            cursor = parse_qs(urlsplit(page.next_).query)["cursor"][0]
        shown[resource] = rows
    return shown


@pytest.mark.django_db(transaction=True)
def test_a_mirror_built_with_the_generated_client_equals_the_lists(generated_client, live_server, editor, reviewer):
    key = apikey_create(name="mirror", scope="read", partner=partner_create(name="Generated Client News"))[1]
    client = generated_client.AuthenticatedClient(base_url=live_server.url, token=key)
    story = _story(editor, reviewer)

    mirror, cursor = _replay(generated_client, client)
    assert mirror == _lists(generated_client, client)
    assert sorted(mirror["claims"]) == [story["c1"].pk]

    # A second round: an edit, a publication, a retraction; the mirror follows from its cursor.
    claim = services.claim_create(user=editor, reason="r", data={"speaker": story["c1"].speaker, "text": "New."})
    CitationFactory(claim=claim, source=story["c1"].citations.first().source, excerpt="new")
    services.claim_publish(claim=claim, user=reviewer, reason="r")
    speaker = story["c1"].speaker
    services.actor_update(
        actor=speaker, user=reviewer, reason="r", data={"summary": "Envoy"}, expected_version=speaker.version
    )
    position = story["p1"].__class__.objects.filter(status="published").get()
    position_services.position_retract(position=position, user=reviewer, reason="r")

    mirror, _ = _replay(generated_client, client, cursor=cursor, mirror=mirror)
    assert mirror == _lists(generated_client, client)
    assert sorted(mirror["claims"]) == sorted([story["c1"].pk, claim.pk])
    assert mirror["actors"][speaker.pk]["summary"] == "Envoy"
    assert mirror["positions"] == {}
