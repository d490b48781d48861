"""GET /api/v1/claim-suggestions/?source=ID: for the team's accounts and keys; partners are refused."""

import pytest

from core.services import apikey_create
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/claim-suggestions/"


def test_a_team_key_reads_the_suggestions_of_a_source(editor, article, tracked):
    _key, secret = apikey_create(name="newsroom tools", scope="read", user=editor)
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.get(URL, {"source": article.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["source"] == article.pk
    assert body["new_actors"] == ["Avi Bell"]
    first = body["results"][0]
    assert first["speaker"] == {
        "actor": tracked["starmer"].pk,
        "actor_slug": "keir-starmer",
        "new_name": "",
        "matched_by": "role",
        "mention": "British prime minister",
    }
    assert first["excerpt"] == article.stored_text[first["start"] : first["end"]]
    assert first["kind"] == "reported"
    assert first["locator"] == "paragraph 2"
    assert (first["stated_on"], first["stated_on_precision"]) == ("2025-02-17", "day")
    assert first["topics"][0]["topic"] == tracked["topic"].pk
    assert body["results"][2]["speaker"]["new_name"] == "Avi Bell"


@pytest.mark.parametrize("persona", ["partner_reader", "partner_submitter"])
def test_partner_keys_are_refused(persona, request, article):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(URL, {"source": article.pk})
    assert response.status_code == 403
    assert "Avi Bell" not in response.content.decode()


def test_anonymous_is_refused(article):
    assert client_for(None).get(URL, {"source": article.pk}).status_code in (401, 403)


def test_a_missing_or_bad_source_is_named(editor, article):
    client = client_for(editor)
    response = client.get(URL)
    assert response.status_code == 400
    assert "source" in response.content.decode()
    assert client.get(URL, {"source": "abc"}).status_code == 400
    assert client.get(URL, {"source": article.pk + 1000}).status_code == 404


def test_writing_is_not_offered(editor, article):
    assert client_for(editor).post(URL, {"source": article.pk}).status_code == 405


def test_the_endpoint_is_in_the_openapi_schema(editor):
    schema = client_for(editor).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"][URL]["get"]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["source"]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response == {"$ref": "#/components/schemas/Suggestions"}  # one object, not an array
