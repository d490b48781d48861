"""The text of a PDF source (pypdf), read like a page: fingerprinted, kept in snapshots, and the text its
excerpts are verified against (present / altered / missing), or ``unverifiable`` when it has too little
text to judge by (a scan without a text layer).
"""

from __future__ import annotations

import io
import logging
import re

import pypdf
from pypdf.errors import PyPdfError

from sources.content.extraction import clean_plain_text
from sources.content.reading import PageReading, too_short

__all__ = ["MAX_PDF_PAGES", "read_pdf"]

logger = logging.getLogger(__name__)

#: Pages read at most: a statement or a report, not a whole archive. The fetcher's size limit and the
#: task's time limit stand behind this one.
MAX_PDF_PAGES = 300
# A word split at the end of a line by a hyphen ("secu-\nrity") is one word again; a hyphen before a
# capital or a digit ("Franco-\nGerman", "2024-\n2025") is kept.
_LINE_END_HYPHEN = re.compile(r"(?<=[a-zà-ÿ])-\n(?=[a-zà-ÿ])")


def read_pdf(data: bytes) -> PageReading:
    """The text of a PDF, page after page, as a :class:`PageReading` (``main`` and ``fuller`` alike).

    A PDF that cannot be opened (damaged, encrypted with a password) gives no text and the reason.
    """
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return PageReading(main="", reason="The PDF is protected by a password; it could not be read.")
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        logger.info("A PDF could not be read: %s", error)
        return PageReading(main="", reason=f"The PDF could not be read ({type(error).__name__}).")
    text = clean_plain_text(_LINE_END_HYPHEN.sub("", "\n\n".join(pages)))
    reason = too_short(len(text), 0, document="PDF")
    if reason:
        reason += " It is probably a scan without a text layer."
    return PageReading(main=text, reason=reason)
