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
from .digest import bundle
from .factcheck import FactCheck, load
from .limits import Limits
from .verification import extract, verify

__all__ = [
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
    "bundle",
    "extract",
    "load",
    "verify",
]
