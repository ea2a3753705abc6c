"""Where lines and pages must not break: a headline's last words, and a lead-in paragraph and what it introduces.

A title broken at the full width of its column often leaves one word on its last line (the
sample's "Has Russia ever formally applied for NATO / membership?", "… doubled since /
2021?"), which typesetters avoid in display type. WeasyPrint has no ``text-wrap: balance``,
so the print templates set the title through :func:`keep_end`: its last two words, or in a
language written without spaces its last three characters, sit in a ``<span class="keep">``
that ``print/base.css`` sets without a break, and the line breaks before them instead. The
Typst templates balance the title's lines by measuring it (``balanced`` in
``layouts/report/typst/report.typ``).

A paragraph that ends with a colon and is followed by a table, a list, a quotation, a code block or a figure
introduces it (:func:`leads_in`): a page must not fall between them, which left "… as published
at the time:" at the foot of a page and its table on the next. The HTML marks such a paragraph
``class="lead-in"`` (``break-after: avoid`` in print); the Typst tree marks it ``"lead": true``
(a sticky block).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["INTRODUCED", "MAX_TAIL", "TAIL_CHARACTERS", "keep_end", "leads_in", "split_end"]

#: The most characters kept together at a headline's end: a longer tail is left to break, as it could not fit a
#: narrow column (an A5 page's title is about 30 characters wide).
MAX_TAIL = 24
#: Characters kept together at the end of a headline in a language written without spaces (Chinese, Japanese).
TAIL_CHARACTERS = 3
#: Spaces a line may break at: white space but the no-break spaces (U+00A0, U+2007, U+202F), which join words.
_BREAKING_SPACE = r"[^\S\u00a0\u2007\u202f]"
_WORD_BREAKS = re.compile(f"{_BREAKING_SPACE}+")


def _clusters(text: str) -> list[str]:
    """``text`` cut into characters as a reader counts them: combining marks, variation selectors, skin tone
    modifiers and characters joined by a ZERO WIDTH JOINER stay with the character before them."""
    clusters: list[str] = []
    joined = False
    for char in text:
        attach = (joined or char == "\u200d" or unicodedata.category(char) in ("Mn", "Mc", "Me")
                  or "\ufe00" <= char <= "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff")
        if clusters and attach:
            clusters[-1] += char
        else:
            clusters.append(char)
        joined = char == "\u200d"
    return clusters


def _wide(cluster: str) -> bool:
    """Whether ``cluster`` is a wide East Asian character (Han, kana, fullwidth punctuation): lines break between them."""
    return unicodedata.east_asian_width(cluster[0]) in ("W", "F")


def split_end(text: str) -> tuple[str, str]:
    """The headline ``text`` (stripped) as (head, tail), the tail to be set unbroken.

    The tail is the last two words, or the last :data:`TAIL_CHARACTERS` characters when the last word ends in
    wide East Asian characters (either of its last two: "のか？", "吗?"). It is "" when nothing should be kept
    together: one or two words (kept together, the title could not break at all), or a tail longer than
    :data:`MAX_TAIL` characters. No-break spaces join words, as they do in the line breaking.
    """
    text = text.strip()
    breaks = list(_WORD_BREAKS.finditer(text))
    if len(breaks) >= 2:  # three words or more
        end = text[breaks[-2].end() :]
        return (text[: breaks[-2].end()], end) if len(end) <= MAX_TAIL else (text, "")
    last_word = text[breaks[-1].end() :] if breaks else text
    clusters = _clusters(last_word[-4 * TAIL_CHARACTERS :])  # a word's end is enough (a title may be long)
    if len(clusters) > TAIL_CHARACTERS and any(_wide(cluster) for cluster in clusters[-2:]):
        end = "".join(clusters[-TAIL_CHARACTERS:])
        return text[: len(text) - len(end)], end
    return text, ""


def keep_end(text: object) -> Markup:
    """``text`` as HTML (escaped) with the tail of :func:`split_end` in ``<span class="keep">`` (the ``keep_end`` filter)."""
    head, end = split_end(str(text))
    if not end:
        return escape(head)
    return escape(head) + Markup('<span class="keep">') + escape(end) + Markup("</span>")


#: markdown-it tokens that open a block a lead-in paragraph introduces (a paragraph of one image is a figure); a
#: quotation too ("Article 10 reads in part:").
INTRODUCED = frozenset({"table_open", "bullet_list_open", "ordered_list_open", "blockquote_open", "fence", "code_block"})
#: What a lead-in paragraph ends with (after any closing quotes or brackets): a colon, full-width or not.
_LEAD_END = re.compile(r"[:：︓﹕]\W*$")


def leads_in(tokens: Sequence[Token], index: int) -> bool:
    """Whether the ``paragraph_open`` at ``tokens[index]`` introduces the block after it: its text ends with a
    colon, and a table, a list, a quotation, a code block or a figure follows at the same level."""
    opener = tokens[index]
    if opener.type != "paragraph_open" or index + 3 >= len(tokens):
        return False
    inline, after = tokens[index + 1], tokens[index + 3]
    if after.level != opener.level:
        return False
    if after.type not in INTRODUCED and not (after.type == "paragraph_open" and _figure(tokens[index + 4])):
        return False
    texts = [child.content for child in inline.children or () if child.type in ("text", "code_inline")]
    return bool(texts) and bool(_LEAD_END.search(texts[-1].rstrip()))


def _figure(inline: Token) -> bool:
    """Whether a paragraph's inline token holds one image and nothing else (a figure)."""
    children = [c for c in inline.children or () if not (c.type == "text" and not c.content.strip())]
    return len(children) == 1 and children[0].type == "image"
