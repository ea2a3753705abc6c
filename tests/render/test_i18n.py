"""Localisation: complete catalogues, translated labels in every shipped language, right-to-left Arabic."""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportkit as rk
from reportkit.render import i18n
from reportkit.render.i18n import Translator, languages, messages
from reportkit.render.layouts import find_layout
from reportkit.writers.pdf.writer import PdfWriter
from conftest import SAMPLES
from factories import in_language
from pdfutil import font_names

SAMPLE = SAMPLES / "russia-nato.md"
SHIPPED = ["en", "fr", "de", "es", "ru", "uk", "ar"]

#: Labels the example's report shows, as each language writes them (the last one is the rating).
LABELS = {
    "en": ["Claim", "Summary", "Sources", "Corrections", "Page 1 of", "Cited in", "False", "November 22, 2025"],
    "fr": ["Affirmation", "Résumé", "Sources", "Corrections", "Page 1 sur", "Cité dans", "Faux", "22 novembre 2025"],
    "de": ["Behauptung", "Zusammenfassung", "Quellen", "Korrekturen", "Seite 1 von", "Zitiert in", "Falsch",
           "22. November 2025"],
    "es": ["Afirmación", "Resumen", "Fuentes", "Correcciones", "Página 1 de", "Citado en", "Falso",
           "22 de noviembre de 2025"],
    "ru": ["Утверждение", "Резюме", "Источники", "Исправления", "Страница 1 из", "Цитируется в", "Неправда",
           "22 ноября 2025"],
    "uk": ["Твердження", "Резюме", "Джерела", "Виправлення", "Сторінка 1 з", "Цитується в", "Неправда",
           "22 листопада 2025"],
    "ar": ["الادعاء", "الملخص", "المصادر", "تصحيحات", "الصفحة", "ورد في", "خطأ", "حُدّث"],
}


@pytest.fixture(scope="session")
def pdfs() -> dict[str, bytes]:
    """The example's report rendered once in every shipped language."""
    return {language: in_language(language).render("pdf") for language in SHIPPED}


@pytest.fixture(scope="session")
def reports(pdfs: dict[str, bytes]) -> dict[str, str]:
    """The text of each language's report as pypdf reads it."""
    return {
        language: "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        for language, pdf in pdfs.items()
    }


#: The languages of issue 17's fact-checkers, besides the seven above.
SCRIPTS = ["hi", "bn", "ta", "te", "mr", "th", "km", "zh-Hans", "zh-Hant", "ja", "ko", "he", "id", "pt", "tr", "am"]


def test_every_shipped_language_has_a_catalogue() -> None:
    assert set(SHIPPED) | set(SCRIPTS) <= set(languages())


@pytest.mark.parametrize("language", [l for l in languages() if l != "en"])
def test_page_numbers_come_in_the_order_the_running_foot_sets_them(language: str) -> None:
    # The foot is counter(page), then counter(pages), with the catalogue's words around them.
    catalogue = json.loads((Path(i18n.__file__).parent / "locales" / f"{language}.json").read_text("utf-8"))
    label = catalogue["Page {page} of {pages}"]
    assert label.index("{page}") < label.index("{pages}"), label


def test_the_catalogue_check_notices_a_missing_label(tmp_path: Path, monkeypatch) -> None:
    catalogue = json.loads((Path(i18n.__file__).parent / "locales" / "km.json").read_text("utf-8"))
    del catalogue["Sources"]
    assert messages() - set(catalogue) == {"Sources"}


@pytest.mark.parametrize("language", [l for l in languages() if l != "en"])
def test_catalogues_translate_every_message_with_the_same_fields(language: str) -> None:
    catalogue = json.loads((Path(i18n.__file__).parent / "locales" / f"{language}.json").read_text("utf-8"))
    missing = sorted(messages() - set(catalogue))
    assert not missing, f"{language} lacks {missing}"
    for message, translation in catalogue.items():
        assert translation.strip(), message
        assert set(re.findall(r"{(\w+)}", translation)) == set(re.findall(r"{(\w+)}", message)), message


def test_messages_are_found_in_templates_and_code() -> None:
    found = messages()
    # From templates (with and without fields), from the EPUB writer, and the default scale.
    assert {"Sources", "Accessed {date}", "Page {page} of {pages}", "Landmarks", "Mostly false"} <= found


