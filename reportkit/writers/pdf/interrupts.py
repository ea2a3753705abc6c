"""Ctrl-C and SIGTERM that library code cannot swallow during a render.

WeasyPrint draws each SVG image (the figures, the rating icons) inside ``except
BaseException``: it logs the failure and leaves the drawing out. A Ctrl-C landing there
was lost, and the build went on to write a PDF without that drawing. In a test that
pressed Ctrl-C 26 times at random moments of rendering russia-nato, 4 presses were lost.

:func:`kept` records every exception the process's SIGINT and SIGTERM handlers raise
during the block. If the block still ends normally, the first one is raised again at its
end, before the caller writes anything.

Upstream: ``weasyprint.images.SVGImage.draw`` (WeasyPrint 70) catches ``BaseException`` to log
a drawing that failed; no upstream issue asks yet for ``Exception`` there. When WeasyPrint
narrows it, this module can go: ``tests/writers/pdf/test_interrupts.py`` fails then.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["kept"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def kept() -> Iterator[None]:
    """Within the block, an interrupt that code inside it catches and drops is raised again at its end."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers run in the main thread only: nothing to watch here
        return
    raised: list[BaseException] = []
    previous: dict[signal.Signals, Any] = {}
    for number in _SIGNALS:
        handler = signal.getsignal(number)
        if callable(handler):
            previous[number] = signal.signal(number, _recording(handler, raised))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if raised:
        raise raised[0].with_traceback(None)


def _recording(
    handler: Callable[[int, FrameType | None], Any], raised: list[BaseException]
) -> Callable[[int, FrameType | None], Any]:
    """``handler``, noting any exception it raises."""

    def record(number: int, frame: FrameType | None) -> Any:
        try:
            return handler(number, frame)
        except BaseException as exc:
            raised.append(exc)
            raise

    return record
