"""Given names made initials under CSL styles: real names of the CSL test suite through citeproc-py.

The names come from ``tests/data/real/references/csl-test-suite-names.json`` (see PROVENANCE.md);
the expected entries are written here from the names, the way the APA style asks for them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportkit.document.model import Source
from reportkit.input.references import read_references
from reportkit.render.csl import citeproc_fixes, find_style, fix_punctuation, format_entries, format_items, initialize

from conftest import messages, require_module, run_cli

require_module("citeproc")

NAMES = Path(__file__).parent.parent / "data" / "real" / "references" / "csl-test-suite-names.json"
#: What citeproc-py leaves where an initial was wanted and none came: a mark with no letter before it.
STRAY_MARK = re.compile(r"(?:^|[\s,(>-])\.(?=\s|$|-)|\s\.\s|\s\.$")


def fixture_name(item_id: str, role: str = "author") -> dict:
    """The first name of one role of one item of the test suite's names file, as the file has it."""
    items = {item["id"]: item for item in json.loads(NAMES.read_text(encoding="utf-8"))}
    return dict(items[item_id][role][0])


def apa_plain(source: Source) -> str:
    """The APA entry of one source as text (tags dropped, entities decoded)."""
    html = str(format_entries([source], "apa")[0])
    return re.sub(r"<[^>]+>", "", html).replace("&amp;", "&")


def upstream(item: dict, style: str = "apa") -> str:
    """citeproc-py's own plain-text entry for one CSL-JSON item (en-US), without reportkit's workarounds."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    item = {"id": "item", **item}
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(str(find_style(style)), validate=False, locale="en-US"), CiteProcJSON([item]),
        formatter.plain)
    bibliography.register(Citation([CitationItem("item")]))
    return str(bibliography.bibliography()[0])


def upstream_apa(names: list[dict]) -> str:
    """citeproc-py's own APA entry for a book by ``names``."""
    return upstream({"type": "book", "title": "T", "author": names})


def test_citeproc_py_still_puts_stray_periods_around_arabic_and_lowercase_given_names() -> None:
    # The day this fails, citeproc-py initials these names itself: drop citeproc_fixes from render/csl.py.
    arabic = fixture_name("name_ArabicShortForms-ITEM-1")
    assert upstream_apa([arabic]).startswith("al-Aswānī, . ʿAlāʾ .")
    assert upstream_apa([fixture_name("name_LowercaseSurnameSuffix-ITEM-1")]).startswith("Chen, G.-. ping .")
    assert STRAY_MARK.search(upstream_apa([arabic]))


def test_the_stray_mark_check_finds_only_marks_without_an_initial() -> None:
    assert STRAY_MARK.search("al-Aswānī, . ʿAlāʾ . (n.d.). T.")
    assert STRAY_MARK.search("Smith, G. von . (n.d.). T.")
    assert STRAY_MARK.search("Chen, G.-. ping . (n.d.). T.")
    assert not STRAY_MARK.search("al-Aswānī, ʿA. (n.d.). T.")
    assert not STRAY_MARK.search("O’Malley, C. D., & Saunders, J. B. de C. M. (1952). T...")


@pytest.mark.parametrize(("item_id", "expected"), [
    ("name_ArabicShortForms-ITEM-1", "al-Aswānī, ʿA. (2002)."),
    ("name_ArabicShortForms-ITEM-2", "al-Aswānī, `A. (2002)."),
    ("name_LowercaseSurnameSuffix-ITEM-1", "Chen, G.-p. (2002)."),
    ("name_ParticleParse1-ITEM-1", "Smith, G. von und zum. (2002)."),
])
def test_apa_initials_of_real_names_have_no_stray_marks(item_id: str, expected: str) -> None:
    name = fixture_name(item_id)
    text = apa_plain(Source(key="k", title="T", authors=[name], published="2002"))
    assert text.startswith(expected)
    assert not STRAY_MARK.search(text)


def test_apa_keeps_a_particle_inside_the_given_names_of_a_real_entry() -> None:
    keys = ["name_CeltsAndToffsCrowdedInitials-item-1", "name_ParsedUpperCaseNonDroppingParticle-ITEM-1"]
    sources = {fields["key"]: Source(**fields) for fields in read_references(NAMES, keys=keys)}
    translators = apa_plain(sources[keys[0]])
    # John Bertrand de Cusance Morant Saunders: "de" is not initialled, and no mark stands alone
    assert "C. D. O’Malley & J. B. de C. M. Saunders, trans." in translators
    fontaine = apa_plain(sources[keys[1]])
    assert fontaine.startswith("La Fontaine, J. de. (n.d.). His Anonymous Life.")
    assert not STRAY_MARK.search(translators) and not STRAY_MARK.search(fontaine)


