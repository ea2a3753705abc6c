"""One writer per output format, each fed the same resolved document.

Writers are looked up by format name and imported only when used, so an EPUB-only
build never imports WeasyPrint. A format is added by adding a writer here.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ReportkitError

if TYPE_CHECKING:  # annotations only: importing this module loads neither the model nor the resolver
    from ..render.layouts import Layout
    from ..resolve.resolver import Resolved


__all__ = ["FONT_FORMATS", "FORMATS", "Writer", "get_writer"]

#: Format name -> "module:Class" of its writer.
FORMATS: dict[str, str] = {
    "pdf": "reportkit.writers.pdf:PdfWriter",
    "epub": "reportkit.writers.epub:EpubWriter",
    "html": "reportkit.writers.html:HtmlWriter",
    "claimreview": "reportkit.writers.claimreview:ClaimReviewWriter",
}

#: Formats whose bytes depend on the layout's font files (they embed them): the cache hashes the
#: fonts into their keys only, so that deciding an EPUB is up to date does not look fonts up.
FONT_FORMATS = frozenset({"pdf"})


class Writer(Protocol):
    """Turns a resolved document into the bytes of one output format."""

    #: File name suffix, with the dot.
    suffix: str

    def render(
        self, resolved: Resolved, layout: Layout, *, page_size: str, options: Mapping[str, Any]
    ) -> bytes:  # pragma: no cover - protocol
        """Render ``resolved`` with ``layout`` and return the file's bytes."""
        ...


def get_writer(fmt: str) -> Writer:
    """The writer for ``fmt`` (``pdf``, ``epub``...), imported on first use."""
    target = FORMATS.get(fmt.lower())
    if target is None:
        raise ReportkitError(
            f"unknown output format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}"
        )
    module, _, name = target.partition(":")
    writer: Writer = getattr(importlib.import_module(module), name)()
    return writer


def output_path(out_dir: Path, slug: str, fmt: str) -> Path:
    """Where ``fmt`` output of the document ``slug`` goes in ``out_dir``."""
    return out_dir / f"{slug}{get_writer(fmt).suffix}"
