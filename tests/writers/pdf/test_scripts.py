"""Every script fact-checkers write in: fonts, missing glyphs, line breaking and one sample per language.

The samples in tests/data/scripts/ are built once each (PDF and EPUB). Chinese, Japanese,
Korean and Amharic need Debian's fonts-noto-cjk and fonts-sil-abyssinica (.ci/run installs
them); without them those languages are skipped here and fail under CI.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import textwrap
import unicodedata
import warnings
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportkit as rk
from conftest import messages, missing, run_cli
from pdfutil import font_names, ink_centres, pdf_text
from reportkit.errors import ReportkitWarning
from reportkit.render.fonts import local_faces
from reportkit.render.layouts import find_layout
from reportkit.render.scripts import ZWSP, mark_word_breaks
from reportkit.writers.pdf.glyphs import NOTDEF_MESSAGE, missing_glyph_warning

SCRIPTS = Path(__file__).resolve().parents[2] / "data" / "scripts"
LANGUAGES = sorted(path.stem for path in SCRIPTS.glob("*.md") if path.stem != "PROVENANCE")

#: The families that set each language's own script (the first word of the PDF's font names).
FAMILY = {
    "hi": "Mukta", "mr": "Mukta", "bn": "Hind-Siliguri", "ta": "Noto-Sans-Tamil", "te": "Noto-Sans-Telugu",
    "th": "Sarabun", "km": "Noto-Sans-Khmer", "he": "Heebo", "zh-Hans": "Noto-Serif-CJK-SC",
    "zh-Hant": "Noto-Serif-CJK-TC", "ja": "Noto-Serif-CJK-JP", "ko": "Noto-Serif-CJK-KR", "am": "Abyssinica-SIL",
    "id": "IBM-Plex-Serif", "pt": "IBM-Plex-Serif", "tr": "IBM-Plex-Serif",
}

#: System font packages a language needs (Debian): no pip package has these scripts.
SYSTEM_FONTS = {
    "zh-Hans": ("Noto Serif CJK SC", "fonts-noto-cjk"),
    "zh-Hant": ("Noto Serif CJK TC", "fonts-noto-cjk"),
    "ja": ("Noto Serif CJK JP", "fonts-noto-cjk"),
    "ko": ("Noto Serif CJK KR", "fonts-noto-cjk"),
    "am": ("Abyssinica SIL", "fonts-sil-abyssinica"),
}

def system_font(family: str, package: str) -> None:
    """Skip (fail under CI) when fontconfig has no ``family``."""
    fc_list = shutil.which("fc-list")
    if fc_list is None or family not in subprocess.run([fc_list, ":", "family"], capture_output=True, text=True).stdout:
        missing(f"the system font {family}", f"apt-get install {package}")


def normalised(text: str) -> str:
    """Text as it compares: NFKC, without whitespace, hyphens (line breaks add and drop them) and invisible breaks."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u00ad\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\-\u2010]", "", text)


def body_pieces(path: Path) -> list[str]:
    """The prose of a sample's body (not headings or tables), cut at each citation (the PDF puts a number there)."""
    body = path.read_text("utf-8").split("---", 2)[2]
    pieces = []
    for paragraph in body.split("\n\n"):
        if not paragraph.strip() or paragraph.lstrip().startswith(("|", "#")):
            continue
        for piece in re.split(r"\s*\[@[\w-]+\]", paragraph):
            piece = piece.strip().lstrip(".,;:।။។。")
            if piece.strip():
                pieces.append(piece)
    return pieces


def pypdf_text(pdf: bytes) -> str:
    """The PDF's text as pypdf reads it, line by line as drawn."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


class Built:
    """One sample built to PDF and EPUB, with the warnings the builds gave."""

    def __init__(self, language: str, folder: Path) -> None:
        if language in SYSTEM_FONTS:
            system_font(*SYSTEM_FONTS[language])
        check = rk.load(SCRIPTS / f"{language}.md")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ReportkitWarning)
            self.pdf = check.render("pdf")
            self.epub = check.to_epub(folder / f"{language}.epub")
        self.warnings = [str(w.message) for w in caught if issubclass(w.category, ReportkitWarning)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Each sample, built when a test first asks for it."""
    folder = tmp_path_factory.mktemp("scripts")
    cache: dict[str, Built] = {}

    class Lazy(dict):  # type: ignore[type-arg]
        def __missing__(self, language: str) -> Built:
            cache[language] = Built(language, folder)
            self[language] = cache[language]
            return cache[language]

    return Lazy()


