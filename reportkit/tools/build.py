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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, RenderError, ReportkitError, ReportkitWarning
from ..files import atomic_write, check_target
from ..limits import DEFAULT_LIMITS, Limits
from ..input.loaders import SUFFIXES

__all__ = ["BuildResult", "build_file", "expand_inputs", "file_digest"]


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
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()
                            and p.name.lower() != "readme.md")
        else:
            files.append(path)
    return files


def file_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, as hex ('' when the file cannot be read)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _strict(strict: bool, caught: list[warnings.WarningMessage]) -> None:
    """Under --strict, reportkit's warnings so far as an :class:`InputError` (libraries' own warnings do not count)."""
    ours = [w for w in caught if issubclass(w.category, ReportkitWarning)]
    if strict and ours:
        raise InputError(
            f"{len(ours)} warning{'s' if len(ours) > 1 else ''} with --strict: {ours[0].message}",
            hint="fix the warnings, or build without --strict",
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
    from ..writers import output_path

    started = time.perf_counter()
    result = BuildResult(Path(path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReportkitWarning)
        try:
            # Hash before reading: a file that changes meanwhile then looks changed next time, never unchanged.
            result.sources[str(Path(path).resolve())] = file_digest(path)
            check = load(path, limits=limits, unsafe_images=unsafe_images)
            result.slug = check.id
            for other in check.read_files:
                result.sources[str(other)] = file_digest(other)
            resolved = check.resolve()
            for asset in resolved.assets.values():
                result.sources[str(asset.path)] = file_digest(asset.path)
            _strict(strict, caught)
            folder = Path(out_dir)
            rendered: dict[Path, bytes] = {}
            for fmt in formats:
                target = output_path(folder, check.id, fmt)
                rendered[target] = check.render(fmt, **options)
                # Warnings of rendering (a character no font has, a footnote off its page) count too;
                # under --strict nothing is written then, not even the formats that rendered cleanly.
                _strict(strict, caught)
            for target, data in rendered.items():
                if collect:
                    result.payload[str(target)] = data
                    result.outputs.append(target)
                else:
                    result.outputs.append(atomic_write(check_target(target), data))
        except ReportkitError as exc:
            result.error = exc.located(path) if exc.file is None else exc
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a failure of the machinery, not of the input
            import traceback

            result.error = RenderError(f"rendering failed: {type(exc).__name__}: {exc}", file=path)
            result.error.__cause__ = exc
            result.traceback = "".join(traceback.format_exception(exc))
    result.warnings = [str(w.message) for w in caught if issubclass(w.category, ReportkitWarning)]
    result.seconds = time.perf_counter() - started
    return result
