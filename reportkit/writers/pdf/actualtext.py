"""The PDF's text layer for scripts whose clusters are drawn with several glyphs: ``/ActualText`` spans.

A PDF maps each glyph back to text through its font's ``ToUnicode`` table, one entry per glyph.
Where a script draws one cluster with several glyphs (a Devanagari pre-base vowel sign drawn
before its consonant, a conjunct, a Thai tone mark stacked on a vowel, a Khmer subscript), or
one glyph for several characters in an order other than the text's, no such table can give the
text back. WeasyPrint 70 fills the table first come, first served, so copied or extracted Hindi,
Bengali, Tamil, Telugu, Thai or Khmer text comes out with letters missing, doubled or swapped
(Kozea/WeasyPrint#2841, open). The pages look right; search, copy, screen readers and
``pdftotext`` read the wrong text.

PDF 1.5 gives the fix (ISO 32000-1, 14.9.4): a marked-content span with an ``/ActualText``
entry says what text its glyphs stand for, and readers (poppler, pdf.js, Acrobat, PDFium) use
it in place of the glyphs' own mapping. :func:`install` wraps
``weasyprint.draw.text.draw_first_line``, which draws one text box's line inside ``BT``/``ET``,
so that the line of a box whose text has such a script is drawn inside
``/Span <</ActualText (its text)>> BDC ... EMC``. Boxes in other scripts are drawn exactly as
before, so their bytes do not change. The span sits inside the ``/MCID`` span WeasyPrint opens
for the box's structure element, which PDF/UA-1 allows (veraPDF passes).

Upstream: remove this module when WeasyPrint writes ``/ActualText`` itself (#2841).
``tests/writers/pdf/test_actualtext.py`` fails then (WeasyPrint alone giving Hindi text back),
and fails too if the wrapped function's signature changes.
"""

from __future__ import annotations

import inspect
import re
import threading
from typing import Any

import pydyf
from weasyprint.draw import text as weasyprint_text

__all__ = ["CLUSTER_SCRIPTS", "SIGNATURE", "actual_text", "install", "installed", "needs_actual_text", "upstream_signature"]

_LOCK = threading.Lock()
_MARK = "_reportkit_actual_text"

#: Unicode blocks whose clusters are shaped into several glyphs, or reordered: the Indic scripts,
#: Sinhala, Thai, Lao, Tibetan, Myanmar, Khmer and their relatives (Balinese, Javanese, Tai Tham...).
CLUSTER_SCRIPTS = re.compile(
    "["
    "\u0900-\u0dff"  # Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Sinhala
    "\u0e00-\u0fff"  # Thai, Lao, Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff\u19e0-\u19ff"  # Khmer, Khmer Symbols
    "\u1a20-\u1aaf"  # Tai Tham
    "\u1b00-\u1bff"  # Balinese, Sundanese, Batak
    "\ua8e0-\ua8ff\ua980-\ua9ff\uaa60-\uaa7f"  # Devanagari Extended, Javanese, Myanmar Extended-A
    "]"
)

#: The signature of the wrapped function in WeasyPrint 70; a test fails when it changes.
SIGNATURE = "(stream, textbox, text_overflow, block_ellipsis, matrix)"

#: Characters left out of the span's text: the invisible line-break hints reportkit adds for Thai,
#: Lao, Khmer and Myanmar (:mod:`reportkit.render.scripts`), which are not part of the words.
_INVISIBLE = str.maketrans("", "", "\u200b")


def needs_actual_text(text: str) -> bool:
    """Whether a text box's glyphs cannot give ``text`` back by themselves (it has a cluster-shaped script)."""
    return CLUSTER_SCRIPTS.search(text) is not None


def actual_text(textbox: Any) -> str:
    """The text of the line WeasyPrint has just drawn for ``textbox``: its layout's first line."""
    layout = textbox.pango_layout
    text: str = layout.text
    _line, index = layout.get_first_line()
    if index:  # the box's layout holds more than the line drawn: cut at the next line's first byte
        text = text.encode()[:index].decode(errors="ignore")
    return text.translate(_INVISIBLE)


def installed() -> bool:
    """Whether WeasyPrint's line drawing is wrapped in this process."""
    return bool(getattr(weasyprint_text.draw_first_line, _MARK, False))


def install() -> None:
    """Wrap WeasyPrint's line drawing once per process (idempotent, thread-safe)."""
    with _LOCK:
        if installed():
            return
        original = weasyprint_text.draw_first_line

        def draw_first_line(stream: Any, textbox: Any, text_overflow: Any, block_ellipsis: Any, matrix: Any) -> Any:
            if not needs_actual_text(textbox.text):
                return original(stream, textbox, text_overflow, block_ellipsis, matrix)
            # The span opens before the line is drawn, and its text is known only after (an ellipsis
            # may shorten it): hold its place in the stream's list of operators and fill it in.
            start = len(stream.stream)
            emojis = original(stream, textbox, text_overflow, block_ellipsis, matrix)
            if len(stream.stream) > start:  # something was drawn
                drawn = stream.stream[start:]
                del stream.stream[start:]
                stream.begin_marked_content(
                    "Span", pydyf.Dictionary({"ActualText": pydyf.String(actual_text(textbox))})
                )
                stream.stream.extend(drawn)
                stream.end_marked_content()
            return emojis

        setattr(draw_first_line, _MARK, True)
        draw_first_line.__wrapped__ = original  # type: ignore[attr-defined]
        weasyprint_text.draw_first_line = draw_first_line


def upstream_signature() -> str:
    """The signature of WeasyPrint's own ``draw_first_line`` (what :data:`SIGNATURE` is checked against)."""
    function = getattr(weasyprint_text.draw_first_line, "__wrapped__", weasyprint_text.draw_first_line)
    return str(inspect.signature(function))
