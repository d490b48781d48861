"""Realistic news article pages for the source-check benchmark (`make bench-checks`, bench/profile_check.py).

Built like the article pages of large news sites as they are served (before any script runs): a head
with OpenGraph, Twitter and JSON-LD (NewsArticle with articleBody), preload links and inline styles;
a header with a mega-menu of sections, a cookie banner, ad slots with their loader scripts, a
~15,000-character article (headline, standfirst, byline, lead image with caption, body paragraphs
with inline links and pull quotes, an embedded tweet, a gallery), a "Most read" list and "Related"
teasers, a newsletter box, a comments placeholder, a long footer and several inline scripts with
JSON state. About 80–90 KB of markup, of which about 15,000 characters are the article's text.

The text is written from a deterministic mix of sentences about European defence (seeded by the
page's host), so each page is different and none repeats a paragraph. `version` changes one body
paragraph (a silent edit) and the teasers (which rotate on real sites on every request).
"""

from __future__ import annotations

import html
import json
import random

SUBJECTS = [
    "The British prime minister",
    "Germany's chancellor",
    "The French president",
    "Poland's prime minister",
    "The Nato secretary general",
    "Italy's prime minister",
    "The Danish prime minister",
    "The president of the European Commission",
    "Spain's foreign minister",
    "A senior European diplomat",
    "The Dutch defence minister",
    "Several officials present at the talks",
]
VERBS = [
    "said on Monday that",
    "told reporters after the meeting that",
    "argued in a statement that",
    "warned during the session that",
    "insisted in an interview that",
    "acknowledged late on Monday that",
    "suggested in private remarks that",
    "confirmed to journalists that",
]
CLAUSES = [
    "Europe must spend considerably more on its own defence in the coming years",
    "any ceasefire would need credible security guarantees backed by the United States",
    "troops could be deployed only after a lasting peace agreement had been signed",
    "the debate about peacekeepers was premature while the fighting continued",
    "there could be no negotiations about Ukraine without Ukraine at the table",
    "the continent had to prepare for a long period of instability on its eastern flank",
    "joint procurement of air defence systems should be financed through common borrowing",
    "the sanctions against Russia would remain in place until a settlement was reached",
    "logistics hubs in Poland and Romania would be expanded over the next eighteen months",
    "the defence industry needed long-term orders to increase its production of ammunition",
    "parliaments would have to approve any deployment of soldiers outside the alliance",
    "the meeting had shown a degree of unity that few had expected a week earlier",
    "frozen Russian assets could be used to finance the reconstruction of Ukraine",
    "a reassurance force would be based away from the front line, mostly in the west of the country",
    "the United States had not yet said whether it would provide air cover for such a force",
    "Europe's response had been too slow and too fragmented for too long",
]
TAILS = [
    "",
    ", according to people familiar with the discussions",
    ", a position that several capitals are likely to resist",
    ", although no decision was taken",
    ", echoing remarks made in Munich last week",
    ", without giving further details",
]
SECTIONS = [
    "World",
    "Europe",
    "UK",
    "US & Canada",
    "Business",
    "Markets",
    "Climate",
    "Technology",
    "Science",
    "Health",
    "Culture",
    "Sport",
    "Opinion",
    "Investigations",
    "Video",
    "Podcasts",
]
TEASERS = [
    "Live: the latest on the talks in Paris",
    "What would a European reassurance force look like?",
    "Five charts that explain Europe's defence spending",
    "Analysis: why Warsaw says no to sending troops",
    "Inside the Élysée: how the summit came together in 48 hours",
    "The long road to a ceasefire: a timeline",
    "Markets rally as defence stocks hit record highs",
    "Opinion: Europe's moment of truth has arrived",
    "Who is who at the Paris meeting",
    "Explainer: security guarantees and what they mean",
    "Podcast: the week that shook the transatlantic alliance",
    "Fact check: claims about troop numbers in Ukraine",
]


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAUSES)}{rng.choice(TAILS)}."


