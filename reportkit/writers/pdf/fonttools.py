"""fontTools, as WeasyPrint uses it: fonts it saves carry a fixed time instead of the clock.

fontTools writes the time of saving into a font's ``head.modified`` field
(``fontTools.ttLib.tables._h_e_a_d.timestampNow``), and WeasyPrint saves fonts with fontTools when
it makes a static font of a variable one, blanks the glyphs of an emoji font, and subsets a font
that HarfBuzz cannot (:mod:`.subsetting`). fontTools takes that time from the process-wide
``SOURCE_DATE_EPOCH`` environment variable or the clock (fonttools/fonttools#1063), and one
process builds documents of many dates, in several threads, without touching its environment.
So :func:`fixed_font_time` replaces that module-level function once per process with one that
answers the time pinned for the current thread, and the clock elsewhere. Remove it if fontTools
gains a per-call timestamp. ``tests/writers/pdf/test_reproducible.py`` fails if fontTools stops
calling ``timestampNow`` there.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["fixed_font_time"]

#: Seconds since 1970 that fontTools should stamp into fonts saved in this context (None: the clock).
_FONT_EPOCH: ContextVar[int | None] = ContextVar("reportkit_font_epoch", default=None)
_INSTALL_LOCK = threading.Lock()
_installed = False


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
