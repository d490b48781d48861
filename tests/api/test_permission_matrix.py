"""Every endpoint and method for every persona: who may do what, and no unpublished record leaks.

Partners see published claims and positions and only what they reference; an unpublished record's
id answers 404 (not 403), and no list, nested field, search or time endpoint mentions one.
"""

import datetime
import json

import pytest

from tests.api.conftest import PERSONAS
from tests.factories import ActorFactory, CitationFactory, ClaimFactory, PositionFactory, SourceFactory, TopicFactory
from tracker.choices import EditorialStatus

pytestmark = pytest.mark.django_db

# Words and slugs that appear only in unpublished records (see the `dossier` fixture).
SECRET_MARKERS = ["zanzibar", "secret-minister", "secret minister", "secret-plan", "secret plan", "leak.example.org"]

ANON = 401
TEAM = ("viewer", "editor", "reviewer")
PARTNERS = ("partner_reader", "partner_submitter")


def expect(*, partner=403, viewer=403, editor=403, reviewer=403, partner_submitter=None):
    table = {
        "anonymous": ANON,
        "partner_reader": partner,
        "partner_submitter": partner if partner_submitter is None else partner_submitter,
        "viewer": viewer,
        "editor": editor,
        "reviewer": reviewer,
    }
    return table


READ_ALL = expect(partner=200, viewer=200, editor=200, reviewer=200)
READ_TEAM_ONLY = expect(partner=404, viewer=200, editor=200, reviewer=200)


def _lonely_claim(status=EditorialStatus.DRAFT):
    claim = ClaimFactory(status=status)
    CitationFactory(claim=claim)
    return claim


