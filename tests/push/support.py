"""Stories the push tests share, written through the services as production writes them."""

from __future__ import annotations

import itertools

from core.feed import sequence_feed
from push import tasks
from sources import services as source_services
from tracker import services as tracker_services

REASON = "Push test"
_urls = itertools.count(1)


def published_claim(editor, reviewer, *, speaker=None, topics=(), text="We will send troops.", source=None):
    speaker = speaker or tracker_services.actor_create(
        user=editor, reason=REASON, data={"name": "Anna", "kind": "person"}
    )
    source = source or source_services.source_create(
        user=editor, reason=REASON, data={"url": f"https://news.example.org/a{next(_urls)}", "title": "A"}
    )
    claim = tracker_services.claim_create(
        user=editor,
        reason=REASON,
        data={"speaker": speaker, "text": text},
        topics=list(topics),
        citations=[{"source": source, "excerpt": "send troops"}],
    )
    return tracker_services.claim_publish(claim=claim, user=reviewer, reason=REASON)


def deliver() -> None:
    """What the worker does after a write commits: number the feed, fan out, run the chains."""
    sequence_feed()
    tasks.fan_out()
