"""Fonts subset by the HarfBuzz pip pins (reportkit/writers/pdf/subsetting.py), as WeasyPrint's own HarfBuzz path would.

The tests that fail when WeasyPrint changes under the workaround: it stops choosing the
system's libharfbuzz-subset by itself (the workaround may go), drops its fontTools path (the
fallback), or its HarfBuzz path keeps other glyphs, ids or tables than :func:`subset_font`.
Expected fonts are read from the font files and from WeasyPrint's own subsetter, never from
:func:`subset_font` itself.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont

import reportkit as rk
from conftest import missing
from pdfutil import font_names, pdf_text
from reportkit.writers.pdf import subsetting
from reportkit.writers.pdf.subsetting import pinned_subsetting, subset_font

#: One paragraph per script and font kind: Latin (IBM Plex, TrueType), Arabic (IBM Plex Sans Arabic), Hindi
#: (Mukta), Chinese (Noto CJK: CFF, 65,535 glyphs).
TEXTS = {
    "Latin": "Subsetting keeps every glyph this sentence shows.",
    "Arabic": "راجع الصحفيون البيانات الرسمية.",
    "Hindi": "पत्रकारों ने आधिकारिक आंकड़ों की जाँच की।",
    "Chinese": "记者核实了官方公布的数字。",
}


def system_harfbuzz_subset() -> None:
    """Skip (fail under CI) where WeasyPrint cannot load the system's libharfbuzz-subset."""
    from weasyprint.text import ffi

    if ffi.harfbuzz_subset is None:
        missing("libharfbuzz-subset (WeasyPrint's other font subsetter)", "apt-get install libharfbuzz-subset0")


def noto_cjk() -> None:
    """Skip (fail under CI) without Debian's Noto CJK fonts, the CFF faces the Chinese text is set in."""
    if not Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists():
        missing("the system font Noto Sans CJK", "apt-get install fonts-noto-cjk")


def every_script() -> rk.FactCheck:
    check = (
        rk.FactCheck("Fonts of four scripts", published="2025-03-04")
        .claim("Every script keeps its glyphs.")
        .verdict("true")
        .summary("Each section is in another script [@a].")
        .source("a", title="Source A", url="https://example.org/a")
    )
    for name, text in TEXTS.items():
        check = check.section(name, text)
    return check


def spy_on_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the subsetters that run from now on: WeasyPrint's two paths and :func:`subset_font`."""
    from weasyprint.pdf.fonts import Font

    calls: list[str] = []
    for name in ("_harfbuzz_subset", "_fonttools_subset"):
        original = getattr(Font, name)
        monkeypatch.setattr(Font, name, lambda font, *a, _n=name, _o=original: (calls.append(_n), _o(font, *a))[1])
    ours = subsetting.subset_font
    monkeypatch.setattr(subsetting, "subset_font", lambda *a, **k: (calls.append("subset_font"), ours(*a, **k))[1])
    return calls


def test_weasyprint_picks_the_system_harfbuzz_by_itself_and_the_pinned_one_inside_the_block(monkeypatch):
    from weasyprint import HTML

    system_harfbuzz_subset()
    calls = spy_on_paths(monkeypatch)
    HTML(string="<p>Subset me</p>").write_pdf()
    assert set(calls) == {"_harfbuzz_subset"}, "WeasyPrint no longer picks HarfBuzz by itself: the workaround may go"
    calls.clear()
    with pinned_subsetting():
        HTML(string="<p>Subset me</p>").write_pdf()
    assert calls == ["subset_font"]  # neither of WeasyPrint's own paths


def test_weasyprint_chooses_again_after_the_block_and_in_other_threads_during_it(monkeypatch):
    from weasyprint import HTML

    system_harfbuzz_subset()
    calls = spy_on_paths(monkeypatch)
    with pinned_subsetting():
        other = threading.Thread(target=lambda: HTML(string="<p>Another thread</p>").write_pdf())
        other.start()
        other.join()
        assert calls == ["_harfbuzz_subset"]
    calls.clear()
    HTML(string="<p>Subset me</p>").write_pdf()
    assert calls == ["_harfbuzz_subset"]


def drawn(font: TTFont, glyph_id: int) -> list:
    """The drawing operations of one glyph (empty for an empty glyph)."""
    pen = RecordingPen()
    glyph_set = font.getGlyphSet()
    glyph_set[font.getGlyphOrder()[glyph_id]].draw(pen)
    return pen.value


