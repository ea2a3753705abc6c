"""The changes that keep poppler from misreading a PDF touch only what they are for (reportkit.writers.pdf.typst.poppler).

Built on small PDFs made here with pikepdf; the Typst PDFs they are made for are read back with
poppler's own tools in tests/writers/pdf/test_typst.py.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pikepdf

from reportkit.writers.pdf.typst.finish import document_fonts
from reportkit.writers.pdf.typst.poppler import drop_false_suspects, size_type3_fonts


def type3_font(
    document: pikepdf.Pdf, names: list[str], *, first: int = 0, scale: str = "0.00048828125"
) -> pikepdf.Dictionary:
    """A Type 3 font of ``names`` (codes ``first``...), 2550 units wide each, in glyph space ``scale`` of an em."""
    return document.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type3,
        FontMatrix=pikepdf.Array([Decimal(scale), 0, 0, Decimal(scale), 0, 0]),
        FontBBox=pikepdf.Array([0, 0, 2550, 2550]),
        FirstChar=first,
        LastChar=first + len(names) - 1,
        Widths=pikepdf.Array([2550] * len(names)),
        Encoding=pikepdf.Dictionary(Type=pikepdf.Name.Encoding,
                                    Differences=pikepdf.Array([first, *(pikepdf.Name("/" + n) for n in names)])),
        CharProcs=pikepdf.Dictionary({f"/{n}": document.make_stream(b"2550 0 d0") for n in names}),
        Resources=pikepdf.Dictionary(),
    ))


def with_fonts(fonts_of: Callable[[pikepdf.Pdf], list[pikepdf.Dictionary]]) -> pikepdf.Pdf:
    """A one-page PDF whose page uses the fonts ``fonts_of(document)`` makes."""
    document = pikepdf.new()
    document.add_blank_page()
    fonts = fonts_of(document)
    document.pages[0].obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(
        {f"/F{i}": font for i, font in enumerate(fonts)}))
    return document


def test_a_type3_font_without_an_m_gets_an_empty_one_six_tenths_of_an_em_wide_on_the_next_code():
    document = with_fonts(lambda d: [type3_font(d, ["g0", "g1", "g2"])])
    size_type3_fonts(document, document_fonts(document))
    font = document.pages[0].Resources.Font.F0
    assert int(font.LastChar) == 3
    assert list(font.Encoding.Differences)[-2:] == [3, pikepdf.Name.m]
    width = Decimal(str(font.Widths[3]))
    assert width * Decimal("0.00048828125") == Decimal("0.6")  # 0.6 em in the font's glyph space
    assert font.CharProcs.m.read_bytes().split() == [str(width).encode(), b"0", b"d0"]  # draws nothing
    assert [int(w) for w in list(font.Widths)[:3]] == [2550, 2550, 2550]


def test_a_thousandth_em_glyph_space_gets_an_m_of_600_units():
    document = with_fonts(lambda d: [type3_font(d, ["a"], scale="0.001")])
    size_type3_fonts(document, document_fonts(document))
    assert Decimal(str(document.pages[0].Resources.Font.F0.Widths[1])) == 600


def test_a_font_that_has_an_m_or_no_free_code_is_left_alone():
    document = with_fonts(lambda d: [type3_font(d, ["g0", "m"]), type3_font(d, ["g0"], first=255)])
    size_type3_fonts(document, document_fonts(document))
    has_m, full = document.pages[0].Resources.Font.F0, document.pages[0].Resources.Font.F1
    assert int(has_m.LastChar) == 1 and len(has_m.Widths) == 2
    assert int(full.LastChar) == 255 and "/m" not in full.CharProcs


def test_a_font_shared_by_two_pages_and_a_form_gets_one_m():
    document = pikepdf.new()
    font = type3_font(document, ["g0"])
    form = document.make_stream(b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                BBox=[0, 0, 10, 10], Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F=font)))
    for _ in range(2):
        document.add_blank_page()
        document.pages[-1].obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F=font),
                                                               XObject=pikepdf.Dictionary(X=form))
    size_type3_fonts(document, document_fonts(document))
    assert list(font.Encoding.Differences) == [0, pikepdf.Name("/g0"), 1, pikepdf.Name.m]


def test_a_type3_font_in_a_form_only_gets_its_m_too():
    document = pikepdf.new()
    document.add_blank_page()
    font = type3_font(document, ["g0"])
    form = document.make_stream(b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                BBox=[0, 0, 10, 10], Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F=font)))
    document.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=form))
    size_type3_fonts(document, document_fonts(document))
    assert "/m" in font.CharProcs


def test_other_fonts_are_not_touched():
    document = with_fonts(lambda d: [d.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))])
    size_type3_fonts(document, document_fonts(document))
    assert set(document.pages[0].Resources.Font.F0.keys()) == {"/Type", "/Subtype", "/BaseFont"}


def test_suspects_false_is_dropped_and_true_kept():
    catalog = pikepdf.Dictionary(MarkInfo=pikepdf.Dictionary(Marked=True, Suspects=False))
    drop_false_suspects(catalog)
    assert dict(catalog.MarkInfo) == {"/Marked": True}
    trusted_not = pikepdf.Dictionary(MarkInfo=pikepdf.Dictionary(Marked=True, Suspects=True))
    drop_false_suspects(trusted_not)
    assert trusted_not.MarkInfo.Suspects is True
    drop_false_suspects(pikepdf.Dictionary())  # no MarkInfo: nothing to do


def test_a_form_that_draws_itself_is_read_once():
    document = pikepdf.new()
    document.add_blank_page()
    font = type3_font(document, ["g0"])
    form = document.make_stream(b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 10, 10])
    form.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F=font), XObject=pikepdf.Dictionary(X=form))
    document.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=form))
    size_type3_fonts(document, document_fonts(document))
    assert list(font.Encoding.Differences) == [0, pikepdf.Name("/g0"), 1, pikepdf.Name.m]
