"""WeasyPrint's font subsetting, done by one HarfBuzz on every machine: the one the ``uharfbuzz`` wheel bundles.

WeasyPrint 70 subsets the fonts it embeds with the system's ``libharfbuzz-subset`` when it can
load it (``Font._harfbuzz_subset``), and with fontTools when it cannot (``Font._fonttools_subset``;
Kozea/WeasyPrint#2178, the fix of #2120). The two write different font programs, and HarfBuzz's
differ from one HarfBuzz version to the next, so the same input gave different PDFs on machines
with and without that library, or with another HarfBuzz. Pinning fontTools made the bytes the
same everywhere but slow where the fonts are large: with glyph ids retained, fontTools walks
every glyph of the face, 2-8 s for each Noto CJK face a Chinese or Japanese text pulls in, the
slowness #2120 reported and #2178 removed for WeasyPrint's own HarfBuzz path.

:func:`pinned_subsetting` wraps WeasyPrint's ``Font.subset`` once per process so that, for the
current thread only, fonts are subset by :func:`subset_font`: HarfBuzz's subsetter from the
``uharfbuzz`` wheel, whose HarfBuzz version pip pins (``uharfbuzz`` in pyproject.toml; each of
its releases bundles one HarfBuzz), with the steps and flags of WeasyPrint's own HarfBuzz path.
A font that HarfBuzz cannot subset goes to WeasyPrint's fontTools path, whose version pip pins
too. Remove this module if WeasyPrint lets callers choose the subsetter, or bundles its own.

``tests/writers/pdf/test_subsetting.py`` fails if WeasyPrint stops choosing the system's HarfBuzz
by itself, drops its fontTools path, or changes what its HarfBuzz path keeps (glyph ids, tables,
outlines, widths), so that :func:`subset_font` would no longer make the fonts WeasyPrint expects.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["DROPPED_TABLES", "pinned_subsetting", "subset_font"]

#: Tables WeasyPrint's HarfBuzz path drops besides HarfBuzz's own defaults (``Font._harfbuzz_subset``): the
#: PDF draws shaped glyphs by id, so shaping (GSUB, GPOS, BASE, JSTF), bitmaps and SVG glyphs go.
DROPPED_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")
#: Whether WeasyPrint subsets fonts with :func:`subset_font` in this context (see :func:`pinned_subsetting`).
_PINNED: ContextVar[bool] = ContextVar("reportkit_pinned_subsetting", default=False)
_INSTALL_LOCK = threading.Lock()
_installed = False


def _tag(name: str) -> int:
    """An OpenType table tag as HarfBuzz's ``hb_tag_t`` (four bytes, big-endian)."""
    return int.from_bytes(name.encode("ascii"), "big")


def subset_font(data: bytes, index: int, glyphs: Collection[int], *, hinting: bool, notdef_outline: bool) -> bytes:
    """Font ``index`` of ``data`` with only ``glyphs`` drawn, each at its own glyph id, as WeasyPrint's HarfBuzz path.

    Two passes, as ``Font._harfbuzz_subset``: the glyphs kept at their ids (all others empty), then
    the empty glyphs after the last one kept dropped, with the hints unless ``hinting``. Raises
    ``RuntimeError`` when HarfBuzz cannot subset the font.
    """
    import uharfbuzz as hb

    face = hb.Face(hb.Blob(data), index)
    request = hb.SubsetInput()
    request.glyph_set.update(sorted(glyphs))
    for name in DROPPED_TABLES:
        request.drop_table_tag_set.add(_tag(name))
    kept = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
    if notdef_outline:
        kept |= hb.SubsetFlags.NOTDEF_OUTLINE
    request.flags = kept | hb.SubsetFlags.RETAIN_GIDS
    face = hb.subset(face, request)
    request.glyph_set.add_range(0, max(glyphs))
    request.flags = kept if hinting else kept | hb.SubsetFlags.NO_HINTING
    subset = bytes(hb.subset(face, request).blob.data)
    if not subset:
        raise RuntimeError("HarfBuzz wrote an empty font")
    return subset


def _install() -> None:
    """Wrap WeasyPrint's ``Font.subset`` so that inside :func:`pinned_subsetting` it uses :func:`subset_font` (once per process)."""
    global _installed
    with _INSTALL_LOCK:
        if _installed:
            return
        from weasyprint.pdf.fonts import Font

        chosen_by_weasyprint = Font.subset

        def subset(font: Any, to_unicode: Any, hinting: Any) -> None:
            if not _PINNED.get():
                return chosen_by_weasyprint(font, to_unicode, hinting)
            if not to_unicode:  # as WeasyPrint's own: with nothing to keep, the font is left whole
                return None
            try:
                font.file_content = subset_font(
                    font.file_content, font.index, to_unicode, hinting=bool(hinting), notdef_outline=bool(font.missing)
                )
            except RuntimeError:  # HarfBuzz could not subset it: fontTools, pinned by pip as well, can try
                font._fonttools_subset(to_unicode, hinting)
            return None

        subset.__wrapped__ = chosen_by_weasyprint  # type: ignore[attr-defined]
        Font.subset = subset
        _installed = True


@contextmanager
def pinned_subsetting() -> Iterator[None]:
    """Within the block, in this thread only, WeasyPrint subsets fonts with the pip-pinned HarfBuzz, never the system's."""
    _install()
    token = _PINNED.set(True)
    try:
        yield
    finally:
        _PINNED.reset(token)
