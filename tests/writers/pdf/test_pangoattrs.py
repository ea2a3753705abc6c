"""Text layouts of reportkit's font configurations free their Pango attribute lists (WeasyPrint 70 leaks them)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

import pytest
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from reportkit.writers.pdf.pangoattrs import OwnedFeatures, own_attributes

#: 300 paragraphs with OpenType features on: one Pango layout or more each.
PAGE = (
    "<html><body style='font-kerning: normal; font-variant-numeric: oldstyle-nums'>"
    + "".join(f"<p>Paragraph {n} with a few words, {n * 7} and {n * 13}.</p>" for n in range(300))
    + "</body></html>"
)


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def _malloc_in_use() -> int:
    """Bytes the C heap has handed out and not got back (glibc's mallinfo2)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("needs glibc 2.33 or later (mallinfo2)")
    libc.mallinfo2.restype = _MallInfo2
    return int(libc.mallinfo2().uordblks)


def _growth(config: FontConfiguration, renders: int = 8) -> int:
    """C heap bytes kept by ``renders`` layouts of PAGE with ``config`` after one warm-up layout."""
    HTML(string=PAGE).render(font_config=config)
    gc.collect()
    before = _malloc_in_use()
    for _ in range(renders):
        HTML(string=PAGE).render(font_config=config)
        gc.collect()
    return _malloc_in_use() - before


def test_weasyprint_still_leaks_the_attribute_lists_of_its_own_font_configurations() -> None:
    # When this fails WeasyPrint frees the lists itself: remove reportkit/writers/pdf/pangoattrs.py,
    # which would otherwise free them a second time.
    assert _growth(FontConfiguration()) > 200_000


def test_layouts_of_an_owned_configuration_free_their_attribute_lists() -> None:
    stock = _growth(FontConfiguration())
    owned = _growth(own_attributes(FontConfiguration()))
    assert owned < stock / 5, (owned, stock)


def test_an_owned_configuration_lays_out_the_same_pdf_bytes() -> None:
    stock = HTML(string=PAGE).render(font_config=FontConfiguration()).write_pdf(pdf_identifier=b"0" * 32)
    owned = HTML(string=PAGE).render(font_config=own_attributes(FontConfiguration())).write_pdf(
        pdf_identifier=b"0" * 32
    )
    assert owned == stock


def test_an_owned_configuration_caches_no_feature_attribute() -> None:
    config = own_attributes(FontConfiguration())
    HTML(string=PAGE).render(font_config=config)
    assert isinstance(config.font_features, OwnedFeatures) and len(config.font_features) == 0
    stock = FontConfiguration()
    HTML(string=PAGE).render(font_config=stock)
    assert len(stock.font_features) >= 1  # WeasyPrint's own cache, shared by the lists it leaks
