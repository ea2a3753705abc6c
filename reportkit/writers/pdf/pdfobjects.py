"""pydyf's PDF objects get their own attribute dictionary only when one of their attributes is set.

pydyf 0.13's ``Object.__init__`` gives every PDF object WeasyPrint makes four instance
attributes, ``number``, ``offset``, ``generation`` and ``free``, with the same values for all of
them until the object is added to the PDF. Most objects never are: they are the dictionaries and
arrays nested in others (the page tree, the fonts and, in a tagged PDF, the structure tree:
about 18,000 for the ten pages of the dense 1x dossier). ``Dictionary`` and ``Array`` subclass
``dict`` and ``list``, so those four values cost each an attribute dictionary of about 200
bytes: 3 MB at the peak of writing that PDF, the moment reportkit's peak memory is reached
(issue 16, BENCHMARKS.md).

:func:`install` makes the four values class attributes of ``Object`` and its ``__init__`` set
nothing. An object gets its own dictionary when pydyf sets one of them (``PDF.add_object``
numbers it, writing it sets its offset); reading them gives the same values as before, so the
bytes written are the same (``tests/writers/pdf/test_pdfobjects.py`` compares them, and
``test_same_bytes.py`` the samples). Applied only when pydyf is :data:`PYDYF_VERSION` and the
source of ``Object.__init__`` has the SHA-256 :data:`OBJECT_INIT_SHA256`; otherwise pydyf is
left as it is (a test fails, so the change is noticed). Upstream: no pydyf issue tracks this;
offered as it is, the change would be the class attributes in ``pydyf.Object`` itself.
"""

from __future__ import annotations

import inspect
from typing import Any

import pydyf

from .pinning import source_matches

__all__ = ["DEFAULTS", "OBJECT_INIT_SHA256", "PYDYF_VERSION", "applies", "install", "installed", "uninstall"]

#: The pydyf version the change was written against, and the SHA-256 of ``Object.__init__``'s source there.
PYDYF_VERSION = "0.13.0"
OBJECT_INIT_SHA256 = "fd7ede4458c465a2387fc65f4916c664e2b055e1f6b0f6def78d8c2fc0d8c75b"

#: What pydyf 0.13's ``Object.__init__`` sets on every object.
DEFAULTS: dict[str, Any] = {"number": None, "offset": 0, "generation": 0, "free": "n"}

_ORIGINAL_INIT = pydyf.Object.__init__


def _init(self: Any) -> None:
    """``Object.__init__`` that sets nothing: the attributes' first values are the class's (:data:`DEFAULTS`)."""


def applies() -> bool:
    """Whether the installed pydyf is the one the change was written for (version and source)."""
    return pydyf.VERSION == PYDYF_VERSION and source_matches(
        lambda: inspect.getsource(_ORIGINAL_INIT), OBJECT_INIT_SHA256
    )


def installed() -> bool:
    """Whether pydyf's objects are made without their own attribute dictionary."""
    return pydyf.Object.__init__ is _init


def install() -> bool:
    """Make the change when :func:`applies`; True when it is in place."""
    if installed():
        return True
    if not applies():
        return False
    for name, value in DEFAULTS.items():
        setattr(pydyf.Object, name, value)
    pydyf.Object.__init__ = _init
    return True


def uninstall() -> None:
    """Put pydyf's own ``Object.__init__`` back (for comparisons; the writer keeps the change)."""
    pydyf.Object.__init__ = _ORIGINAL_INIT
    for name in DEFAULTS:
        if name in vars(pydyf.Object):
            delattr(pydyf.Object, name)