# (name, method, path(d), body(d), expected statuses by persona)
OPERATIONS = [
    # Lists, search and filters.
    *[
        (f"list {name}", "get", (lambda d, n=name: f"/api/v1/{n}/"), None, READ_ALL)
        for name in [
            "actors",
            "roles",
            "topics",
            "claims",
            "positions",
            "sources",
            "citations",
            "position-changes",
            "source-checks",
        ]
    ],
    ("changes feed", "get", lambda d: "/api/v1/changes/?page_size=100", None, READ_ALL),
    ("search claims", "get", lambda d: "/api/v1/claims/?q=zanzibar", None, READ_ALL),
    ("filter claims by status", "get", lambda d: "/api/v1/claims/?status=draft&status=in_review", None, READ_ALL),
    ("filter claims by actor", "get", lambda d: "/api/v1/claims/?actor=secret-minister", None, READ_ALL),
    ("filter positions by topic", "get", lambda d: "/api/v1/positions/?topic=secret-plan", None, READ_ALL),
    ("search actors", "get", lambda d: "/api/v1/actors/?q=secret", None, READ_ALL),
    ("search sources", "get", lambda d: "/api/v1/sources/?q=leak", None, READ_ALL),
    ("citations of a draft", "get", lambda d: f"/api/v1/citations/?claim={d.draft.pk}", None, READ_ALL),
    (
        "checks of a draft's source",
        "get",
        lambda d: f"/api/v1/source-checks/?source={d.secret_source.pk}&outcome=gone",
        None,
        READ_ALL,
    ),
    # Details of published records and what they reference.
    ("actor", "get", lambda d: "/api/v1/actors/keir-starmer/", None, READ_ALL),
    ("role", "get", lambda d: f"/api/v1/roles/{d.role.pk}/", None, READ_ALL),
    ("topic", "get", lambda d: "/api/v1/topics/troops-in-ukraine/", None, READ_ALL),
    ("claim", "get", lambda d: f"/api/v1/claims/{d.claim.pk}/", None, READ_ALL),
    ("position", "get", lambda d: f"/api/v1/positions/{d.position.pk}/", None, READ_ALL),
    ("source", "get", lambda d: f"/api/v1/sources/{d.source.pk}/", None, READ_ALL),
    ("citation", "get", lambda d: f"/api/v1/citations/{d.citation.pk}/", None, READ_ALL),
    ("source check", "get", lambda d: f"/api/v1/source-checks/{d.source_check.pk}/", None, READ_ALL),
    ("stances", "get", lambda d: "/api/v1/topics/troops-in-ukraine/stances/?as_of=2025-03-01", None, READ_ALL),
    ("timeline", "get", lambda d: "/api/v1/actors/keir-starmer/timeline/", None, READ_ALL),
    (
        "timeline by topic",
        "get",
        lambda d: "/api/v1/actors/keir-starmer/timeline/?topic=secret-plan",
        None,
        READ_TEAM_ONLY,
    ),
    # Unpublished records: 404 for partners, not 403.
    ("draft claim", "get", lambda d: f"/api/v1/claims/{d.draft.pk}/", None, READ_TEAM_ONLY),
    ("claim in review", "get", lambda d: f"/api/v1/claims/{d.in_review.pk}/", None, READ_TEAM_ONLY),
    ("retracted claim", "get", lambda d: f"/api/v1/claims/{d.retracted.pk}/", None, READ_TEAM_ONLY),
    ("draft position", "get", lambda d: f"/api/v1/positions/{d.draft_position.pk}/", None, READ_TEAM_ONLY),
    ("draft's citation", "get", lambda d: f"/api/v1/citations/{d.draft_citation.pk}/", None, READ_TEAM_ONLY),
    ("draft's source", "get", lambda d: f"/api/v1/sources/{d.secret_source.pk}/", None, READ_TEAM_ONLY),
    ("draft's source check", "get", lambda d: f"/api/v1/source-checks/{d.secret_check.pk}/", None, READ_TEAM_ONLY),
    ("draft's actor", "get", lambda d: "/api/v1/actors/secret-minister/", None, READ_TEAM_ONLY),
    ("draft's topic", "get", lambda d: "/api/v1/topics/secret-plan/", None, READ_TEAM_ONLY),
    ("draft actor's role", "get", lambda d: f"/api/v1/roles/{d.secret_role.pk}/", None, READ_TEAM_ONLY),
    ("draft topic's stances", "get", lambda d: "/api/v1/topics/secret-plan/stances/", None, READ_TEAM_ONLY),
    ("draft actor's timeline", "get", lambda d: "/api/v1/actors/secret-minister/timeline/", None, READ_TEAM_ONLY),
    # Creating.
    (
        "create actor",
        "post",
        lambda d: "/api/v1/actors/",
        lambda d: {"name": "Emmanuel Macron", "kind": "person", "reason": "New speaker"},
        expect(editor=201, reviewer=201),
    ),
    (
        "create role",
        "post",
        lambda d: "/api/v1/roles/",
        lambda d: {"actor": "keir-starmer", "organisation": "uk-government", "title": "MP", "reason": "r"},
        expect(editor=403, reviewer=201),  # partners would see the role at once: reviewers only
    ),
    (
        "create draft actor's role",
        "post",
        lambda d: "/api/v1/roles/",
        lambda d: {"actor": "secret-minister", "organisation": "uk-government", "title": "MP", "reason": "r"},
        expect(editor=201, reviewer=201),
    ),
    (
        "create topic",
        "post",
        lambda d: "/api/v1/topics/",
        lambda d: {"title": "Sanctions", "question": "More sanctions?", "reason": "r"},
        expect(editor=201, reviewer=201),
    ),
    (
        "create claim",
        "post",
        lambda d: "/api/v1/claims/",
        lambda d: {
            "speaker": "keir-starmer",
            "text": "We will lead.",
            "topics": ["troops-in-ukraine"],
            "citations": [{"source": d.source.pk, "excerpt": "we will lead"}],
            "reason": "From the briefing",
        },
        expect(partner_submitter=201, editor=201, reviewer=201),
    ),
    (
        "create position",
        "post",
        lambda d: "/api/v1/positions/",
        lambda d: {
            "actor": "keir-starmer",
            "topic": "troops-in-ukraine",
            "stance": "oppose",
            "as_of": "2025-01-05",
            "evidence": [d.claim.pk],
            "reason": "r",
        },
        expect(editor=201, reviewer=201),
    ),
    (
        "create source",
        "post",
        lambda d: "/api/v1/sources/",
        lambda d: {"url": "https://example.com/new", "title": "New", "reason": "r"},
        expect(editor=201, reviewer=201),
    ),
    (
        "create citation",
        "post",
        lambda d: "/api/v1/citations/",
        lambda d: {"claim": d.draft.pk, "source": d.source.pk, "excerpt": "zanzibar more", "reason": "r"},
        expect(editor=201, reviewer=201),
    ),
    # Source checks are written only by the background checks.
    (
        "create source check",
        "post",
        lambda d: "/api/v1/source-checks/",
        lambda d: {"source": d.source.pk, "outcome": "ok", "reason": "r"},
        expect(viewer=405, editor=405, reviewer=405),
    ),
    # Editing (with the ETag and a reason). What partners see through published work changes only
    # with reviewer rights; what only the team sees, editors change.
    (
        "edit actor",
        "patch",
        lambda d: "/api/v1/actors/keir-starmer/",
        lambda d: {"summary": "PM"},
        expect(editor=403, reviewer=200),
    ),
    (
        "edit draft's actor",
        "patch",
        lambda d: "/api/v1/actors/secret-minister/",
        lambda d: {"summary": "PM"},
        expect(editor=200, reviewer=200),
    ),
    (
        "edit role",
        "patch",
        lambda d: f"/api/v1/roles/{d.role.pk}/",
        lambda d: {"title": "PM"},
        expect(editor=403, reviewer=200),
    ),
    (
        "edit draft actor's role",
        "patch",
        lambda d: f"/api/v1/roles/{d.secret_role.pk}/",
        lambda d: {"title": "PM"},
        expect(editor=200, reviewer=200),
    ),
    (
        "edit topic",
        "patch",
        lambda d: "/api/v1/topics/troops-in-ukraine/",
        lambda d: {"summary": "s"},
        expect(editor=403, reviewer=200),
    ),
    (
        "edit draft's topic",
        "patch",
        lambda d: "/api/v1/topics/secret-plan/",
        lambda d: {"summary": "s"},
        expect(editor=200, reviewer=200),
    ),
    # Editors may not change a published claim; a partner cannot even see the draft.
    (
        "edit published claim",
        "patch",
        lambda d: f"/api/v1/claims/{d.claim.pk}/",
        lambda d: {"context": "c"},
        expect(editor=403, reviewer=200),
    ),
    (
        "edit draft claim",
        "patch",
        lambda d: f"/api/v1/claims/{d.draft.pk}/",
        lambda d: {"context": "c"},
        expect(editor=200, reviewer=200),
    ),
    (
        "edit draft position",
        "patch",
        lambda d: f"/api/v1/positions/{d.draft_position.pk}/",
        lambda d: {"summary": "s"},
        expect(editor=200, reviewer=200),
    ),
    (
        "edit source",
        "patch",
        lambda d: f"/api/v1/sources/{d.source.pk}/",
        lambda d: {"publisher": "AP"},
        expect(editor=403, reviewer=200),
    ),
    (
        "edit draft's source",
        "patch",
        lambda d: f"/api/v1/sources/{d.secret_source.pk}/",
        lambda d: {"publisher": "AP"},
        expect(editor=200, reviewer=200),
    ),
    (
        "edit draft's citation",
        "patch",
        lambda d: f"/api/v1/citations/{d.draft_citation.pk}/",
        lambda d: {"locator": "p. 2"},
        expect(editor=200, reviewer=200),
    ),
    # Deleting.
    ("delete actor", "delete", lambda d: f"/api/v1/actors/{ActorFactory().slug}/", None, expect(reviewer=204)),
    ("delete role", "delete", lambda d: f"/api/v1/roles/{d.secret_role.pk}/", None, expect(reviewer=204)),
    ("delete topic", "delete", lambda d: f"/api/v1/topics/{TopicFactory().slug}/", None, expect(reviewer=204)),
    # Editors delete only the drafts they created (tests/tracker/test_review_rights.py); this one is not theirs.
    (
        "delete someone else's draft claim",
        "delete",
        lambda d: f"/api/v1/claims/{_lonely_claim().pk}/",
        None,
        expect(editor=403, reviewer=204),
    ),
    (
        "delete published claim",
        "delete",
        lambda d: f"/api/v1/claims/{d.claim.pk}/",
        None,
        expect(editor=403, reviewer=403),
    ),
    (
        "delete someone else's draft position",
        "delete",
        lambda d: f"/api/v1/positions/{PositionFactory().pk}/",
        None,
        expect(editor=403, reviewer=204),
    ),
    ("delete source", "delete", lambda d: f"/api/v1/sources/{SourceFactory().pk}/", None, expect(reviewer=204)),
    (
        "delete source check",
        "delete",
        lambda d: f"/api/v1/source-checks/{d.source_check.pk}/",
        None,
        expect(viewer=405, editor=405, reviewer=405),
    ),
    (
        "delete draft's citation",
        "delete",
        lambda d: f"/api/v1/citations/{d.draft_citation.pk}/",
        None,
        expect(editor=204, reviewer=204),
    ),
    # The review workflow.
    (
        "submit claim",
        "post",
        lambda d: f"/api/v1/claims/{d.draft.pk}/submit/",
        lambda d: {},
        expect(editor=200, reviewer=200),
    ),
    (
        "publish claim",
        "post",
        lambda d: f"/api/v1/claims/{_lonely_claim().pk}/publish/",
        lambda d: {},
        expect(reviewer=200),
    ),
    ("return claim", "post", lambda d: f"/api/v1/claims/{d.in_review.pk}/return/", lambda d: {}, expect(reviewer=200)),
    (
        "retract claim",
        "post",
        lambda d: f"/api/v1/claims/{_lonely_claim(EditorialStatus.PUBLISHED).pk}/retract/",
        lambda d: {},
        expect(reviewer=200),
    ),
    (
        "submit position",
        "post",
        lambda d: f"/api/v1/positions/{d.draft_position.pk}/submit/",
        lambda d: {},
        expect(editor=200, reviewer=200),
    ),
    (
        "publish position",
        "post",
        lambda d: f"/api/v1/positions/{_position_ready(d).pk}/publish/",
        lambda d: {},
        expect(reviewer=200),
    ),
    (
        "return position",
        "post",
        lambda d: f"/api/v1/positions/{_position_ready(d, 'in_review').pk}/return/",
        lambda d: {},
        expect(reviewer=200),
    ),
    (
        "retract position",
        "post",
        lambda d: f"/api/v1/positions/{d.position.pk}/retract/",
        lambda d: {},
        expect(reviewer=200),
    ),
]


