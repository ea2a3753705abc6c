"""Footnotes on the page of their call, in one layout: a fix to WeasyPrint 70's line layout.

WeasyPrint places a paragraph's lines one by one, and each line's footnotes go into the page's
footnote area as the line is placed. When a line then overflows the page, WeasyPrint 70 first
tries to make room for it by moving ("reporting") the notes already in the footnote area to the
next page, last first (the behaviour asked for in WeasyPrint #2432: "un-layout 4, layout g, it
fits"). Those notes belong to lines that stay on the page, so their bodies land one page after
their calls: the drift reported in WeasyPrint #1564, where lines are un-laid-out and moved on but
their notes do not follow.

For ``footnote-policy: auto`` that is allowed: GCPM lets the user agent place a footnote body on a
later page than its reference. For ``footnote-policy: line`` and ``block`` it is not: there, when a
note cannot be placed on its reference's page, the line (or the paragraph) moves to the next
page, orphans and widows respected, and WeasyPrint 70 already does so for the line being placed
(``_linebox_layout``) and removes the notes of lines it un-lays-out (``remove_placeholders``).
Only the room-making loop ignores the policy. The fix, one condition, is the first hunk of :data:`HUNKS`: the loop
reports only notes whose policy is ``auto``; otherwise the line breaks to the next page as it
would without footnotes (orphans and widows kept), and every note stays with its call.

The second hunk is about time, not placement: for every box of every line, WeasyPrint 70 asks
whether the box's footnote is among the notes not yet placed, searching that list (every note of
the document, at first) even for the boxes that have no footnote, so a document's lines times its
notes (Kozea/WeasyPrint#578, long documents). Asking first whether the box has a footnote at all
leaves the answer the same (the list never holds ``None``) and the search to the note calls
alone. :mod:`.pagination` makes WeasyPrint's other searches of that kind lookups.

The patch is applied to ``weasyprint.layout.block._linebox_layout`` when this module is imported
(:func:`install`), only when WeasyPrint is version :data:`WEASYPRINT_VERSION` and the function's
source has the digest :data:`SOURCE_SHA256` it was written against; otherwise WeasyPrint is left
as it is and the PDF writer's drift correction does the work. Upstream, the change is the diff
:func:`upstream_diff` prints, offered against ``weasyprint/layout/block.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import weasyprint
from weasyprint.layout import block

from .pinning import apply_hunks, source_matches
from .pinning import upstream_diff as diff

__all__ = [
    "HUNKS",
    "SOURCE_SHA256",
    "WEASYPRINT_VERSION",
    "applies",
    "install",
    "installed",
    "original_source",
    "patched_source",
    "uninstall",
    "upstream_diff",
]

#: The WeasyPrint version the patch was written against.
WEASYPRINT_VERSION = "70.0"

#: SHA-256 of the source of WeasyPrint 70.0's ``weasyprint.layout.block._linebox_layout``.
SOURCE_SHA256 = "e07bbe000974787ee370be1f419a01a21b327a1a1e3025a65afd47589060883d"

#: The change, as (original text, replacement) pairs; each original occurs once in the function.
HUNKS: tuple[tuple[str, str], ...] = (
    (
        "            while report and context.current_page_footnotes:\n",
        "            # Notes whose footnote-policy is line or block stay with their call\n"
        "            # (GCPM); only notes with footnote-policy: auto may make room by moving\n"
        "            # to the next page (WeasyPrint #1564, #2432).\n"
        "            while (report and context.current_page_footnotes and\n"
        "                   context.current_page_footnotes[-1].style['footnote_policy'] == 'auto'):\n",
    ),
    (
        "                if descendant.footnote in context.footnotes)\n",
        "                # Boxes without a note skip the search of the list of every note\n"
        "                # not yet placed: time linear in the pages (WeasyPrint #578).\n"
        "                if descendant.footnote is not None\n"
        "                and descendant.footnote in context.footnotes)\n",
    ),
)

_ORIGINAL: Callable[..., Any] = block._linebox_layout


def original_source() -> str:
    """The source of WeasyPrint's own ``_linebox_layout`` (what the patch applies to)."""
    return inspect.getsource(_ORIGINAL)


def patched_source(source: str) -> str:
    """``source`` with :data:`HUNKS` applied; ValueError when a hunk's text is not found exactly once."""
    return apply_hunks(source, HUNKS)


def upstream_diff() -> str:
    """The patch as a unified diff of ``weasyprint/layout/block.py``, ready to be offered upstream."""
    return diff(block, original_source(), HUNKS)


def applies() -> bool:
    """Whether the installed WeasyPrint is the one the patch was written for (version and source)."""
    return weasyprint.__version__ == WEASYPRINT_VERSION and source_matches(original_source, SOURCE_SHA256)


def installed() -> bool:
    """Whether WeasyPrint's line layout is the patched one."""
    return block._linebox_layout is not _ORIGINAL


def install() -> bool:
    """Replace ``_linebox_layout`` with the patched one when :func:`applies`; True when it is in place."""
    if installed():
        return True
    if not applies():
        return False
    lines, first = inspect.getsourcelines(_ORIGINAL)
    # Blank lines before the function keep its line numbers those of block.py in tracebacks.
    code = compile("\n" * (first - 1) + patched_source("".join(lines)), block.__file__, "exec")
    namespace: dict[str, Any] = {}
    exec(code, block.__dict__, namespace)  # noqa: S102 - WeasyPrint's own source, checked by digest
    block._linebox_layout = namespace["_linebox_layout"]
    return True


def uninstall() -> None:
    """Put WeasyPrint's own ``_linebox_layout`` back (for comparisons; the writer keeps the patch)."""
    block._linebox_layout = _ORIGINAL