@pytest.mark.slow
@pytest.mark.parametrize("language", SHIPPED)
def test_the_example_renders_its_labels_translated(reports: dict[str, str], language: str) -> None:
    # Some labels are set in capitals (text-transform), so compare without case.
    text = " ".join(reports[language].split()).casefold()
    for label in LABELS[language]:
        assert label.casefold() in text, f"{language}: {label!r} not in the PDF"
    if language != "en":
        assert "cited in" not in text and "page 1 of" not in text


def test_a_missing_translation_falls_back_to_english_with_a_warning(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "xx.json").write_text(json.dumps({"Sources": "Kwellen", "Published {date}": "Pub {when}"}), "utf-8")
    monkeypatch.setattr(i18n, "_LOCALES", tmp_path)
    i18n._catalogue.cache_clear()
    try:
        translator = Translator("xx")
        assert translator.gettext("Sources") == "Kwellen"
        with pytest.warns(rk.ReportkitWarning, match="no 'xx' translation of 'Claim'"):
            assert translator.gettext("Claim") == "Claim"
        with pytest.warns(rk.ReportkitWarning, match="fields that do not fit"):
            assert translator.gettext("Published {date}", date="today") == "Published today"
    finally:
        i18n._catalogue.cache_clear()


def test_an_unknown_language_renders_in_english_with_one_warning() -> None:
    check = in_language("sw")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html, _ = PdfWriter().html(check.resolve(), find_layout("report"))
    texts = [str(w.message) for w in caught if issubclass(w.category, rk.ReportkitWarning)]
    assert len(texts) == 1 and "'sw'" in texts[0]
    assert ">Sources<" in html and 'lang="sw"' in html


def test_custom_scale_labels_are_not_sent_to_the_catalogue() -> None:
    check = in_language("fr")
    data = check.to_dict()
    data["rating_scale"] = {
        "name": "desk",
        "ratings": [
            {"key": "solid", "label": "Solide", "order": 1, "colour": "#1b7a3d"},
            {"key": "shaky", "label": "Bancal", "order": 2, "colour": "#a3161b"},
        ],
    }
    data["verdict"]["rating"] = "shaky"
    custom = rk.FactCheck.from_dict(data, base_dir=SAMPLE.parent)
    with warnings.catch_warnings():
        warnings.simplefilter("error", rk.ReportkitWarning)
        html, renderer = PdfWriter().html(custom.resolve(), find_layout("report"))
    assert "Bancal" in html
    assert renderer.context["rating_shape"](custom.document.rating) == "false"


@pytest.mark.parametrize("language", ["fr", "de", "es", "ru", "uk"])
def test_hyphenation_dictionaries_exist_for_the_shipped_languages(language: str) -> None:
    import pyphen

    # WeasyPrint hyphenates (hyphens: auto in the layouts) with pyphen's dictionary for <html lang>.
    assert pyphen.language_fallback(language) is not None
    html, _ = PdfWriter().html(in_language(language).resolve(), find_layout("brief"))
    assert f'<html lang="{language}"' in html


@pytest.mark.slow
def test_arabic_is_right_to_left_in_the_pdf(reports: dict[str, str]) -> None:
    html, _ = PdfWriter().html(in_language("ar").resolve(), find_layout("report"))
    assert 'dir="rtl"' in html and "rtl.css" in html
    brief_html, _ = PdfWriter().html(in_language("ar").resolve(), find_layout("brief"))
    assert 'dir="rtl"' in brief_html and "brief-rtl.css" in brief_html


@pytest.mark.slow
def test_arabic_headings_sit_on_the_right_of_the_page(pdfs: dict[str, bytes]) -> None:
    page = PdfReader(io.BytesIO(pdfs["ar"])).pages[-1]  # the bibliography: heading, then numbered sources
    width = float(page.mediabox.width)
    places: list[float] = []

    def visit(text: str, cm, tm, font, size) -> None:  # noqa: ANN001
        if "المصادر" in text or "ردا" in text:
            places.append(tm[4] * cm[0] + cm[4])

    page.extract_text(visitor_text=visit)
    assert places, "the Sources heading was not found"
    assert min(places) > width / 2