def article_paragraphs(seed: str, *, chars: int = 15_000) -> list[str]:
    """Body paragraphs of about `chars` characters in all, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - benchmark text, not security
    paragraphs: list[str] = []
    total = 0
    while total < chars:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(3, 5)))
        paragraphs.append(paragraph)
        total += len(paragraph) + 1
    return paragraphs


def _script_state(rng: random.Random) -> str:
    state = {
        "page": {"type": "article", "section": "world/europe", "ads": [f"slot-{i}" for i in range(60)]},
        "user": {"loggedIn": False, "consent": None},
        "experiments": {f"exp_{i}": rng.choice(["a", "b", "control"]) for i in range(80)},
        "config": {"cdn": "https://static.example-news.test", "apiBase": "/api/v3", "release": "2025.02.17-4"},
    }
    return "window.__PRELOADED_STATE__ = " + json.dumps(state) + ";"


def article_page(host: str, *, version: int = 1, request: int = 0) -> str:
    """One article page; `version` 2+ edits one paragraph. The teasers, "Most read" and the scripts'
    state change with `request`, as on real sites where no two responses are the same bytes."""
    rng = random.Random(f"{host}-layout-{request}")  # noqa: S311
    paragraphs = article_paragraphs(host)
    if version > 1:
        paragraphs[len(paragraphs) // 2] = (
            f"In a correction published on {host}, the newspaper said an earlier version of this article "
            "had misstated the number of countries ready to send troops."
        )
    title = "Europe's leaders meet in Paris as US and Russia prepare to talk about Ukraine"
    standfirst = "Starmer says Britain is ready to put troops on the ground; Scholz calls the debate premature"
    body_html = []
    for index, paragraph in enumerate(paragraphs):
        escaped = html.escape(paragraph)
        if index % 4 == 1:
            words = escaped.split(" ")
            words[3] = f'<a href="/world/europe/{index}" data-link-name="in body link">{words[3]}</a>'
            escaped = " ".join(words)
        body_html.append(f'<p class="article-body__paragraph">{escaped}</p>')
        if index == 5:
            body_html.append(
                '<aside class="pullquote"><blockquote><p>“We are ready and willing to play our part.”</p>'
                "</blockquote></aside>"
            )
        if index == 8:
            body_html.append(
                '<figure class="embed embed--twitter"><blockquote class="twitter-tweet"><p lang="en">Leaders '
                "arriving at the Élysée for the meeting on Ukraine.</p>— Example Reporter (@reporter) "
                '<a href="https://twitter.com/x/status/1">February 17, 2025</a></blockquote>'
                '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script></figure>'
            )
        if index % 6 == 3:
            body_html.append(
                f'<div class="ad-slot ad-slot--inline" id="inline-{index}" data-ad-format="mpu">'
                f'<p class="ad-slot__label">Advertisement</p><script>window.ads.push("inline-{index}")</script></div>'
            )
    teasers = rng.sample(TEASERS, 6)
    most_read = rng.sample(TEASERS, 5)
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "description": standfirst,
        "datePublished": "2025-02-17T18:30:00+01:00",
        "dateModified": "2025-02-17T21:05:00+01:00",
        "inLanguage": "en-GB",
        "author": [{"@type": "Person", "name": "Jane Reporter"}, {"@type": "Person", "name": "Tom Correspondent"}],
        "publisher": {"@type": "NewsMediaOrganization", "name": "Example News", "logo": {"url": "/logo.png"}},
        "mainEntityOfPage": f"https://{host}/world/europe/leaders-paris-ukraine",
        "articleBody": "\n".join(paragraphs),
    }
    nav = "".join(
        f'<li class="menu__item"><a href="/{s.lower().replace(" ", "-")}">{html.escape(s)}</a>'
        f'<ul class="submenu">{"".join(f"<li><a href=/{s.lower()}/{i}>{s} {i}</a></li>" for i in range(6))}</ul></li>'
        for s in SECTIONS
    )
    styles = "".join(f".c{i}{{margin:{i}px;padding:{i % 7}px;color:#{i:03x}}}" for i in range(300))
    teaser_html = "".join(
        f'<li class="teaser"><a href="/related/{i}"><img src="/img/t{i}.jpg" alt="" loading="lazy">'
        f'<span class="teaser__kicker">Related</span><h3 class="teaser__title">{html.escape(t)}</h3></a></li>'
        for i, t in enumerate(teasers)
    )
    most_read_html = "".join(f'<li><a href="/most-read/{i}">{html.escape(t)}</a></li>' for i, t in enumerate(most_read))
    footer_links = "".join(f'<li><a href="/about/{i}">Footer link {i}</a></li>' for i in range(40))
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{html.escape(title)} | Example News</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{html.escape(standfirst)}">
<meta property="og:title" content="{html.escape(title)}"><meta property="og:type" content="article">
<meta property="og:site_name" content="Example News"><meta property="og:locale" content="en_GB">
<meta property="article:published_time" content="2025-02-17T18:30:00+01:00">
<meta name="twitter:card" content="summary_large_image"><meta name="twitter:site" content="@examplenews">
<link rel="canonical" href="https://{host}/world/europe/leaders-paris-ukraine">
<link rel="preload" href="/fonts/serif.woff2" as="font" crossorigin>
<style>{styles}</style>
<script type="application/ld+json">{json.dumps(jsonld)}</script>
<script>{_script_state(rng)}</script>
<script async src="https://securepubads.example-ads.test/tag/js/gpt.js"></script>
</head><body class="article-page">
<div id="cookie-banner" role="dialog"><p>We use cookies to improve your experience and to show you personalised
advertising. <a href="/cookies">Manage preferences</a></p><button>Accept all</button><button>Reject all</button></div>
<header class="site-header"><a class="logo" href="/">Example News</a>
<nav class="menu" aria-label="Sections"><ul>{nav}</ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search"><button>Search</button></form></header>
<div class="ad-slot ad-slot--leaderboard" id="top"><p>Advertisement</p><script>window.ads=window.ads||[];
window.ads.push("top")</script></div>
<main id="content"><article class="article">
<nav class="breadcrumbs"><a href="/world">World</a> › <a href="/world/europe">Europe</a></nav>
<h1 class="article__headline">{html.escape(title)}</h1>
<p class="article__standfirst">{html.escape(standfirst)}</p>
<div class="article__byline">By <a href="/profile/jane">Jane Reporter</a> and <a href="/profile/tom">Tom
Correspondent</a> in Paris · <time datetime="2025-02-17T18:30:00+01:00">Mon 17 Feb 2025 18.30 CET</time></div>
<figure class="article__lead"><img src="/img/elysee.jpg" alt="Leaders at the Élysée" width="1200" height="675">
<figcaption>Leaders arrive at the Élysée Palace for the emergency meeting. Photograph: Example Agency</figcaption>
</figure>
<div class="article__share"><a href="#">Share on Facebook</a><a href="#">Share on X</a><a href="#">Email</a></div>
<div class="article__body">
{chr(10).join(body_html)}
</div>
<div class="gallery"><figure><img src="/img/g1.jpg" alt=""><figcaption>Emmanuel Macron greets the Nato secretary
general.</figcaption></figure><figure><img src="/img/g2.jpg" alt=""><figcaption>Mette Frederiksen speaks to the
press.</figcaption></figure></div>
<div class="newsletter"><h2>Sign up to our Europe newsletter</h2><p>The stories that matter, in your inbox every
morning.</p><form><input type="email" placeholder="Email address"><button>Sign up</button></form></div>
<div id="comments" data-discussion="/discussion/123"><h2>Comments</h2><p>Loading comments…</p></div>
</article>
<aside class="related"><h2>Related</h2><ul>{teaser_html}</ul></aside>
<aside class="most-read"><h2>Most read</h2><ol>{most_read_html}</ol></aside>
</main>
<footer class="site-footer"><ul>{footer_links}</ul><p>© 2025 Example News Ltd. All rights reserved.
Registered in England and Wales.</p></footer>
<script>{_script_state(random.Random(host))}</script>
<script src="/static/js/app.4f9c2.js" defer></script>
</body></html>"""


def cited_excerpts(host: str) -> list[str]:
    """Three excerpts cited from the page: two sentences of its body and one from its standfirst."""
    paragraphs = article_paragraphs(host)
    first = paragraphs[1].split(". ")[0]
    later = paragraphs[-3].split(". ")[1] if ". " in paragraphs[-3] else paragraphs[-3]
    return [first, later.rstrip("."), "Starmer says Britain is ready to put troops on the ground"]
