"""What every pinned patch of a library's internals checks and does: the source it was written for, its hunks.

The patches under :mod:`reportkit.writers.pdf` (:mod:`.footnotes`, :mod:`.pagination`,
:mod:`.pdfobjects`) change a function of WeasyPrint or pydyf only when its source is the one
the patch was written for, compared by SHA-256, and rewrite it by exact text replacements.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

__all__ = ["apply_hunks", "source_matches"]


def source_matches(read_source: Callable[[], str], sha256: str) -> bool:
    """Whether the source ``read_source()`` gives has the SHA-256 ``sha256``; False without source files (a frozen application)."""
    try:
        source = read_source()
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest() == sha256


def apply_hunks(source: str, hunks: Iterable[tuple[str, str]]) -> str:
    """``source`` with each ``(old, new)`` hunk applied; ValueError when a hunk's text is not found exactly once."""
    for old, new in hunks:
        if source.count(old) != 1:
            raise ValueError(f"the patch does not apply: {old.strip()!r} occurs {source.count(old)} times")
        source = source.replace(old, new)
    return source
