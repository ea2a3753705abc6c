"""reportkit: typeset fact-checks as print-ready PDF and EPUB 3.

>>> import reportkit as rk
>>> check = rk.load("samples/russia-nato.md")      # doctest: +SKIP
>>> check.to_pdf("out/russia-nato.pdf")             # doctest: +SKIP

The public names are re-exported here and nowhere else. The batch, bundle and archive tools
are imported on first use, so that ``import reportkit`` (and every CLI run) stays quick; type
checkers see them through the ``TYPE_CHECKING`` imports below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._version import __version__
from .errors import (
    CitationError,
    InputError,
    LayoutError,
    LimitError,
    OutputError,
    RenderError,
    ReportkitError,
    ReportkitWarning,
    TargetError,
    UnsafeResourceError,
)
from .factcheck import FactCheck, load
from .limits import Limits
from .options import BuildOptions
from .render.layouts import Layout, find_layout

if TYPE_CHECKING:
    from .tools.batch import BatchInterrupted, BatchReport, build_many
    from .tools.build import BuildResult
    from .tools.bundle import bundle
    from .tools.extract import extract
    from .tools.sign import sign
    from .tools.verify import Check, Verification, verify

__all__ = [
    "BatchInterrupted",
    "BatchReport",
    "BuildOptions",
    "BuildResult",
    "Check",
    "CitationError",
    "FactCheck",
    "InputError",
    "Layout",
    "LayoutError",
    "LimitError",
    "Limits",
    "OutputError",
    "RenderError",
    "ReportkitError",
    "ReportkitWarning",
    "TargetError",
    "UnsafeResourceError",
    "Verification",
    "__version__",
    "build_many",
    "bundle",
    "extract",
    "find_layout",
    "load",
    "sign",
    "verify",
]

#: Names imported on first use: the module under ``reportkit.tools`` that defines each.
_LAZY = {
    "BatchInterrupted": "batch",
    "BatchReport": "batch",
    "build_many": "batch",
    "BuildResult": "build",
    "bundle": "bundle",
    "Check": "verify",
    "extract": "extract",
    "sign": "sign",
    "Verification": "verify",
    "verify": "verify",
}


def __getattr__(name: str) -> object:
    """Import a lazily loaded public name on first use."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".tools.{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'reportkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names, lazily loaded ones included."""
    return sorted(set(__all__) | set(globals()))
