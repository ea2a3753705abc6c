"""Garbage collection tuned for a render: WeasyPrint allocates millions of short-lived objects.

Python's cyclic collector runs a young-generation pass every 700 allocations of container
objects, and now and then a full pass that walks every object alive in the process: the
imported libraries, the font configuration and, in the middle of a layout, the whole box tree.
During a render those passes find little (the layout's objects are alive until it ends) and
cost 10-20 % of the CPU time (see BENCHMARKS.md). :func:`rendering` makes them rare for the
length of a render, and collects on purpose where garbage is known to be plentiful: as the
render ends, once the caller has dropped the layout.

That last collection is what keeps a long-lived process flat. The objects alive when the render
began are frozen (``gc.freeze``): the collection at the end walks only what the render made,
finds the layout's reference cycles (boxes, pages, their parents) and frees them, a few
milliseconds for a four-page fact-check instead of the ~0.1 s of a pass over the whole heap.
Without it, those cycles were frozen by the next render, unfrozen into the oldest generation,
and never collected: Python 3.11 runs a full pass only when the objects promoted there since the
last one exceed a quarter of the long-lived ones, and unfreezing promotes nothing. A process grew
by the size of every layout it made (4.3 MB a document for the four-page energy-bills sample).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["rendering"]

#: Allocations between two young-generation passes during a render (Python's default is 700).
YOUNG_THRESHOLD = 100_000

#: Every this many renders, the collection at the end walks the whole heap (about 0.1 s), unfrozen.
#: The pass after each render resets Python's own count towards a full collection, so without
#: this the garbage made between renders and promoted to the oldest generation (the document
#: model, the renderer: about 500 objects, 0.14 MB a four-page document) would never be
#: collected. Every 20th render bounds that to about 3 MB, for 0.005 s a document.
FULL_EVERY = 20

#: Re-entrant: a finaliser run by the collection at the end may itself render (nothing does today).
_lock = threading.RLock()
_depth = 0
_saved: tuple[int, ...] = ()
_renders = 0


@contextmanager
def rendering() -> Iterator[None]:
    """Collect garbage rarely while the block runs and once, cheaply, as it ends; restore the settings.

    On entry the young generations are collected (what was made since the last render: templates,
    Markdown), the objects then alive are frozen (left out of every pass) and the young
    generation's threshold is raised to :data:`YOUNG_THRESHOLD`. On exit the garbage made during
    the block is collected while the old objects are still frozen, then they are unfrozen and the
    thresholds restored, so the process collects as before (every :data:`FULL_EVERY` renders the
    collection comes after the unfreezing and walks the whole heap). Drop the layout inside the block: what
    is still referenced at its end cannot be freed there. Nested and concurrent uses share one
    setting: only the outermost entry and exit change it.
    """
    global _depth, _saved, _renders
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.collect(1)
            gc.freeze()
            gc.set_threshold(YOUNG_THRESHOLD, 50, 1000)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _renders += 1
                full = not _renders % FULL_EVERY
                try:  # nested: a timeout's alarm landing in between must not leave the heap frozen
                    if not full:
                        gc.collect()  # the frozen objects are skipped: this walks what the render made
                finally:
                    try:
                        gc.set_threshold(*_saved)
                    finally:
                        gc.unfreeze()
                if full:
                    gc.collect()  # the whole heap: also the garbage made between renders (FULL_EVERY)
