"""Accessible EPUBs: EPUB Accessibility 1.1 metadata, Ace by DAISY with no violations, legible verdict badges."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

import reportkit as rk

#: Renders many documents or runs outside validators: not part of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow
from reportkit.render.layouts import find_layout
from reportkit.document.model import DEFAULT_SCALE, Rating, contrast_ratio
from reportkit.writers.pdf.writer import PdfWriter

from archivalutil import edge_check, png
from validators import Ace, ace_violations


OPF = "{http://www.idpf.org/2007/opf}"


@pytest.fixture(scope="session")
def epubs(built, tmp_path_factory) -> dict[str, Path]:
    """The samples' EPUBs and one of the edge case (a PNG figure, the 'mixed' rating): {slug: path}."""
    folder = tmp_path_factory.mktemp("a11y")
    result = {slug: files["epub"] for slug, files in built.items()}
    result["edge"] = edge_check(folder).to_epub(folder / "edge.epub")
    return result


@pytest.fixture(scope="session")
def ace_reports(epubs) -> dict[Path, dict]:
    return Ace().check(epubs.values())


def package_metadata(epub: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    found: dict[str, list[str]] = {}
    for meta in opf.iter(f"{OPF}meta"):
        if meta.get("property"):
            found.setdefault(meta.get("property"), []).append(meta.text)
    found["dc:conformsTo"] = [e.text for e in opf.iter("{http://purl.org/dc/elements/1.1/}conformsTo")]
    return found


def test_ace_finds_no_accessibility_violation_in_any_epub(epubs, ace_reports):
    for slug, path in epubs.items():
        report = ace_reports[path]
        assert ace_violations(report) == [], slug
        assert report["earl:result"]["earl:outcome"] == "pass", slug
        assert not report["a11y-metadata"]["empty"]


def test_epubs_declare_epub_accessibility_1_1_metadata(epubs):
    for slug, path in epubs.items():
        meta = package_metadata(path)
        assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
        assert meta["dc:conformsTo"] == []  # ebooklib's DC form fails epubcheck
        assert meta["schema:accessModeSufficient"] == ["textual"]
        assert meta["schema:accessibilityHazard"] == ["none"]
        assert meta["schema:accessibilitySummary"] and meta["schema:accessibilitySummary"][0]
        features = set(meta["schema:accessibilityFeature"])
        assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= features
        has_images = slug != "energy-bills"
        assert ("alternativeText" in features) is has_images
        assert set(meta["schema:accessMode"]) == ({"textual", "visual"} if has_images else {"textual"})


def test_every_default_rating_badge_is_legible_at_wcag_aa():
    for rating in DEFAULT_SCALE.ratings:
        assert contrast_ratio(rating.colour, rating.text_colour) >= 4.5, rating.key


@given(st.integers(0, 0xFFFFFF))
def test_any_badge_colour_gets_a_text_colour_of_at_least_wcag_aa_contrast(value):
    colour = f"#{value:06x}"
    rating = Rating(key="k", label="K", order=1, colour=colour)
    assert contrast_ratio(colour, rating.text_colour) >= 4.5


def test_badges_use_the_legible_text_colour_in_print_and_epub(built):
    check = rk.load(built["energy-bills"]["source"])
    html, _ = PdfWriter().html(check.resolve(), find_layout("report"))
    assert "background-color: #d4571c; color: #000000" in html
    with zipfile.ZipFile(built["energy-bills"]["epub"]) as archive:
        assert b"background-color: #d4571c; color: #000000" in archive.read("EPUB/title.xhtml")


def test_headings_in_texts_nest_under_the_heading_they_are_shown_with_and_never_skip_a_level(tmp_path):
    check = (
        rk.FactCheck("Headings everywhere?")
        .verdict("mixed", explanation="Because.\n\n### Why")
        .summary("Text.\n\n#### Sub")
        .section("Body", "#### Deep\n\nText.\n\n# Top\n\n###### Deepest\n\n## Not a section: a second-level one")
    )
    html, _ = PdfWriter().html(check.resolve(), find_layout("report"))
    levels = [(int(m.group(1)), m.group(2)) for m in re.finditer(r"<h(\d)[^>]*>(?:<span[^>]*>\d+</span> )?([^<]*)", html)]
    assert levels == [(1, "Headings everywhere?"), (2, "Why"), (2, "Summary"), (3, "Sub"), (2, "Body"), (3, "Deep"),
                      (3, "Top"), (4, "Deepest"), (4, "Not a section: a second-level one")]  # no sources: no bibliography
    # '## ' starts a section in Markdown files; in a section's body given through the API it is a heading too.
    body = check.document.sections[0].body
    assert "## Not a section" in body and body.count("\n## ") == 1
    with zipfile.ZipFile(io.BytesIO(check.render("epub"))) as archive:
        section = archive.read("EPUB/section-1.xhtml").decode()
    assert re.findall(r"<h(\d)", section) == ["2", "3", "3", "4", "4"]


def test_an_archival_pdf_refuses_an_image_without_alt_text(tmp_path):
    (tmp_path / "chart.png").write_bytes(png(4, 4))
    check = rk.FactCheck("An image without words?", base_dir=tmp_path).section("Body", "![](chart.png)")
    with pytest.warns(rk.ReportkitWarning, match="no alt text"):
        check.resolve()
    with pytest.raises(rk.InputError, match="PDF/UA-1 .* needs a text alternative") as caught:
        check.to_pdf(tmp_path / "a.pdf", archival=True)
    assert caught.value.field == "sections[0].body" and not (tmp_path / "a.pdf").exists()
