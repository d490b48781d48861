"""Teasers that rotate between visits ("Also on…", related stories, "Most read") are not a change of
the article (issue 13, point 4)."""

import pytest

from sources import checking, content
from sources.models import SourceSnapshot
from tests.factories import SourceFactory
from tests.sources.checking_support import ARTICLE_PARAGRAPHS, page_url

pytestmark = pytest.mark.django_db

FIRST = ["Storm hits coast as thousands evacuate", "Minister resigns over expenses", "Club sold to investors"]
LATER = ["Election date set for spring", "New vaccine approved by regulators", "Band splits after 30 years"]


def _page(teasers: list[str]) -> str:
    before = "\n".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS[:3])
    after = "\n".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS[3:])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Leaders meet in Paris</title></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Leaders meet in Paris on Ukraine</h1>{before}
<p><em>Also on Example News: <a href="/s/1">{teasers[0]}</a></em></p>
<ul class="story-list"><li><a href="/s/2">{teasers[1]}</a></li><li><a href="/s/3">{teasers[2]}</a></li></ul>
<p><strong>Read more:</strong> <a href="/s/4">{teasers[1]}</a></p>
{after}</article>
<aside><h2>Most read</h2><ol>{"".join(f'<li><a href="/m/{n}">{t}</a></li>' for n, t in enumerate(teasers))}</ol></aside>
<footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"""


def test_inline_teasers_do_not_change_the_fingerprint():
    first = content.read_page(_page(FIRST), url="https://news.example.org/a").main
    later = content.read_page(_page(LATER), url="https://news.example.org/a").main

    assert content.fingerprint(first) == content.fingerprint(later)
    assert not content.is_material_change(first, later)


def test_a_page_whose_teasers_rotated_is_not_flagged_as_changed(news_server):
    news_server.add("/paris", body=_page(FIRST))
    source = SourceFactory(url=page_url(news_server, "/paris"))
    checking.source_check(source_id=source.pk)
    news_server.add("/paris", body=_page(LATER))

    check = checking.source_check(source_id=source.pk)

    assert check.text_changed is False
    assert SourceSnapshot.objects.filter(source=source).count() == 1
    source.refresh_from_db()
    assert source.health == "ok"


def test_a_real_edit_next_to_the_teasers_still_counts(news_server):
    news_server.add("/paris", body=_page(FIRST))
    source = SourceFactory(url=page_url(news_server, "/paris"))
    checking.source_check(source_id=source.pk)
    news_server.add("/paris", body=_page(LATER).replace("Poland said it would not", "Poland said it might"))

    check = checking.source_check(source_id=source.pk)

    assert check.text_changed is True
