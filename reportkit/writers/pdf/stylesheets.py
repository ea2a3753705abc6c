"""WeasyPrint's user-agent stylesheet, its pseudo-element rules narrowed to the elements that use them.

Six rules of WeasyPrint 70's user-agent stylesheet (``::marker``, ``::footnote-call``,
``::footnote-marker``, ``::note-call``, ``::note-marker``, ``::note-callback``) match every
element, so the cascade computes six more styles per element. Only list items, footnotes and
notes use them: on ``russia-nato.md`` the rest cost 9 % of a render and 15 MB, on the 16x
dossier 33 MB of its peak (see BENCHMARKS.md).

:func:`lean_html` gives WeasyPrint the document with a user-agent stylesheet whose six rules
apply only to ``li`` and to the selectors the document's own stylesheets make list items
(``display: list-item``), footnotes (``float: footnote``) or notes (``position: note()``) of.
The pages are the same, byte for byte (tested on every built-in layout). When those selectors
cannot be known for sure (a ``style`` attribute that could make one, a custom property in one
of those properties, nested rules, ``@import``, a stylesheet that is not a local file, a
selector with a pseudo-element), the full stylesheet is used.

It relies on two parts of WeasyPrint 70 that are not public: ``HTML._ua_stylesheets`` and
the text of the stylesheet, ``weasyprint.html.UA``. If either changes, :func:`lean_html`
returns a plain ``HTML`` (and a test fails, so the change is noticed).

Upstream: no WeasyPrint issue tracks this cost yet; the ``::note-*`` rules came with CSS Notes
(Kozea/WeasyPrint#2905). Remove this module when WeasyPrint computes pseudo-element styles
only for the boxes that can have them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import cssselect2
import tinycss2
from weasyprint import CSS, HTML
from weasyprint import html as weasy_html
from weasyprint.css.counters import CounterStyle

__all__ = ["lean_html", "pseudo_element_selectors"]

#: The six rules, by the pseudo-element they style, and what makes an element use each.
_RULES = {
    "marker": "marker",
    "footnote-call": "footnote",
    "footnote-marker": "footnote",
    "note-call": "note",
    "note-marker": "note",
    "note-callback": "note",
}
_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_PSEUDO_ELEMENT = re.compile(r"::|:(before|after|first-line|first-letter|marker)\b", re.IGNORECASE)


class _LeanHTML(HTML):
    """An HTML document laid out with the given user-agent stylesheets."""

    def __init__(self, *args: Any, ua_stylesheets: list[CSS], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lean_ua = ua_stylesheets

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [*self._lean_ua, weasy_html.UA_FORM_STYLESHEET] if forms else list(self._lean_ua)


def lean_html(html: str, *, url_fetcher: Any, allows: Callable[[Path], bool]) -> HTML:
    """``HTML(string=html)`` with a narrowed user-agent stylesheet when that is safe, else the plain one.

    ``allows`` says which local stylesheet files WeasyPrint may read (the fetcher's rule). The
    stylesheets passed to ``render()`` are not looked at: they must make no list items,
    footnotes or notes (the PDF writer's own never do).
    """
    texts = _author_css(html, allows)
    narrowed = _narrowed_rules(tuple(texts)) if texts is not None else None
    if narrowed is None:
        return HTML(string=html, url_fetcher=url_fetcher)
    return _LeanHTML(string=html, url_fetcher=url_fetcher, ua_stylesheets=[_base_stylesheet(), narrowed])


def pseudo_element_selectors(css_texts: Iterable[str]) -> dict[str, list[str]] | None:
    """The selectors that make list items, footnotes and notes in ``css_texts``; ``None`` if unknowable.

    Keys are ``marker``, ``footnote`` and ``note``. Selectors WeasyPrint cannot parse are left
    out, as WeasyPrint leaves their rules out.
    """
    found: dict[str, list[str]] = {"marker": ["li"], "footnote": [], "note": []}
    for text in css_texts:
        if not _collect(tinycss2.parse_stylesheet(text, skip_whitespace=True, skip_comments=True), found):
            return None
    return found


def _collect(rules: list[Any], found: dict[str, list[str]]) -> bool:
    """Add the selectors of ``rules`` that make list items, footnotes or notes; False if unknowable."""
    for rule in rules:
        if rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            if keyword == "import":
                return False
            if keyword in ("media", "supports", "layer", "container") and rule.content is not None:
                inner = tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True)
                if not _collect(inner, found):
                    return False
            continue  # @page, @font-face, @counter-style...: no element becomes a list item there
        if rule.type != "qualified-rule":
            continue
        kinds = set()
        for item in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True):
            if item.type == "qualified-rule" or item.type == "at-rule":
                return False  # nested rules: their selectors depend on the parent's
            if item.type != "declaration":
                continue
            name, value = item.lower_name, tinycss2.serialize(item.value).lower()
            if name not in ("display", "float", "position"):
                continue
            if "var(" in value:
                return False
            if name == "display" and "list-item" in value:
                kinds.add("marker")
            elif name == "float" and "footnote" in value:
                kinds.add("footnote")
            elif name == "position" and "note(" in value:
                kinds.add("note")
        if not kinds:
            continue
        try:
            cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            continue  # WeasyPrint drops this rule too
        selectors = _selectors(rule.prelude)
        if any(_PSEUDO_ELEMENT.search(selector) for selector in selectors):
            return False
        for kind in kinds:
            found[kind].extend(selectors)
    return True


def _selectors(prelude: list[Any]) -> list[str]:
    """The complex selectors of a rule's selector list (tinycss2 keeps commas in brackets inside blocks)."""
    selectors: list[str] = []
    current: list[Any] = []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(tinycss2.serialize(current).strip())
            current = []
        else:
            current.append(token)
    selectors.append(tinycss2.serialize(current).strip())
    return [selector for selector in selectors if selector]


def _author_css(html: str, allows: Callable[[Path], bool]) -> list[str] | None:
    """The texts of the stylesheets ``html`` links or holds; ``None`` when they cannot all be read."""
    for match in _STYLE_ATTRIBUTE.finditer(html):
        value = match.group(1).lower()
        if "list-item" in value or "footnote" in value or "note(" in value or "var(" in value:
            return None
    texts = [match.group(1) for match in _STYLE_ELEMENT.finditer(html)]
    for tag in _LINK.findall(html):
        attributes = {name.lower(): unescape(value.strip("\"'")) for name, value in _ATTRIBUTE.findall(tag[5:])}
        if "stylesheet" not in attributes.get("rel", "").lower().split():
            continue
        parts = urlsplit(attributes.get("href", ""))
        if parts.scheme != "file" or parts.netloc:
            return None
        path = Path(url2pathname(parts.path))
        if not allows(path):
            continue  # the fetcher refuses it: its rules never apply
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None
    return texts


@lru_cache(maxsize=1)
def _ua_rules() -> dict[str, str] | None:
    """The declaration block of each of the six rules in WeasyPrint's user-agent stylesheet.

    ``None`` when the stylesheet or the method that hands it over is not where WeasyPrint 70
    keeps it, or a rule is not there exactly once: then nothing is narrowed.
    """
    text = getattr(weasy_html, "UA", None)
    if not isinstance(text, str) or not callable(getattr(HTML, "_ua_stylesheets", None)):
        return None
    rules = {}
    for pseudo in _RULES:
        bodies = re.findall(rf"(?m)^::{pseudo} (\{{[^}}]*\}})$", text)
        if len(bodies) != 1:
            return None
        rules[pseudo] = bodies[0]
    return rules


@lru_cache(maxsize=1)
def _base_stylesheet() -> CSS:
    """The user-agent stylesheet without the six rules, parsed once per process."""
    text = weasy_html.UA
    for pseudo, body in (_ua_rules() or {}).items():
        text = text.replace(f"::{pseudo} {body}\n", "")
    return CSS(string=text, counter_style=CounterStyle())


@lru_cache(maxsize=32)
def _narrowed_rules(css_texts: tuple[str, ...]) -> CSS | None:
    """The six rules, applied only to the selectors ``css_texts`` make list items, footnotes or notes of."""
    bodies = _ua_rules()
    selectors = pseudo_element_selectors(css_texts)
    if bodies is None or selectors is None:
        return None
    rules = [
        ", ".join(f"{selector}::{pseudo}" for selector in selectors[kind]) + " " + bodies[pseudo]
        for pseudo, kind in _RULES.items()
        if selectors[kind]  # none: the rule would match no element
    ]
    return CSS(string="\n".join(rules), counter_style=CounterStyle())
