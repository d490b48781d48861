"""Accepting suggestions: draft claims with their citations, and new speakers as actors, as one change.

Every record is written by its own service (tracker's claim_create with the citation service inside,
actor_create), inside one change set: one reason, one change id on every history row.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from core.history import change_set, clean_reason
from sources.content import verify_excerpt
from sources.models import Source
from suggest.selectors import source_text
from tracker.models import Actor, Claim, Topic
from tracker.services import actor_create, claim_create

MAX_ACCEPTED = 100


@dataclass
class AcceptedSuggestion:
    """One ticked suggestion as the editor left it. `speaker` is a tracked actor, or None with `new_speaker`
    (and `new_speaker_kind`) naming an actor to create."""

    excerpt: str
    text: str
    kind: str
    speaker: Actor | None = None
    new_speaker: str = ""
    new_speaker_kind: str = ""
    topics: Sequence[Topic] = field(default_factory=list)
    locator: str = ""
    stated_on: datetime.date | None = None
    stated_on_precision: str = "day"


def suggestions_accept(
    *, user: Any, reason: str, source: Source, accepted: Sequence[AcceptedSuggestion]
) -> list[Claim]:
    """Create a draft claim citing `source` for each accepted suggestion, as one change with one reason.

    An excerpt must stand in the source's text as written (checked as source checks check citations);
    a new speaker named twice becomes one actor.
    """
    reason = clean_reason(reason)
    if not accepted:
        raise ValidationError({"suggestions": "Tick at least one suggestion to accept."})
    if len(accepted) > MAX_ACCEPTED:
        raise ValidationError({"suggestions": f"Accept at most {MAX_ACCEPTED} suggestions at once."})
    text = source_text(source)
    claims = []
    with change_set():
        created: dict[str, Actor] = {}
        for index, item in enumerate(accepted):
            if verify_excerpt(item.excerpt, text).status != "present":
                raise ValidationError(
                    {f"suggestions[{index}].excerpt": "The excerpt must be copied exactly from the source's text."}
                )
            speaker = item.speaker or _new_actor(user=user, reason=reason, item=item, index=index, created=created)
            try:
                claims.append(
                    claim_create(
                        user=user,
                        reason=reason,
                        data={
                            "speaker": speaker,
                            "text": item.text.strip(),
                            "kind": item.kind,
                            "stated_on": item.stated_on,
                            "stated_on_precision": item.stated_on_precision,
                            "stated_on_inferred": item.stated_on is not None,
                        },
                        topics=item.topics,
                        citations=[{"source": source, "excerpt": item.excerpt, "locator": item.locator}],
                    )
                )
            except ValidationError as error:
                raise ValidationError({f"suggestions[{index}]": error.messages}) from error
    return claims


def _new_actor(*, user: Any, reason: str, item: AcceptedSuggestion, index: int, created: dict[str, Actor]) -> Actor:
    name = item.new_speaker.strip()
    if not name:
        raise ValidationError({f"suggestions[{index}].speaker": "Name the speaker: a tracked actor or a new one."})
    if name.casefold() not in created:
        try:
            created[name.casefold()] = actor_create(
                user=user, reason=reason, data={"name": name, "kind": item.new_speaker_kind}
            )
        except ValidationError as error:
            raise ValidationError({f"suggestions[{index}].speaker": error.messages}) from error
    return created[name.casefold()]
