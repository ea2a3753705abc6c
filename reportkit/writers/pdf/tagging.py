"""WeasyPrint's structure tree, with the language of every element that changes it (``/Lang``).

PDF/UA-1 (ISO 14289-1, 7.2) asks that a change of natural language be declared, so that a
screen reader switches voice for a quotation in another language. reportkit marks such text in
the input as ``[mots]{lang=fr}``; the web page and the EPUB carry it as ``lang="fr"``. WeasyPrint
70 tags every element (``weasyprint.pdf.tags``) but writes ``/Lang`` only in the catalog, for the
whole document; no structure element gets one.

:func:`install` wraps ``weasyprint.pdf.tags._build_box_tree``, which creates one structure
element per box, so that the element made for a box whose HTML element has a ``lang`` attribute
(other than ``html`` and ``body``, whose language is the catalog's) gets that ``/Lang``. The
builder is a generator; the wrapper passes on what it yields, adding a key to each structure
element WeasyPrint has just made for such a box, and changes nothing else.

Upstream: WeasyPrint has no issue for this yet; remove this module when ``weasyprint.pdf.tags``
writes ``/Lang`` itself. ``tests/writers/pdf/test_tagging.py`` fails then (WeasyPrint alone
giving a span its ``/Lang``), and fails too if the wrapped function's signature changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pydyf
from weasyprint.pdf import tags

__all__ = ["install", "installed"]

_LOCK = threading.Lock()
_MARK = "_reportkit_lang"


def installed() -> bool:
    """Whether the structure tree builder is wrapped in this process."""
    return bool(getattr(tags._build_box_tree, _MARK, False))


def install() -> None:
    """Wrap WeasyPrint's structure element builder once per process (idempotent, thread-safe)."""
    with _LOCK:
        if installed():
            return
        original = tags._build_box_tree

        def build_box_tree(box: Any, parent: Any, pdf: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            # WeasyPrint's builder is a generator that yields the structure elements made for ``box``
            # (or, for html and body, their children's): each gets the box's language.
            element = getattr(box, "element", None)
            language = element.get("lang") if element is not None and hasattr(element, "get") else None
            if getattr(box, "element_tag", None) in ("html", "body"):
                language = None  # the catalog's /Lang already says it
            for made in original(box, parent, pdf, *args, **kwargs):
                if language and isinstance(made, dict) and made.get("Type") == "/StructElem" and "Lang" not in made:
                    made["Lang"] = pydyf.String(language)
                yield made

        setattr(build_box_tree, _MARK, True)
        tags._build_box_tree = build_box_tree
