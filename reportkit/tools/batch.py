"""Build many fact-checks at once: warm worker processes, a content-hash cache, any executor, Dask.

:func:`build_many` runs :func:`reportkit.tools.build.build_file` for every input, in this
process (``jobs=1``), in warm worker processes of its own (``jobs=N``) or on any
:class:`concurrent.futures.Executor` given to it (a Dask cluster's
``client.get_executor()``, for one). Inputs whose outputs are up to date are skipped
without rendering (:mod:`reportkit.tools.cache`). Ctrl-C stops the batch cleanly: finished
outputs stay, nothing half-written remains, and what was built is remembered.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import BuildResult, build_file, expand_checked
from .report import BatchInterrupted, BatchReport, Progress
from .workers import cpu_slots, default_jobs, ensure_server, pin_worker, typst_batch, worker_context
from ..errors import OutputError, ReportkitError

__all__ = ["BatchInterrupted", "BatchReport", "Progress", "build_many", "default_jobs"]

#: Worker processes of a batch's own pool are replaced after this many documents (``recycle_after``): a
#: safety net, since a worker's memory stays flat (BENCHMARKS.md, "Memory in long-lived processes"). A new
#: worker costs one start (a fork of the server, the engine's import, fonts): well under 1 s of CPU, under
#: 1 % of 500 documents.
TASKS_PER_WORKER = 500
#: Seconds between saves of the cache manifest during a long batch.
SAVE_EVERY = 60.0


@dataclass(frozen=True)
class _Job:
    """One input to build, as sent to a worker."""

    index: int
    path: Path
    out_dir: Path
    formats: tuple[str, ...]
    strict: bool
    collect: bool
    options: dict[str, Any]
    #: Unique per batch: a cluster that caches results by task never answers a new batch with an old result.
    batch: str


def _check_options(options: Mapping[str, Any]) -> None:
    """Refuse an unknown or ill-typed option before any worker starts (:class:`InputError` naming it)."""
    from ..options import BuildOptions
    from ..render.layouts import find_layout

    try:
        declared = find_layout(options.get("layout", "report")).options
    except ReportkitError:
        declared = {}  # a broken layout: every input fails with its message
    rendering = {key: value for key, value in options.items() if key not in ("limits", "unsafe_images")}
    BuildOptions.parse(rendering, layout_options=declared)


def build_many(
    inputs: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("pdf", "epub"),
    executor: futures.Executor | None = None,
    jobs: int = 1,
    force: bool = False,
    cache: bool = True,
    strict: bool = False,
    collect: bool = False,
    progress: Progress | None = None,
    recycle_after: int = TASKS_PER_WORKER,
    **options: Any,
) -> BatchReport:
    """Build every input (files, or folders of them) into ``out_dir``; return a :class:`BatchReport`.

    - ``executor``: any :class:`concurrent.futures.Executor` (e.g. Dask's
      ``client.get_executor()``); it is used as given and not shut down. Without one,
      ``jobs=1`` builds in this process and ``jobs=N`` in N warm worker processes.
    - ``force``: rebuild even the outputs that are up to date. ``cache=False``: neither
      read nor write the cache manifest.
    - ``collect``: workers return the bytes and this process writes them (for a
      cluster whose workers cannot write to ``out_dir``).
    - ``recycle_after``: with ``jobs=N``, each worker process is replaced by a fresh one after
      building this many documents (0: never). A given ``executor`` manages its own workers: for
      Dask, bound each worker's memory with ``--memory-limit`` (its nanny restarts a worker that
      passes it) instead.
    - ``options``: what :meth:`reportkit.FactCheck.render` takes (``layout``, ``page_size``...).

    One failing input never stops the others; its result carries the error. Ctrl-C
    raises :class:`BatchInterrupted` (a ``KeyboardInterrupt``) carrying the report of
    what was finished; no partial file is left behind.
    """
    started = time.perf_counter()
    checked = expand_checked(inputs)
    files = [path for path, _ in checked]
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror or exc}", file=folder) from None
    formats = tuple(dict.fromkeys(f.lower() for f in formats))
    from ..render.layouts import Layout

    if isinstance(options.get("layout"), Layout):  # a Layout travels to workers as its folder
        options["layout"] = str(options["layout"].path)
    layout = options.get("layout", "report")
    _check_options(options)

    store = None
    if cache:
        from .cache import BuildCache, context_keys

        try:
            store = BuildCache(folder, context_keys(layout, options, formats, strict=strict))
        except ReportkitError:
            store = None  # the layout is broken: every input fails with the message, nothing is cached

    report = BatchReport(results=[BuildResult(path) for path in files])
    todo: list[_Job] = []
    batch_id = os.urandom(16).hex()
    if progress is not None:
        progress.start(len(files))

    def done(index: int, result: BuildResult) -> None:
        report.results[index] = result
        if progress is not None:
            progress.update(result)

    pending: dict[int, list[Path]] = {}
    for index, (path, refusal) in enumerate(checked):
        if refusal is not None:
            done(index, BuildResult(path, error=refusal))
            continue
        stale = list(formats) if force or store is None else store.stale(path, formats)
        if not stale:
            done(index, store.skipped(path, formats))  # type: ignore[union-attr]
            continue
        pending[index] = store.unchanged(path, [f for f in formats if f not in stale]) if store else []
        todo.append(_Job(index, path, folder, tuple(stale), strict, collect, dict(options), batch_id))

    last_save = time.monotonic()

    def finish(job: _Job, result: BuildResult) -> None:
        nonlocal last_save
        if result.payload:
            _write_payload(result)
        if store is not None:
            store.record(result, job.formats)
        if result.ok:
            result.outputs += pending.get(job.index, [])
            result.unchanged += pending.get(job.index, [])
        done(job.index, result)
        if store is not None and time.monotonic() - last_save > SAVE_EVERY:
            store.save()
            last_save = time.monotonic()

    try:
        if executor is None and min(jobs, len(todo)) <= 1:  # starting workers would cost more than it saves
            for job in todo:
                finish(job, _run(job))
        elif todo:
            _dispatch(
                todo,
                finish,
                executor=executor,
                jobs=min(jobs, len(todo)),
                formats=formats,
                layout=layout,
                engine=options.get("engine"),
                recycle_after=recycle_after,
            )
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        _collisions(report, store)
        report.seconds = time.perf_counter() - started
        if store is not None:
            try:
                store.save()
            except ReportkitError:
                pass  # an unwritable manifest costs a rebuild next time, not this batch
        if progress is not None:
            progress.finish(report)
    if report.interrupted:
        raise BatchInterrupted(report)
    return report


def _write_payload(result: BuildResult) -> None:
    """Write the bytes a worker sent back (``collect=True``), atomically."""
    from ..files import atomic_write

    try:
        for path, data in result.payload.items():
            atomic_write(path, data)
    except ReportkitError as exc:
        result.error = exc
    finally:
        result.payload = {}


def _collisions(report: BatchReport, store: Any) -> None:
    """Fail the inputs that wrote the same output file (two fact-checks with one slug)."""
    writers: dict[Path, list[BuildResult]] = {}
    for result in report.results:
        for output in result.written:
            writers.setdefault(output.resolve(), []).append(result)
    for output, results in writers.items():
        if len(results) < 2:
            continue
        names = ", ".join(str(r.input) for r in results)
        for result in results:
            result.error = OutputError(
                f"{output.name} was written by several inputs ({names}): the last one built won",
                file=result.input,
                hint="give each fact-check its own slug",
            )
            if store is not None:
                store.forget(result.input)


# --- running jobs -----------------------------------------------------------------------------

_busy = False
_stopping = False


def _run(job: _Job) -> BuildResult:
    """Build one job (in whatever process runs it)."""
    global _busy
    _busy = True
    try:
        return build_file(job.path, job.out_dir, formats=job.formats, strict=job.strict, collect=job.collect,
                          **job.options)
    except KeyboardInterrupt:
        if _stopping:  # our worker was told to stop: the document is abandoned, its temporary file removed
            os._exit(128 + signal.SIGTERM)
        raise
    finally:
        _busy = False


def _on_terminate(signum: int, frame: Any) -> None:
    """SIGTERM in a worker: abandon the document being built (removing its temporary file), then exit.

    An idle worker exits at once, as with the default handler: the executor terminating a
    broken pool relies on that.
    """
    global _stopping
    if _busy and not _stopping:
        _stopping = True
        raise KeyboardInterrupt
    os._exit(128 + signum)


def _warm(
    formats: Sequence[str],
    layout: str,
    pids: Any,
    engine: str | None = None,
    environ: Mapping[str, str] | None = None,
    ready: Any = None,
    slots: Any = None,
) -> None:
    """Start a worker: stop listening to Ctrl-C (the parent decides), import the writers, load the fonts.

    PDF workers warm the engine the build uses (``engine``, else the layout's): a Typst
    build never imports WeasyPrint. ``environ`` is the parent's environment as the batch
    starts (a forked worker has the server's, from when it started). ``ready`` (an event)
    is set once the worker is warm. ``slots``: the CPUs of :func:`~.workers.cpu_slots`, one of
    which this worker takes before it starts a thread.
    """
    _run_exit_handlers_at_exit()
    pin_worker(slots)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_terminate)
    if environ is not None and os.environ != environ:
        os.environ.clear()
        os.environ.update(environ)
    pids.put(os.getpid())
    from ..writers import get_writer

    for fmt in formats:
        try:
            get_writer(fmt)
        except ReportkitError:
            pass
    if "pdf" in formats:
        try:
            from ..render.layouts import find_layout
            from ..writers.pdf import pdf_engine

            chosen = find_layout(layout)
            if pdf_engine(chosen, {"engine": engine}) == "typst":
                from ..writers.pdf.typst import one_thread, warm_up

                one_thread()  # a document per core already: Typst's own threads would wait for a core
                warm_up(chosen)
            else:
                from ..writers.pdf.writer import font_setup

                font_setup(chosen)  # what a document in the layout's own scripts needs
        except ReportkitError:
            pass  # the layout's own error is reported with each document
    import gc

    gc.freeze()  # what the worker imported lives as long as it: no collection walks it (nor copies its pages)
    if ready is not None:
        ready.set()


def _parent_helps(formats: Sequence[str], typst: bool, *, server_ran: bool) -> bool:
    """Whether this process builds documents itself while its workers start.

    Only when the server that forks them starts with this batch (``server_ran``: it was
    started before), and when no document is a WeasyPrint PDF. A new server imports for about 0.3 s
    before any worker starts: a Typst PDF or an EPUB takes 0.1-0.2 s, so the first few
    documents are built meanwhile. A server started earlier (as the command began, see
    :mod:`reportkit.tools.workers`) has the workers going about 0.15 s after the batch asks:
    the first document this process would build (0.3 s of CPU, its engine's imports and fonts
    included) costs more than it gives, as it takes a core from the workers (a ``-j 2`` batch of
    100 Typst PDFs: 4.46 s without it, 4.62 s with it, medians of 5). WeasyPrint stays in the
    workers only: it would hold this process's memory for the whole batch, and its native
    libraries are what the workers isolate.
    """
    return not server_ran and ("pdf" not in formats or typst)


def _run_exit_handlers_at_exit() -> None:
    """Have this worker run its exit handlers (:mod:`atexit`) when it ends.

    A worker that multiprocessing forked ends with ``os._exit``, which runs no :mod:`atexit`
    handler, only multiprocessing's own finalizers: the Typst engine's compile folder (removed
    by an exit handler) would stay in the temporary folder. ``atexit._run_exitfuncs`` is what
    Python's finalisation calls; it runs each handler once. tests/tools/test_batch.py fails when
    a worker leaves its compile folder behind.
    """
    import atexit
    from multiprocessing import util

    util.Finalize(None, atexit._run_exitfuncs, exitpriority=0)


def _dispatch(
    todo: list[_Job],
    finish: Callable[[_Job, BuildResult], None],
    *,
    executor: futures.Executor | None,
    jobs: int,
    formats: Sequence[str],
    layout: str,
    engine: str | None = None,
    recycle_after: int = TASKS_PER_WORKER,
) -> None:
    """Run ``todo`` on ``executor`` (or a pool of ``jobs`` warm processes), a few jobs ahead of the workers.

    When a worker process of our own pool dies (killed, out of memory, a crash in a C library),
    the pool is replaced and the documents it was building are tried once more; a document
    that dies twice is reported as failed.
    """
    import itertools
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    own = executor is None
    typst = typst_batch(formats, layout, engine)
    context = worker_context(typst) if own else multiprocessing.get_context("spawn")
    pids: Any = context.SimpleQueue() if own else None
    environ = dict(os.environ)
    server_ran = own and context.get_start_method() == "forkserver" and ensure_server(context)
    ready: Any = context.Event() if own and _parent_helps(formats, typst, server_ran=server_ran) else None

    def pool() -> futures.Executor:
        slots = cpu_slots(context, jobs, typst) if own else None  # a pool that replaces a broken one: all free
        return futures.ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_warm,
            initargs=(tuple(formats), str(layout), pids, engine, environ, ready, slots),
            max_tasks_per_child=recycle_after or None,
        )

    current = pool() if own else executor
    assert current is not None
    window = max(4, 2 * (jobs if own else _workers(current)))
    queue: Iterator[_Job] = iter(todo)
    running: dict[futures.Future[BuildResult], _Job] = {}
    retried: set[int] = set()
    workers: set[int] = set()
    stop = _CtrlC()
    try:
        while True:
            stop.check()
            while len(running) < window:
                job = next(queue, None)
                if job is None:
                    break
                running[current.submit(_run, job)] = job
            if not running:
                break
            if ready is not None and not ready.is_set() and not any(f.done() for f in running):
                job = next(queue, None)  # no worker is warm yet: build the next document here
                if job is not None:
                    finish(job, _run(job))
                    continue
            finished, _ = futures.wait(running, timeout=0.2, return_when=futures.FIRST_COMPLETED)
            if own:
                workers.update(_announced(pids))
            if own and any(isinstance(f.exception(), BrokenProcessPool) for f in finished if not f.cancelled()):
                lost = list(running.values())  # the whole pool is gone with every document it held
                running.clear()
                current.shutdown(wait=True)
                current = pool()
                again = [j for j in lost if j.index not in retried]
                retried.update(j.index for j in again)
                for job in lost:
                    if job.index not in {j.index for j in again}:
                        finish(job, _died(job))
                queue = itertools.chain(again, queue)
                continue
            for future in finished:
                job = running.pop(future)
                result = _outcome(job, future)
                if job.index in retried:  # a killed worker cannot remove its temporary files: do it for it
                    _sweep(result.outputs)
                finish(job, result)
    except KeyboardInterrupt:
        for future in running:
            future.cancel()
        if own:
            _stop_workers(workers | _announced(pids))
        raise
    finally:
        try:  # Ctrl-C stays a flag until the workers are gone: an exception inside shutdown could hang it
            if own:
                current.shutdown(wait=True, cancel_futures=True)
        finally:
            stop.restore()


class _CtrlC:
    """Turns Ctrl-C into a flag while futures are awaited, and raises it where it is safe.

    A KeyboardInterrupt raised inside ``concurrent.futures.wait`` can leave a future's lock
    held, and the executor's shutdown then waits forever. Only Python's own Ctrl-C handler
    is replaced (a program's own handler is left alone), and only in the main thread.
    """

    def __init__(self) -> None:
        self.pressed = False
        self.previous: Any = None
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self.previous = signal.signal(signal.SIGINT, self._press)

    def _press(self, signum: int, frame: Any) -> None:
        self.pressed = True

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C was pressed since the last check."""
        if self.pressed:
            raise KeyboardInterrupt

    def restore(self) -> None:
        """Give Ctrl-C back to the handler it had."""
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None


def _sweep(outputs: Iterable[Path]) -> None:
    """Remove the temporary files a killed worker left beside ``outputs`` (those no running build owns)."""
    from ..files import sweep_temporaries

    for output in outputs:
        sweep_temporaries(output)


def _died(job: _Job) -> BuildResult:
    """The result of a document whose worker process died twice while building it."""
    from ..errors import RenderError

    error = RenderError(
        "the worker process building it died twice (killed, out of memory, or a crash in a library)",
        file=job.path,
        hint="build it alone with 'reportkit build FILE --debug' to see what happens",
    )
    return BuildResult(job.path, error=error)


def _outcome(job: _Job, future: futures.Future[BuildResult]) -> BuildResult:
    """The job's result, or a failed result when the worker itself failed (it crashed, was lost...)."""
    try:
        return future.result()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a lost worker must not lose the document
        from ..errors import RenderError

        error = RenderError(f"the worker building it failed: {type(exc).__name__}: {exc}", file=job.path)
        return BuildResult(job.path, error=error)


def _workers(executor: futures.Executor) -> int:
    """How many documents ``executor`` builds at once, as far as it can be told."""
    count = getattr(executor, "_max_workers", None)
    if isinstance(count, int):
        return count
    client = getattr(executor, "_client", None)  # Dask's ClientExecutor
    if client is not None:
        try:
            return max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        except Exception:  # noqa: BLE001 - only a hint for how far ahead to submit
            return 4
    return 4


def _announced(pids: Any) -> set[int]:
    """The process ids our workers announced since the last call (read often: a pipe has a bounded buffer)."""
    found = set()
    while not pids.empty():
        found.add(pids.get())
    return found


def _stop_workers(pids: set[int]) -> None:
    """Ask every worker of our pool to abandon its document (SIGTERM; they ignore Ctrl-C themselves).

    Only live children of this process that announced themselves as our workers are signalled.
    """
    import multiprocessing

    for child in multiprocessing.active_children():
        if child.pid in pids:
            try:
                os.kill(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
