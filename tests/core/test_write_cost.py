"""What one editor's "new claim" costs the database: a new source, the claim with a topic, one
citation, through the services as one change (bench/writes.py times the same write). Pinned so that
a feature added to the write path shows up here, not months later in a benchmark."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources import services as source_services
from tests.factories import ActorFactory, TopicFactory
from tracker import services as claim_services

pytestmark = pytest.mark.django_db

# 16 INSERTs (the source, the claim, its topic link and the citation; their history rows and the topic
# link's; three change-index rows, three feed rows, two own follows), the source marked due for a check,
# four reads (the URL's uniqueness, whether the new source is public, the claim's topic links before
# and after the add), and a savepoint and its release for each of the two change sets (in a test they
# are inside the test's transaction; in production each is BEGIN and COMMIT).
STATEMENTS = 25


def _new_claim(editor, speaker, topic, n):
    source = source_services.source_create(
        user=editor, reason="New article", data={"url": f"https://news.example.org/2025/02/{n}", "title": "Paris"}
    )
    claim_services.claim_create(
        user=editor,
        reason="New claim from the article",
        data={"speaker": speaker, "text": f"We are ready to send troops ({n})."},
        topics=[topic],
        citations=[{"source": source, "excerpt": "ready to send troops"}],
    )


def test_a_new_claim_with_its_source_and_citation_is_one_change_of_a_fixed_number_of_statements(editor):
    speaker, topic = ActorFactory(), TopicFactory()
    _new_claim(editor, speaker, topic, 0)  # the first write warms what is read once (permissions, groups)

    with CaptureQueriesContext(connection) as captured:
        _new_claim(editor, speaker, topic, 1)

    statements = [query["sql"] for query in captured.captured_queries]
    savepoints = [sql for sql in statements if "SAVEPOINT" in sql]
    assert len(savepoints) == 4, savepoints  # the two change sets' own: nested ones and Django's add none
    assert len(statements) == STATEMENTS, "\n".join(sql[:120] for sql in statements)


def test_a_unique_value_with_a_condition_is_refused_by_name_without_a_savepoint(editor):
    """The constraints unique unless empty (a source's URL, an actor's Wikidata id) are checked by one
    query of our own (core.models.TrackedModel.validate_constraints), with the constraint's message."""
    from django.core.exceptions import ValidationError

    from tracker import services as tracker_services

    first = tracker_services.actor_create(
        user=editor, reason="r", data={"name": "Mark Rutte", "kind": "person", "wikidata_id": "Q57792"}
    )
    tracker_services.actor_create(user=editor, reason="r", data={"name": "A", "kind": "person", "wikidata_id": ""})

    with CaptureQueriesContext(connection) as captured, pytest.raises(ValidationError) as refused:
        tracker_services.actor_create(
            user=editor, reason="r", data={"name": "Rutte again", "kind": "person", "wikidata_id": "Q57792"}
        )

    assert refused.value.messages == ["Another actor already has this Wikidata id."]
    assert not any("SAVEPOINT" in query["sql"] for query in captured.captured_queries)
    # Empty is not a value: any number of actors may have none; and a record keeps its own.
    tracker_services.actor_create(user=editor, reason="r", data={"name": "B", "kind": "person", "wikidata_id": ""})
    tracker_services.actor_update(
        actor=first, user=editor, reason="r", data={"name": "Mark Rutte (Nato)"}, expected_version=first.version
    )
