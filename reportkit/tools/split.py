"""One Typst PDF build in three processes, one after the other, so that no step's memory is under another's.

Loading, validating and resolving a fact-check and making the template context load the model
(pydantic), the Markdown parser, the resolver and Babel: about 45 MB that a single process keeps
while Typst compiles, the build's peak (BENCHMARKS.md, issue 18). :func:`split_build` forks: the
child does all of that and prepares a detached :class:`~reportkit.writers.pdf.typst.job.TypstJob`
(its compile root written into a folder this process owns), hands the job over a pipe and ends;
this process, which has imported only the command line, then has the job compiled by a second
child (whose end gives all of Typst's memory back at once), finishes the PDF with pikepdf, writes
it atomically, records it in the cache manifest and reports it as any build does. The processes
run one after the other: the build's peak is the largest of them, not their sum.

Whatever is not a successful preparation (an input that is unchanged, bad or refused, a layout
error) is built by the child the ordinary way (``fallback``), which prints what it prints.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..limits import DEFAULT_LIMITS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .report import Progress
    from ..writers.pdf.typst.job import TypstJob

__all__ = ["MODULES_ENV", "SHARED_MODULES", "can_fork", "split_build"]

#: A test hook: when set, the parent writes the names of its modules (sorted, one a line) to this file before compiling.
MODULES_ENV = "REPORTKIT_SPLIT_MODULES"
#: Modules that both the preparing child and this process import, so imported once, before the fork: the standard
#: modules that pikepdf (finishing, in this process) and the child's libraries (pydantic, the Markdown parser) both
#: load. Imported in each process instead, they cost a Typst build of the sample 0.009 s of CPU more (31
#: interleaved runs each: medians 0.434 against 0.425 s), for 0.4 MB more in the compiling process. lxml is left
#: to each (the child's SVG sanitising, this process's XMP packet): imported here too, it saved 0.006 s more but
#: held about 4 MB more under the compile (the peak of the tree's Pss: 61.7 against 57.6 MB, benchmarks/engines.py).
SHARED_MODULES = ("decimal", "logging", "secrets", "string")


def can_fork() -> bool:
    """Whether this system forks processes (POSIX)."""
    return hasattr(os, "fork") and sys.platform != "emscripten"


def split_build(
    path: Path,
    out_dir: Path,
    *,
    progress: Callable[[], Progress],
    fallback: Callable[[], int],
    strict: bool,
    force: bool,
    options: Mapping[str, Any],
) -> int:
    """Build the PDF of ``path`` into ``out_dir`` in a child and this process; return the exit status.

    Returns in both processes (as ``os.fork`` does): in the child once it handed the job over or
    built the ordinary way (``fallback``, returning its exit status), in this process once the
    PDF is written or the build failed. ``progress`` makes the reporter of this build; ``options``
    are those of :func:`~reportkit.tools.batch.build_many` (``limits``, ``layout``...).
    """
    # What both processes use is imported once, before the fork (lean modules: neither the model nor Typst).
    from . import build, cache  # noqa: F401
    from ..writers.pdf import xmp  # noqa: F401
    from ..writers.pdf.typst import job  # noqa: F401

    import importlib
    import signal

    for name in SHARED_MODULES:
        importlib.import_module(name)

    root = tempfile.mkdtemp(prefix="reportkit-typst-")  # the child writes it; this process removes it
    owner = os.getpid()
    try:
        read_end, write_end = os.pipe()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        # Ctrl-C while the child works is the child's to handle (as a build in one process does, and says).
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        child = os.fork()
        if child == 0:
            signal.signal(signal.SIGINT, previous)
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                return _child(pipe, path, out_dir, root, fallback=fallback, progress=progress, strict=strict,
                              force=force, options=options)
        try:
            os.close(write_end)
            with os.fdopen(read_end, "rb") as pipe:
                handed = pipe.read()
            status = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
        finally:
            signal.signal(signal.SIGINT, previous)
        if not handed:  # the child built (or failed) the ordinary way and said so
            return status if status >= 0 else 128 - status
        plan = pickle.loads(handed)
        del handed  # only the job is kept while it compiles
        return _finish(plan, path, out_dir, progress=progress, strict=strict)
    finally:
        if os.getpid() == owner:
            from ..writers.pdf.typst.job import remove_root

            remove_root(root)


def _child(
    pipe: Any,
    path: Path,
    out_dir: Path,
    root: str,
    *,
    fallback: Callable[[], int],
    progress: Callable[[], Progress],
    strict: bool,
    force: bool,
    options: Mapping[str, Any],
) -> int:
    """In the child: prepare the job and hand it over; anything else is built by ``fallback``.

    Python's garbage collector is off here: the child's life is one document's reading and
    preparing, and its memory goes back with it. Its young collections walked the model's,
    the parser's and the resolver's new objects only to keep them (56 for the sample): 0.004 s of
    CPU, 1.4 % of the sample's Typst build, 2.3 % of the 16x dossier's (21 and 3 interleaved runs).
    The child's peak is unchanged (47 MB for the 16x dossier, whose compile takes three times that).
    """
    import gc

    gc.disable()
    from ..errors import ReportkitError
    from .build import build_file
    from .cache import BuildCache, context_keys

    layout = options.get("layout", "report")
    limits = options.get("limits") or DEFAULT_LIMITS
    try:
        store = BuildCache(out_dir, context_keys(layout, options, ("pdf",), strict=strict))
    except ReportkitError:
        return fallback()  # a broken layout: the ordinary build says so
    if not force and not store.stale(path, ("pdf",)):
        return fallback()  # unchanged: the ordinary build reports it skipped
    try:
        with _detaching(root) as jobs:
            result = build_file(path, out_dir, formats=("pdf",), strict=strict, collect=True, **options)
    except KeyboardInterrupt:
        return _interrupted(path, progress)
    if not result.ok or len(jobs) != 1 or len(result.payload) != 1:
        return fallback()  # a bad input or layout: built again the ordinary way, which reports it
    pickle.dump({
        "job": jobs[0],
        "target": next(iter(result.payload)),
        "slug": result.slug,
        "sources": result.sources,
        "warnings": result.warnings,
        "seconds": result.seconds,
        "context": store.contexts.get("pdf"),
        "render_seconds": options.get("timeout") or limits.render_seconds,
    }, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


@contextmanager
def _detaching(root: str) -> Iterator[list[TypstJob]]:
    """Within: the Typst engine prepares detached jobs into ``root`` (collected in the list yielded) and renders nothing."""
    from ..writers.pdf import typst

    with typst.detached(root) as jobs:
        yield jobs


def _finish(
    plan: dict[str, Any], path: Path, out_dir: Path, *, progress: Callable[[], Progress], strict: bool
) -> int:
    """In this process: compile the job the child prepared, write the PDF, record and report it; the exit status."""
    from ..files import atomic_write, check_target
    from ..limits import time_limit
    from .build import BuildResult, check_strict, recording

    modules = os.environ.get(MODULES_ENV)
    if modules:
        Path(modules).write_text("\n".join(sorted(sys.modules)) + "\n", encoding="utf-8")
    result = BuildResult(path, slug=plan["slug"], sources=plan["sources"], warnings=list(plan["warnings"]),
                         seconds=plan["seconds"])
    started = time.perf_counter()
    try:
        with recording(result, strict, path) as caught:
            with time_limit(max(1.0, float(plan["render_seconds"]) - plan["seconds"]), "rendering the pdf"):
                pdf = _compile_and_finish(plan["job"])
            check_strict(strict, caught)  # Typst's warnings and footnotes off their page count under --strict
            result.outputs.append(atomic_write(check_target(Path(plan["target"])), pdf))
    except KeyboardInterrupt:
        return _interrupted(path, progress)
    return _report(result, out_dir, plan["context"], progress(), time.perf_counter() - started + plan["seconds"])


def _compile_and_finish(job: TypstJob) -> bytes:
    """The finished PDF of ``job``: compiled in a process of its own, finished in this one.

    Typst's compile is the build's peak, and what it leaves behind (code, fonts, memo cache,
    a fragmented heap) is not all given back by :func:`~reportkit.writers.pdf.typst.job.release_memory`:
    a process that ends gives it all back, so pikepdf and lxml finish the PDF on this process's
    small heap instead of on top of it. The compiling process writes the PDF into the compile root
    and sends what the writer's metadata found, the PDF's /ID, a link probe for the words of
    internal links (none when they are known: English), and its warnings (raised again here, in
    order) or its error: little data, so that nothing of size is copied here while it is alive.
    """
    import warnings

    from ..errors import ReportkitWarning
    from ..writers.pdf.typst.job import finish_job, words_for

    outcome, messages = _in_child(_compile, job)
    for message in messages:
        warnings.warn(message, ReportkitWarning, stacklevel=2)
    if isinstance(outcome, BaseException):
        raise outcome
    found, identifier, probe = outcome
    return finish_job(job, _output(job), found, identifier, links=words_for(job.lang, probe))


def _output(job: TypstJob) -> Path:
    """Where the compiling process leaves Typst's PDF of ``job``: beside the compile root's files, in its folder."""
    return Path(job.root) / ".compiled.pdf"


def _compile(job: TypstJob) -> tuple[dict[str, Any], str, bytes]:
    """Compile ``job`` (settled, copyfitted) into :func:`_output`; what the writer's metadata found, the /ID, a link
    probe (empty when the words of the job's language are known)."""
    from ..writers.pdf.typst.job import compile_job, compiler, compiling_process, job_identifier, needed_probe

    compiling_process(job)  # one Typst thread, and a heap that gives its memory back (BENCHMARKS.md)
    pdf, found, text = compile_job(job, compiler(job.root, job.font_folders))
    _output(job).write_bytes(pdf)
    return found, job_identifier(job, text), needed_probe(job.lang)


def _in_child(function: Callable[[Any], Any], argument: Any) -> tuple[Any, list[str]]:
    """``function(argument)`` run in a forked process: its result (or the exception it raised) and its warnings."""
    import signal
    import traceback
    import warnings

    from ..errors import RenderError, ReportkitWarning

    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked process, which ends with os._exit
        status = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides, and ends this process
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.close(read_end)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ReportkitWarning)
                try:
                    outcome: Any = function(argument)
                except Exception as exc:  # sent to the parent, which raises it
                    outcome = exc
            messages = [str(w.message) for w in caught if issubclass(w.category, ReportkitWarning)]
            try:
                data = pickle.dumps((outcome, messages), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an exception that cannot travel: its text does
                failure = RenderError(f"rendering failed: {type(outcome).__name__}: {outcome}")
                data = pickle.dumps((failure, messages), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        except BaseException:
            traceback.print_exc()
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    data = b""
    try:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
    finally:
        if not data:  # stopped (a time limit, Ctrl-C) or failed: the compile is abandoned
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(child, 0)
    if not data:
        raise RenderError("rendering failed: the Typst compile ended without a result")
    outcome, messages = pickle.loads(data)
    return outcome, list(messages)


def _report(result: Any, out_dir: Path, context: str | None, progress: Progress, seconds: float) -> int:
    """Record ``result`` in the cache manifest and report it as a batch of one does; the exit status."""
    from ..errors import ReportkitError
    from .report import BatchReport
    from .cache import BuildCache

    if context is not None:
        store = BuildCache(out_dir, {"pdf": context})
        store.record(result, ("pdf",))
        try:
            store.save()
        except ReportkitError:
            pass  # an unwritable manifest costs a rebuild next time, not this build
    report = BatchReport(results=[result], seconds=seconds)
    progress.start(1)
    progress.update(result)
    progress.finish(report)
    return report.exit_code


def _interrupted(path: Path, progress: Callable[[], Progress]) -> int:
    """Ctrl-C (or a kill) during the build: reported as an interrupted batch of one is (nothing was written)."""
    from .report import BatchReport
    from .build import BuildResult

    report = BatchReport(results=[BuildResult(path)], interrupted=True)
    reporter = progress()
    reporter.start(1)
    reporter.finish(report)
    return report.exit_code