def test_the_pinned_subsetter_makes_the_fonts_weasyprints_harfbuzz_path_makes(monkeypatch):
    """Same glyph ids, glyph count, tables, outlines and widths for TrueType and CFF fonts of four scripts."""
    from weasyprint.pdf.fonts import Font

    system_harfbuzz_subset()
    noto_cjk()
    pairs: list[tuple[str, set[int], bytes, bytes]] = []
    original_clean = Font.clean

    def clean(font, to_unicode, hinting):  # WeasyPrint's path and ours, from the same font and glyphs
        if to_unicode:
            whole = font.file_content
            font._harfbuzz_subset(to_unicode, hinting)
            theirs, font.file_content = font.file_content, whole
            ours = subset_font(whole, font.index, to_unicode, hinting=hinting, notdef_outline=bool(font.missing))
            pairs.append((font.family, set(to_unicode), theirs, ours))
        return original_clean(font, to_unicode, hinting)

    monkeypatch.setattr(Font, "clean", clean)
    every_script().render("pdf")
    families = {family for family, *_ in pairs}
    assert {"IBM Plex Sans Arabic", "Mukta"} <= families and any("CJK" in f for f in families), families
    for family, glyphs, theirs, ours in pairs:
        a, b = TTFont(io.BytesIO(theirs)), TTFont(io.BytesIO(ours))
        assert sorted(a.keys()) == sorted(b.keys()), family
        assert ("CFF " in a) == ("CFF " in b) and not {"GSUB", "GPOS"} & set(b.keys()), family
        # Glyph ids kept: the empty glyphs after the last one drawn are dropped.
        assert min(len(a.getGlyphOrder()), len(b.getGlyphOrder())) >= max(glyphs) + 1, family
        ids = range(max(glyphs) + 1)
        assert [a["hmtx"][a.getGlyphOrder()[g]] for g in ids] == [b["hmtx"][b.getGlyphOrder()[g]] for g in ids], family
        for glyph_id in sorted(glyphs):
            assert drawn(a, glyph_id) == drawn(b, glyph_id), (family, glyph_id)
        # Every glyph drawn by ours is drawn alike by WeasyPrint's: the system's HarfBuzz 6 keeps a few more (those
        # GSUB would reach; WeasyPrint drops GSUB), which the PDF never shows.
        ours_drawn = [g for g in range(len(b.getGlyphOrder())) if drawn(b, g)]
        assert len(ours_drawn) > len(glyphs) / 2, family  # (glyphs asked for, their components; spaces are empty)
        assert all(drawn(a, g) == drawn(b, g) for g in ours_drawn), family


def plex_serif() -> Path:
    import fontpkg

    return next(Path(f.path) for f in fontpkg.family("IBM Plex Serif").files if f.weight == 400 and f.style == "normal")


def test_subset_font_draws_the_glyphs_asked_for_at_their_ids_and_empties_the_rest():
    path = plex_serif()
    whole = TTFont(path)
    cmap = whole.getBestCmap()
    glyphs = {whole.getGlyphID(cmap[ord(c)]) for c in "Subset"}
    subset = TTFont(io.BytesIO(subset_font(path.read_bytes(), 0, glyphs, hinting=False, notdef_outline=False)))
    assert len(subset.getGlyphOrder()) == max(glyphs) + 1
    for glyph_id in glyphs:
        assert drawn(subset, glyph_id) == drawn(whole, glyph_id) != []
    others = [g for g in range(1, max(glyphs)) if g not in glyphs]
    assert others and all(drawn(subset, g) == [] for g in others)
    assert drawn(subset, 0) == [] != drawn(whole, 0)  # .notdef is emptied unless a character lacked a glyph
    assert not {"GSUB", "GPOS"} & set(subset.keys()) and {"GSUB", "GPOS"} <= set(whole.keys())


def test_subset_font_keeps_the_notdef_outline_and_the_hints_when_asked():
    path = plex_serif()
    whole = TTFont(path)
    hinted = [tag for tag in ("fpgm", "prep", "cvt ") if tag in whole]
    assert hinted, "IBM Plex Serif has TrueType hints"
    without = TTFont(io.BytesIO(subset_font(path.read_bytes(), 0, {5, 9}, hinting=False, notdef_outline=False)))
    kept = TTFont(io.BytesIO(subset_font(path.read_bytes(), 0, {5, 9}, hinting=True, notdef_outline=True)))
    assert drawn(kept, 0) == drawn(whole, 0) != [] and drawn(without, 0) == []
    assert all(tag in kept for tag in hinted) and not any(tag in without for tag in hinted)


