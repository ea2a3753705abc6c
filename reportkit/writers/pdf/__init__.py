"""The PDF writer: one model, one resolved document and one template context, set by one of two engines.

- ``weasyprint`` (the default, :mod:`.writer`): the layout's ``print/`` HTML and CSS, which
  newsroom designers know; the only engine with print marks, bleed and PDF/X.
- ``typst`` (:mod:`.typst`, ``pip install "reportkit[typst]"``): the layout's ``typst/``
  templates compiled by Typst, several times faster, for archives at scale and live previews.

The engine is the ``engine`` option (``--engine`` in the CLI), else the layout's default
(``engine = "typst"`` in ``layout.toml`` ``[options]``), else WeasyPrint. Each engine is
imported only when used: a Typst build never loads WeasyPrint, nor the reverse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...errors import ReportkitError

if TYPE_CHECKING:  # annotations only: importing this module loads neither the model nor the resolver
    from ...render.layouts import Layout
    from ...resolve.resolver import Resolved


__all__ = ["ENGINES", "PdfWriter", "pdf_engine"]

#: The PDF engines, the default first.
ENGINES = ("weasyprint", "typst")


def pdf_engine(layout: Layout, options: Mapping[str, Any]) -> str:
    """The engine a build uses: the ``engine`` option, else the layout's default, else WeasyPrint."""
    engine = str(options.get("engine") or layout.options.get("engine") or ENGINES[0]).lower()
    if engine not in ENGINES:
        raise ReportkitError(
            f"unknown PDF engine {engine!r}", file=layout.path, hint=f"use one of: {', '.join(ENGINES)}"
        )
    return engine


class PdfWriter:
    """Writes print-ready PDF with the engine the build chooses."""

    suffix = ".pdf"

    def render(
        self, resolved: Resolved, layout: Layout, *, page_size: str = "A4", options: Mapping[str, Any] | None = None
    ) -> bytes:
        """The PDF bytes of ``resolved`` set with ``layout`` by the chosen engine."""
        options = dict(options or {})
        if pdf_engine(layout, options) == "typst":
            from .typst import TypstEngine

            return TypstEngine().render(resolved, layout, page_size=page_size, options=options)
        from .writer import PdfWriter as WeasyPrintWriter

        return WeasyPrintWriter().render(resolved, layout, page_size=page_size, options=options)
