"""fontTools, as WeasyPrint uses it: fonts it subsets carry a fixed time instead of the clock.

fontTools writes the time of saving into a font's ``head.modified`` field
(``fontTools.ttLib.tables._h_e_a_d.timestampNow``), and WeasyPrint subsets fonts with fontTools
when HarfBuzz's subsetter library is missing. fontTools takes that time from the process-wide
``SOURCE_DATE_EPOCH`` environment variable or the clock (fonttools/fonttools#1063), and one
process builds documents of many dates, in several threads, without touching its environment.
So :func:`fixed_font_time` replaces that module-level function once per process with one that
answers the time pinned for the current thread, and the clock elsewhere. Remove it if fontTools
gains a per-call timestamp. ``tests/writers/pdf/test_reproducible.py`` fails if fontTools stops
calling ``timestampNow`` there.

WeasyPrint subsets fonts with the system's ``libharfbuzz-subset`` when it can load it, and with
fontTools when it cannot (Kozea/WeasyPrint#2178, the fix of #2120). The two write different font
programs, and HarfBuzz's differ from one HarfBuzz version to the next, so the same input gave
different PDFs on machines with and without that library. :func:`pinned_subsetting` wraps
WeasyPrint's ``Font.subset`` once per process so that, for the current thread only, it calls
WeasyPrint's own fontTools path (``Font._fonttools_subset``), whose fontTools version pip pins.
Remove it if WeasyPrint lets callers choose the subsetter. ``tests/writers/pdf/test_same_bytes.py``
fails if WeasyPrint stops choosing HarfBuzz by itself or drops its fontTools path.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["fixed_font_time", "pinned_subsetting"]

#: Seconds since 1970 that fontTools should stamp into fonts saved in this context (None: the clock).
_FONT_EPOCH: ContextVar[int | None] = ContextVar("reportkit_font_epoch", default=None)
#: Whether WeasyPrint subsets fonts with fontTools in this context (see :func:`pinned_subsetting`).
_FONTTOOLS_SUBSETTING: ContextVar[bool] = ContextVar("reportkit_fonttools_subsetting", default=False)
_INSTALL_LOCK = threading.Lock()
_installed = False
_subsetter_installed = False


def _timestamp_now() -> int:
    """fontTools' ``timestampNow``, answering the pinned time inside :func:`fixed_font_time`."""
    from fontTools.misc import timeTools

    epoch = _FONT_EPOCH.get()
    if epoch is None:
        return timeTools.timestampNow()
    return epoch - timeTools.epoch_diff


def _install() -> None:
    """Route fontTools' ``head`` table timestamps through :func:`_timestamp_now` (once per process)."""
    global _installed
    with _INSTALL_LOCK:
        if _installed:
            return
        from fontTools.ttLib.tables import _h_e_a_d

        _h_e_a_d.timestampNow = _timestamp_now
        _installed = True


@contextmanager
def fixed_font_time(when: dt.datetime) -> Iterator[None]:
    """Within the block, in this thread only, fonts saved by fontTools carry ``when`` instead of the clock."""
    _install()
    token = _FONT_EPOCH.set(int(when.timestamp()))
    try:
        yield
    finally:
        _FONT_EPOCH.reset(token)


def _install_subsetter() -> None:
    """Wrap WeasyPrint's ``Font.subset`` so that inside :func:`pinned_subsetting` it uses fontTools (once per process)."""
    global _subsetter_installed
    with _INSTALL_LOCK:
        if _subsetter_installed:
            return
        from weasyprint.pdf.fonts import Font

        chosen_by_weasyprint = Font.subset

        def subset(font: Any, to_unicode: Any, hinting: Any) -> None:
            if not _FONTTOOLS_SUBSETTING.get():
                return chosen_by_weasyprint(font, to_unicode, hinting)
            if to_unicode:  # as WeasyPrint's own: with nothing to keep, the font is left whole
                font._fonttools_subset(to_unicode, hinting)
            return None

        subset.__wrapped__ = chosen_by_weasyprint  # type: ignore[attr-defined]
        Font.subset = subset
        _subsetter_installed = True


@contextmanager
def pinned_subsetting() -> Iterator[None]:
    """Within the block, in this thread only, WeasyPrint subsets fonts with fontTools, never the system's HarfBuzz."""
    _install_subsetter()
    token = _FONTTOOLS_SUBSETTING.set(True)
    try:
        yield
    finally:
        _FONTTOOLS_SUBSETTING.reset(token)