def _position_ready(d, status=EditorialStatus.DRAFT):
    position = PositionFactory(actor=d.speaker, topic=d.topic, as_of=datetime.date(2024, 6, 1), status=status)
    position.evidence.add(d.claim)
    return position


def _etag(client, path):
    """The ETag a client would have read; taken with a reviewer's eyes when the persona cannot see it."""
    from tests.api.conftest import client_for
    from tests.factories import UserFactory

    response = client.get(path)
    if response.status_code == 200:
        return response.get("ETag", "")  # source checks have none: they are never edited
    from django.contrib.auth.models import Group

    staff = UserFactory(username="etag-reader")
    staff.groups.add(Group.objects.get(name="Viewers"))
    return client_for(staff).get(path).get("ETag", "")


READS = [op for op in OPERATIONS if op[1] == "get"]
WRITES = [op for op in OPERATIONS if op[1] != "get"]


def _run(operation, persona_name, dossier, client):
    name, method, path_for, body_for, expected = operation
    path = path_for(dossier)
    headers = {}
    if method in ("patch", "delete") or path.endswith(("/submit/", "/publish/", "/return/", "/retract/")):
        headers["HTTP_IF_MATCH"] = _etag(client, path.rsplit("/", 2)[0] + "/" if method == "post" else path)
    if method != "get":
        headers["HTTP_X_CHANGE_REASON"] = "Matrix test"
    body = body_for(dossier) if body_for else None
    if body is not None:
        response = getattr(client, method)(path, body, format="json", **headers)
    else:
        response = getattr(client, method)(path, **headers)

    assert response.status_code == expected[persona_name], (name, response.content[:500])
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code
    if persona_name in PARTNERS and response.status_code == 200 and method == "get":
        text = json.dumps(response.json()).lower()
        for marker in SECRET_MARKERS:
            assert marker not in text, f"{marker!r} leaked to {persona_name} by {name}"
        _assert_no_unpublished_ids(response.json(), dossier)


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_every_read_endpoint_answers_each_persona_and_leaks_no_draft(persona_name, dossier, persona_client):
    # Reads change nothing, so one dossier serves every read endpoint for this persona.
    persona, client = persona_client(persona_name)
    for operation in READS:
        _run(operation, persona_name, dossier, client)


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("operation", WRITES, ids=[op[0] for op in WRITES])
def test_every_write_endpoint_answers_each_persona(operation, persona_name, dossier, persona_client):
    persona, client = persona_client(persona_name)
    _run(operation, persona_name, dossier, client)


