"""Content utilities for archived source documents.

Everything in this package is a pure function and independent of Django, so it
can be used from models, management commands, Celery tasks and tests alike.
One module per concern:

* :mod:`.extraction` – :func:`extract_main_text` pulls the article body out of an
  HTML page (trafilatura, with a plain-text fallback).
* :mod:`.normalising` – :func:`normalise_text` / :func:`normalise_with_map`
  produce a comparison form of a text (NFKC, straight quotes, ASCII dashes,
  collapsed whitespace, case folded), the latter with an index map back to the
  original text.
* :mod:`.changes` – :func:`stable_text`, :func:`fingerprint` and
  :func:`is_material_change` tell whether a re-fetched page changed in substance.
* :mod:`.diffing` – :func:`text_diff` and :func:`unified_diff` show editors what
  changed, sentence by sentence.
* :mod:`.quotes` – :func:`verify_excerpt` checks that a citation's excerpt still
  occurs in the source text (``present``), occurs in a slightly reworded form
  (``altered``) or not at all (``missing``).
* :mod:`.reading` – :func:`read_page` and :func:`verify_in_page`: excerpts not in the main
  text are looked for in the fuller text (``articleBody``, visible text); a page too thin to
  judge gives ``unverifiable``, not ``missing``.
* :mod:`.container` – :func:`~.container.locate` and :func:`~.container.digest`: where on a page
  its main text came from, so that an unchanged article is not extracted again.
* :mod:`.pdf` – :func:`read_pdf`: the text of a PDF (pypdf), read like a page.
* :mod:`.metadata` – :func:`extract_metadata` reads title, publisher, author, publication
  date, canonical URL and language with trafilatura's metadata extraction and htmldate,
  the article's JSON-LD node (:mod:`.jsonld`) first.
"""

from sources.content.changes import fingerprint, is_material_change, stable_text
from sources.content.diffing import DiffKind, DiffLine, split_segments, text_diff, unified_diff
from sources.content.extraction import EXTRACTOR_VERSION, extract_main_text, looks_like_html
from sources.content.metadata import PageMetadata, Precision, extract_metadata
from sources.content.normalising import normalise_text, normalise_with_map
from sources.content.pdf import read_pdf
from sources.content.quotes import QuoteMatch, QuoteStatus, verify_excerpt
from sources.content.reading import KnownText, PageReading, read_page, verify_in_page

__all__ = [
    "EXTRACTOR_VERSION",
    "DiffKind",
    "DiffLine",
    "KnownText",
    "PageMetadata",
    "PageReading",
    "Precision",
    "QuoteMatch",
    "QuoteStatus",
    "extract_main_text",
    "extract_metadata",
    "fingerprint",
    "is_material_change",
    "looks_like_html",
    "normalise_text",
    "normalise_with_map",
    "read_page",
    "read_pdf",
    "split_segments",
    "stable_text",
    "text_diff",
    "unified_diff",
    "verify_excerpt",
    "verify_in_page",
]
