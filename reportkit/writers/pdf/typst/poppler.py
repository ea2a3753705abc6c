"""poppler, as it reads Typst's PDFs: two harmless changes that keep its tools from misreading them.

poppler is what ``pdftotext``, ``pdfinfo``, ``pdftoppm``, Evince, Okular and many search indexers
read PDFs with. Two things Typst writes trip it (poppler 22.12, Debian 12's; the engine's
finishing step, :mod:`.finish`, applies both):

- ``/Suspects false`` in the catalog's ``/MarkInfo``: every tool prints "Syntax Error: Suspects
  object is wrong type (boolean)" (poppler's ``Catalog::getMarkInfo`` accepts only ``true``), and a
  script that takes standard error for failure rejects a good file. false is the entry's default,
  and PDF/UA-1 allows it absent: :func:`drop_false_suspects` removes it.
- Colour emoji, which Typst draws as Type 3 fonts of bitmap glyphs: poppler's text extraction
  cannot know a Type 3 font's size, so it guesses it from the width of the font's ``m`` glyph
  (0.6 em), else from any glyph's width taken as 0.5 em (``TextPage::updateFont``, "a hack which
  makes it possible to deal with some Type 3 fonts"). An emoji is 1.25 em wide: the guess makes it
  2.5 times the text's size, and pdftotext then drops the words that follow it on its line.
  :func:`size_type3_fonts` gives each such font an ``m``: a code no text uses, 0.6 em wide, that
  draws nothing. The pages look the same, pixel for pixel.

tests/writers/pdf/test_typst.py fails when poppler stops complaining of either (the changes can
then go) and when a Typst PDF makes poppler complain or lose words again.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

__all__ = ["drop_false_suspects", "size_type3_fonts"]

#: The width poppler takes for an ``m`` of a Type 3 font when it guesses the font's size (em).
M_WIDTH = Decimal("0.6")


def drop_false_suspects(catalog: Any) -> None:
    """Remove ``/Suspects false`` from the catalog's ``/MarkInfo`` (a pikepdf dictionary); keep ``true``."""
    mark_info = catalog.get("/MarkInfo")
    if mark_info is not None and mark_info.get("/Suspects") is False:
        del mark_info["/Suspects"]


def size_type3_fonts(document: Any, fonts: Iterable[Any]) -> None:
    """Give every Type 3 font of ``fonts`` (each once; :func:`.finish.document_fonts`) without an ``m`` glyph an empty
    one, 0.6 em wide; ``document`` (a ``pikepdf.Pdf``) holds its glyph procedure."""
    import pikepdf

    for font in fonts:
        if font.get("/Subtype") != "/Type3":
            continue
        encoding = font.get("/Encoding")
        procs, widths, matrix = font.get("/CharProcs"), font.get("/Widths"), font.get("/FontMatrix")
        if not isinstance(encoding, pikepdf.Dictionary) or procs is None or widths is None or matrix is None:
            continue
        differences = encoding.get("/Differences")
        scale = Decimal(str(matrix[0]))
        if differences is None or scale == 0 or any(item == pikepdf.Name.m for item in differences):
            continue
        code = int(font.LastChar) + 1
        if code > 255:
            continue  # no free code: the font keeps poppler's guess
        width = M_WIDTH / abs(scale)
        differences.extend(pikepdf.Array([code, pikepdf.Name.m]))
        widths.append(width)
        font.LastChar = code
        procs.m = document.make_stream(f"{width} 0 d0".encode())