@pytest.mark.slow
def test_arabic_epub_is_right_to_left_and_valid(tmp_path: Path, epubcheck) -> None:
    from conftest import messages as epub_messages

    path = in_language("ar").to_epub(tmp_path / "ar.epub")
    errors = [m for m in epub_messages(epubcheck.run(path)[path]) if m.startswith(("ERROR", "FATAL"))]
    assert not errors, errors
    with zipfile.ZipFile(path) as epub:
        opf = epub.read("EPUB/content.opf").decode()
        title = epub.read("EPUB/title.xhtml").decode()
    assert 'page-progression-direction="rtl"' in opf
    assert 'dir="rtl"' in title and "الملخص" in title


@pytest.mark.slow
def test_each_script_is_set_in_the_layouts_own_fonts(pdfs: dict[str, bytes]) -> None:
    latin = font_names(pdfs["en"])
    # Nothing falls back to another family (not even the hyphen: IBM Plex has no U+2010).
    assert latin and all(name.startswith(("IBM-Plex-Serif", "IBM-Plex-Sans-Condensed", "IBM-Plex-Mono"))
                         for name in latin), latin
    assert any(name.startswith("IBM-Plex-Sans-Arabic") for name in font_names(pdfs["ar"]))
    cyrillic = font_names(pdfs["ru"])
    assert any(name.startswith("IBM-Plex-Sans") and "Condensed" not in name and "Arabic" not in name
               for name in cyrillic), cyrillic
    assert not any("DejaVu" in name for pdf in pdfs.values() for name in font_names(pdf))


# --- Babel's locale data is let go once the dates are formatted (issue 16) ---------------------


def _babel_holds_data() -> tuple[bool, bool]:
    """Whether Babel holds loaded locale data, and its global data (read from its caches)."""
    import babel.core
    import babel.localedata

    return bool(babel.localedata._cache), babel.core._global_data is not None


def test_release_locale_data_lets_babels_locale_and_global_data_go() -> None:
    from babel.dates import format_date

    format_date(date(2021, 3, 4), format="long", locale="en")
    # Babel as this module was written for: both caches filled by formatting a date. Fails should
    # Babel rename them (then release_locale_data would silently keep 2.2 MB).
    assert _babel_holds_data() == (True, True)
    i18n.release_locale_data()
    assert _babel_holds_data() == (False, False)
    assert i18n.long_date("2019-07-06", "de") == "6. Juli 2019"  # loaded again on demand (English needs none)
    assert _babel_holds_data() == (True, True)


def test_release_locale_data_keeps_babels_global_data_while_another_thread_runs() -> None:
    # Babel's get_global checks its global data for None and then uses it, unlocked: another thread
    # formatting a date could be between the two.
    import threading

    from babel.dates import format_date

    format_date(date(2021, 3, 4), format="long", locale="en")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        i18n.release_locale_data()
        assert _babel_holds_data() == (False, True)
    finally:
        stop.set()
        other.join()
    i18n.release_locale_data()
    assert _babel_holds_data() == (False, False)


