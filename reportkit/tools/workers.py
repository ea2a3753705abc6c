"""How a batch's own worker processes start: the server that forks them, and what it imports.

On Linux, a batch's workers are forked by a server process (multiprocessing's ``forkserver``)
that imports reportkit's modules once: a worker then starts in a few milliseconds instead of
importing everything again (about 0.4 s of CPU). The server takes about 0.25 s of CPU to
import them, during which no worker can start. :func:`start_server` starts it as soon as the
command line is read, so that it imports on the second core while the command imports on the
first: a ``-j 2`` batch of 100 Typst PDFs has its workers about 0.15 s sooner
(BENCHMARKS.md, "Typst engine"). This module imports only the standard library, so the
command can call it before its own imports. A Typst batch with one worker per CPU gives each
worker a CPU of its own (:func:`cpu_slots`, :func:`pin_worker`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CpuSlots",
    "PRELOAD",
    "PRELOAD_TYPST",
    "UNIX_SOCKET_PATH_MAX",
    "cpu_slots",
    "default_jobs",
    "ensure_server",
    "forkserver_socket_fits",
    "pin_worker",
    "start_server",
    "typst_batch",
    "worker_context",
]

#: What the server that forks the workers imports once (Linux, :func:`worker_context`): reportkit's modules
#: that use no native library with threads of its own. Neither WeasyPrint nor Pango is among them: each
#: worker loads them itself, after the fork, as a spawned process did.
PRELOAD = ("reportkit.tools.batch", "reportkit.tools.build", "reportkit.factcheck", "reportkit.writers.pdf")
#: Added to :data:`PRELOAD` when the batch that starts the server uses the Typst engine (a Rust library
#: whose threads start with the first compile, in the worker).
PRELOAD_TYPST = ("reportkit.writers.pdf.typst", "reportkit.writers.pdf.typst.context", "reportkit.writers.pdf.archival",
                 "typst", "pikepdf")

#: The longest path of a Unix socket on Linux (``sun_path`` holds 108 bytes, the last one a NUL).
UNIX_SOCKET_PATH_MAX = 107
#: What multiprocessing adds to the temporary folder for the fork server's socket:
#: ``/pymp-XXXXXXXX/listener-XXXXXXXX`` (its random parts are 8 characters).
_FORKSERVER_SOCKET_SUFFIX = len("/pymp-XXXXXXXX/listener-XXXXXXXX")


def default_jobs() -> int:
    """The number of worker processes that keeps every core of this machine busy."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def forkserver_socket_fits(temporary_folder: str | None = None) -> bool:
    """Whether the fork server's socket path fits in a Unix socket address under ``temporary_folder`` (TMPDIR).

    multiprocessing puts the socket in the temporary folder; with a deep TMPDIR its path is too
    long and starting the server fails (``OSError: AF_UNIX path too long``): the workers are
    spawned instead.
    """
    import tempfile

    folder = temporary_folder if temporary_folder is not None else tempfile.gettempdir()
    return len(os.fsencode(folder)) + _FORKSERVER_SOCKET_SUFFIX <= UNIX_SOCKET_PATH_MAX


def typst_batch(formats: Sequence[str], layout: str, engine: str | None) -> bool:
    """Whether the batch makes PDFs with the Typst engine (``engine``, else the layout's default)."""
    if "pdf" not in formats:
        return False
    if engine:
        return engine.lower() == "typst"
    from ..errors import ReportkitError
    from ..render.layouts import find_layout
    from ..writers.pdf import pdf_engine

    try:
        return pdf_engine(find_layout(layout), {}) == "typst"
    except ReportkitError:
        return False


def worker_context(typst: bool) -> Any:
    """How the pool starts its workers: forked by a server process on Linux, spawned elsewhere.

    Workers are never forked from the batch's own process, which may have WeasyPrint loaded (GLib
    and Pango keep threads and locks that a fork copies in whatever state they are in). The
    server is a new process that imports only :data:`PRELOAD` (and, for a Typst batch,
    :data:`PRELOAD_TYPST`) before it forks; workers end without Python's finalisation. The
    server is started once per process (multiprocessing's ``forkserver``), by the first batch or
    by :func:`start_server`: what a later batch needs beyond its preload, the worker imports.
    Its working folder and ``sys.path`` are this process's, as multiprocessing sends them with
    every worker.
    """
    import multiprocessing

    if not sys.platform.startswith("linux"):  # macOS: system frameworks are not safe across fork
        return multiprocessing.get_context("spawn")
    if not forkserver_socket_fits():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*PRELOAD, *(PRELOAD_TYPST if typst else ())])
    return context


