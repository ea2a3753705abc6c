"""The Markdown dialect of fact-check bodies: CommonMark plus tables, citations and image attributes.

Raw HTML is never markup here: with ``html`` off, markdown-it turns ``<script>``
into text. Citations are Pandoc-style ``[@key]``, ``[@a; @b]`` or
``[@a, p. 12]``; this module parses them into ``citation`` tokens whose
``meta["items"]`` lists :class:`CiteItem` values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore, block, normalize
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin

from ..document.model import KEY_PATTERN

__all__ = ["CITATION_HINT", "CiteItem", "cited_keys", "parse", "parse_blocks", "parser"]

_ITEM_RE = re.compile(rf"^\s*@({KEY_PATTERN})\s*(?:,\s*(\S.*?))?\s*$", re.DOTALL)


_CITATION_RE = re.compile(r"\[@[^\]]*\]")


def cited_keys(text: str) -> set[str]:
    """The keys the citations in Markdown ``text`` name (a cheap scan: a superset of what is cited)."""
    keys = set()
    for citation in _CITATION_RE.findall(text):
        for part in citation[1:-1].split(";"):
            match = _ITEM_RE.match(part)
            if match:
                keys.add(match.group(1))
    return keys


@dataclass(frozen=True)
class CiteItem:
    """One source named in a citation, with an optional locator such as ``p. 12``."""

    key: str
    locator: str | None = None


def _citation_rule(state: StateInline, silent: bool) -> bool:
    """Parse ``[@key; @key2, locator]`` into one ``citation`` token.

    Malformed citations become ``citation`` tokens with ``meta["error"]`` set, so
    the resolver can report them with the line of the block they stand in.
    """
    start = state.pos
    src = state.src
    if not src.startswith("[@", start):
        return False
    end = src.find("]", start)
    if end == -1:
        error = f"citation {src[start:start + 40]!r} is not closed with ']'"
        stop = len(src)
        items: list[CiteItem] = []
    else:
        stop = end + 1
        body = src[start + 1 : end]
        error = ""
        items = []
        for part in body.split(";"):
            match = _ITEM_RE.match(part)
            if not match:
                error = f"malformed citation [{body}]"
                items = []
                break
            items.append(CiteItem(match.group(1), match.group(2)))
    if not silent:
        token = state.push("citation", "", 0)
        token.content = src[start:stop]
        token.meta = {"items": items, "error": error}
    state.pos = stop
    return True


#: What to tell an author whose citation does not parse.
CITATION_HINT = (
    "write citations as [@key] or [@key1; @key2, p. 12]; "
    "a key uses letters, digits, '_' and, inside, '-', '.', ':' or '/'"
)


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The shared, configured markdown-it instance."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "linkify": False})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    # {credit="..."} on images; [words]{lang=fr} marks a change of language (tagged in the PDF, lang= in HTML).
    md.use(attrs_plugin, after=("image",), spans=True, allowed=["credit", "lang"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    # Every URL is parsed; the resolver decides which ones may reach the output and
    # reports the others, rather than leaving them as silently unlinked text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def parse(text: str) -> list[Token]:
    """Parse Markdown into markdown-it block tokens (inline tokens carry ``children``)."""
    return parser().parse(text, {})


def parse_blocks(text: str) -> list[Token]:
    """Markdown's block tokens only, as :func:`parse` gives them but with no inline parsing (a third of the time).

    An ``inline`` token's ``content`` is its raw text (a heading's, before smart quotes) and it has
    no ``children``: enough to find where the blocks and headings are.
    """
    state = StateCore(text, parser(), {})
    normalize(state)
    block(state)
    return state.tokens
