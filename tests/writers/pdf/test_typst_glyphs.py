"""A character none of the Typst engine's fonts has is never a silent box; the user's font folders are the way out.

Typst reads the layout's font packages, the layout chain's ``fonts/`` folders and the ``font_dirs``
option (never the system's fonts). A character none of them has is named, with the text around
it, in a warning (untagged and tagged builds; a tagged PDF then claims no PDF/UA conformance) or
an error (archival: PDF/A allows no box). No font has Linear B here. The font folders are tried with
DejaVu Sans (every machine reportkit is built on has it), whose chess pieces none of the layout's
fonts has.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pikepdf
import pytest

pytest.importorskip("typst")

import reportkit as rk  # noqa: E402
from pdfutil import font_names, ink_centres, pdf_text  # noqa: E402
from reportkit.errors import RenderError, ReportkitWarning  # noqa: E402
from reportkit.tools.verify import read_archive  # noqa: E402
from reportkit.writers.pdf.typst.coverage import document_texts, needs_check, uncovered  # noqa: E402
from test_scripts import linear_b_font, tiny  # noqa: E402

LINEAR_B = "Linear B \U00010000 here, twice: \U00010000."
#: A chess piece: DejaVu Sans has it, no font of the report layout does.
CHESS = "A white king \u2654 on the board."
#: Where Debian and most Linux systems keep DejaVu Sans.
DEJAVU = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans.ttf")]


def dejavu_folder(folder: Path) -> Path:
    """A folder holding a copy of DejaVu Sans (the test is skipped where the system has none)."""
    import shutil

    found = next((path for path in DEJAVU if path.is_file()), None)
    if found is None:
        pytest.skip("DejaVu Sans is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(found, folder / found.name)
    return folder


def _claims_pdf_ua(pdf: bytes) -> bool:
    """Whether the PDF's XMP packet declares PDF/UA conformance."""
    import io

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return b"pdfuaid" in doc.Root.Metadata.read_bytes()


@pytest.mark.parametrize("untagged", [True, False], ids=["untagged", "tagged"])
def test_a_character_no_font_has_is_a_warning_naming_it_its_text_and_the_font_folders(untagged):
    with pytest.warns(ReportkitWarning) as caught:
        pdf = tiny(LINEAR_B).render("pdf", engine="typst", untagged=untagged)
    text = "\n".join(str(w.message) for w in caught)
    assert "U+10000 LINEAR B SYLLABLE B008 A" in text and "Linear B \U00010000 here" in text
    assert "fonts/" in text and "--font-dir" in text and "reads no system fonts" in text
    assert text.count("U+10000") == 1  # one entry per character, however often it is drawn
    assert "fix the layout" not in text  # the fonts lack it: nothing is wrong with the templates
    if not untagged:
        assert "claims no PDF/UA conformance" in text and not _claims_pdf_ua(pdf)


def test_an_archival_build_with_a_character_no_font_has_fails_naming_it(tmp_path):
    target = tmp_path / "check.pdf"
    with pytest.raises(RenderError, match=r"U\+10000 LINEAR B SYLLABLE B008 A.*archival PDF was not made"):
        tiny(LINEAR_B).to_pdf(target, engine="typst", archival=True)
    assert not target.exists()


def test_a_document_every_character_of_which_has_a_font_gives_no_warning_with_typst():
    text = "Plain text, Ελληνικά, Русский, العربية, עברית, हिन्दी, “quotes” – dashes… and a\u00adsoft hyphen."
    for untagged in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ReportkitWarning)
            tiny(text).render("pdf", engine="typst", untagged=untagged)


@pytest.mark.parametrize("untagged", [True, False], ids=["untagged", "tagged"])
def test_a_font_folder_given_with_font_dirs_sets_what_the_layouts_fonts_lack(tmp_path, untagged):
    with pytest.warns(ReportkitWarning, match=r"U\+2654 WHITE CHESS KING"):
        tiny(CHESS).render("pdf", engine="typst", untagged=untagged)
    folder = dejavu_folder(tmp_path / "fonts")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportkitWarning)
        pdf = tiny(CHESS).render("pdf", engine="typst", untagged=untagged, font_dirs=[str(folder)])
    assert "DejaVuSans" in font_names(pdf), font_names(pdf)
    assert _claims_pdf_ua(pdf) is not untagged


def test_a_layouts_fonts_folder_sets_what_its_families_lack(tmp_path):
    layout = tmp_path / "house"
    (layout / "typst").mkdir(parents=True)
    (layout / "layout.toml").write_text('name = "house"\nextends = "report"\n', encoding="utf-8")
    (layout / "typst" / "document.typ").write_text('#import "/report/typst/report.typ": *\n#report()\n', "utf-8")
    dejavu_folder(layout / "fonts")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportkitWarning)
        pdf = tiny(CHESS).render("pdf", engine="typst", layout=str(layout))
    assert "DejaVuSans" in font_names(pdf), font_names(pdf)


# --- Han characters in the language's face ---------------------------------------------------------

#: Debian's fonts-noto-cjk (.ci/run installs it): one collection file, a face per language.
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
#: Characters whose shapes differ between the Chinese, Japanese and Korean faces.
HAN = "直 骨 令 説 漢字"


def noto_cjk() -> Path:
    """The folder of Noto Serif and Sans CJK (skipped, or failed under CI, without it)."""
    from conftest import missing

    if not (NOTO_CJK / "NotoSansCJK-Regular.ttc").is_file() or not (NOTO_CJK / "NotoSerifCJK-Regular.ttc").is_file():
        missing("Noto CJK (NotoSansCJK-Regular.ttc, NotoSerifCJK-Regular.ttc)", "apt-get install fonts-noto-cjk")
    return NOTO_CJK