def tiny(text: str, language: str = "en") -> rk.FactCheck:
    return (
        rk.FactCheck("Which font has it?", published="2025-01-02", language=language)
        .claim("Every character has a font.")
        .verdict("true")
        .summary(f"{text} [@a]")
        .section("Only section", "Set in the layout's fonts [@a].")
        .source("a", title="Source A", url="https://example.org/a")
    )


def linear_b_font(path: Path, family: str = "Reportkit Test Linear B") -> Path:
    """A font file with boxes for U+10000 and U+10001, made here (no font package has Linear B)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    codes = [0x20, 0x10000, 0x10001]
    names = [".notdef", *(f"u{code:X}" for code in codes)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({code: f"u{code:X}" for code in codes})
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((100, 700))
    pen.lineTo((500, 700))
    pen.lineTo((500, 0))
    pen.closePath()
    glyph = pen.glyph()
    builder.setupGlyf({name: glyph for name in names})
    builder.setupHorizontalMetrics({name: (600, 100) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    builder.save(str(path))
    return path


# --- one sample per script ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_sample_builds_with_no_missing_glyph_and_its_script_in_its_font(built, language: str) -> None:
    sample = built[language]
    assert not sample.warnings, sample.warnings
    names = font_names(sample.pdf)
    assert any(name.startswith(FAMILY[language]) for name in names), names
    assert not any("DejaVu" in name for name in names), names


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pdf_text_equals_the_input_after_unicode_normalisation(built, language: str) -> None:
    # Indic, Thai and Khmer clusters come back through /ActualText spans (writers/pdf/actualtext.py).
    text = normalised(pdf_text(built[language].pdf))
    missing_pieces = [piece for piece in body_pieces(SCRIPTS / f"{language}.md") if normalised(piece) not in text]
    assert not missing_pieces, missing_pieces


@pytest.mark.slow
def test_each_sample_epub_passes_epubcheck(built, epubcheck) -> None:
    paths = [built[language].epub for language in LANGUAGES]
    failures = {
        path.name: found
        for path, report in epubcheck.run(*paths).items()
        if (found := [m for m in messages(report) if m.startswith(("ERROR", "FATAL", "WARNING"))])
    }
    assert not failures, failures


@pytest.mark.slow
def test_the_samples_titles_mix_scripts(built) -> None:
    for language in LANGUAGES:
        title = rk.load(SCRIPTS / f"{language}.md").document.title
        scripts = {unicodedata.name(c).split()[0] for c in title if c.isalpha()}
        assert len(scripts) >= 2, (language, title, scripts)


def test_a_text_comparison_notices_a_changed_word() -> None:
    piece = body_pieces(SCRIPTS / "pt.md")[0]
    assert normalised(piece) not in normalised(piece.replace("redes", "rede"))
    assert normalised(piece) in normalised(piece.replace(" ", "\n").replace("compartilhada", "compar-\ntilhada"))


# --- a character no font has ----------------------------------------------------------------


def test_a_character_no_font_has_is_a_warning_naming_it_and_its_text() -> None:
    with pytest.warns(ReportkitWarning) as caught:
        tiny("Linear B \U00010000 here, twice: \U00010000.").render("pdf")
    text = "\n".join(str(w.message) for w in caught)
    assert "U+10000 LINEAR B SYLLABLE B008 A" in text
    assert "Linear B \U00010000 here" in text
    assert "fonts/" in text and "--font-dir" in text
    assert text.count("U+10000") == 1  # one entry per character, however often it is drawn


#: Each Chinese, Japanese and Korean tag, and the Noto CJK face (the README's table) its Han characters take.
CJK_FACES = [
    ("zh", "SC"), ("zh-CN", "SC"), ("zh-Hans", "SC"), ("zh-SG", "SC"), ("zh-TW", "TC"), ("zh-Hant", "TC"),
    ("zh-Hant-TW", "TC"), ("zh-HK", "HK"), ("zh-MO", "HK"), ("zh-Hant-HK", "HK"), ("ja", "JP"), ("ko", "KR"),
]


@pytest.mark.parametrize("language, variant", CJK_FACES)
def test_han_characters_take_the_noto_cjk_face_of_the_documents_language(language: str, variant: str) -> None:
    system_font(f"Noto Serif CJK {variant}", "fonts-noto-cjk")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportkitWarning)
        pdf = tiny("直 骨 令 説 漢字", language).render("pdf")
    faces = {name.split("-Bold")[0] for name in font_names(pdf) if name.startswith("Noto")}
    assert faces == {f"Noto-Serif-CJK-{variant}", f"Noto-Sans-CJK-{variant}"}, font_names(pdf)


@pytest.mark.parametrize("language, centred", [("zh-Hant", True), ("zh-HK", True), ("zh-Hans", False), ("ja", False)])
def test_chinese_punctuation_sits_where_the_languages_convention_puts_it(language: str, centred: bool) -> None:
    # Taiwan and Hong Kong centre the full-width comma and full stop in their em; mainland China and Japan
    # set them at its foot.
    system_font("Noto Serif CJK TC", "fonts-noto-cjk")
    pdf = tiny("第一，第二。", language).render("pdf")
    centres = ink_centres(pdf, "\uff0c") + ink_centres(pdf, "\u3002")
    assert len(centres) >= 2
    assert all((0.35 < centre < 0.65) is centred for centre in centres), centres


def test_a_document_every_character_of_which_has_a_font_gives_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportkitWarning)
        tiny("Plain text, Ελληνικά, Русский, العربية, עברית, हिन्दी.").render("pdf")


def test_the_brief_and_a_user_layout_warn_too(tmp_path: Path) -> None:
    folder = tmp_path / "house"
    (folder / "print").mkdir(parents=True)
    (folder / "layout.toml").write_text('name = "house"\nextends = "report"\n', encoding="utf-8")
    for layout in ("brief", str(folder)):
        with pytest.warns(ReportkitWarning, match=r"U\+10000"):
            tiny("Linear B \U00010000.").render("pdf", layout=layout)


def test_under_strict_a_missing_glyph_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "linear-b.md"
    source.write_text(
        textwrap.dedent(
            """\
            ---
            title: "Linear B \U00010000"
            published: 2025-01-02
            claim:
              text: A claim.
            verdict:
              rating: true
            sources:
              - key: a
                title: Source A
                url: https://example.org/a
            ---

            ## Only section

            Cited [@a].
            """
        ),
        encoding="utf-8",
    )
    result = run_cli("build", str(source), "-o", str(tmp_path / "out"), "-f", "pdf", "--strict")
    assert result.returncode == 2, result.stderr
    assert "U+10000" in result.stderr and "--strict" in result.stderr
    assert not (tmp_path / "out" / "linear-b.pdf").exists()
    relaxed = run_cli("build", str(source), "-o", str(tmp_path / "relaxed"), "-f", "pdf")
    assert relaxed.returncode == 0 and "U+10000" in relaxed.stderr


def test_weasyprint_still_logs_the_characters_it_draws_without_a_font() -> None:
    # glyphs.py reads this log message; if WeasyPrint rewords it, missing glyphs would go unreported.
    import inspect

    from weasyprint.draw import text

    assert NOTDEF_MESSAGE in inspect.getsource(text)


def test_the_warning_lists_each_character_once_and_counts_the_rest() -> None:
    codes = [0x10000 + n for n in range(10)] * 2
    text = missing_glyph_warning(codes, ["".join(map(chr, codes))])
    assert text is not None and text.startswith("10 characters have no font")
    assert "and 2 more" in text and text.count("U+10000 ") == 1
    assert missing_glyph_warning([], ["text"]) is None


# --- fonts no pip package has ---------------------------------------------------------------


def test_a_layouts_fonts_folder_sets_a_character_no_other_font_has(tmp_path: Path) -> None:
    folder = tmp_path / "house"
    (folder / "print").mkdir(parents=True)
    (folder / "layout.toml").write_text('name = "house"\nextends = "report"\n', encoding="utf-8")
    linear_b_font(folder / "fonts" / "linear-b.ttf")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportkitWarning)
        pdf = tiny("Linear B \U00010000.").render("pdf", layout=str(folder))
    assert any(name.startswith("Reportkit-Test-Linear-B") for name in font_names(pdf)), font_names(pdf)


def test_a_font_directory_sets_a_character_no_other_font_has(tmp_path: Path) -> None:
    linear_b_font(tmp_path / "fonts" / "nested" / "linear-b.ttf")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReportkitWarning)
        pdf = tiny("Linear B \U00010000.").render("pdf", font_dirs=[tmp_path / "fonts"])
    assert any(name.startswith("Reportkit-Test-Linear-B") for name in font_names(pdf))


def test_files_in_a_font_directory_that_are_no_fonts_are_skipped(tmp_path: Path) -> None:
    linear_b_font(tmp_path / "good.ttf")
    (tmp_path / "broken.ttf").write_bytes(b"not a font")
    (tmp_path / "notes.txt").write_text("not a font either", encoding="utf-8")
    faces = local_faces([tmp_path])
    assert [(face.family, face.weight, face.style, face.path.name) for face in faces] == [
        ("Reportkit Test Linear B", 400, "normal", "good.ttf")
    ]


def test_the_cli_takes_font_directories(tmp_path: Path) -> None:
    linear_b_font(tmp_path / "fonts" / "linear-b.ttf")
    source = tmp_path / "check.md"
    source.write_text(
        "---\ntitle: \"Linear B \U00010000\"\npublished: 2025-01-02\nclaim:\n  text: A claim.\nverdict:\n"
        "  rating: true\nsources:\n  - key: a\n    title: Source A\n    url: https://example.org/a\n---\n\n"
        "## Only section\n\nCited [@a].\n",
        encoding="utf-8",
    )
    result = run_cli("build", str(source), "-o", str(tmp_path / "out"), "-f", "pdf", "--strict",
                     "--font-dir", str(tmp_path / "fonts"))
    assert result.returncode == 0, result.stderr
    missing_dir = run_cli("build", str(source), "-o", str(tmp_path / "out2"), "--font-dir", str(tmp_path / "nope"))
    assert missing_dir.returncode == 2 and "nope" in missing_dir.stderr


def test_an_archival_pdf_records_the_font_files_it_uses(tmp_path: Path) -> None:
    import hashlib

    import fontpkg
    import pikepdf

    linear_b = linear_b_font(tmp_path / "fonts" / "linear-b.ttf")
    pdf = tiny("Linear B \U00010000 and हिन्दी.").render("pdf", archival=True, font_dirs=[tmp_path / "fonts"])
    with pikepdf.open(io.BytesIO(pdf)) as document:
        recorded = next((str(v) for k, v in document.open_metadata().items() if k.endswith("}fonts")), "")
    lines = recorded.splitlines()
    mukta = next(Path(f.path) for f in fontpkg.family("Mukta").files if f.weight == 400)
    serif = next(Path(f.path) for f in fontpkg.family("IBM Plex Serif").files if f.weight == 400 and f.style == "normal")
    for path in (linear_b, mukta, serif):
        assert f"{path.name} {hashlib.sha256(path.read_bytes()).hexdigest()}" in lines, (path.name, lines)
    plain = tiny("Linear B \U00010000.").render("pdf", font_dirs=[tmp_path / "fonts"])
    with pikepdf.open(io.BytesIO(plain)) as document:
        assert not any(k.endswith("}fonts") for k in document.open_metadata())


# --- families registered for the text that needs them -----------------------------------------


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("हिन्दी और मराठी", "Mukta"),
        ("বাংলা", "Hind Siliguri"),
        ("தமிழ்", "Noto Sans Tamil"),
        ("తెలుగు", "Noto Sans Telugu"),
        ("ภาษาไทย", "Sarabun"),
        ("ភាសាខ្មែរ", "Noto Sans Khmer"),
        ("עברית", "Heebo"),
    ],
)
def test_a_scripts_family_is_registered_only_for_text_in_that_script(text: str, family: str) -> None:
    layout = find_layout("report")
    assert family in layout.fonts_for(text)
    assert family not in layout.fonts_for("Plain English text.")


def test_bengali_dandas_do_not_register_the_devanagari_family() -> None:
    assert "Mukta" not in find_layout("report").fonts_for("বাংলা। আরও॥")


# --- correct text -----------------------------------------------------------------------------


def test_khmer_lao_and_thai_words_get_break_opportunities_and_nothing_else_changes() -> None:
    khmer = "ការត្រួតពិនិត្យការពិតគឺជាដំណើរការសំខាន់"
    lao = "ພາສາລາວເປັນພາສາທີ່ສວຍງາມ"
    html = f'<p title="{khmer}"><a href="https://example.org/{khmer}">{khmer}</a> and {lao}, plain English.</p>'
    marked = mark_word_breaks(html)
    assert marked.replace(ZWSP, "") == html
    assert f'title="{khmer}"' in marked and f"example.org/{khmer}" in marked
    text = marked.split(">", 2)[2]
    assert text.count(ZWSP) >= 6  # ICU's dictionary finds more than six words in the two runs
    assert "ការ" + ZWSP + "ត្រួតពិនិត្យ" in text
    assert mark_word_breaks("<p>Plain English, Ελληνικά.</p>") == "<p>Plain English, Ελληνικά.</p>"


def laid_out_lines(html: str) -> list[str]:
    """The text of each line WeasyPrint lays ``html`` out in, with the report's fonts."""
    from weasyprint import HTML

    from reportkit.writers.pdf.writer import font_setup

    config, css = font_setup(find_layout("report"), html)
    document = HTML(string=html).render(font_config=config, stylesheets=[css] if css else [])
    lines = []
    for page in document.pages:
        for box in page._page_box.descendants():  # WeasyPrint's laid-out boxes
            if type(box).__name__ == "LineBox":
                lines.append("".join(child.text for child in box.descendants() if hasattr(child, "text")))
    return lines


