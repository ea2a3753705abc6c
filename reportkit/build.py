"""Build input files into output files, one document at a time, reporting instead of raising.

This is what the CLI (and batch builds) run for each input: load, write every
format asked for, and return a :class:`BuildResult` that says what was written,
what was warned about, and what went wrong. One bad input never stops the others.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, RenderError, ReportkitError, ReportkitWarning
from .limits import DEFAULT_LIMITS, Limits
from .loaders import SUFFIXES

__all__ = ["BuildResult", "build_file", "expand_inputs"]


@dataclass
class BuildResult:
    """What building one input produced."""

    input: Path
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: ReportkitError | None = None

    @property
    def ok(self) -> bool:
        """True when every output was written."""
        return self.error is None


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


def build_file(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("pdf", "epub"),
    strict: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    unsafe_images: str = "error",
    **options: Any,
) -> BuildResult:
    """Build one input file into ``out_dir``; never raises for a problem of the input.

    ``options`` (layout, page_size, timeout...) go to every writer.
    """
    from .factcheck import load
    from .writers import output_path

    result = BuildResult(Path(path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReportkitWarning)
        try:
            check = load(path, limits=limits, unsafe_images=unsafe_images)
            check.resolve()
            if strict and caught:
                raise InputError(
                    f"{len(caught)} warning{'s' if len(caught) > 1 else ''} with --strict: {caught[0].message}",
                    hint="fix the warnings, or build without --strict",
                )
            folder = Path(out_dir)
            for fmt in formats:
                result.outputs.append(check._write(fmt, output_path(folder, check.id, fmt), **options))
        except ReportkitError as exc:
            result.error = exc.located(path) if exc.file is None else exc
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # a failure of the machinery, not of the input
            result.error = RenderError(f"rendering failed: {type(exc).__name__}: {exc}", file=path)
            result.error.__cause__ = exc
    result.warnings = [str(w.message) for w in caught if issubclass(w.category, ReportkitWarning)]
    return result
