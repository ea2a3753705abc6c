"""reportkit: typeset fact-checks as print-ready PDF and EPUB 3.

>>> import reportkit as rk
>>> check = rk.load("samples/russia-nato.md")      # doctest: +SKIP
>>> check.to_pdf("out/russia-nato.pdf")             # doctest: +SKIP

The public names are re-exported here and nowhere else. Only the errors and :class:`Limits` are
imported with the package: the builder, the build options, the layouts and the tools are imported
on first use (module ``__getattr__``), so that ``import reportkit`` (and every CLI run, ``reportkit
--version`` too) loads neither pydantic nor Jinja2 nor WeasyPrint. Type checkers see every name
through the ``TYPE_CHECKING`` imports below.
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
from .limits import Limits

if TYPE_CHECKING:
    from .factcheck import FactCheck, load
    from .options import BuildOptions
    from .render.layouts import Layout, find_layout
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

#: Names imported on first use, and the module (under ``reportkit``) that defines each. The builder,
#: the build options and the layouts pull in pydantic and Jinja2; the tools, WeasyPrint or more.
_LAZY = {
    "BatchInterrupted": ".tools.batch",
    "BatchReport": ".tools.batch",
    "BuildOptions": ".options",
    "BuildResult": ".tools.build",
    "Check": ".tools.verify",
    "FactCheck": ".factcheck",
    "Layout": ".render.layouts",
    "Verification": ".tools.verify",
    "build_many": ".tools.batch",
    "bundle": ".tools.bundle",
    "extract": ".tools.extract",
    "find_layout": ".render.layouts",
    "load": ".factcheck",
    "sign": ".tools.sign",
    "verify": ".tools.verify",
}


def __getattr__(name: str) -> object:
    """Import a lazily loaded public name on first use (``from reportkit import FactCheck`` included)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'reportkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names, lazily loaded ones included."""
    return sorted(set(__all__) | set(globals()))
