"""Accessible EPUBs: EPUB Accessibility 1.1 metadata, Ace by DAISY with no violations, legible verdict badges."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

import reportkit as rk
from reportkit.layouts import find_layout
from reportkit.model import DEFAULT_SCALE, Rating, contrast_ratio
from reportkit.writers.pdf import PdfWriter

from archivalutil import edge_check
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