def test_subset_font_gives_the_same_bytes_each_time_for_the_same_glyphs_in_any_order():
    data = plex_serif().read_bytes()
    first = subset_font(data, 0, [9, 5, 30], hinting=False, notdef_outline=False)
    assert subset_font(data, 0, {30, 5, 9}, hinting=False, notdef_outline=False) == first
    assert subset_font(data, 0, {5, 9}, hinting=False, notdef_outline=False) != first


def embedded_fonts(pdf: bytes) -> dict[str, TTFont]:
    """The font programs a PDF embeds, by base name without the subset prefix."""
    from pypdf import PdfReader

    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = (descriptor.get("/FontFile2") or descriptor.get("/FontFile3")).get_object().get_data()
            fonts[str(font["/BaseFont"]).split("+", 1)[-1]] = TTFont(io.BytesIO(program))
    return fonts


def test_a_character_no_font_has_keeps_the_notdef_box_that_draws_it_and_only_then(recwarn):
    whole = TTFont(plex_serif())
    check = every_script().section("Linear B", "A sign no font has: \U00010000.")
    with_box = embedded_fonts(check.render("pdf"))["IBM-Plex-Serif"]
    assert drawn(with_box, 0) == drawn(whole, 0) != []
    assert drawn(embedded_fonts(every_script().render("pdf"))["IBM-Plex-Serif"], 0) == []


def test_weasyprints_hinting_and_full_fonts_options_hold_inside_the_block():
    from weasyprint import HTML

    path = plex_serif()
    whole = TTFont(path)
    page = f"<style>@font-face {{ font-family: T; src: url({path.as_uri()}) }} p {{ font-family: T }}</style><p>Subset</p>"
    with pinned_subsetting():
        (plain,) = embedded_fonts(HTML(string=page).write_pdf()).values()
        (hinted,) = embedded_fonts(HTML(string=page).write_pdf(hinting=True)).values()
        (full,) = embedded_fonts(HTML(string=page).write_pdf(full_fonts=True)).values()
    glyphs = len(whole.getGlyphOrder())
    assert len(plain.getGlyphOrder()) < glyphs and len(hinted.getGlyphOrder()) < glyphs
    assert "fpgm" in whole and "fpgm" in hinted and "fpgm" not in plain
    assert len(full.getGlyphOrder()) == glyphs  # with nothing to subset, the font is embedded whole


def test_a_font_harfbuzz_cannot_subset_goes_to_weasyprints_fonttools_path_with_the_documents_date(monkeypatch):
    from fontTools.misc.timeTools import epoch_diff

    def fails(*args, **kwargs):
        raise RuntimeError("hb_subset_or_fail failed")

    calls = spy_on_paths(monkeypatch)
    monkeypatch.setattr(subsetting, "subset_font", fails)
    check = (
        rk.FactCheck("A fallback", published="2024-05-06")
        .claim("A claim.")
        .verdict("true")
        .summary("Set anyway [@a].")
        .section("Body", "Text.")
        .source("a", title="Source A", url="https://example.org/a")
    )
    pdf = check.render("pdf")
    assert "_fonttools_subset" in calls and "_harfbuzz_subset" not in calls
    assert "Set anyway" in pdf_text(pdf) and any("IBM-Plex-Serif" in name for name in font_names(pdf))
    # fontTools saved the fonts, stamped with the fact-check's date (writers/pdf/fonttools.py), not the clock.
    when = int(dt.datetime(2024, 5, 6, tzinfo=dt.timezone.utc).timestamp()) - epoch_diff
    stamps = {font["head"].modified for font in embedded_fonts(pdf).values()}
    assert stamps and all(abs(stamp - when) < 24 * 3600 for stamp in stamps), (stamps, when)


def test_fonts_of_four_scripts_are_embedded_with_their_text_extractable():
    noto_cjk()
    pdf = every_script().render("pdf")
    text = "".join(pdf_text(pdf).split())
    for name, paragraph in TEXTS.items():
        if name != "Arabic":  # pdftotext reorders right-to-left runs; their words are checked below
            assert "".join(paragraph.split()) in text, name
    assert all(word in pdf_text(pdf) for word in TEXTS["Arabic"].rstrip(".").split())
