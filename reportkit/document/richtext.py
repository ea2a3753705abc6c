"""The rich text of sources: the small HTML subset of CSL-JSON, and nothing else.

Reference managers mark up titles with ``<i>``, ``<b>``, ``<sub>``, ``<sup>``,
``<span class="nocase">`` and ``<span style="font-variant:small-caps;">`` (Zotero
writes them so; the BibTeX reader writes ``\\emph{}`` and friends the same way).
:func:`to_html` turns exactly those tags, when they open and close in order,
into markup for the PDF, EPUB and web page, and escapes every other character;
:func:`to_plain` drops them for plain text (footnote tooltips, metadata, JSON).
Anything else that looks like a tag stays text.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markupsafe import Markup

__all__ = ["has_markup", "to_html", "to_plain"]

# An opening or closing tag of the subset. Group 1: '/', group 2: name, group 3: the span's kind.
_TAG = re.compile(
    r"<(/?)(i|b|sub|sup|sc|span)"
    r"(?:\s+(?:class\s*=\s*\"(nocase|smallcaps)\"|style\s*=\s*\"font-variant:\s*(small-caps);?\"))?\s*>"
)
#: The HTML each tag of the subset becomes: (opening, closing).
_HTML = {
    "i": ("<i>", "</i>"),
    "b": ("<b>", "</b>"),
    "sub": ("<sub>", "</sub>"),
    "sup": ("<sup>", "</sup>"),
    "smallcaps": ('<span class="smallcaps">', "</span>"),
    "nocase": ("", ""),
}


def _kind(match: re.Match[str]) -> str | None:
    """The subset's name of a tag match (``i``, ``smallcaps``...), or None for a span of no known kind."""
    name = match.group(2)
    if name == "sc":
        return "smallcaps"
    if name != "span":
        return name
    if match.group(1):
        return "span"
    if match.group(3):
        return match.group(3)
    return "smallcaps" if match.group(4) else None


@lru_cache(maxsize=4096)
def _pieces(text: str) -> tuple[tuple[str, str], ...]:
    """``text`` as ('text', chars) and ('open'|'close', kind) pieces; unbalanced tags become text."""
    pieces: list[list[str]] = []
    stack: list[tuple[int, str]] = []  # (index in pieces, kind) of open tags
    position = 0
    for match in _TAG.finditer(text):
        if match.start() > position:
            pieces.append(["text", text[position : match.start()]])
        position = match.end()
        kind = _kind(match)
        if kind is None:
            pieces.append(["text", match.group(0)])
        elif not match.group(1):
            stack.append((len(pieces), kind))
            pieces.append(["open", kind])
        else:
            wanted = ("nocase", "smallcaps") if kind == "span" else (kind,)
            if stack and stack[-1][1] in wanted:
                pieces.append(["close", stack.pop()[1]])
            else:
                pieces.append(["text", match.group(0)])
    if position < len(text):
        pieces.append(["text", text[position:]])
    for index, _kind_name in stack:  # never closed: the tag is text
        pieces[index] = ["text", _source_of(pieces[index][1])]
    return tuple((kind, value) for kind, value in pieces)


def _source_of(kind: str) -> str:
    return {"smallcaps": '<span style="font-variant:small-caps;">', "nocase": '<span class="nocase">'}.get(
        kind, f"<{kind}>"
    )


def has_markup(text: str) -> bool:
    """True when ``text`` holds at least one tag of the subset that opens and closes."""
    return "<" in text and any(kind != "text" for kind, _ in _pieces(text))


def to_html(text: str | None) -> Markup:
    """``text`` as safe HTML: the subset's tags as markup, every other character escaped."""
    if not text:
        return Markup("")
    if "<" not in text:
        return Markup(html.escape(text, quote=False))
    out = []
    for kind, value in _pieces(text):
        if kind == "text":
            out.append(html.escape(value, quote=False))
        else:
            out.append(_HTML[value][0 if kind == "open" else 1])
    return Markup("".join(out))


def to_plain(text: str | None) -> str:
    """``text`` with the subset's tags dropped (for plain text)."""
    if not text:
        return ""
    if "<" not in text:
        return text
    return "".join(value for kind, value in _pieces(text) if kind == "text")
