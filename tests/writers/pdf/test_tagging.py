"""A change of language is marked in the input ([words]{lang=fr}) and reaches every format: /Lang in the PDF's tags."""

from __future__ import annotations

import io
import zipfile

import pikepdf
import pytest

import reportkit as rk


def check_with(body: str) -> rk.FactCheck:
    return (
        rk.FactCheck("Did the minister quote a French proverb?", published="2025-01-02")
        .summary("The minister spoke in two languages [@a].")
        .section("The quote", body)
        .source("a", title="Source A", url="https://example.org/a")
    )


def languages(pdf: bytes) -> list[tuple[str, str]]:
    """(structure type, /Lang) of every structure element that has a /Lang."""
    found: list[tuple[str, str]] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/Type") == "/StructElem" and "/Lang" in node:
                found.append((str(node.S), str(node.Lang)))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    with pikepdf.open(io.BytesIO(pdf)) as document:
        walk(document.Root.StructTreeRoot)
    return found


def test_a_span_in_another_language_is_tagged_with_its_lang_in_the_pdf() -> None:
    pdf = check_with("He said [petit à petit, l'oiseau fait son nid]{lang=fr} before the vote [@a].").render("pdf")
    assert languages(pdf) == [("/Span", "fr")]


def test_the_web_page_and_the_epub_carry_the_lang_attribute() -> None:
    check = check_with("It is [Ordnung muss sein]{lang=de-AT} there [@a].")
    assert b'<span lang="de-AT">Ordnung muss sein</span>' in check.render("html")
    with zipfile.ZipFile(io.BytesIO(check.render("epub"))) as epub:
        sections = b"".join(epub.read(name) for name in epub.namelist() if name.endswith(".xhtml"))
    assert b'<span lang="de-AT">Ordnung muss sein</span>' in sections


def test_a_lang_that_is_not_a_language_tag_is_dropped_with_a_warning() -> None:
    check = check_with('He said [bonjour]{lang="fr;x"} [@a].')
    with pytest.warns(rk.ReportkitWarning, match="is not a language tag and was ignored"):
        html = check.render("html")
    assert b"lang=\"fr;x\"" not in html and b"bonjour" in html


def test_other_span_attributes_are_not_kept() -> None:
    html = check_with("It is [here]{onclick=steal lang=it} [@a].").render("html")
    assert b'<span lang="it">here</span>' in html and b"onclick" not in html


def test_weasyprint_alone_still_writes_no_lang_on_structure_elements() -> None:
    # The reason tagging.py exists: when this fails, WeasyPrint tags languages itself; drop the wrapper.
    import weasyprint
    from weasyprint.pdf import tags

    from reportkit.writers.pdf import tagging

    wrapped = tags._build_box_tree
    assert tagging.installed()
    html = '<html lang="en"><body><h1>T</h1><p>Said <span lang="fr">bonjour</span>.</p></body></html>'
    try:
        tags._build_box_tree = wrapped.__closure__[0].cell_contents  # WeasyPrint's own function
        plain = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    finally:
        tags._build_box_tree = wrapped
    assert languages(plain) == []
    assert languages(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")) == [("/Span", "fr")]