def test_a_khmer_paragraph_without_spaces_breaks_between_its_words() -> None:
    # Khmer puts no space between words: without break opportunities the paragraph is one line running off the page.
    sentence = "ការត្រួតពិនិត្យការពិតគឺជាដំណើរការសំខាន់សម្រាប់អ្នកសារព័ត៌មានទាំងអស់"
    html = f'<html lang="km"><body style="width: 60mm; font-family: Noto Sans Khmer"><p>{sentence * 3}</p></body></html>'
    assert len(laid_out_lines(html)) == 1
    lines = laid_out_lines(mark_word_breaks(html))
    assert len(lines) >= 4
    assert all(line.endswith(ZWSP) for line in lines[:-1]), lines  # each line ends between two words
    assert "".join(lines).replace(ZWSP, "") == sentence * 3


def starts_with_closing(lines: list[str]) -> list[str]:
    """Lines that start with a closing bracket or a CJK full stop or comma (forbidden by the CJK rules)."""
    return [line for line in lines if line.lstrip()[:1] in "。、，．）」』】〉》！？：；"]


def test_the_line_start_check_notices_a_bad_line() -> None:
    assert starts_with_closing(["好的文本", "。不好"]) == ["。不好"]


@pytest.mark.parametrize("language", ["zh-Hans", "ja"])
def test_no_cjk_line_starts_with_a_closing_bracket_or_full_stop(language: str) -> None:
    system_font(*SYSTEM_FONTS[language])
    sentence = "事实核查（测试）。" if language == "zh-Hans" else "ファクトチェック（試験）。"
    text = "「" + sentence * 40 + "」"
    pdf = tiny(text, language=language).render("pdf")
    lines = [l for l in pdf_text(pdf).splitlines() if l.strip()]
    assert sum(sentence[:3] in line for line in lines) > 5  # the paragraph runs over many lines
    assert not starts_with_closing(lines)


