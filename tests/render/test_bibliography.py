"""The text of bibliography entries and footnotes: one punctuation rule, the author first, fields isolated
for direction, rich text as markup, links percent-encoded, EDTF dates in words of the language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import Markup

from reportkit.document.model import Name, Source
from reportkit.document.richtext import has_markup, to_html, to_plain
from reportkit.render.bibliography import entry_html, format_edtf, short_html, short_reference
from reportkit.render.i18n import Translator
from reportkit.render.layouts import builtin_dir
from reportkit.render.links import href


def text(markup: Markup) -> str:
    return re.sub(r"<[^>]+>", "", str(markup)).replace("&amp;", "&")


# --- punctuation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"container": "J. Organomet. Chem.", "published": "2006"}, "J. Organomet. Chem. 2006."),
        ({"authors": [Name(family="Bennett", given="Frank G.", suffix="Jr.")]}, "Frank G. Bennett Jr. A title."),
        ({"publisher": "Doe Inc."}, "A title. Doe Inc."),
        ({"publisher": "Doe Inc.", "published": "2004"}, "A title. Doe Inc., 2004."),
        ({"title": "Did it happen?", "container": "Journal"}, "Did it happen? Journal."),
        ({"container": "Journal", "published": "2006"}, "A title. Journal. 2006."),  # periods are still added
    ],
)
def test_no_piece_of_an_entry_gets_a_second_period(fields: dict, expected: str) -> None:
    source = Source(**{"key": "a", "title": "A title", **fields})
    shown = text(entry_html(source))
    assert expected in shown
    assert not re.search(r"(?<!\.)\.\s?\.(?!\.)|,\s?,|,\.", shown)


def test_an_organisation_that_wrote_and_published_a_source_is_named_once() -> None:
    same = Source(key="a", title="Report", authors=["NATO"], publisher="NATO", published="2020")
    assert text(entry_html(same)).count("NATO") == 1 and "NATO. Report. 2020." in text(entry_html(same))
    other = Source(key="b", title="Report", authors=["NATO"], publisher="Wilson Center", published="2020")
    assert "NATO. Report. Wilson Center, 2020." in text(entry_html(other))


def test_the_footnote_credits_the_author_before_the_publisher() -> None:
    book = Source(key="b", title="A book", authors=["Ann Author"], publisher="Big Press", published="2001")
    assert short_reference(book) == "Ann Author, “A book”, 2001."
    assert short_reference(Source(key="c", title="A leaflet", publisher="City Council")) == "City Council, “A leaflet”."
    assert short_reference(Source(key="d", title="Edited", editors=["Ed Editor"], publisher="P")).startswith("Ed Editor")


def test_a_footnote_that_ends_in_a_question_mark_gets_no_period() -> None:
    assert short_reference(Source(key="q", title="Why?")) == "“Why?”"
    assert short_reference(Source(key="q", title="Why?"), "p. 3") == "“Why?”, p. 3."


# --- direction ---------------------------------------------------------------------------------------


def test_every_source_field_is_isolated_for_direction() -> None:
    source = Source(key="a", title="الأسواني: عمارة يعقوبيان", authors=["علاء الأسواني"], container="الشروق",
                    publisher="دار الشروق", published="2004", url="https://example.org/x")
    html = str(entry_html(source))
    for value in ("الأسواني: عمارة يعقوبيان", "علاء الأسواني", "الشروق", "دار الشروق", "2004"):
        assert re.search(r"<bdi[^>]*>(?:<a [^>]*>)?" + re.escape(value) + r"(?:</a>)?</bdi>", html), value
    footnote = str(short_html(source))
    assert "“<bdi>الأسواني: عمارة يعقوبيان</bdi>”" in footnote and "<bdi>2004</bdi>" in footnote


def test_print_stylesheets_isolate_bdi() -> None:
    css = (builtin_dir() / "report" / "print" / "base.css").read_text(encoding="utf-8")
    assert re.search(r"bdi\s*\{[^}]*unicode-bidi:\s*isolate", css)


# --- rich text and links -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "html", "plain"),
    [
        ("Frithuswith (<i>d.</i> 727)", "Frithuswith (<i>d.</i> 727)", "Frithuswith (d. 727)"),
        ("g<sub>1</sub> and x<sup>2</sup> <b>bold</b>", "g<sub>1</sub> and x<sup>2</sup> <b>bold</b>", "g1 and x2 bold"),
        ('<span class="nocase">iPhone</span>', "iPhone", "iPhone"),
        ('<span style="font-variant:small-caps;">mcx</span>', '<span class="smallcaps">mcx</span>', "mcx"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("a < b <i>unclosed", "a &lt; b &lt;i&gt;unclosed", "a < b <i>unclosed"),
        ('<a href="x">link</a>', '&lt;a href="x"&gt;link&lt;/a&gt;', '<a href="x">link</a>'),
    ],
)
def test_the_csl_rich_text_subset_is_markup_and_everything_else_is_text(raw: str, html: str, plain: str) -> None:
    assert str(to_html(raw)) == html
    assert to_plain(raw) == plain
    assert has_markup(raw) == (raw != plain)


def test_a_title_with_rich_text_is_markup_in_the_entry_and_text_in_the_footnote() -> None:
    source = Source(key="a", title="The <i>Prouerbia</i> & more")
    assert "<i>Prouerbia</i> &amp; more" in str(entry_html(source))
    assert short_reference(source) == "“The Prouerbia & more”."


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://doi.org/10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P",
         "https://doi.org/10.1002/(SICI)1096-987X(199803)19:4%3C377::AID-JCC1%3E3.0.CO;2-P"),
        ("https://example.org/a b?q=x y#f", "https://example.org/a%20b?q=x%20y#f"),
        ("https://example.org/already%20encoded?a=1&b=2", "https://example.org/already%20encoded?a=1&b=2"),
        ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
    ],
)
def test_links_are_percent_encoded(url: str, link: str) -> None:
    assert href(url) == link


def test_the_entry_links_the_encoded_address() -> None:
    source = Source(key="a", title="x", url="https://doi.org/10.1002/x<1>")
    assert 'href="https://doi.org/10.1002/x%3C1%3E"' in str(entry_html(source))


# --- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edtf", "english", "german"),
    [
        ("-0043-03-15", "March 15, 44 BC", "15. März 44 v. Chr."),
        ("-0333", "334 BC", "334 v. Chr."),
        ("0000", "1 BC", "1 v. Chr."),
        ("2017-21", "Spring 2017", "Frühjahr 2017"),
        ("1985~", "c. 1985", "ca. 1985"),
        ("199X", "1990s", "1990er"),
        ("2004-06-XX", "June 2004", "Juni 2004"),
        ("2014-12-31/2015-01-01", "December 31, 2014 – January 1, 2015", "31. Dezember 2014 – 1. Januar 2015"),
        ("../2004", "… – 2004", "… – 2004"),
        ("/2006", "? – 2006", "? – 2006"),
        ("2024-03-07", "March 7, 2024", "7. März 2024"),
    ],
)
def test_edtf_dates_are_words_of_the_language(edtf: str, english: str, german: str) -> None:
    assert format_edtf(edtf, "en") == english
    assert format_edtf(edtf, "de", Translator("de").gettext) == german


def test_a_date_that_is_no_date_is_shown_as_written() -> None:
    source = Source(key="a", title="x", published_text="13th century")
    assert "13th century." in text(entry_html(source)) and short_reference(source) == "“x”, 13th century."


@pytest.mark.parametrize("bad", ["2024-13", "2024-02-30", "spring 2017", "2015/2014", "20240"])
def test_what_is_not_edtf_is_refused_by_the_model(bad: str) -> None:
    with pytest.raises(ValueError):
        Source(key="a", title="x", published=bad)


def test_the_built_in_layouts_show_the_entry_text(tmp_path: Path) -> None:
    for template in ("report/source.html", "report/epub/sources.xhtml"):
        assert "entry.text" in (builtin_dir() / template).read_text(encoding="utf-8")