@pytest.fixture
def babel_at_layout(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    """What Babel holds as each WeasyPrint layout starts (see :func:`_babel_holds_data`), for builds after this."""
    import weasyprint

    seen: list[tuple[bool, bool]] = []
    lay_out = weasyprint.HTML.render

    def spied(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(_babel_holds_data())
        return lay_out(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", spied)
    i18n.long_date.cache_clear()  # the build formats its dates with Babel, not from an earlier test's cache
    return seen


def _in_german() -> rk.FactCheck:
    """The energy-bills sample in German: its dates are Babel's (English ones are set without it)."""
    data = rk.load(SAMPLES / "energy-bills.md").to_dict()
    return rk.FactCheck.from_dict({**data, "language": "de"}, base_dir=SAMPLES)


def test_a_pdf_build_lays_out_with_no_babel_data_held(babel_at_layout: list[tuple[bool, bool]]) -> None:
    pdf = PdfReader(io.BytesIO(_in_german().to_pdf()))
    assert babel_at_layout == [(False, False)]
    # The dates were formatted before Babel's data went: published 2025-11-12 in the sample.
    assert "12. November 2025" in " ".join(page.extract_text() for page in pdf.pages)


def test_the_babel_spy_sees_data_held_when_it_is_not_released(
    babel_at_layout: list[tuple[bool, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The negative of the test above: with the release switched off, the layout starts with Babel's data held.
    from reportkit.writers.pdf import writer

    monkeypatch.setattr(writer, "release_locale_data", lambda: None)
    _in_german().to_pdf()
    assert babel_at_layout == [(True, True)]


# --- English dates, set without Babel ------------------------------------------------------------

def _days(year: int) -> list[date]:
    """Every day of ``year``."""
    first = date(year, 1, 1)
    return [date.fromordinal(first.toordinal() + n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2024, 2025])  # a leap year and another
def test_english_long_dates_are_babels_for_every_day(year: int) -> None:
    from babel.dates import format_date

    for day in _days(year):
        assert i18n.long_date(day.isoformat(), "en") == format_date(day, format="long", locale="en")


@pytest.mark.parametrize("year", [1, 44, 999, 1000, 1985, 9999])
def test_english_months_and_short_years_are_babels(year: int) -> None:
    from babel.dates import format_date, format_skeleton

    for month in range(1, 13):
        day = date(year, month, 28)
        assert i18n.long_date(f"{year:04d}-{month:02d}", "en") == format_skeleton("yMMMM", day, locale="en")
        assert i18n.long_date(day.isoformat(), "en") == format_date(day, format="long", locale="en")


def test_other_english_locales_and_other_languages_are_left_to_babel() -> None:
    assert i18n.long_date("2024-03-05", "en_GB") == "5 March 2024"
    assert i18n.long_date("2024-03-05", "de") == "5. März 2024"
    assert i18n.long_date("2024-03", "fr") == "mars 2024"


#: Builds a sample in the language given, then prints whether Babel was imported.
_BABEL_IMPORTED = """
import sys
import reportkit as rk
data = rk.load(sys.argv[1]).to_dict()
rk.FactCheck.from_dict({**data, "language": sys.argv[2]}, base_dir=sys.argv[3]).render("epub")
print("babel" in sys.modules)
"""


@pytest.mark.parametrize(("language", "imported"), [("en", "False"), ("de", "True")])
def test_an_english_build_never_imports_babel(language: str, imported: str) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", _BABEL_IMPORTED, str(SAMPLES / "energy-bills.md"), language,
                             str(SAMPLES)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [imported]


def _shipped_catalogue(name: str) -> dict[str, str]:
    """A catalogue as its file in reportkit/locales holds it."""
    return json.loads((Path(i18n.__file__).parent / "locales" / f"{name}.json").read_text("utf-8"))


@pytest.mark.parametrize(
    "tag, catalogue",
    [
        ("zh-TW", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-MO", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"),
        ("zh-hant", "zh-Hant"), ("ZH-HANT", "zh-Hant"), ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh-SG", "zh-Hans"),
        ("zh-Hans-CN", "zh-Hans"), ("zh-x-tw", "zh-Hans"), ("zh-TW-u-nu-hanidec", "zh-Hant"), ("pt-BR", "pt"),
        ("fr-CA", "fr"), ("uk-UA", "uk"),
    ],
)
def test_a_regional_or_differently_cased_tag_finds_the_catalogue_of_its_language_and_script(tag, catalogue) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", rk.ReportkitWarning)
        translator = Translator(tag)
    assert translator.catalogue == _shipped_catalogue(catalogue)


@pytest.mark.parametrize("tag", ["en-GB", "en"])
def test_english_tags_need_no_catalogue(tag: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", rk.ReportkitWarning)
        assert not Translator(tag).catalogue


def test_a_language_without_a_catalogue_still_warns_whatever_its_region() -> None:
    with pytest.warns(rk.ReportkitWarning, match="no translation of the layouts' texts for language 'nl-BE'"):
        assert Translator("nl-BE").catalogue == {}


def test_a_zh_tw_report_has_traditional_labels(tmp_path: Path) -> None:
    labels = _shipped_catalogue("zh-Hant")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(in_language("zh-TW").render("pdf"))).pages)
    assert labels["Sources"] in text and labels["Summary"] in text
