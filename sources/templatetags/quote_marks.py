"""Word-level marks between a cited excerpt and the closest passage a check found.

    {% load quote_marks %}
    {{ citation.excerpt|excerpt_marked:check.matched_passage }}   words the page no longer has: <del>
    {{ check.matched_passage|passage_marked:citation.excerpt }}   words the page has instead: <ins>

Every piece of text is escaped before it is wrapped; only our own <del>/<ins> tags are markup.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sources.content.diffing import Marked, word_changes

register = template.Library()


def _render(pieces: Marked, tag: str) -> SafeString:
    out: list[str] = []
    open_ = False
    pending_space = ""
    for text, changed in pieces:
        if text.isspace():
            pending_space += text  # inside a run of changed words the space joins the run
            continue
        if changed and not open_:
            out.append(escape(pending_space) + f"<{tag}>")
            open_ = True
        elif not changed and open_:
            out.append(f"</{tag}>" + escape(pending_space))
            open_ = False
        else:
            out.append(escape(pending_space))
        pending_space = ""
        out.append(escape(text))
    if open_:
        out.append(f"</{tag}>")
    out.append(escape(pending_space))
    return mark_safe("".join(out))  # noqa: S308  (every piece above is escaped)


@register.filter
def excerpt_marked(excerpt: str, passage: str) -> SafeString:
    """The excerpt with the words the passage lacks in <del>."""
    return _render(word_changes(excerpt or "", passage or "")[0], "del")


@register.filter
def passage_marked(passage: str, excerpt: str) -> SafeString:
    """The passage with the words the excerpt lacks in <ins>."""
    return _render(word_changes(excerpt or "", passage or "")[1], "ins")
