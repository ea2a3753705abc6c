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
    OutputError,
    RenderError,
    ReportkitError,
    ReportkitWarning,
)
from .digest import bundle
from .factcheck import FactCheck, load

__all__ = [
    "CitationError",
    "FactCheck",
    "InputError",
    "LayoutError",
    "OutputError",
    "RenderError",
    "ReportkitError",
    "ReportkitWarning",
    "__version__",
    "bundle",
    "load",
]
