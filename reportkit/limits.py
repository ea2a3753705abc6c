"""Limits that keep a pathological document from exhausting memory or hanging a batch.

Every limit has a generous default and can be raised per document:
``rk.load(path, limits=rk.Limits(max_sources=10_000))`` or, on the command line,
``--max-input-mb`` and ``--timeout``. Hitting one is a clear
:class:`~reportkit.errors.LimitError` for that document only.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .errors import LimitError

__all__ = ["DEFAULT_LIMITS", "Limits", "time_limit"]


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what one fact-check may hold and cost."""

    #: Size of an input file.
    max_input_bytes: int = 8 * 1024 * 1024
    #: Characters of text in the whole document: every field (titles, names, sources...) counts.
    max_text_chars: int = 2_000_000
    #: Characters of the longest word (a run without spaces): line breaking costs the square of it.
    max_word_chars: int = 5_000
    #: Number of sources.
    max_sources: int = 2_000
    #: Number of sections.
    max_sections: int = 500
    #: Size of one image file.
    max_image_bytes: int = 25 * 1024 * 1024
    #: Size of all the images of one document together (they are held in memory while it is built).
    max_images_bytes: int = 200 * 1024 * 1024
    #: Pixels of one raster image (width × height): its decoded size, not its file size, costs memory.
    max_image_pixels: int = 64_000_000
    #: Seconds one output may take to render (WeasyPrint's layout has no limit of its own).
    render_seconds: float = 300.0


DEFAULT_LIMITS = Limits()


@contextmanager
def time_limit(seconds: float | None, what: str = "rendering") -> Iterator[None]:
    """Raise :class:`LimitError` if the block runs longer than ``seconds``.

    Uses a real-time interval timer, so it applies in the main thread of a
    process (the CLI, scripts, batch workers); elsewhere it does nothing, and
    batch builds bound their workers instead.
    """
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Expired

    # A limit inside another (a served bundle job reads its PDFs within the job's limit): the outer timer
    # is set again as the inner block ends, with what it had left, so that the outer limit still holds.
    outer_left, outer_every = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    # After the first alarm, one every 50 ms: an alarm that lands in code that cannot raise
    # (a finaliser run by the garbage collector) is lost, and the next one stops the block.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    except _Expired:
        raise LimitError(
            f"{what} took longer than {seconds:g} s and was stopped",
            hint="simplify the document, or raise the limit (--timeout, Limits(render_seconds=...))",
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left > 0:  # past due: it fires at once, and the outer block stops
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 0.001), outer_every)


class _Expired(BaseException):
    """Raised by the timer; a BaseException, so that no library's ``except Exception`` swallows it."""
