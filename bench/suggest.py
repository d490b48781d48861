"""Suggested claims benchmark (docs/benchmarks.md): CPU time of one suggestion pass over a 15,000-character
article, with the index of 500 tracked actors (the eval articles' actors and synthetic ones with dated
roles) and 60 topics with published claims built in the same call, as the source page does.

Run with `make bench-suggest` (`BENCH_ARGS="--runs N"`). Needs neither PostgreSQL nor Redis: the engine
is pure Python; the figure is `time.process_time()` of `suggest_claims`.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from suggest.engine import KnownActor, KnownRole, KnownTopic, suggest_claims  # noqa: E402
from suggest.evaluation import labelled_articles, seed_article  # noqa: E402

ARTICLE_CHARS = 15_000
TARGET_MS = 300


def _article() -> tuple[str, list[KnownActor]]:
    articles = [seed_article(), *labelled_articles()]
    paragraphs, actors = [], {}
    for article in articles:
        actors.update({actor.key: actor for actor in article.actors})
    while sum(len(p) + 2 for p in paragraphs) < ARTICLE_CHARS:
        for article in articles:
            paragraphs += [p for p in article.text.split("\n") if p.strip()]
    text = ""
    for paragraph in paragraphs:
        if len(text) + len(paragraph) + 2 > ARTICLE_CHARS:
            break
        text += paragraph + "\n\n"
    return text.strip(), list(actors.values())


def _synthetic_actors(count: int) -> list[KnownActor]:
    role = KnownRole("Minister for Synthetic Affairs", ("Republic of Nowhere",), datetime.date(2020, 1, 1), None)
    return [
        KnownActor(f"synthetic-{i}", f"Person{i} Surname{i}", (f"Surname{i}",), True, (role,) if i % 5 == 0 else ())
        for i in range(count)
    ]


def _topics(count: int) -> list[KnownTopic]:
    return [
        KnownTopic(
            f"topic-{i}",
            f"Topic {i} on sanctions and troops",
            f"Should state {i} send troops or impose sanctions on its neighbour?",
            tuple(f"Claim {j} of topic {i}: troops will be deployed to the border region." for j in range(5)),
        )
        for i in range(count)
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    text, actors = _article()
    actors += _synthetic_actors(500 - len(actors))
    topics = _topics(60)
    timings = []
    for _ in range(args.runs + 1):
        start = time.process_time()
        result = suggest_claims(text, actors=actors, topics=topics, published_on=datetime.date(2025, 2, 1))
        timings.append((time.process_time() - start) * 1000)
    timings = sorted(timings[1:])  # the first run also compiles the module-level expressions
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"article: {len(text)} characters, {len(actors)} actors, {len(topics)} topics")
    print(f"suggestions: {len(result.suggestions)}, new actors offered: {len(result.new_actors)}")
    print(f"CPU per pass over {args.runs} runs: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms")
    print(f"target: <= {TARGET_MS} ms: {'ok' if timings[-1] <= TARGET_MS else 'OVER'}")
    return 0 if timings[-1] <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
