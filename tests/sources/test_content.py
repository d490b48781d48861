"""Tests for sources.content (Django-independent text utilities)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

import pytest

from sources.content import (
    DiffLine,
    PageMetadata,
    QuoteMatch,
    extract_main_text,
    extract_metadata,
    fingerprint,
    is_material_change,
    normalise_text,
    normalise_with_map,
    stable_text,
    text_diff,
    unified_diff,
    verify_excerpt,
)

FIXTURES = Path(__file__).parent / "fixtures"

STARMER = (
    "British Prime Minister Starmer has stated that the UK is willing to send troops to "
    "Ukraine if necessary, but emphasized the importance of a continued US security "
    "guarantee in deterring Russian aggression."
)
KELLOGG = "Keith Kellogg, Trump\u2019s appointed Ukraine envoy, has been vocal in labeling Russia as the enemy"

ARTICLE = (
    "According to multiple officials, there is a general consensus among European leaders "
    "that any response to the US request should be collective, rather than individual. "
    f"{STARMER}\n"
    "Former Finnish Prime Minister Stubb expressed hope that the outcome of discussions in "
    "Paris would align with American interests, allowing for increased European involvement "
    "in the region.\n"
    f"{KELLOGG}, garnering support from European officials. However, there are concerns "
    "that his views may not be shared by the rest of the team.\n"
)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# extract_main_text
# ---------------------------------------------------------------------------


def test_extract_main_text_returns_article_body_without_nav_footer_or_related_links():
    text = extract_main_text(fixture("article_v1.html"), url="https://news.example.com/a")

    assert STARMER in text
    assert KELLOGG in text
    assert text.startswith("European leaders meet in Paris")
    for boilerplate in (
        "Politics",
        "Subscribe to our print edition",
        "Celebrity chef",
        "gardening tips",
        "Sign up for our newsletter",
        "All rights reserved",
        "Contact the newsroom team",
    ):
        assert boilerplate not in text


def test_extract_main_text_keeps_paragraphs_on_separate_lines():
    lines = extract_main_text(fixture("article_v1.html")).splitlines()

    assert any(line.startswith("Meanwhile, Trump\u2019s decision") for line in lines)
    assert any(line.startswith("Keith Kellogg") for line in lines)


def test_extract_main_text_passes_plain_text_through():
    body = "First paragraph with 3 < 4 maths.\r\n\r\n\r\nSecond   paragraph.  \n"

    assert extract_main_text(body) == "First paragraph with 3 < 4 maths.\n\nSecond paragraph."


def test_extract_main_text_falls_back_to_plain_strip_for_tiny_pages():
    html = (
        "<html><head><style>p {color: red}</style><script>var x = 1;</script></head>"
        "<body><nav>Home | World</nav><p>Short statement.</p><footer>Footer</footer></body></html>"
    )

    assert extract_main_text(html) == "Short statement."


def test_extract_main_text_of_empty_input_is_empty():
    assert extract_main_text("") == ""
    assert extract_main_text("   \n ") == ""


# ---------------------------------------------------------------------------
# normalise_text / normalise_with_map
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u2018single\u2019 \u201ados\u201b", "'single' 'dos'"),
        ("\u201cdouble\u201d \u201elow\u201f \u00abguillemets\u00bb", '"double" "low" "guillemets"'),
        ("5\u2032 10\u2033", "5' 10\""),
        ("a\u2010b\u2011c\u2012d\u2013e\u2014f\u2015g\u2212h", "a-b-c-d-e-f-g-h"),
        ("wait\u2026 what", "wait... what"),
        ("  lots\u00a0of \t\n\u2009spaces\u202f\u3000here  ", "lots of spaces here"),
        ("zero\u200bwidth\u200d\ufeffjoin\u00adery", "zerowidthjoinery"),
        ("STRASSE Stra\u00dfe", "strasse strasse"),
        ("\ufb01nance \uff21\uff22", "finance ab"),
        ("cafe\u0301 caf\u00e9", "caf\u00e9 caf\u00e9"),
    ],
)
def test_normalise_text_folds_typography_whitespace_and_case(raw, expected):
    assert normalise_text(raw) == expected


def test_normalise_with_map_points_each_character_back_to_its_source():
    raw = "  Trump\u2019s \u201cenemy\u201d \u2014\u00a0Kellogg\u2026"
    norm, index_map = normalise_with_map(raw)

    assert norm == 'trump\'s "enemy" - kellogg...'
    assert len(index_map) == len(norm)
    assert index_map == sorted(index_map)
    assert raw[index_map[norm.index("'")]] == "\u2019"
    assert raw[index_map[norm.index('"')]] == "\u201c"
    assert raw[index_map[norm.index("-")]] == "\u2014"
    assert raw[index_map[norm.index("k")]] == "K"
    # The three dots all come from the single ellipsis character.
    assert {raw[i] for i in index_map[-3:]} == {"\u2026"}
    assert norm == normalise_text(raw)


# ---------------------------------------------------------------------------
# stable_text / fingerprint / diffs
# ---------------------------------------------------------------------------


def test_article_edited_between_checks_changes_fingerprint_and_diff_shows_changed_sentence():
    before = extract_main_text(fixture("article_v1.html"))
    after = extract_main_text(fixture("article_v2.html"))

    assert fingerprint(before) != fingerprint(after)
    assert is_material_change(before, after) is True

    diff = text_diff(before, after, ignore_volatile=True)
    removed = [line.text for line in diff if line.kind == "removed"]
    added = [line.text for line in diff if line.kind == "added"]
    assert removed == [STARMER]
    assert added == [
        "British Prime Minister Starmer has said the UK could put troops on the ground in "
        "Ukraine as part of a peace deal, but only with a US security backstop."
    ]
    # Unchanged neighbouring sentences are reported as equal, in order.
    equal = [line.text for line in diff if line.kind == "equal"]
    assert KELLOGG + ", garnering support from European officials." in equal


def test_text_diff_reports_timestamp_edits_unless_volatile_changes_are_ignored():
    before = extract_main_text(fixture("article_v1.html"))
    after = extract_main_text(fixture("article_v2.html"))

    raw = [(line.kind, line.text) for line in text_diff(before, after) if line.kind != "equal"]
    assert ("removed", "Updated 12:34 GMT, 17 February 2025") in raw
    assert ("added", "Updated 18:02 GMT, 17 February 2025") in raw

    quiet = text_diff(before, after, ignore_volatile=True)
    assert all("Updated" not in line.text for line in quiet)


def test_unified_diff_marks_changed_sentence_with_minus_and_plus():
    before = extract_main_text(fixture("article_v1.html"))
    after = extract_main_text(fixture("article_v2.html"))

    diff = unified_diff(before, after, context=0)

    assert diff.startswith("--- before\n+++ after\n")
    assert f"\n-{STARMER}" in diff
    assert "\n+British Prime Minister Starmer has said the UK could put troops" in diff
    assert KELLOGG not in diff  # unchanged and outside the zero-line context


def test_unified_diff_of_identical_snapshots_is_empty():
    assert unified_diff(ARTICLE, ARTICLE) == ""


def test_same_article_with_only_whitespace_timestamp_and_cookie_banner_changes_keeps_fingerprint():
    before = extract_main_text(fixture("article_v1.html"))
    after = extract_main_text(fixture("article_v1_noisy.html"))

    assert before != after  # the pages really do differ (timestamp line)
    assert fingerprint(before) == fingerprint(after)
    assert is_material_change(before, after) is False


def test_fingerprint_ignores_whitespace_and_rewrapping():
    rewrapped = "  " + ARTICLE.replace(". ", ".\n\n   ").replace(" the ", " \t the  ")

    assert fingerprint(rewrapped) == fingerprint(ARTICLE)


def test_fingerprint_ignores_boilerplate_lines():
    noisy = "\n".join(
        [
            "We use cookies to give you the best experience. By continuing to browse you accept our cookie policy.",
            "Accept all",
            "Sign up for our newsletter",
            "Share this article",
            ARTICLE,
            "Advertisement",
            "Read more: Ten things you missed this week",
            "\u00a9 2025 Example News Ltd",
            "Copyright 2025 Example Media Group. All rights reserved.",
        ]
    )

    assert fingerprint(noisy) == fingerprint(ARTICLE)


@pytest.mark.parametrize(
    ("old_stamp", "new_stamp"),
    [
        ("Updated 12:34 GMT, 3 March 2025", "Updated 09:02 GMT, 4 March 2025"),
        ("Published 2 hours ago", "Published 5 hours ago"),
        ("Last modified: 2025-02-18T10:00:00Z", "Last modified: 2025-02-19T08:30:12+01:00"),
        ("Feb. 18, 2025 at 6:05 p.m. ET", "Feb. 19, 2025 at 10:00 a.m. ET"),
        ("Tuesday 18 February 2025 14.00 GMT", "Wednesday 19 February 2025 09.30 GMT"),
        ("18/02/2025", "19/02/2025"),
        ("Updated 12:34 GMT, 3 March 2025", ""),
    ],
)
def test_fingerprint_ignores_timestamp_changes(old_stamp, new_stamp):
    old = f"{old_stamp}\n{ARTICLE}"
    new = f"{new_stamp}\n{ARTICLE}" if new_stamp else ARTICLE

    assert fingerprint(old) == fingerprint(new)


def test_fingerprint_ignores_date_inside_byline_line():
    old = f"By Jane Reporter | Feb. 18, 2025\n{ARTICLE}"
    new = f"By Jane Reporter | Feb. 19, 2025\n{ARTICLE}"

    assert fingerprint(old) == fingerprint(new)


def test_fingerprint_changes_for_a_single_reworded_word():
    edited = ARTICLE.replace("if necessary", "if asked")

    assert fingerprint(edited) != fingerprint(ARTICLE)
    assert is_material_change(ARTICLE, edited) is True


def test_fingerprint_ignores_quote_and_dash_style():
    assert fingerprint("Trump\u2019s \u201cdeal\u201d \u2014 maybe") == fingerprint('Trump\'s "deal" - maybe')


def test_fingerprint_is_sha256_hex_of_stable_text():
    import hashlib

    digest = fingerprint(ARTICLE)

    assert len(digest) == 64
    assert digest == hashlib.sha256(stable_text(ARTICLE).encode()).hexdigest()


def test_stable_text_keeps_content_lines_that_mention_cookies_or_sharing():
    content = (
        "The minister said the government would share intelligence with Kyiv and would not "
        "accept any deal that rewarded aggression, adding that allies must stop treating "
        "security like a bake sale of cookies and promises, which voters had long since tired "
        "of hearing about from their leaders in every capital across the continent this year."
    )

    assert stable_text(content) == normalise_text(content)


def test_stable_text_drops_updated_line_but_keeps_article():
    stable = stable_text("Updated 12:34 GMT, 3 March 2025\n" + STARMER)

    assert stable == normalise_text(STARMER)


def test_text_diff_lines_are_frozen_and_render_like_unified_diff():
    diff = text_diff("One sentence. Two sentence.", "One sentence. Three sentence.")

    assert diff == [
        DiffLine("equal", "One sentence.", 0),
        DiffLine("removed", "Two sentence.", 0),
        DiffLine("added", "Three sentence.", 0),
    ]
    assert [str(line) for line in diff] == ["  One sentence.", "- Two sentence.", "+ Three sentence."]
    with pytest.raises(dataclasses.FrozenInstanceError):
        diff[0].text = "x"  # type: ignore[misc]


def test_text_diff_does_not_split_sentences_at_abbreviations():
    old = "Mr. Starmer met U.S. officials on Feb. 18. They talked."
    diff = text_diff(old, old)

    assert [line.text for line in diff] == ["Mr. Starmer met U.S. officials on Feb. 18.", "They talked."]


def test_text_diff_ignores_typographic_only_changes():
    diff = text_diff(KELLOGG + ".", KELLOGG.replace("\u2019", "'") + ".")

    assert [line.kind for line in diff] == ["equal"]


# ---------------------------------------------------------------------------
# verify_excerpt
# ---------------------------------------------------------------------------


def test_excerpt_with_curly_quotes_and_en_dash_present_in_text_with_straight_ones():
    text = 'He said: "We won\'t back down - not now, not ever." The crowd cheered.'
    excerpt = "\u201cWe won\u2019t back down \u2013 not now, not ever.\u201d"

    match = verify_excerpt(excerpt, text)

    assert match.status == "present"
    assert match.score == 100.0
    assert match.matched_passage == '"We won\'t back down - not now, not ever."'
    assert text[match.start : match.end] == match.matched_passage


def test_excerpt_with_straight_apostrophe_present_in_text_with_curly_one():
    excerpt = "Keith Kellogg, Trump's appointed Ukraine envoy, has been vocal in labeling Russia as the enemy"

    match = verify_excerpt(excerpt, ARTICLE)

    assert match.status == "present"
    assert match.matched_passage == KELLOGG
    assert ARTICLE[match.start : match.end] == KELLOGG


def test_excerpt_with_curly_apostrophe_present_verbatim():
    match = verify_excerpt(KELLOGG, ARTICLE)

    assert match.status == "present"
    assert match.matched_passage == KELLOGG


def test_excerpt_differing_in_case_and_whitespace_is_present():
    excerpt = "  the UK is   WILLING to send\ntroops to Ukraine  "

    match = verify_excerpt(excerpt, ARTICLE)

    assert match.status == "present"
    assert match.matched_passage == "the UK is willing to send troops to Ukraine"


def test_starmer_sentence_is_present_in_seed_style_article():
    match = verify_excerpt(STARMER, ARTICLE)

    assert match == QuoteMatch("present", 100.0, STARMER, ARTICLE.index(STARMER), ARTICLE.index(STARMER) + len(STARMER))


def test_slightly_reworded_excerpt_is_altered_and_points_at_the_original_passage():
    reworded = (
        "British Prime Minister Starmer said that the UK is willing to send troops to Ukraine "
        "if needed, but emphasised the importance of a continued US security guarantee in "
        "deterring Russian aggression."
    )

    match = verify_excerpt(reworded, ARTICLE, threshold=85.0)

    assert match.status == "altered"
    assert 85.0 <= match.score < 100.0
    assert match.matched_passage == STARMER
    assert ARTICLE[match.start : match.end] == STARMER


def test_reworded_excerpt_without_final_period_matches_passage_without_period():
    reworded = "Keith Kellogg, Trump's appointed envoy for Ukraine, has been vocal in labelling Russia as the enemy"

    match = verify_excerpt(reworded, ARTICLE)

    assert match.status == "altered"
    assert match.matched_passage == KELLOGG
    assert ARTICLE[match.start : match.end] == KELLOGG


def test_threshold_decides_between_altered_and_missing():
    reworded = STARMER.replace("if necessary", "if asked by Kyiv")

    lenient = verify_excerpt(reworded, ARTICLE, threshold=80.0)
    strict = verify_excerpt(reworded, ARTICLE, threshold=99.0)

    assert lenient.status == "altered"
    assert strict.status == "missing"
    assert strict.score == lenient.score


def test_unrelated_excerpt_is_missing():
    match = verify_excerpt(
        "The central bank raised interest rates by half a percentage point to curb inflation.",
        ARTICLE,
    )

    assert match.status == "missing"
    assert match.score < 85.0
    assert match.matched_passage == ""
    assert match.start is None and match.end is None
    assert match.found is False


def test_excerpt_with_ellipsis_gap_is_present_when_pieces_occur_in_order():
    for excerpt in (
        "the UK is willing ... if necessary",
        "the UK is willing \u2026 if necessary",
        "the UK is willing [...] if necessary",
    ):
        match = verify_excerpt(excerpt, ARTICLE)

        assert match.status == "present", excerpt
        assert match.matched_passage == "the UK is willing to send troops to Ukraine if necessary"
        assert ARTICLE[match.start : match.end] == match.matched_passage


def test_excerpt_with_ellipsis_gap_in_wrong_order_is_not_present():
    match = verify_excerpt("if necessary ... the UK is willing", ARTICLE)

    assert match.status != "present"


def test_excerpt_with_ellipsis_gap_and_missing_piece_is_missing():
    match = verify_excerpt("the UK is willing ... to annex Greenland by force next spring", ARTICLE)

    assert match.status == "missing"


def test_excerpt_with_leading_and_trailing_ellipsis_is_present():
    match = verify_excerpt("\u2026has been vocal in labeling Russia as the enemy\u2026", ARTICLE)

    assert match.status == "present"
    assert match.matched_passage == "has been vocal in labeling Russia as the enemy"


def test_offsets_map_back_exactly_through_nbsp_zero_width_and_ellipsis_characters():
    text = (
        "Intro\u00a0text.\u200b  Keith\u00a0Kellogg, Trump\u2019s appointed Ukraine envoy, "
        "has been vocal\u2026 in labeling Russia as the \u201cenemy\u201d \u2014 officials said.  "
    )
    excerpt = (
        'Kellogg, Trump\'s appointed Ukraine envoy, has been vocal... in labeling Russia as the "enemy" - officials'
    )

    match = verify_excerpt(excerpt, text)

    assert match.status == "present"
    assert text[match.start : match.end] == match.matched_passage
    assert match.matched_passage == (
        "Kellogg, Trump\u2019s appointed Ukraine envoy, has been vocal\u2026 in labeling Russia "
        "as the \u201cenemy\u201d \u2014 officials"
    )


def test_offsets_map_back_exactly_for_altered_match_after_expanding_characters():
    text = "\ufb01rst \u2026 Stra\u00dfe words. " + STARMER + " Trailing words."
    reworded = STARMER.replace("has stated", "stated").replace("if necessary", "if needed")

    match = verify_excerpt(reworded, text)

    assert match.status == "altered"
    assert match.matched_passage == STARMER
    assert text[match.start : match.end] == STARMER


def test_empty_excerpt_or_text_is_missing():
    assert verify_excerpt("", ARTICLE).status == "missing"
    assert verify_excerpt("...", ARTICLE).status == "missing"
    assert verify_excerpt(STARMER, "").status == "missing"


def test_quote_match_is_frozen():
    match = verify_excerpt(STARMER, ARTICLE)

    with pytest.raises(dataclasses.FrozenInstanceError):
        match.status = "missing"  # type: ignore[misc]


def test_verify_excerpt_is_fast_on_a_50k_character_article():
    filler = fixture("long_filler.txt")
    text = (filler * (50_000 // len(filler) + 1))[:50_000]
    text = text[:40_000] + " " + STARMER + " " + text[40_000:]
    reworded = STARMER.replace("has stated", "said").replace("emphasized", "stressed")
    unrelated = "The central bank raised interest rates by half a percentage point to curb inflation. " * 3

    started = time.perf_counter()
    altered = verify_excerpt(reworded, text)
    missing = verify_excerpt(unrelated, text)
    elapsed = time.perf_counter() - started

    assert altered.status == "altered"
    assert altered.matched_passage == STARMER
    assert missing.status == "missing"
    assert elapsed < 1.0


# ---------------------------------------------------------------------------
# extract_metadata
# ---------------------------------------------------------------------------


def test_metadata_from_jsonld_graph_wins_over_opengraph_meta_and_title():
    meta = extract_metadata(fixture("meta_jsonld_graph.html"), url="https://times.example.org/politics/x?utm=1")

    assert meta == PageMetadata(
        title="Starmer says UK ready to send troops to Ukraine & calls for US backstop",
        publisher="Example Times",
        author="Alice Byline, Bob Correspondent",
        published_on=dt.date(2025, 2, 16),
        # trafilatura takes an absolute canonical link only; this page's is relative.
        canonical_url="https://times.example.org/politics/x?utm=1",
        language="en-GB",
        published_precision="day",
    )


def test_metadata_from_opengraph_wins_over_meta_and_title():
    meta = extract_metadata(fixture("meta_opengraph.html"))

    assert meta.title == "Macron hosts emergency meeting on Ukraine"
    assert meta.publisher == "Le Journal Exemple"
    # The profile-URL article:author is skipped; trafilatura lists every named author the tags give.
    assert meta.author == "Claire Dupont, Meta Author Loses"
    assert meta.published_on == dt.date(2025, 2, 17)
    assert meta.published_precision == "day"
    assert meta.canonical_url == "https://journal.example.fr/europe/macron-ukraine"
    assert meta.language == "fr-FR"


def test_metadata_from_citation_and_dc_meta_tags():
    meta = extract_metadata(fixture("meta_tags.html"), url="https://institute.example.org/papers/42")

    assert meta.title == "Security Guarantees for Ukraine: Options for Europe"
    # trafilatura reads citation_author's "Last, First" as written, and not citation_publisher: no host name
    # is offered as the publisher instead.
    assert meta.author == "Smith, Anna, Jones, Peter"
    assert meta.publisher is None
    # "2024/11": the month, not a day htmldate would make up.
    assert meta.published_on == dt.date(2024, 11, 1)
    assert meta.published_precision == "month"
    assert meta.language == "en"
    assert meta.canonical_url == "https://institute.example.org/papers/42"


def test_malformed_jsonld_is_ignored():
    meta = extract_metadata(fixture("meta_malformed_jsonld.html"))

    assert meta.title == "Scholz reacts to Paris summit"
    assert meta.author == "Max Mustermann"
    assert meta.published_on == dt.date(2025, 2, 18)
    assert meta.language == "de"
    assert meta.publisher is None


def test_metadata_from_article_fixture():
    meta = extract_metadata(fixture("article_v1.html"))

    assert meta.title == "European leaders meet in Paris as US and Russia begin Ukraine talks"
    assert meta.publisher == "Example News"
    assert meta.author == "Jane Reporter"
    assert meta.published_on == dt.date(2025, 2, 17)
    assert meta.canonical_url == "https://news.example.com/world/europe/european-leaders-paris-ukraine"
    assert meta.language == "en-GB"


def test_title_tag_is_last_resort():
    meta = extract_metadata("<html><head><title>  Only   a title </title></head><body></body></html>")

    assert meta.title == "Only a title"
    assert meta.publisher is None
    assert meta.published_on is None
    assert meta.published_precision is None


def test_jsonld_top_level_list_with_plain_article_and_string_author():
    html = """<html><head>
    <script type="application/ld+json">[
      {"@type": "BreadcrumbList", "itemListElement": []},
      {"@type": "Article", "headline": "Listed article", "author": "Solo Writer",
       "publisher": {"@type": "Organization", "name": "List Publisher"}, "datePublished": "2023"}
    ]</script></head><body></body></html>"""

    meta = extract_metadata(html)

    assert meta.title == "Listed article"
    assert meta.author == "Solo Writer"
    assert meta.publisher == "List Publisher"
    assert meta.published_on == dt.date(2023, 1, 1)
    assert meta.published_precision == "year"


def test_jsonld_article_nested_in_webpage_main_entity():
    html = """<html><head><script type="application/ld+json">
    {"@type": "WebPage", "name": "Page name",
     "mainEntity": {"@type": "NewsArticle", "headline": "Nested headline",
                    "author": {"@type": "Person", "name": "Nested Author"},
                    "datePublished": "2025-02-18"}}
    </script></head><body></body></html>"""

    meta = extract_metadata(html)

    assert meta.title == "Nested headline"
    assert meta.author == "Nested Author"
    assert meta.published_on == dt.date(2025, 2, 18)


def test_unparseable_jsonld_date_falls_back_to_opengraph_date():
    html = """<html><head>
    <meta property="article:published_time" content="2025-02-18T06:00:00Z">
    <script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "sometime soon"}</script>
    </head><body></body></html>"""

    meta = extract_metadata(html)

    assert meta.published_on == dt.date(2025, 2, 18)
    assert meta.published_precision == "day"


def test_metadata_of_empty_document_keeps_given_url():
    assert extract_metadata("", url="https://example.com/a") == PageMetadata(canonical_url="https://example.com/a")


def test_a_date_given_only_in_the_byline_or_the_address_is_found_by_htmldate():
    byline = """<html><head><title>Talks in Paris</title></head><body><article><h1>Talks in Paris</h1>
    <p class="byline">By Jane Reporter, published 17 February 2025</p><p>European leaders met on Monday.</p>
    </article></body></html>"""
    in_address = "<html><head><title>Talks</title></head><body><p>European leaders met on Monday.</p></body></html>"

    assert extract_metadata(byline).published_on == dt.date(2025, 2, 17)
    meta = extract_metadata(in_address, url="https://news.example.org/2025/02/18/talks-in-paris")
    assert (meta.published_on, meta.published_precision) == (dt.date(2025, 2, 18), "day")


def test_no_host_name_is_offered_as_the_publisher():
    meta = extract_metadata(
        "<html><head><title>Talks</title></head><body><p>Text.</p></body></html>",
        url="https://news.example.org/2025/02/18/talks",
    )

    assert meta.publisher is None and meta.title == "Talks"


def test_a_copyright_year_is_no_publication_date():
    page = """<html><head><title>Talks</title></head><body><article><p>European leaders met on Monday.</p>
    </article><footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"""

    assert extract_metadata(page).published_on is None
