"""What the server's worker processes run: one build, one preview or one bundle per job.

A job names a folder and files in it by name; the worker reads nothing else (images and a
sources file are looked up in that folder by the loader and the resolver, which refuse
anything outside it). Every outcome is plain picklable data: the bytes made, the warnings,
or an error as fields whose file names are relative to the job's folder, so that no answer
tells a client where the server keeps its files.
"""

from __future__ import annotations

import os
import signal
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import LimitError, RenderError, ReportkitError, ReportkitWarning
from ...limits import DEFAULT_LIMITS, Limits, time_limit

__all__ = ["Build", "Bundle", "Job", "Outcome", "Preview", "run", "start_worker"]

#: Output format -> media type of the answer.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "epub": "application/epub+zip",
    "html": "text/html; charset=utf-8",
    "claimreview": "application/ld+json",
}


@dataclass(frozen=True, kw_only=True)
class Job:
    """What every job has: the folder its files are in, how to build them, and the limits."""

    folder: str
    layout: str = "report"
    page_size: str = "A4"
    #: Writer options (``archival``, ``engine``).
    options: dict[str, Any] = field(default_factory=dict)
    limits: Limits = DEFAULT_LIMITS


@dataclass(frozen=True, kw_only=True)
class Build(Job):
    """Build ``name`` (a file in ``folder``) into one format."""

    name: str
    fmt: str


@dataclass(frozen=True, kw_only=True)
class Preview(Job):
    """Build ``name`` as a web page and a PDF, and draw the PDF's pages as PNG images."""

    name: str
    dpi: int = 60


@dataclass(frozen=True, kw_only=True)
class Bundle(Job):
    """Build the PDFs of ``names`` (files in ``folder``) and combine them into one digest."""

    names: tuple[str, ...]


@dataclass
class Outcome:
    """What a job made, or why it failed."""

    data: bytes = b""
    media_type: str = "application/octet-stream"
    warnings: list[str] = field(default_factory=list)
    #: ``{"error", "message", "file", "line", "column", "field", "hint", "status"}`` when the job failed.
    error: dict[str, Any] | None = None
    seconds: float = 0.0
    #: Previews: the web page, the pages as PNG images, and what the list of checks shows.
    html: bytes = b""
    pages: list[bytes] = field(default_factory=list)
    title: str = ""
    #: The fact-check's id (its slug), which names the output file.
    slug: str = ""
    verdict: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the job made what it was asked for."""
        return self.error is None



def start_worker(memory_mb: int, pids: Any) -> None:
    """Start a worker: leave Ctrl-C to the server, cap its memory, announce it, import the writers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    pids.put(os.getpid())
    from ...writers import get_writer

    for fmt in ("pdf", "html"):
        get_writer(fmt)


def ready() -> int:
    """A job that does nothing: submitted once per worker at start, so that the workers start warm."""
    return os.getpid()


def run(job: Job) -> Outcome:
    """Run one job; never raises for a problem of the input (the outcome carries it)."""
    started = time.perf_counter()
    outcome = Outcome()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReportkitWarning)
        try:
            # The renderer bounds its own time; this bounds reading and checking the input too.
            with time_limit(job.limits.render_seconds, "building the fact-check"):
                if isinstance(job, Build):
                    _build(job, outcome)
                elif isinstance(job, Preview):
                    _preview(job, outcome)
                elif isinstance(job, Bundle):
                    _bundle(job, outcome)
                else:
                    raise TypeError(f"not a job: {type(job).__name__}")
        except ReportkitError as exc:
            outcome.error = describe(exc, Path(job.folder))
        except RecursionError:
            outcome.error = {"error": "InputError", "status": 400,
                             "message": "the fact-check is nested too deeply to be read",
                             "hint": "a fact-check's fields nest a few levels at most"}
        except MemoryError:
            outcome.error = {"error": "LimitError", "status": 413,
                             "message": "building the fact-check needed more memory than the server allows",
                             "hint": "make the document smaller, or raise --max-memory-mb"}
        except Exception:  # noqa: BLE001 - the worker answers every job; the server logs the traceback
            outcome.error = {"error": "InternalError", "status": 500,
                             "message": "rendering failed unexpectedly", "traceback": traceback.format_exc()}
    outcome.warnings = [_scrub(str(w.message), Path(job.folder)) for w in caught
                        if issubclass(w.category, ReportkitWarning)]
    outcome.seconds = time.perf_counter() - started
    if outcome.error is not None:
        outcome.data, outcome.html, outcome.pages = b"", b"", []
    return outcome


def describe(exc: ReportkitError, folder: Path) -> dict[str, Any]:
    """An error as fields for an answer: file names relative to ``folder``, the HTTP status it earns."""
    if isinstance(exc, LimitError):
        status = 413
    elif isinstance(exc, RenderError) or exc.exit_code != 2:
        status = 500
    else:
        status = 400
    file = None
    if exc.file:
        path = Path(exc.file)
        file = path.name if not path.is_absolute() or path.parent == folder else _scrub(exc.file, folder)
    return {
        "error": type(exc).__name__,
        "status": status,
        "message": _scrub(exc.message, folder),
        "file": file,
        "line": exc.line,
        "column": exc.column,
        "field": exc.field,
        "hint": _scrub(exc.hint, folder) if exc.hint else None,
    }


def _scrub(text: str, folder: Path) -> str:
    """``text`` without the absolute path of the job's folder (a file in it is named by its own name)."""
    for prefix in {str(folder), str(folder.resolve())}:
        text = text.replace(prefix + os.sep, "").replace(prefix, ".")
    return text


def _load(folder: str, name: str, limits: Limits) -> Any:
    from ...factcheck import load

    return load(Path(folder) / name, limits=limits)


def _render_options(job: Job) -> dict[str, Any]:
    return {"layout": job.layout, "page_size": job.page_size, **job.options}


def _build(job: Build, outcome: Outcome) -> None:
    check = _load(job.folder, job.name, job.limits)
    outcome.title, outcome.slug = check.document.title, check.id
    if job.fmt == "claimreview":
        import json

        outcome.data = (json.dumps(check.to_claimreview(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    else:
        outcome.data = check.render(job.fmt, **_render_options(job))
    outcome.media_type = MEDIA_TYPES[job.fmt]


def _preview(job: Preview, outcome: Outcome) -> None:
    from ..preview import draw_pages

    check = _load(job.folder, job.name, job.limits)
    outcome.title = check.document.title
    outcome.verdict = check.verdict_fields()
    outcome.html = check.render("html", layout=job.layout)
    pdf = check.render("pdf", **_render_options(job))
    outcome.data, outcome.media_type = pdf, MEDIA_TYPES["pdf"]
    outcome.pages = draw_pages(pdf, dpi=job.dpi)


def _bundle(job: Bundle, outcome: Outcome) -> None:
    import tempfile

    from ..bundle import bundle

    with tempfile.TemporaryDirectory(prefix="reportkit-bundle-") as scratch:
        pdfs = []
        for index, name in enumerate(job.names):
            check = _load(job.folder, name, job.limits)
            pdfs.append(check.to_pdf(Path(scratch) / f"{index}.pdf", **_render_options(job)))
        target = Path(scratch) / "bundle.pdf"
        bundle(pdfs, target, layout=job.layout, page_size=job.page_size)
        outcome.data = target.read_bytes()
    outcome.media_type = MEDIA_TYPES["pdf"]
