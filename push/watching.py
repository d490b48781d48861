"""What the team hears about, derived from the kernel rather than from each service.

Two sources of events, both inside the transaction that records the change, so a notification
commits (or rolls back) with it and names it (`event_key`: the history row or the check):
- the history rows of tracked records, through the registry's after-change effects
  (`core.registry.on_change`, attached in PushConfig.ready): published, retracted, returned,
  edited by someone else, and creation (the creator follows what they create);
- the results of source checks, which are bookkeeping and leave no history row: a `CitationCheck`
  that finds an excerpt altered or missing (when the excerpt's verdict was something else before),
  a `SourceCheck` that makes its source dead (when it was not dead before).

Who hears: the followers of the record and of what it belongs to (a claim: its speaker, its topics,
its sources; a position: its actor and topic); "your item" events go to the people who follow the
record because they created it (unfollowing one's own item silences them too). Nobody is notified
of their own action.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from core.choices import HistoryAction
from core.history import created_in_this_change
from positions.models import Position
from push import services
from push.choices import EventKind, FollowKind, FollowReason
from push.models import Follow
from sources.choices import FLAGGED_QUOTE_STATUSES, SourceHealth
from sources.models import Citation, CitationCheck, Source, SourceCheck
from tracker.choices import EditorialStatus
from tracker.models import Actor, Claim, Topic

KINDS: dict[type, str] = {
    Actor: FollowKind.ACTOR,
    Topic: FollowKind.TOPIC,
    Claim: FollowKind.CLAIM,
    Source: FollowKind.SOURCE,
    Position: FollowKind.POSITION,
}
EDITS = (HistoryAction.CHANGED, HistoryAction.REVERTED)


def record_url(kind: str, obj: Any) -> str:
    if kind == FollowKind.ACTOR:
        return reverse("positions:actor-detail", args=[obj.slug])
    if kind == FollowKind.TOPIC:
        return reverse("positions:topic-detail", args=[obj.slug])
    if kind == FollowKind.CLAIM:
        return reverse("tracker:claim-detail", args=[obj.pk])
    if kind == FollowKind.POSITION:
        return reverse("positions:position-detail", args=[obj.pk])
    return reverse("sources:source-detail", args=[obj.pk])


def followers(records: Iterable[tuple[str, int | None]], *, reason: str | None = None) -> set[int]:
    """Active users following any of `records` ((kind, id) pairs)."""
    by_kind: dict[str, set[int]] = {}
    for kind, pk in records:
        if pk is not None:
            by_kind.setdefault(kind, set()).add(pk)
    if not by_kind:
        return set()
    condition = Q()
    for kind, ids in by_kind.items():
        condition |= Q(kind=kind, object_id__in=ids)
    follows = Follow.objects.filter(condition, user__is_active=True)
    if reason:
        follows = follows.filter(reason=reason)
    return set(follows.values_list("user_id", flat=True))


def owners(kind: str, pk: int) -> set[int]:
    return followers([(kind, pk)], reason=FollowReason.OWN)


def claim_records(claim: Claim) -> list[tuple[str, int | None]]:
    """The claim and what it belongs to: its speaker, its topics and the sources it cites."""
    records: list[tuple[str, int | None]] = [(FollowKind.CLAIM, claim.pk), (FollowKind.ACTOR, claim.speaker_id)]
    records += [(FollowKind.TOPIC, pk) for pk in claim.topics.values_list("pk", flat=True)]
    records += [(FollowKind.SOURCE, pk) for pk in claim.citations.values_list("source_id", flat=True)]
    return records


def position_records(position: Position) -> list[tuple[str, int | None]]:
    return [
        (FollowKind.POSITION, position.pk),
        (FollowKind.ACTOR, position.actor_id),
        (FollowKind.TOPIC, position.topic_id),
    ]


# --- Tracked records: the registry's after-change effects -------------------------------------------


def _change(instance: Any) -> tuple[str, Any, str, str]:
    """(action, user, reason, event key) of the history row being written for `instance`."""
    key = f"{instance._meta.label_lower}:h{instance._history_id}"
    return instance._history_action, instance._history_user, instance._change_reason or "", key


def _follow_own(kind: str, instance: Any, user: Any) -> None:
    """The creator follows what they create (team members only; not background work)."""
    if user.get_username() == settings.TRACKER_SYSTEM_USERNAME or not user.has_perm(services.TEAM_PERMISSION):
        return
    # One INSERT … ON CONFLICT DO NOTHING: an existing follow (any reason) is kept as it is.
    Follow.objects.bulk_create(
        [Follow(user=user, kind=kind, object_id=instance.pk, reason=FollowReason.OWN)], ignore_conflicts=True
    )


def on_record_change(instance: Any) -> None:
    """Any tracked record of a followable kind: creation (follow own), and an edit by someone else."""
    kind = KINDS[type(instance)]
    action, user, reason, key = _change(instance)
    if action == HistoryAction.CREATED:
        _follow_own(kind, instance, user)
    elif action in EDITS and not isinstance(instance, Claim | Position):  # those two: on_workflow_change
        _tell_owners_of_edit(kind, instance, user=user, reason=reason, key=key)


def _tell_owners_of_edit(kind: str, instance: Any, *, user: Any, reason: str, key: str) -> None:
    services.notify(
        user_ids=owners(kind, instance.pk),
        kind=EventKind.MINE_EDITED,
        event_key=key,
        title=f"{user} edited your {FollowKind(kind).label.lower()}: {instance}",
        body=reason,
        url=record_url(kind, instance),
        actor_id=user.pk,
    )


def on_workflow_change(instance: Claim | Position) -> None:
    """A claim or a position: created, published, retracted, returned, or edited."""
    kind = KINDS[type(instance)]
    action, user, reason, key = _change(instance)
    if action == HistoryAction.CREATED:
        _follow_own(kind, instance, user)
        return
    noun = FollowKind(kind).label.lower()
    own = owners(kind, instance.pk)
    url = record_url(kind, instance)
    common = {"event_key": key, "url": url, "actor_id": user.pk}
    watchers = followers(claim_records(instance) if isinstance(instance, Claim) else position_records(instance))
    public_kind = EventKind.CLAIM_PUBLISHED if isinstance(instance, Claim) else EventKind.POSITION_CHANGED
    if action == HistoryAction.PUBLISHED:
        services.notify(
            user_ids=own, kind=EventKind.MINE_PUBLISHED, title=f"Your {noun} was published: {instance}", **common
        )
        services.notify(
            user_ids=watchers - own, kind=public_kind, title=f"{noun.capitalize()} published: {instance}", **common
        )
    elif action == HistoryAction.RETRACTED:
        retracted = EventKind.CLAIM_RETRACTED if isinstance(instance, Claim) else EventKind.POSITION_CHANGED
        title = f"{noun.capitalize()} retracted: {instance}"
        services.notify(user_ids=watchers | own, kind=retracted, title=title, body=reason, **common)
    elif action == HistoryAction.RETURNED:
        title = f"Your {noun} was returned to draft: {instance}"
        services.notify(user_ids=own, kind=EventKind.MINE_RETURNED, title=title, body=reason, **common)
    elif action in EDITS:
        _tell_owners_of_edit(kind, instance, user=user, reason=reason, key=key)
        if isinstance(instance, Position) and instance.status == EditorialStatus.PUBLISHED:
            title = f"Published position changed: {instance}"
            services.notify(
                user_ids=watchers - own, kind=EventKind.POSITION_CHANGED, title=title, body=reason, **common
            )


def on_citation_change(citation: Citation) -> None:
    """A citation added, edited or reverted by someone else is an edit of the claim it belongs to."""
    action, user, reason, key = _change(citation)
    if action in (*EDITS, HistoryAction.CREATED):
        claim = citation.claim
        if action == HistoryAction.CREATED and created_in_this_change(claim):
            return  # a claim created in this same change is followed by its author alone, who is this user
        services.notify(
            user_ids=owners(FollowKind.CLAIM, claim.pk) - {user.pk},
            kind=EventKind.MINE_EDITED,
            event_key=key,
            title=f"{user} edited the citations of your claim: {claim}",
            body=reason,
            url=record_url(FollowKind.CLAIM, claim),
            actor_id=user.pk,
        )


# --- Source checks: their verdicts (sources.signals) and their rows' post_save ---------------------


def on_citation_checks(sender: Any, checks: list[CitationCheck], **kwargs: Any) -> None:
    """A check's verdicts on its source's excerpts (sources.signals): a verdict that became altered
    or missing notifies; one that stayed so does not."""
    for check in checks:
        if check.status not in FLAGGED_QUOTE_STATUSES or check.previous_status == check.status:
            continue
        claim = check.citation.claim
        services.notify(
            user_ids=followers(claim_records(claim)),
            kind=EventKind.EXCERPT_FLAGGED,
            event_key=f"sources.citationcheck:{check.pk}",
            title=f"Excerpt {check.get_status_display().lower()} in its source: {claim}",
            body=f"Cited excerpt: “{check.excerpt[:500]}” (similarity {check.score:.0f}).",
            url=record_url(FollowKind.CLAIM, claim),
        )


def on_source_check(sender: Any, instance: SourceCheck, created: bool, **kwargs: Any) -> None:
    # The check saves this row before the source's own health: the source row still has the old one.
    if not created or instance.health != SourceHealth.DEAD:
        return
    before = Source.objects.filter(pk=instance.source_id).values_list("health", flat=True).first()
    if before == SourceHealth.DEAD:
        return
    source = instance.source
    records: list[tuple[str, int | None]] = [(FollowKind.SOURCE, source.pk)]
    for claim in Claim.objects.filter(citations__source=source).distinct():
        records += claim_records(claim)
    services.notify(
        user_ids=followers(records),
        kind=EventKind.SOURCE_DEAD,
        event_key=f"sources.sourcecheck:{instance.pk}",
        title=f"Source dead: {source}",
        body=f"{instance.get_outcome_display()}: {instance.error[:300]}".strip(": "),
        url=record_url(FollowKind.SOURCE, source),
    )