def test_apa_keeps_rich_text_around_an_initial() -> None:
    name = {"family": "Doe", "given": "<b>John</b> Q"}  # name_InTextMarkupInitialize's name, as rich text
    html = str(format_entries([Source(key="k", title="T", authors=[name])], "apa")[0])
    assert html.startswith("Doe, <b>J.</b> Q. (n.d.).")


@pytest.mark.parametrize(("given", "mark", "hyphen", "expected"), [
    ("John Q", ". ", True, "J. Q."),
    ("Jean-Luc", ". ", True, "J.-L."),
    ("Jean-Luc", ". ", False, "J. L."),
    ("Jean-Luc", "", True, "J-L"),
    ("John Jeeves", ".", True, "J.J."),
    ("J.R.R.", ". ", True, "J. R. R."),
    ("Alexander von", ". ", True, "A. von"),
    ("Gao-ping", ". ", True, "G.-p."),
    ("ʿAlāʾ", ". ", True, "ʿA."),
    ("栄", ". ", True, "栄"),
    ("علاء", ". ", True, "علاء"),
    ("<b>John</b>-Q", ". ", True, "<b>J.</b>-Q."),
])
def test_initialize_follows_csl(given: str, mark: str, hyphen: bool, expected: str) -> None:
    assert initialize(given, mark, hyphen) == expected


def test_the_workaround_is_undone_after_formatting_even_on_error() -> None:
    from citeproc.model import Name

    upstream = Name.__dict__["initialize"]
    format_entries([Source(key="k", title="T", authors=[fixture_name("name_ArabicShortForms-ITEM-1")])], "apa")
    assert Name.__dict__["initialize"] is upstream
    with pytest.raises(RuntimeError), citeproc_fixes():
        assert Name.__dict__["initialize"] is not upstream
        raise RuntimeError("inside")
    assert Name.__dict__["initialize"] is upstream


# --- punctuation at the seams (fix_punctuation) and typographic apostrophes -----------------------


def test_citeproc_py_still_leaves_the_period_outside_american_quotes() -> None:
    # The day this fails, citeproc-py applies punctuation-in-quote itself: fix_punctuation's first rules go.
    item = {"type": "article-journal", "title": "The Book Title", "container-title": "Journal",
            "author": [{"family": "Savage", "given": "Thomas"}], "issued": {"date-parts": [[1879]]}}
    assert "“The Book Title”." in upstream(item, "chicago-author-date")


def test_citeproc_py_still_leaves_straight_quotes_inside_a_quoted_title() -> None:
    # The day this fails, citeproc-py makes inner quotes itself: fix_punctuation's inner() goes.
    item = {"type": "article-journal", "title": 'Getting Property Right: "Informal" Mortgages',
            "container-title": "Journal", "issued": {"date-parts": [[2009]]}}
    assert '“Getting Property Right: "Informal" Mortgages”' in upstream(item, "chicago-author-date")


def test_a_quoted_title_with_quotes_in_it_gets_inner_quotes() -> None:
    source = Source(key="k", title='Getting Property Right: "Informal" Mortgages', type="article-journal",
                    container="Journal", published="2009")
    text = re.sub(r"<[^>]+>", "", str(format_entries([source], "chicago-author-date")[0]))
    assert "“Getting Property Right: ‘Informal’ Mortgages.”" in text


def test_american_styles_put_the_period_inside_the_quotes() -> None:
    source = Source(key="k", title="The Book Title", type="article-journal", container="Journal",
                    authors=[{"family": "Savage", "given": "Thomas"}], published="1879")
    text = re.sub(r"<[^>]+>", "", str(format_entries([source], "chicago-author-date")[0]))
    assert "“The Book Title.” Journal" in text
    assert "”." not in text


def test_british_locales_keep_the_period_outside_the_quotes() -> None:
    source = Source(key="k", title="The Book Title", type="article-journal", container="Journal",
                    authors=[{"family": "Savage", "given": "Thomas"}], published="1879")
    text = re.sub(r"<[^>]+>", "", str(format_entries([source], "chicago-author-date", language="en-GB")[0]))
    assert "‘The Book Title’. Journal" in text  # en-GB: single quotes, punctuation-in-quote false