def _assert_no_unpublished_ids(payload, d):
    """No claim/position field names an unpublished claim, position, citation or source."""
    hidden_claims = {d.draft.pk, d.in_review.pk, d.retracted.pk}
    hidden = {("claims", pk) for pk in hidden_claims} | {
        ("actors", d.secret_actor.pk),
        ("topics", d.secret_topic.pk),
        ("sources", d.secret_source.pk),
        ("citations", d.draft_citation.pk),
        ("positions", d.draft_position.pk),
        ("roles", d.secret_role.pk),
        ("source-checks", d.secret_check.pk),
    }
    rows = payload["results"] if isinstance(payload, dict) and "results" in payload else payload
    rows = rows if isinstance(rows, list) else [rows]
    if rows and "seq" in rows[0]:  # the changes feed
        assert not {(event["resource"], event["id"]) for event in rows} & hidden
        rows = [event["data"] for event in rows if event["data"]]
    for row in rows:
        assert not set(row.get("evidence", [])) & hidden_claims
        for url in row.get("evidence_urls", []):
            assert not any(url.endswith(f"/claims/{pk}/") for pk in hidden_claims)
        if "claim" in row:
            assert row["claim"] not in hidden_claims
        if "source" in row:  # citations and source checks
            assert row["source"] != d.secret_source.pk
        if "citations" in row:
            assert d.draft_citation.pk not in {c["id"] for c in row["citations"]}
            assert d.secret_source.pk not in {c["source"] for c in row["citations"]}


