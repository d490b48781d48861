"""The comparison form of a text, fast on the texts checks read every day (issue 13, point 9)."""

import random
import unicodedata

import pytest

from sources.content import normalising
from sources.content.normalising import comparison_form, normalise_text, normalise_with_spans
from tests.sources.checking_support import ARTICLE_PARAGRAPHS

# Characters that take every branch: ASCII, whitespace of all kinds, combining marks (also after a
# space), zero-width characters, ligatures, curly quotes and dashes, the ellipsis, Hangul.
ALPHABET = list(
    "aeiouAEZ éÉ\u0301\u0308 \t\n\r\u00a0\u2009\u200b\u00adﬁ①²ß\u2018\u201c\u2014\u2026\u00b4İ\u1100\u1161"
    "\u11a8가\u3000\u2028\u0085x.,;'\"-"
)


def _character_by_character(text):
    """The per-character definition (each base character with its combining marks normalised on its
    own; whitespace runs collapsed to one space, none leading or trailing): the oracle."""
    out, starts, ends, pending = [], [], [], None
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        norm = normalising._normalise_cluster(text[i:j])
        if norm and norm.isspace():
            pending = (i, j) if pending is None else (pending[0], j)
        elif norm:
            if pending is not None and out:
                out.append(" ")
                starts.append(pending[0])
                ends.append(pending[1])
            pending = None
            for ch in norm:
                if ch.isspace():
                    ch = " "
                    if out and out[-1] == " ":
                        continue
                out.append(ch)
                starts.append(i)
                ends.append(j)
        i = j
    while out and out[-1] == " ":
        out.pop(), starts.pop(), ends.pop()
    return "".join(out), starts, ends


@pytest.mark.parametrize("seed", range(4))
def test_the_fast_normalisation_gives_the_per_character_result_and_offsets(seed):
    rng = random.Random(seed)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 14))) for _ in range(5000)]
    texts += [" ".join(ARTICLE_PARAGRAPHS), "“Ready — and willing…”  he said.\u00a0\n", "  a\u0301  ", "x \u0301y"]

    for text in texts:
        assert normalising._normalise_spans(text) == _character_by_character(text), repr(text)


def test_a_long_whitespace_run_before_a_combining_mark_is_linear():
    text = " " * 200_000 + "\u0301" + "word " * 10
    normalised, starts, _ = normalise_with_spans(text)
    assert normalised.endswith("word word") and len(starts) == len(normalised)


def test_the_comparison_form_equals_the_normalised_text_on_real_text():
    for text in [*ARTICLE_PARAGRAPHS, "“Ready — and willing…” the ﬁnal word, said Élysée’s ①."]:
        assert comparison_form(text) == normalise_text(text)
