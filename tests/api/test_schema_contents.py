"""What the OpenAPI schema tells a partner: public descriptions, complete write bodies, bounds, enums,
formats, integer ids and typed records, so a generated client can trust it."""

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

# Words of our code, not of the API: a description naming them was written for us, not for partners.
INTERNAL = re.compile(r"service|_create|_update|viewset|queryset|selector|serializer|\*\*|PostgreSQL|kernel", re.I)


@pytest.fixture
def schema(db):
    return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def _operations(schema):
    return [(method.upper(), path, op) for path, item in schema["paths"].items() for method, op in item.items()]


def _parameters(schema, method, path):
    return {p["name"]: p["schema"] for p in schema["paths"][path][method]["parameters"]}


def test_every_operation_has_a_description_written_for_partners(schema):
    operations = _operations(schema)
    assert len(operations) > 50

    missing = [(method, path) for method, path, op in operations if len(op.get("description", "")) < 15]
    internal = [
        (method, path, op["description"]) for method, path, op in operations if INTERNAL.search(op["description"])
    ]

    assert missing == []
    assert internal == []


def test_write_bodies_list_the_reason_and_the_team_only_ratings(schema):
    components = schema["components"]["schemas"]
    claim_write = components["ClaimWriteRequest"]["properties"]

    for name in ("reason", "veracity", "veracity_rationale", "attribution_status"):
        assert name in claim_write
        assert name in components["PatchedClaimUpdateRequest"]["properties"]
    assert "Team only" in claim_write["veracity"]["description"]
    for name, component in components.items():
        if name.endswith("WriteRequest") and not name.startswith(("WebhookEndpoint", "PatchedWebhookEndpoint")):
            assert component["properties"]["reason"]["maxLength"] == 500, name


def test_query_parameters_carry_their_bounds_enums_and_formats(schema):
    claims = _parameters(schema, "get", "/api/v1/claims/")
    changes = _parameters(schema, "get", "/api/v1/changes/")
    stances = _parameters(schema, "get", "/api/v1/topics/{slug}/stances/")
    position_changes = _parameters(schema, "get", "/api/v1/position-changes/")
    citations = _parameters(schema, "get", "/api/v1/citations/")

    for page_size in (claims["page_size"], changes["page_size"], stances["page_size"]):
        assert (page_size["type"], page_size["minimum"], page_size["maximum"]) == ("integer", 1, 100)
    assert claims["ordering"]["enum"] == ["updated_at", "-updated_at", "id", "-id"]
    assert claims["updated_since"]["format"] == "date-time"
    assert claims["stated_on_after"]["format"] == "date"
    assert stances["as_of"]["format"] == "date"
    assert (position_changes["since"]["format"], position_changes["until"]["format"]) == ("date", "date")
    assert {s["format"] for s in position_changes["recorded_as_of"]["anyOf"]} == {"date-time", "date"}
    assert (citations["claim"]["type"], citations["claim"]["minimum"]) == ("integer", 1)
    assert changes["after"]["pattern"] == "^[0-9]{1,18}$"


def test_ids_in_paths_are_integers(schema):
    id_paths = [path for path in schema["paths"] if "{id}" in path]
    assert len(id_paths) > 10

    for path in id_paths:
        for method in schema["paths"][path]:
            assert _parameters(schema, method, path)["id"]["type"] == "integer", (method, path)


def test_exports_and_the_feeds_records_are_typed(schema):
    export = schema["paths"]["/api/v1/claims/export/"]["get"]["responses"]["200"]["content"]
    change = schema["components"]["schemas"]["Change"]["properties"]["data"]
    record = schema["components"]["schemas"]["ChangeRecord"]

    assert export["application/json"]["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/Claim"}}
    assert change["allOf"] == [{"$ref": "#/components/schemas/ChangeRecord"}] and change["nullable"] is True
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in record["oneOf"]} == {
        "Actor",
        "Role",
        "Topic",
        "Claim",
        "Position",
        "Source",
        "Citation",
    }


@pytest.mark.parametrize(
    "path",
    ["/api/v1/claims/", "/api/v1/claims/{id}/", "/api/v1/topics/{slug}/stances/", "/api/v1/changes/"],
)
def test_conditional_gets_are_documented_with_their_headers_and_the_304(schema, path):
    operation = schema["paths"][path]["get"]
    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    ok, not_modified = operation["responses"]["200"], operation["responses"]["304"]

    assert headers["If-None-Match"].get("required", False) is False
    assert headers["If-None-Match"]["schema"]["type"] == "string"
    assert ok["headers"]["ETag"]["required"] is True
    assert "content" in ok
    assert not_modified["description"] == "Not modified: the representation has this ETag."
    assert "content" not in not_modified
    assert not_modified["headers"]["ETag"]["required"] is True


def test_only_gets_answered_with_an_etag_document_conditional_requests(schema):
    conditional = {(method.upper(), path) for method, path, op in _operations(schema) if "304" in op["responses"]}
    gets = {(method, path) for method, path, _ in _operations(schema) if method == "GET"}
    streamed = {("GET", f"/api/v1/{name}/") for name in ("claims/export", "positions/export", "claims/claim-reviews")}
    # A partner's own webhooks and a team member's suggestions are not representations of our records.
    own = {(m, p) for m, p in gets if p.startswith(("/api/v1/webhook-endpoints/", "/api/v1/claim-suggestions/"))}

    assert {method for method, _ in conditional} == {"GET"}
    assert gets - conditional == streamed | own, sorted(gets - conditional)
    assert len(own) == 4
    assert ("GET", "/api/v1/claims/{id}/claim-review/") in conditional
    for _, path in streamed:
        operation = schema["paths"][path]["get"]
        assert "If-None-Match" not in {p["name"] for p in operation.get("parameters", [])}
        assert "ETag" not in operation["responses"]["200"].get("headers", {})


def test_a_claims_citations_are_documented_for_its_creation_only(schema):
    components = schema["components"]["schemas"]
    claim_path = schema["paths"]["/api/v1/claims/{id}/"]
    patch_body = claim_path["patch"]["requestBody"]["content"]["application/json"]["schema"]
    create_body = schema["paths"]["/api/v1/claims/"]["post"]["requestBody"]["content"]["application/json"]["schema"]

    assert create_body == {"$ref": "#/components/schemas/ClaimWriteRequest"}
    assert "citations" in components["ClaimWriteRequest"]["properties"]
    assert patch_body == {"$ref": "#/components/schemas/PatchedClaimUpdateRequest"}
    assert "citations" not in components["PatchedClaimUpdateRequest"]["properties"]
    assert "put" not in claim_path
    assert "PatchedClaimWriteRequest" not in components
