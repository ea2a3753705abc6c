"""Build input files into output files, one document at a time, reporting instead of raising.

This is what the CLI and batch builds (:func:`reportkit.build_many`) run for each
input: load, write every format asked for, and return a :class:`BuildResult` that
says what was written, what was warned about, and what went wrong. One bad input
never stops the others. A result is plain picklable data, so it can come back from
a worker process or a Dask cluster.
"""

from __future__ import annotations

import hashlib
import os
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, RenderError, ReportkitError, ReportkitWarning
from ..files import atomic_write, check_target
from ..limits import DEFAULT_LIMITS, Limits

__all__ = ["BuildResult", "build_file", "check_strict", "expand_inputs", "file_digest", "recording"]


@dataclass
class BuildResult:
    """What building one input produced."""

    input: Path
    #: Every output of the input that is now up to date: written by this build, or left unchanged.
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: ReportkitError | None = None
    #: The document's id (its slug), once it was loaded.
    slug: str | None = None
    #: Outputs (a subset of ``outputs``) not rebuilt because nothing they depend on changed.
    unchanged: list[Path] = field(default_factory=list)
    #: SHA-256 of every file the outputs were made from (the input and its images), by absolute path.
    sources: dict[str, str] = field(default_factory=dict)
    #: Output bytes by output path, when the build was asked to return them instead of writing them.
    payload: dict[str, bytes] = field(default_factory=dict)
    #: Seconds spent building (0 for an input skipped as unchanged).
    seconds: float = 0.0
    #: The formatted traceback of an unexpected failure (kept as text: it crosses process boundaries).
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        """True when every output was written (or was already up to date)."""
        return self.error is None

    @property
    def written(self) -> list[Path]:
        """The outputs this build wrote (or rendered, when they were returned as bytes)."""
        return [o for o in self.outputs if o not in self.unchanged]

    @property
    def status(self) -> str:
        """``"failed"``, ``"skipped"`` (every output unchanged), ``"built"``, or ``"pending"`` (not built yet)."""
        if self.error is not None:
            return "failed"
        if not self.outputs:
            return "pending"
        return "built" if self.written else "skipped"


def expand_inputs(inputs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Input paths with folders replaced by the fact-check files they hold (sorted, not recursive)."""
    return [path for path, _ in expand_checked(inputs)]


def expand_checked(inputs: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, InputError | None]]:
    """:func:`expand_inputs`, each path with the error that refuses it (``None`` when it may be built).

    A file of a folder that is a symbolic link to a file outside that folder is refused, as an
    image linked from outside the input's folder is: it is not read, and nothing of it is shown.
    """
    from ..errors import UnsafeResourceError

    files: list[tuple[Path, InputError | None]] = []
    for item in inputs:
        path = Path(item)
        if not path.is_dir():
            files.append((path, None))
            continue
        from ..input.loaders import SUFFIXES  # a folder only: naming a file loads no input parser

        folder = path.resolve()
        for entry in sorted(path.iterdir()):
            if entry.suffix.lower() not in SUFFIXES or entry.name.lower() == "readme.md":
                continue
            if entry.is_symlink() and not entry.resolve().is_relative_to(folder):
                files.append((entry, UnsafeResourceError(
                    "is a symbolic link to a file outside the folder, which is not read",
                    file=entry,
                    hint="copy the file into the folder, or name it on the command line",
                )))
            elif entry.is_file():
                files.append((entry, None))
    return files


def file_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a regular file's bytes, as hex ('' when it cannot be read or is no regular file)."""
    import stat

    digest = hashlib.sha256()
    try:  # never blocks on a FIFO, never reads a device: such an input fails when it is loaded
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return ""
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        except OSError:
            return ""
    return digest.hexdigest()


def check_strict(strict: bool, caught: list[warnings.WarningMessage]) -> None:
    """Under --strict, reportkit's warnings so far as an :class:`InputError` (libraries' own warnings do not count)."""
    ours = [w for w in caught if issubclass(w.category, ReportkitWarning)]
    if strict and ours:
        raise InputError(
            f"{len(ours)} warning{'s' if len(ours) > 1 else ''} with --strict: {ours[0].message}",
            hint="fix the warnings, or build without --strict; nothing was written",
        )


def build_file(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("pdf", "epub"),
    strict: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    unsafe_images: str = "error",
    collect: bool = False,
    **options: Any,
) -> BuildResult:
    """Build one input file into ``out_dir``; never raises for a problem of the input.

    ``options`` (layout, page_size, timeout...) go to every writer. With ``collect=True``
    nothing is written: the bytes of each output come back in :attr:`BuildResult.payload`
    (keyed by the path they belong at), for a caller that writes them itself, e.g. the
    client of a cluster without a shared output folder.
    """
    from ..factcheck import load
    from ..limits import time_limit
    from ..writers import output_path

    result = BuildResult(Path(path))
    with recording(result, strict, path) as caught:
        # Hash before reading: a file that changes meanwhile then looks changed next time, never unchanged.
        result.sources[str(Path(path).resolve())] = file_digest(path)
        with time_limit(limits.render_seconds, "loading and checking the fact-check"):
            check = load(path, limits=limits, unsafe_images=unsafe_images)
            result.slug = check.id
            resolved = check.resolve()
        for other in check.read_files:
            result.sources[str(other)] = file_digest(other)
        for asset in resolved.assets.values():
            result.sources[str(asset.path)] = file_digest(asset.path)
        check_strict(strict, caught)
        folder = Path(out_dir)
        rendered: dict[Path, bytes] = {}
        for fmt in formats:
            target = output_path(folder, check.id, fmt)
            rendered[target] = check.render(fmt, **options)
            # Warnings of rendering (a character no font has, a footnote off its page) count too;
            # under --strict nothing is written then, not even the formats that rendered cleanly.
            check_strict(strict, caught)
        for target, data in rendered.items():
            if collect:
                result.payload[str(target)] = data
                result.outputs.append(target)
            else:
                result.outputs.append(atomic_write(check_target(target), data))
    return result


@contextmanager
def recording(
    result: BuildResult, strict: bool = False, path: str | os.PathLike[str] | None = None
) -> Iterator[list[warnings.WarningMessage]]:
    """Run a step of building ``result``'s input, its warnings and its error recorded in ``result``, never raised.

    Yields the warnings caught so far (for :func:`check_strict`). A :class:`ReportkitError` becomes
    the result's error (located at the input unless it names a file); any other exception, a failure
    of the machinery, a :class:`RenderError` with its traceback kept as text. Under ``strict`` a
    failed step leaves no output. The step's time is added to :attr:`BuildResult.seconds`.
    """
    started = time.perf_counter()
    path = result.input if path is None else path  # as the caller named it: messages name the file so
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReportkitWarning)
        try:
            yield caught
        except ReportkitError as exc:
            result.error = exc.located(path) if exc.file is None else exc
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a failure of the machinery, not of the input
            import traceback

            result.error = RenderError(f"rendering failed: {type(exc).__name__}: {exc}", file=path)
            result.error.__cause__ = exc
            result.traceback = "".join(traceback.format_exception(exc))
    result.warnings += [str(w.message) for w in caught if issubclass(w.category, ReportkitWarning)]
    if result.error is not None and strict:
        result.outputs = []
    result.seconds += time.perf_counter() - started