def start_server(formats: Sequence[str], layout: str, engine: str | None) -> bool:
    """Start the server that forks a batch's workers now, in the background; return whether it was started.

    For a command about to build a batch with its own workers: the server imports what the
    workers need while the command goes on (see the module's docstring). Nothing is started
    where the workers are spawned (not Linux, or too deep a temporary folder). A batch that
    turns out to need no worker (its outputs up to date) leaves the server idle: it ends with
    this process.
    """
    context = worker_context(typst_batch(formats, layout, engine))
    if context.get_start_method() != "forkserver":
        return False
    ensure_server(context)
    return True


#: Whether this process started the fork server (:func:`ensure_server`).
_server_started = False


def ensure_server(context: Any) -> bool:
    """Start the fork server of ``context`` (a ``forkserver`` context) unless it runs; return whether it ran before.

    A server started earlier (by :func:`start_server` as the command began, or by an earlier
    batch of this process) has its imports done or well under way: a batch's workers start
    without waiting for a whole import.
    """
    global _server_started
    from multiprocessing import forkserver

    before = _server_started
    forkserver.ensure_running()
    _server_started = True
    return before


# --- a CPU of its own for each worker --------------------------------------------------------------


@dataclass(frozen=True)
class CpuSlots:
    """The CPUs a batch's workers are pinned to, one each, and the worker holding each (a pid; 0: free)."""

    cpus: tuple[int, ...]
    #: A ``multiprocessing`` array shared by the workers, its lock taken to claim or free a slot.
    owners: Any


def cpu_slots(context: Any, jobs: int, typst: bool) -> CpuSlots | None:
    """The table that gives each worker of a Typst batch a CPU of its own, or None: the workers float.

    A Typst compile hands part of its work to a helper thread (Typst's one rayon thread) and waits
    for it. A worker on a CPU of its own runs that thread on the same CPU as soon as the compile
    waits; floating, the thread was often woken on the other worker's CPU and waited there for its
    turn. With ``-j 2`` on two CPUs, a batch of 100 Typst checks took 4.68 s pinned against 4.83 s
    floating, and 4.30 against 4.52 s in a second series (medians of 9 interleaved rounds each: 1.86
    against 1.80 and 1.85 against 1.76 times ``-j 1``'s throughput; BENCHMARKS.md).
    Only when the batch has one worker per CPU it may run on (``-j 0``, or ``-j 2`` on two): every
    CPU then holds a worker anyway, and work is handed to whichever worker is free, so one slowed
    by another program does fewer documents. Not where ``sched_setaffinity`` is missing (macOS,
    Windows). WeasyPrint's workers float: it was not measured.
    """
    if not typst or jobs < 2 or not hasattr(os, "sched_setaffinity"):
        return None
    cpus = tuple(sorted(os.sched_getaffinity(0)))
    if jobs != len(cpus):
        return None
    return CpuSlots(cpus, context.Array("q", len(cpus)))


def pin_worker(slots: CpuSlots | None) -> int | None:
    """Pin this process, and the threads it starts later, to a free CPU of ``slots``; the CPU, or None.

    A slot is free when nobody holds it or its holder is gone (a worker killed without ending).
    The slot is freed when this process ends normally (an exit handler: a worker replaced after
    its ``recycle_after`` documents gives its CPU to the next). Call it before any thread starts.
    """
    if slots is None:
        return None
    import atexit

    from ..files import process_alive

    pid = os.getpid()
    with slots.owners.get_lock():
        index = next((i for i, owner in enumerate(slots.owners) if owner == 0 or not process_alive(owner)), None)
        if index is None:
            return None
        slots.owners[index] = pid
    try:
        os.sched_setaffinity(0, {slots.cpus[index]})
    except OSError:  # the CPU went offline, or a container forbids it: float
        _free(slots, index, pid)
        return None
    atexit.register(_free, slots, index, pid)
    return slots.cpus[index]


def _free(slots: CpuSlots, index: int, pid: int) -> None:
    """Give slot ``index`` back, if ``pid`` still holds it."""
    with slots.owners.get_lock():
        if slots.owners[index] == pid:
            slots.owners[index] = 0