@pytest.mark.parametrize(("html", "inside", "expected"), [
    ("“His Anonymous Chapter”. Some text", True, "“His Anonymous Chapter.” Some text"),
    ("“Does Psychology make a difference?”, <i>American Psychologist</i>", True,
     "“Does Psychology make a difference?,” <i>American Psychologist</i>"),
    ("“Dr. Who.”. Next", True, "“Dr. Who.” Next"),
    ("“Title”</i>. Next", True, "“Title.”</i> Next"),
    ("“His Anonymous Chapter”. Some text", False, "“His Anonymous Chapter”. Some text"),
    ("An article is it?. New Thinker", True, "An article is it? New Thinker"),
    ("Doe Co. . 1965.", True, "Doe Co. 1965."),
    ("J. Chem.. 12", True, "J. Chem. 12"),
    ("To be continued... Next", True, "To be continued... Next"),
    # straight quotes inside a quoted title become inner quotes (CSL test suite: quotes_PunctuationWithInnerQuote)
    ("“This is 'The One'”.", True, "“This is ‘The One.’”"),
    ('“Getting Property Right: "Informal" Mortgages”, <i>Pac. Rim</i>', True,
     "“Getting Property Right: ‘Informal’ Mortgages,” <i>Pac. Rim</i>"),
    ('“<span style="font-variant:small-caps;">Guide</span>”.', True,
     '“<span style="font-variant:small-caps;">Guide</span>.”'),
    ('Not quoted: "as typed". Next', True, 'Not quoted: "as typed". Next'),
])
def test_fix_punctuation_moves_and_merges_marks_at_the_seams(html: str, inside: bool, expected: str) -> None:
    assert fix_punctuation(html, ("\u201c", "\u201d", "\u2018", "\u2019"), inside) == expected


def test_apostrophes_between_letters_become_typographic_but_addresses_do_not() -> None:
    source = Source(key="k", title="John's Book", authors=[{"family": "D'Arcus", "given": "Bruce"}],
                    url="https://example.org/o'brien", published="2006")
    html = str(format_entries([source], "apa")[0])
    assert html.startswith("D’Arcus, B. (2006). <i>John’s Book</i>.")
    assert "o'brien" in html or "o%27brien" in html


def test_a_style_file_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    style = tmp_path / "house.csl"
    source = Source(key="k", title="The Book Title", type="article-journal", container="Journal",
                    authors=[{"family": "Savage", "given": "Thomas"}], published="1879")
    style.write_bytes(find_style("apa").read_bytes())
    apa = str(format_entries([source], str(style))[0])
    style.write_bytes(find_style("chicago-author-date").read_bytes())
    chicago = str(format_entries([source], str(style))[0])
    assert apa.startswith("Savage, T. (1879).")
    assert chicago.startswith("Savage, T. 1879. “The Book Title.”")


# --- cs:label of an empty variable (citeproc-py #204) ---------------------------------------------


def test_citeproc_py_still_prints_the_label_of_an_empty_edition() -> None:
    # The day this fails, citeproc-py #204 is released: the Label part of citeproc_fixes goes.
    item = {"type": "article-journal", "title": "T", "author": [{"family": "Doe", "given": "J"}]}
    assert upstream(item, "chicago-author-date").endswith("Edition.")


def test_chicago_prints_no_label_for_an_edition_the_source_lacks() -> None:
    source = Source(key="k", title="T", type="article-journal", authors=[{"family": "Doe", "given": "J"}])
    html = str(format_entries([source], "chicago-author-date")[0])
    assert html == "Doe, J. n.d. <i>T</i>."


def test_a_label_of_a_variable_the_item_has_still_shows() -> None:
    item = {"id": "c", "type": "chapter", "title": "Chapter", "container-title": "Book", "page": "1-10",
            "author": [{"family": "Doe", "given": "J"}], "issued": {"date-parts": [[2020]]}}
    entry = format_items([item], find_style("apa"))["c"]
    assert "(pp. 1–10)" in entry


# --- the real names built to PDF and EPUB with --csl-style apa ---------------------------------------

#: Entries of the names file that have a title (so can be cited) and names the workarounds are about.
CITED = ["name_CeltsAndToffsCrowdedInitials-item-1", "name_ParsedUpperCaseNonDroppingParticle-ITEM-1",
         "name_CeltsAndToffsWithHyphens-item-1", "name_AsianGlyphs-item-1"]


