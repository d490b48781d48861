"""`make eval-suggest`: how well the suggester finds the claims people labelled by hand.

A suggestion matches a labelled claim when their excerpts overlap by at least 80 % of the shorter one.
Precision: the share of suggestions that match a label. Recall: the share of labels some suggestion
matches. Speaker accuracy: the share of matching suggestions whose speaker is a speaker of a label they
match (an actor, or `new:Name` for a speaker offered as a new actor).

Articles: the seed article against seeds/dossier.json, and the hand-labelled articles of seeds/eval/
(their URLs and how they were labelled: seeds/eval/README.md). No Django: this reads files only.
"""

from __future__ import annotations

import datetime
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from suggest.engine import KnownActor, KnownRole, Suggestion, suggest_claims

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
EVAL_DIR = SEEDS / "eval"
MATCH_OVERLAP = 0.8
TARGETS = {"precision": 0.6, "recall": 0.8, "speaker_accuracy": 0.9}


@dataclass(frozen=True)
class Article:
    name: str
    url: str
    text: str
    published_on: datetime.date
    precision: str
    actors: list[KnownActor]
    labels: list[tuple[str, frozenset[str]]]  # (excerpt, speakers)


@dataclass(frozen=True)
class Score:
    article: str
    url: str
    suggestions: int
    labels: int
    precision: float
    recall: float
    speaker_accuracy: float

    def meets_targets(self) -> bool:
        return all(getattr(self, name) >= target for name, target in TARGETS.items())


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _actors(actors: list[dict[str, Any]], roles: list[dict[str, Any]]) -> list[KnownActor]:
    names = {a["slug"]: (a["name"], *a.get("aliases", [])) for a in actors}
    return [
        KnownActor(
            key=a["slug"],
            name=a["name"],
            aliases=tuple(a.get("aliases", [])),
            is_person=a["kind"] == "person",
            roles=tuple(
                KnownRole(r["title"], names[r["organisation"]], _day(r.get("start_on")), _day(r.get("end_on")))
                for r in roles
                if r["actor"] == a["slug"]
            ),
        )
        for a in actors
    ]


def seed_article() -> Article:
    dossier = json.loads((SEEDS / "dossier.json").read_text())
    source = dossier["sources"][0]
    return Article(
        name="seed",
        url="(seed dossier: seeds/article-2025-02-european-leaders-ukraine.txt)",
        text=(SEEDS / source["stored_text_file"]).read_text(),
        published_on=_day(source["published_on"]),  # type: ignore[arg-type]
        precision=source["published_on_precision"],
        actors=_actors(dossier["actors"], dossier["roles"]),
        labels=[(c["citations"][0]["excerpt"], frozenset([c["speaker"]])) for c in dossier["claims"]],
    )


def labelled_articles() -> list[Article]:
    articles = []
    for path in sorted(EVAL_DIR.glob("*.labels.json")):
        data = json.loads(path.read_text())
        roles = [{**r, "actor": a["slug"]} for a in data["actors"] for r in a["roles"]]
        articles.append(
            Article(
                name=path.name.removesuffix(".labels.json"),
                url=data["url"],
                text=(EVAL_DIR / data["text_file"]).read_text(),
                published_on=_day(data["published_on"]),  # type: ignore[arg-type]
                precision=data["published_on_precision"],
                actors=_actors(data["actors"], roles),
                labels=[(c["excerpt"], frozenset(c["speakers"])) for c in data["claims"]],
            )
        )
    return articles


def _speaker(suggestion: Suggestion) -> str:
    return str(suggestion.speaker.actor_key) if suggestion.speaker.actor_key else f"new:{suggestion.speaker.new_name}"


def _matches(a: tuple[int, int], b: tuple[int, int]) -> bool:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared > 0 and shared >= MATCH_OVERLAP * min(a[1] - a[0], b[1] - b[0])


def evaluate(article: Article) -> Score:
    suggestions = suggest_claims(
        article.text,
        actors=article.actors,
        published_on=article.published_on,
        published_on_precision=article.precision,
    ).suggestions
    spans = []
    for excerpt, speakers in article.labels:
        start = article.text.find(excerpt)
        if start < 0:
            raise ValueError(f"{article.name}: a labelled excerpt is not in the text: {excerpt[:60]!r}")
        spans.append(((start, start + len(excerpt)), speakers))
    recalled: set[int] = set()
    matched = right_speaker = 0
    for suggestion in suggestions:
        hits = [i for i, (span, _speakers) in enumerate(spans) if _matches((suggestion.start, suggestion.end), span)]
        if hits:
            matched += 1
            recalled.update(hits)
            right_speaker += any(_speaker(suggestion) in spans[i][1] for i in hits)
    return Score(
        article=article.name,
        url=article.url,
        suggestions=len(suggestions),
        labels=len(spans),
        precision=round(matched / len(suggestions), 3) if suggestions else 0.0,
        recall=round(len(recalled) / len(spans), 3) if spans else 0.0,
        speaker_accuracy=round(right_speaker / matched, 3) if matched else 0.0,
    )


def main() -> int:
    scores = [evaluate(article) for article in [seed_article(), *labelled_articles()]]
    print(f"{'article':28} {'sugg.':>5} {'labels':>6} {'precision':>9} {'recall':>6} {'speaker':>7}")
    for s in scores:
        print(
            f"{s.article:28} {s.suggestions:>5} {s.labels:>6} {s.precision:>9.2f} {s.recall:>6.2f} "
            f"{s.speaker_accuracy:>7.2f}  {'ok' if s.meets_targets() else 'BELOW TARGET'}  {s.url}"
        )
    print("targets: " + ", ".join(f"{name} >= {value}" for name, value in TARGETS.items()))
    return 0 if all(s.meets_targets() for s in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