def test_partner_lists_show_exactly_the_published_records_and_what_they_reference(dossier, partner_reader):
    from tests.api.conftest import client_for

    client = client_for(partner_reader)

    def ids(path, key="id"):
        return sorted(row[key] for row in client.get(path).json()["results"])

    assert ids("/api/v1/claims/") == [dossier.claim.pk]
    assert ids("/api/v1/positions/") == sorted([dossier.position.pk, dossier.position.pk + 1])
    assert ids("/api/v1/actors/", "slug") == ["keir-starmer", "uk-government"]
    assert ids("/api/v1/topics/", "slug") == ["troops-in-ukraine"]
    assert ids("/api/v1/sources/") == [dossier.source.pk]
    assert ids("/api/v1/citations/") == [dossier.citation.pk]
    assert ids("/api/v1/roles/") == [dossier.role.pk]
    assert ids("/api/v1/source-checks/") == [dossier.source_check.pk]
    position = client.get(f"/api/v1/positions/{dossier.position.pk}/").json()
    assert position["evidence"] == [dossier.claim.pk]


def test_team_members_see_unpublished_records_and_all_evidence(dossier, viewer):
    from tests.api.conftest import client_for

    client = client_for(viewer)

    claims = client.get("/api/v1/claims/").json()["results"]
    position = client.get(f"/api/v1/positions/{dossier.position.pk}/").json()

    assert {row["status"] for row in claims} == {"published", "draft", "in_review", "retracted"}
    assert position["evidence"] == sorted([dossier.claim.pk, dossier.draft.pk, dossier.in_review.pk])


def test_a_revoked_or_expired_key_is_refused(dossier, partner_reader):
    import datetime

    from django.utils import timezone

    from core.services import apikey_revoke
    from tests.api.conftest import client_for

    client = client_for(partner_reader)
    assert client.get("/api/v1/claims/").status_code == 200

    partner_reader.key.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    partner_reader.key.save()
    expired = client.get("/api/v1/claims/")
    partner_reader.key.expires_at = None
    partner_reader.key.save()
    apikey_revoke(key=partner_reader.key)
    revoked = client.get("/api/v1/claims/")

    assert expired.status_code == 401
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "The API key is not valid, has expired or was revoked."
