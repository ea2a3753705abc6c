"""Characters drawn without a font that has them: collected while WeasyPrint draws, reported with their text.

WeasyPrint 70 draws a character that no registered or system font has as a ``.notdef`` box
and only logs it (Kozea/WeasyPrint#2523; asking for an error instead is Kozea/WeasyPrint#1810).
:func:`missing_glyphs` takes those log records for the drawing thread, and
:func:`missing_glyph_warning` turns them into one :class:`~reportkit.errors.ReportkitWarning`
that names each character, the text around it and how to add a font. tests/writers/pdf/test_scripts.py
fails when WeasyPrint stops logging (a character no font has must still be reported).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["NOTDEF_MESSAGE", "describe", "install", "missing_glyph_warning", "missing_glyphs"]

#: How WeasyPrint 70's log message begins when it draws a character no font has.
NOTDEF_MESSAGE = ".notdef glyph rendered for Unicode string unsupported by fonts"

#: Characters of context shown on either side of a missing one.
CONTEXT = 24

#: Missing characters listed in one warning; more are counted.
LISTED = 8


class _NotdefRecords(logging.Filter):
    """A filter on WeasyPrint's logger: hands .notdef records to the drawing thread, lets only errors through.

    The logger's level is WARNING so that the .notdef records are made at all; every other
    warning (CSS WeasyPrint ignores) stays as quiet as before.
    """

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(NOTDEF_MESSAGE):
            found: list[int] | None = getattr(self.local, "found", None)
            code = record.args[-1] if isinstance(record.args, tuple) and record.args else None
            if found is not None and isinstance(code, int):
                found.append(code)
            return False
        return record.levelno >= logging.ERROR


_FILTER = _NotdefRecords()


def install(logger: logging.Logger) -> None:
    """Let ``logger`` (WeasyPrint's) make its .notdef records, keeping every other warning quiet."""
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    logger.setLevel(logging.WARNING)


@contextmanager
def missing_glyphs() -> Iterator[list[int]]:
    """The code points WeasyPrint draws as .notdef within the block, in this thread (repeats kept).

    The logger is set up again each time: an application that quietened WeasyPrint's logger
    (``setLevel(logging.ERROR)``) would otherwise hide the records from the filter.
    """
    install(logging.getLogger("weasyprint"))
    previous = getattr(_FILTER.local, "found", None)
    found: list[int] = []
    _FILTER.local.found = found
    try:
        yield found
    finally:
        _FILTER.local.found = previous


def _context(char: str, texts: Sequence[str]) -> str:
    """The text around the first ``char`` in ``texts`` (whitespace collapsed), or '' when none has it."""
    for text in texts:
        index = text.find(char)
        if index >= 0:
            start, end = max(0, index - CONTEXT), index + 1 + CONTEXT
            around = re.sub(r"\s+", " ", text[start:end]).strip()
            return f"{'…' if start else ''}{around}{'…' if end < len(text) else ''}"
    return ""


def describe(code: int) -> str:
    """``U+10000 LINEAR B SYLLABLE B008 A`` (the name where Unicode gives one)."""
    name = unicodedata.name(chr(code), "")
    return f"U+{code:04X}" + (f" {name}" if name else "")


def missing_glyph_warning(codes: Sequence[int], texts: Sequence[str], *, system_fonts: bool = True) -> str | None:
    """The warning for characters drawn without a font (``codes``), quoting them in ``texts``; None for none.

    ``system_fonts``: whether the engine also reads the system's fonts (WeasyPrint, through fontconfig;
    the Typst engine does not), which decides how the warning says to add a font.
    """
    distinct = list(dict.fromkeys(codes))
    if not distinct:
        return None
    parts = []
    for code in distinct[:LISTED]:
        context = _context(chr(code), texts)
        parts.append(describe(code) + (f" in “{context}”" if context else " (in text the layout adds)"))
    more = f" and {len(distinct) - LISTED} more" if len(distinct) > LISTED else ""
    what = "1 character has" if len(distinct) == 1 else f"{len(distinct)} characters have"
    where = (
        ", or install it as a system font (fontconfig), e.g. apt-get install fonts-noto-cjk fonts-noto-color-emoji"
        if system_fonts
        else " as the Typst engine reads no system fonts, so that rebuilds match (Noto Sans CJK, for one: "
        "--font-dir /usr/share/fonts/opentype/noto)"
    )
    return (
        f"{what} no font and {'is' if len(distinct) == 1 else 'are'} drawn as empty boxes: "
        f"{'; '.join(parts)}{more}. To add a font that has them, put its file in the layout's fonts/ folder "
        f"or in a folder given with --font-dir (the font_dirs option){where}"
    )
