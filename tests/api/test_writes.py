"""Writes through the API: services, a reason, If-Match/ETag, problem details, partner submissions."""

import pytest

from core.choices import HistoryAction
from sources.models import Citation, Source
from tests.api.conftest import client_for
from tracker.choices import EditorialStatus
from tracker.models import Claim

pytestmark = pytest.mark.django_db


def test_updating_without_if_match_answers_428_and_changes_nothing(dossier, reviewer):
    client = client_for(reviewer)

    response = client.patch(f"/api/v1/claims/{dossier.claim.pk}/", {"context": "x", "reason": "r"}, format="json")

    assert response.status_code == 428
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Precondition required"
    dossier.claim.refresh_from_db()
    assert dossier.claim.context == ""
    assert not dossier.claim.history.filter(history_user__isnull=False).exists()


def test_two_clients_editing_the_same_version_the_second_gets_412_and_nothing_is_overwritten(dossier, reviewer, editor):
    first, second = client_for(reviewer), client_for(editor)
    path = f"/api/v1/actors/{dossier.speaker.slug}/"
    etag_first = first.get(path)["ETag"]
    etag_second = second.get(path)["ETag"]
    assert etag_first == etag_second

    ok = first.patch(
        path,
        {"summary": "Prime Minister of the UK"},
        format="json",
        HTTP_IF_MATCH=etag_first,
        HTTP_X_CHANGE_REASON="Add summary",
    )
    stale = second.patch(
        path,
        {"summary": "Leader of the Labour Party"},
        format="json",
        HTTP_IF_MATCH=etag_second,
        HTTP_X_CHANGE_REASON="Add summary too",
    )

    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    assert ok["ETag"] != etag_first
    assert stale.status_code == 412
    assert stale.json()["title"] == "Precondition failed"
    assert "version 2" in stale.json()["detail"]
    dossier.speaker.refresh_from_db()
    assert dossier.speaker.summary == "Prime Minister of the UK"
    rows = list(dossier.speaker.history.filter(history_user__isnull=False))
    assert len(rows) == 1
    assert (rows[0].history_user, rows[0].history_change_reason) == (reviewer, "Add summary")
    assert rows[0].history_action == HistoryAction.CHANGED


def test_an_etag_of_another_record_is_refused_with_412(dossier, reviewer):
    client = client_for(reviewer)
    other_etag = client.get(f"/api/v1/claims/{dossier.claim.pk}/")["ETag"]

    response = client.patch(
        f"/api/v1/claims/{dossier.draft.pk}/", {"context": "c", "reason": "r"}, format="json", HTTP_IF_MATCH=other_etag
    )

    assert response.status_code == 412
    assert Claim.objects.get(pk=dossier.draft.pk).context == ""


def test_a_write_without_a_reason_is_refused_naming_the_reason_field(dossier, editor):
    response = client_for(editor).post("/api/v1/topics/", {"title": "T", "question": "Q?"}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {
            "field": "reason",
            "message": "Say why you are making this change (a `reason` field or an X-Change-Reason header).",
        }
    ]


def test_invalid_fields_are_each_named_in_the_problem_and_nothing_is_created(dossier, editor):
    before = Claim.objects.count()

    response = client_for(editor).post(
        "/api/v1/claims/",
        {
            "speaker": "nobody",
            "text": "",
            "stated_on": "2999-01-01",
            "citations": [{"source": dossier.source.pk, "excerpt": "   "}],
            "reason": "r",
        },
        format="json",
    )

    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"speaker", "text", "citations[0].excerpt"} <= fields
    assert Claim.objects.count() == before


def test_model_rules_from_the_services_come_back_as_field_errors(dossier, editor):
    response = client_for(editor).post(
        "/api/v1/claims/",
        {"speaker": "keir-starmer", "text": "Words", "stated_on": "2999-01-01", "reason": "r"},
        format="json",
    )

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["stated_on"]