@pytest.mark.slow
def test_real_names_build_to_pdf_and_epub_with_apa(tmp_path: Path, epubcheck) -> None:
    shutil.copy(NAMES, tmp_path / "names.json")
    body = "\n\n".join(f"Entry {n} says so [@{key}]." for n, key in enumerate(CITED, start=1))
    front = "---\ntitle: Do the names come out right?\nslug: names\nsources: names.json\n---\n\n"
    (tmp_path / "names.md").write_text(f"{front}## The entries\n\n{body}\n", encoding="utf-8")
    result = run_cli("build", str(tmp_path / "names.md"), "-o", str(tmp_path / "out"), "-f", "pdf,epub",
                     "--csl-style", "apa", timeout=600)
    assert result.returncode == 0, result.stderr
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(tmp_path / "out" / "names.pdf").pages)
    sources = text[text.rindex("Sources"):]
    assert "J. B. de C. M. Saunders" in sources  # John Bertrand de Cusance Morant Saunders
    assert "La Fontaine, J. de." in sources  # Jean de La Fontaine
    assert "H.-L. Chen" in sources  # Hsien-Li Chen
    assert "我妻栄. (1960)." in sources  # family name 我妻, given name 栄
    assert not STRAY_MARK.search(sources)
    report = epubcheck.run(tmp_path / "out" / "names.epub")
    assert all(messages(r) == [] for r in report.values()), report


# --- Chinese, Japanese and Korean names; elided particles -------------------------------------------


def test_citeproc_py_still_writes_cjk_names_and_elided_particles_as_western_ones() -> None:
    # The day this fails, citeproc-py spaces these names itself: _names in render/csl.py goes.
    asian = fixture_name("name_AsianGlyphs-item-1")
    assert upstream_apa([asian]).startswith("我妻, . 栄 .")  # its initials too (see citeproc_fixes)
    assert upstream_apa([{"family": "Almeida", "given": "Luís", "non-dropping-particle": "d'"}]).startswith(
        "d' Almeida, L.")


def test_apa_writes_a_real_japanese_name_family_name_first_without_a_space() -> None:
    fields = read_references(NAMES, keys=["name_AsianGlyphs-item-1"])[0]
    text = apa_plain(Source(**fields))
    assert text.startswith("我妻栄. (1960). 民法.")


def test_an_elided_particle_joins_its_family_name_in_every_style() -> None:
    library = Path(__file__).parent.parent / "data" / "real" / "references" / "bbt-particles-313.bib"
    fields = read_references(library, keys=["almeida_reading_2013"])[0]  # editor "d' Almeida, Luís"
    for style in ("apa", "chicago-author-date"):
        text = re.sub(r"<[^>]+>", "", str(format_entries([Source(**fields)], style)[0]))
        assert "d’Almeida" in text and "d' Almeida" not in text and "d’ Almeida" not in text, (style, text)


def test_a_particle_that_is_not_elided_keeps_its_space() -> None:
    source = Source(key="k", title="T", authors=[{"family": "Roe", "given": "Jane", "particle": "van"}])
    assert apa_plain(source).startswith("van Roe, J. (n.d.).")


SEASON_RANGE = {"id": "s", "type": "article-journal", "title": "T", "author": [{"family": "Doe", "given": "Jane"}]}


def test_citeproc_py_still_misreads_the_seasons_of_a_range() -> None:
    # When this fails, citeproc-py reads months 13-16 or a range's season: drop _season_ranges.
    month_and_season = format_items([{**SEASON_RANGE, "issued": {"date-parts": [[2001, 3], [2002, 15]]}}],
                                    find_style("chicago-author-date"))["s"]
    one = format_items([{**SEASON_RANGE, "issued": {"season": 3, "date-parts": [[2001], [2002]]}}],
                       find_style("chicago-author-date"))["s"]
    assert "March–None" in month_and_season and "Autumn–Autumn" in one


@pytest.mark.parametrize("style", ["apa", "chicago-author-date", "ieee"])
def test_a_season_range_is_printed_as_its_years_without_a_stray_season_or_none(style: str) -> None:
    source = Source(key="s", type="article-journal", title="Seasonal Papers", container="Quarterly",
                    authors=["Doe, Jane"], published="2001-22/2002-23")
    entry = str(format_entries([source], style)[0])
    assert "2001" in entry and "2002" in entry
    assert "None" not in entry and "Autumn" not in entry and "Summer" not in entry
    month_first = Source(key="m", type="article-journal", title="Seasonal Papers", container="Quarterly",
                         authors=["Doe, Jane"], published="2001-03/2002-23")
    assert "None" not in str(format_entries([month_first], style)[0])