@pytest.mark.parametrize(
    "language, variant",
    [("zh-Hans", "sc"), ("zh", "sc"), ("zh-CN", "sc"), ("zh-Hant", "tc"), ("zh-TW", "tc"), ("zh-HK", "hk"),
     ("zh-Hant-HK", "hk"), ("ja", "jp"), ("ko", "kr")],
)
def test_han_characters_are_set_in_the_noto_cjk_face_of_the_documents_language(language, variant):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportkitWarning)
        pdf = tiny(HAN, language).render("pdf", engine="typst", font_dirs=[str(noto_cjk())])
    faces = {name.split("-")[0] for name in font_names(pdf) if name.startswith("Noto")}
    # The body (serif) and the headings and labels (sans) of the language's own face, no other.
    assert faces == {f"NotoSerifCJK{variant}", f"NotoSansCJK{variant}"}, font_names(pdf)


def test_a_latin_check_names_no_cjk_face_even_with_noto_cjk_at_hand():
    pdf = tiny("Plain text.").render("pdf", engine="typst", font_dirs=[str(noto_cjk())])
    assert not any(name.startswith("Noto") for name in font_names(pdf)), font_names(pdf)


def test_a_cjk_check_without_noto_cjk_warns_of_its_characters_only_not_of_the_families_the_layout_names():
    with pytest.warns(ReportkitWarning) as caught:
        tiny(HAN, "zh-Hant").render("pdf", engine="typst", untagged=True)
    text = "\n".join(str(w.message) for w in caught)
    assert "have no font" in text and "CJK UNIFIED IDEOGRAPH" in text
    assert "unknown font family" not in text.lower() and "Typst:" not in text, text


@pytest.mark.parametrize(
    "language, centred",
    [("zh-Hant", True), ("zh-TW", True), ("zh-HK", True), ("zh-Hant-HK", True), ("zh-Hant-u-nu-hanidec", True),
     ("zh-Hans", False), ("zh", False), ("ja", False)],
)
def test_chinese_punctuation_sits_where_the_languages_convention_puts_it(language, centred):
    # Taiwan and Hong Kong centre the full-width comma and full stop in their em; mainland China
    # and Japan set them at its foot (the fonts' local forms, chosen by language and region).
    pdf = tiny("第一，第二。", language).render("pdf", engine="typst", font_dirs=[str(noto_cjk())])
    centres = ink_centres(pdf, "\uff0c") + ink_centres(pdf, "\u3002")
    assert len(centres) >= 2
    assert all((0.35 < centre < 0.65) is centred for centre in centres), centres


def test_a_citation_call_follows_a_han_character_with_no_gap():
    # Typst puts a quarter em between Han characters and Latin letters or digits: not before a raised call.
    check = (
        rk.FactCheck("引用編號緊貼文字嗎？", published="2025-01-02", language="zh-Hant")
        .summary("國際限值[@a]。報告[@a]指出。")
        .section("證據", "世界衛生組織[@a]說明。")
        .source("a", title="Source A", url="https://example.org/a")
    )
    text = pdf_text(check.render("pdf", engine="typst", font_dirs=[str(noto_cjk())]))
    assert "國際限值1。" in text and "報告1指出。" in text, text


@pytest.mark.parametrize("language", ["es-419", "en-GB", "pt-BR", "ar-EG", "uk-Cyrl-UA"])
def test_a_tag_with_a_numeric_region_or_a_script_builds_with_typst(language):
    # Typst takes two-letter regions only: a UN M.49 region (419, Latin America) is not passed on.
    pdf = tiny("Texto.", language).render("pdf", engine="typst")
    assert "Texto." in pdf_text(pdf)


# --- the character maps ----------------------------------------------------------------------------


def test_document_texts_are_the_json_strings_not_its_keys():
    assert document_texts('{"title": "Q", "parts": [{"text": "a\\u00e9"}, 3, null], "ok": true}') == ["Q", "a\u00e9"]


def test_only_text_beyond_ascii_needs_a_look_at_the_fonts():
    assert not needs_check(["Plain ASCII: [1] (p. 2) ~ {x}"])
    assert needs_check(["caf\u00e9"]) and needs_check(["ok", "\u2014"])


def test_uncovered_lists_characters_no_font_maps_in_order_of_use_and_skips_what_is_not_drawn(tmp_path):
    folder = tmp_path / "fonts"
    linear_b_font(folder / "linear-b.ttf")
    texts = ["\U00010001 and \U00010002, \U00010003 \U00010002", "joiner\u200d, soft\u00adhyphen, variation\ufe0f"]
    assert uncovered(texts, [str(folder)]) == [0x10002, 0x10003]
    assert uncovered(texts, []) == [0x10001, 0x10002, 0x10003]
    assert uncovered(["\U00010000"], [str(folder)]) == []


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_an_archive_built_with_a_font_folder_records_it_and_rebuilds_byte_for_byte(tmp_path, engine):
    folder = dejavu_folder(tmp_path / "fonts")
    target = tmp_path / "check.pdf"
    tiny(CHESS).to_pdf(target, engine=engine, archival=True, font_dirs=[str(folder)])
    meta = read_archive(target).metadata
    assert json.loads(meta["rk:buildOptions"])["font_dirs"] == [str(folder)]
    assert any(line.startswith("DejaVuSans.ttf ") for line in meta["rk:fonts"].splitlines())
    result = rk.verify(target)
    assert result.ok, [(c.name, c.message) for c in result.failures]
    assert any(c.name == "rebuild" and c.ok for c in result.checks)