def test_an_editor_creates_a_claim_with_citations_in_one_change_with_history(dossier, editor):
    client = client_for(editor)
    response = client.post(
        "/api/v1/claims/",
        {
            "speaker": "keir-starmer",
            "text": "We are ready to lead.",
            "kind": "direct_quote",
            "topics": ["troops-in-ukraine"],
            "citations": [{"source": dossier.source.pk, "excerpt": "ready to lead", "locator": "para 3"}],
        },
        format="json",
        HTTP_X_CHANGE_REASON="Entered from the Paris briefing",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["topics"] == ["troops-in-ukraine"]
    assert [(c["source"], c["excerpt"], c["locator"]) for c in body["citations"]] == [
        (dossier.source.pk, "ready to lead", "para 3")
    ]
    assert response["ETag"].startswith(f'"claim-{body["id"]}-v1-')
    assert response["ETag"] == client.get(f"/api/v1/claims/{body['id']}/")["ETag"]
    claim = Claim.objects.get(pk=body["id"])
    row = claim.history.get()
    assert (row.history_user, row.history_change_reason, row.history_action) == (
        editor,
        "Entered from the Paris briefing",
        HistoryAction.CREATED,
    )
    citation_row = Citation.history.get(claim_id=claim.pk)
    assert citation_row.history_change_id == row.history_change_id


def test_a_partner_submission_enters_review_attributed_to_the_partner_and_stays_hidden(
    dossier, partner_submitter, partner_reader
):
    client = client_for(partner_submitter)

    response = client.post(
        "/api/v1/claims/",
        {
            "speaker": "keir-starmer",
            "text": "The UK will send 10,000 troops.",
            "topics": ["troops-in-ukraine"],
            "citations": [
                {
                    "source_url": "https://Partner.example.net/story?utm_source=x",
                    "source_title": "Partner story",
                    "excerpt": "10,000 troops",
                },
                {"source": dossier.source.pk, "excerpt": "ready to put troops"},
            ],
        },
        format="json",
        HTTP_X_CHANGE_REASON="Tip from our Kyiv desk",
    )

    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(pk=response.json()["id"])
    assert claim.status == EditorialStatus.IN_REVIEW
    assert claim.veracity == "unrated"
    rows = list(claim.history.order_by("history_id"))
    assert [(r.history_action, r.history_user) for r in rows] == [
        (HistoryAction.CREATED, partner_submitter.user),
        (HistoryAction.SUBMITTED, partner_submitter.user),
    ]
    assert partner_submitter.user.partner == partner_submitter.partner
    assert {r.history_change_reason for r in rows} == {"Tip from our Kyiv desk"}
    new_source = Source.objects.get(url="https://partner.example.net/story")
    assert new_source.history.get().history_user == partner_submitter.user
    assert claim.citations.count() == 2
    # Submitted, not published: neither partner can read it back.
    assert client.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert client_for(partner_reader).get(f"/api/v1/claims/{claim.pk}/").status_code == 404


def test_a_partner_cannot_cite_a_source_it_cannot_see(dossier, partner_submitter):
    response = client_for(partner_submitter).post(
        "/api/v1/claims/",
        {
            "speaker": "keir-starmer",
            "text": "Words.",
            "citations": [{"source": dossier.secret_source.pk, "excerpt": "x"}],
            "reason": "r",
        },
        format="json",
    )

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["citations[0].source"]


def test_a_partner_cannot_name_an_unpublished_actor_as_speaker(dossier, partner_submitter):
    response = client_for(partner_submitter).post(
        "/api/v1/claims/",
        {"speaker": "secret-minister", "text": "Words.", "reason": "r"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "speaker"
    assert "secret" not in response.json()["errors"][0]["message"].lower().replace("secret-minister", "")


def test_publishing_through_the_api_leaves_a_published_history_row(dossier, reviewer):
    client = client_for(reviewer)
    from tests.factories import CitationFactory

    CitationFactory(claim=dossier.in_review)
    etag = client.get(f"/api/v1/claims/{dossier.in_review.pk}/")["ETag"]

    response = client.post(
        f"/api/v1/claims/{dossier.in_review.pk}/publish/",
        {"reason": "Checked twice"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200
    assert response.json()["status"] == "published"
    row = Claim.objects.get(pk=dossier.in_review.pk).history.first()
    assert (row.history_action, row.history_user, row.history_change_reason) == (
        HistoryAction.PUBLISHED,
        reviewer,
        "Checked twice",
    )


def test_deleting_needs_if_match_and_leaves_a_deleted_history_row(dossier, reviewer):
    client = client_for(reviewer)
    path = f"/api/v1/roles/{dossier.secret_role.pk}/"
    etag = client.get(path)["ETag"]

    missing = client.delete(path, HTTP_X_CHANGE_REASON="Wrong person")
    done = client.delete(path, HTTP_IF_MATCH=etag, HTTP_X_CHANGE_REASON="Wrong person")

    assert missing.status_code == 428
    assert done.status_code == 204
    row = type(dossier.secret_role).history.filter(id=dossier.secret_role.pk).first()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("-", reviewer, "Wrong person")


def test_a_team_read_key_cannot_write(dossier, editor):
    from core.services import apikey_create

    _, secret = apikey_create(name="script", scope="read", user=editor)
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert client.get("/api/v1/claims/").status_code == 200
    assert (
        client.post("/api/v1/topics/", {"title": "T", "question": "Q", "reason": "r"}, format="json").status_code == 403
    )


def test_a_team_submit_key_writes_as_its_member_with_their_role(dossier, editor):
    from core.services import apikey_create

    _, secret = apikey_create(name="script", scope="submit", user=editor)
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    created = client.post("/api/v1/topics/", {"title": "Energy", "question": "Q?", "reason": "import"}, format="json")

    assert created.status_code == 201
    assert type(dossier.topic).objects.get(slug="energy").history.get().history_user == editor
    # Team keys see unpublished work like their member does.
    assert client.get(f"/api/v1/claims/{dossier.draft.pk}/").status_code == 200


def test_an_empty_string_for_a_link_is_refused_not_read_as_null(dossier, editor):
    response = client_for(editor).post(
        "/api/v1/topics/", {"title": "T", "question": "Q?", "parent": "", "reason": "r"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "parent", "message": "Give the linked record, or null for none."}]


def test_values_of_the_wrong_json_type_are_refused_not_coerced(dossier, editor):
    response = client_for(editor).post(
        "/api/v1/claims/",
        {
            "speaker": "keir-starmer",
            "text": 12,
            "stated_on_inferred": "yes",
            "citations": [{"source": str(dossier.source.pk), "excerpt": 3.5}],
            "reason": "r",
        },
        format="json",
    )

    assert response.status_code == 400
    assert {(e["field"], e["message"]) for e in response.json()["errors"]} == {
        ("text", "Give text (a JSON string)."),
        ("stated_on_inferred", "Give true or false."),
        ("citations[0].source", "Give a whole number (a JSON number)."),
        ("citations[0].excerpt", "Give text (a JSON string)."),
    }
    assert not Claim.objects.filter(text="12").exists()


def test_a_partner_sending_team_only_fields_is_refused_naming_each_and_nothing_is_created(dossier, partner_submitter):
    claims, sources = Claim.objects.count(), Source.objects.count()

    response = client_for(partner_submitter).post(
        "/api/v1/claims/",
        {
            "speaker": "keir-starmer",
            "text": "The UK will send 10,000 troops.",
            "veracity": "false",
            "veracity_rationale": "No troops were offered.",
            "attribution_status": "confirmed",
            "citations": [{"source_url": "https://partner.example.net/new-story", "excerpt": "10,000 troops"}],
            "reason": "Tip from our Kyiv desk",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert sorted((e["field"], e["message"]) for e in response.json()["errors"]) == [
        ("attribution_status", "This field can only be set by the team."),
        ("veracity", "This field can only be set by the team."),
        ("veracity_rationale", "This field can only be set by the team."),
    ]
    assert (Claim.objects.count(), Source.objects.count()) == (claims, sources)


def test_a_team_member_sets_the_team_only_fields_of_a_new_claim(dossier, editor):
    response = client_for(editor).post(
        "/api/v1/claims/",
        {
            "speaker": "keir-starmer",
            "text": "The UK will send 10,000 troops.",
            "veracity": "false",
            "veracity_rationale": "No troops were offered.",
            "reason": "From the briefing",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(pk=response.json()["id"])
    assert (claim.veracity, claim.veracity_rationale) == ("false", "No troops were offered.")
    row = claim.history.get()
    assert (row.history_user, row.history_change_reason, row.veracity) == (editor, "From the briefing", "false")


CITATIONS_ELSEWHERE_MESSAGE = (
    "Citations are sent with a new claim only; change an existing claim's citations at /api/v1/citations/."
)
UNKNOWN_FIELD_MESSAGE = "Unknown field: this record has no field of that name (see the API schema)."


@pytest.mark.parametrize(
    ("field", "message"),
    [("citations", CITATIONS_ELSEWHERE_MESSAGE), ("contxt", UNKNOWN_FIELD_MESSAGE)],
    ids=["citations", "misspelt"],
)
def test_changing_a_claim_with_a_field_it_may_not_take_is_refused_naming_it_and_changes_nothing(
    dossier, reviewer, field, message
):
    client = client_for(reviewer)
    path = f"/api/v1/claims/{dossier.claim.pk}/"
    etag = client.get(path)["ETag"]
    history = dossier.claim.history.count()
    value = [{"source": dossier.source.pk, "excerpt": "troops"}] if field == "citations" else "At the Paris summit."

    response = client.patch(
        path,
        {"context": "At the Paris summit.", field: value},
        format="json",
        HTTP_IF_MATCH=etag,
        HTTP_X_CHANGE_REASON="Add context",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": field, "message": message}]
    dossier.claim.refresh_from_db()
    assert dossier.claim.context == ""
    assert dossier.claim.citations.count() == 1
    assert dossier.claim.history.count() == history
    assert client.get(path)["ETag"] == etag


def test_a_claim_is_changed_without_citations_and_its_history_says_who_and_why(dossier, reviewer):
    client = client_for(reviewer)
    path = f"/api/v1/claims/{dossier.claim.pk}/"

    response = client.patch(
        path,
        {"context": "At the Paris summit.", "veracity": "mostly_true", "veracity_rationale": "Offered, with terms."},
        format="json",
        HTTP_IF_MATCH=client.get(path)["ETag"],
        HTTP_X_CHANGE_REASON="Add context",
    )

    assert response.status_code == 200, response.json()["errors"]
    assert (response.json()["context"], response.json()["veracity"]) == ("At the Paris summit.", "mostly_true")
    row = dossier.claim.history.latest("history_id")
    assert (row.history_user, row.history_change_reason, row.context) == (
        reviewer,
        "Add context",
        "At the Paris summit.",
    )


def test_a_record_read_and_sent_back_whole_is_accepted(dossier, reviewer):
    client = client_for(reviewer)
    path = f"/api/v1/actors/{dossier.claim.speaker.slug}/"
    read = client.get(path)
    body = {**read.json(), "summary": "Prime minister of the United Kingdom since July 2024."}

    response = client.patch(path, body, format="json", HTTP_IF_MATCH=read["ETag"], HTTP_X_CHANGE_REASON="Describe")

    assert response.status_code == 200, response.json()["errors"]
    assert response.json()["summary"] == "Prime minister of the United Kingdom since July 2024."
