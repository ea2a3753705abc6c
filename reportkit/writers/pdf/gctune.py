"""Garbage collection tuned for a render: WeasyPrint allocates millions of short-lived objects.

Python's cyclic collector runs a young-generation pass every 700 allocations of container
objects, and now and then a full pass that walks every object alive in the process: the
imported libraries, the font configuration and, in the middle of a layout, the whole box tree.
During a render those passes find little (the layout's objects are alive until it ends) and
cost 10-20 % of the CPU time (see BENCHMARKS.md). :func:`rendering` makes them rare for the
length of a render, and the PDF writer collects once, on purpose, where garbage is known to
be plentiful: after dropping a layout it has to redo.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["rendering"]

#: Allocations between two young-generation passes during a render (Python's default is 700).
YOUNG_THRESHOLD = 100_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] = ()


@contextmanager
def rendering() -> Iterator[None]:
    """Collect garbage rarely while the block runs, and restore the collector's settings after.

    Objects alive on entry are frozen (left out of every pass) and the young generation's
    threshold is raised to :data:`YOUNG_THRESHOLD`; on exit they are unfrozen and the thresholds
    restored, so a long-lived process (a batch worker, a publishing script) collects as before.
    Nested and concurrent uses share one setting: only the outermost entry changes it.
    """
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(YOUNG_THRESHOLD, 50, 1000)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()