def shown_glyphs(pdf: bytes, family: str) -> int:
    """How many glyphs the PDF's pages draw with ``family`` (hex strings shown while it is the font)."""
    import pikepdf

    count = 0
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            fonts = page.Resources.get("/Font", {})
            current = ""
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tf":
                    current = str(fonts[operands[0]].BaseFont)
                elif str(operator) in ("TJ", "Tj") and family in current:
                    parts = operands[0] if str(operator) == "TJ" else [operands[0]]
                    count += sum(len(bytes(p)) // 2 for p in parts if isinstance(p, pikepdf.String))
    return count


def test_devanagari_conjuncts_and_vowel_signs_are_shaped() -> None:
    # क्ष + ि is four code points; shaped, it is a conjunct glyph and the vowel sign before it.
    pdf = tiny("क्षि क्षि क्षि").render("pdf")
    assert shown_glyphs(pdf, "Mukta") <= 3 * 2 + 2  # three clusters of two glyphs (and spaces)
    unshaped = "\u0915\u094d\u200c\u0937\u093f"  # a ZERO WIDTH NON-JOINER forbids the conjunct
    assert shown_glyphs(tiny(" ".join([unshaped] * 3)).render("pdf"), "Mukta") > 3 * 2 + 2


def test_hebrew_is_right_to_left_like_arabic(tmp_path: Path) -> None:
    from reportkit.writers.pdf.writer import PdfWriter

    check = rk.load(SCRIPTS / "he.md")
    html, _ = PdfWriter().html(check.resolve(), find_layout("report"))
    assert 'dir="rtl"' in html and "rtl.css" in html
    path = check.to_epub(tmp_path / "he.epub")
    with zipfile.ZipFile(path) as epub:
        assert 'page-progression-direction="rtl"' in epub.read("EPUB/content.opf").decode()
    text = pdf_text(check.render("pdf"))
    assert "2020" in text and "2025" in text  # numbers read left to right inside right-to-left text


def in_section(text: str, language: str) -> rk.FactCheck:
    return (
        rk.FactCheck("Hyphens", published="2025-01-02", language=language)
        .claim("A claim.")
        .verdict("true")
        .section("Section", f"{text} [@a]")
        .source("a", title="Source A", url="https://example.org/a")
    )


def test_thai_is_never_hyphenated_but_portuguese_is() -> None:
    # Both have a hyphenation dictionary (pyphen's th and pt); Thai breaks between words instead.
    # pypdf keeps a line's hyphen and its line break (pdftotext joins the word again).
    thai = "การตรวจสอบข้อเท็จจริงเป็นกระบวนการที่สำคัญมากสำหรับนักข่าวทุกคน" * 12
    assert not re.search(r"-\n", pypdf_text(in_section(thai, "th").render("pdf")))
    portuguese = "inconstitucionalissimamente desproporcionalmente " * 30
    assert re.search(r"\w-\n", pypdf_text(in_section(portuguese, "pt").render("pdf")))


# --- labels and dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "label", "date"),
    [
        ("hi", "दावा", "12 जून 2025"),
        ("ja", "主張", "2025年6月12日"),
        ("zh-Hans", "声明", "2025年6月12日"),
        ("zh-Hant", "說法", "2025年6月12日"),
        ("ko", "주장", "2025년 6월 12일"),
        ("pt", "Alegação", "12 de junho de 2025"),
        ("tr", "İddia", "12 Haziran 2025"),
        ("id", "Klaim", "12 Juni 2025"),
        ("he", "הטענה", "12 ביוני 2025"),
    ],
)
def test_labels_and_dates_are_in_the_documents_language(language: str, label: str, date: str) -> None:
    from reportkit.writers.pdf.writer import PdfWriter

    html, _ = PdfWriter().html(rk.load(SCRIPTS / f"{language}.md").resolve(), find_layout("report"))
    assert label in html and date in html


def test_a_quietened_weasyprint_logger_still_reports_missing_glyphs() -> None:
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    with pytest.warns(ReportkitWarning, match=r"U\+10000"):
        tiny("Linear B \U00010000.").render("pdf")


def test_verify_tells_which_recorded_font_files_this_machine_lacks(tmp_path: Path) -> None:
    from reportkit.tools.verify import verify

    linear_b_font(tmp_path / "fonts" / "linear-b.ttf")
    with_local = tiny("Linear B \U00010000.").to_file(
        "pdf", tmp_path / "local.pdf", archival=True, font_dirs=[tmp_path / "fonts"]
    )
    report = verify(with_local)
    assert report.font_changes == ["linear-b.ttf is not installed here"]
    # A font this machine lacks means it cannot rebuild the file identically: undecided, never "tampered".
    assert not report.ok and [c.name for c in report.failures if not c.undecided] == []
    assert "linear-b.ttf is not installed here" in report.needs
    assert verify(tiny("Plain English.").to_file("pdf", tmp_path / "pip.pdf", archival=True)).font_changes == []
