"""reportkit: typeset fact-checks as print-ready PDF and EPUB 3.

>>> import reportkit as rk
>>> check = rk.load("samples/russia-nato.md")      # doctest: +SKIP
>>> check.to_pdf("out/russia-nato.pdf")             # doctest: +SKIP
"""

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
    UnsafeResourceError,
)
from .factcheck import FactCheck, load
from .limits import Limits

__all__ = [
    "BatchInterrupted",
    "BatchReport",
    "BuildResult",
    "CitationError",
    "FactCheck",
    "InputError",
    "LayoutError",
    "LimitError",
    "Limits",
    "OutputError",
    "RenderError",
    "ReportkitError",
    "ReportkitWarning",
    "UnsafeResourceError",
    "__version__",
    "build_many",
    "bundle",
    "extract",
    "load",
    "verify",
]

#: Names imported on first use, so that ``import reportkit`` (and every CLI run) stays quick.
_LAZY = {
    "BatchInterrupted": "batch",
    "BatchReport": "batch",
    "build_many": "batch",
    "BuildResult": "build",
    "bundle": "digest",
    "extract": "verification",
    "verify": "verification",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'reportkit' has no attribute {name!r}")
