"""Any text renders: arbitrary Unicode either round-trips through PDF and EPUB or is refused clearly."""

from __future__ import annotations

import subprocess
import unicodedata
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

import reportkit as rk

from conftest import messages, require_tool

#: Renders many documents or runs outside validators: not part of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow
from pdfutil import squash


# Scripts the layout's own fonts draw: their words must be found again in the PDF's text.
LATIN = st.characters(min_codepoint=0x41, max_codepoint=0x24F, categories=["Lu", "Ll"])
CYRILLIC = st.characters(min_codepoint=0x410, max_codepoint=0x44F)
# Everything else must survive in the EPUB exactly and must not break the PDF.
OTHER = st.one_of(
    st.characters(min_codepoint=0x5D0, max_codepoint=0x5EA),  # Hebrew
    st.characters(min_codepoint=0x627, max_codepoint=0x64A),  # Arabic
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # CJK
    st.characters(min_codepoint=0x1F600, max_codepoint=0x1F64F),  # emoji
    st.characters(min_codepoint=0x370, max_codepoint=0x3FF, categories=["Lu", "Ll"]),  # Greek
)
COMBINING = st.characters(min_codepoint=0x300, max_codepoint=0x36F)
ODD = st.sampled_from(["\u200b", "\u200d", "\u00ad", "\ufeff", "\u2028", "\u00a0", "\u202e"])

covered_word = st.text(st.one_of(LATIN, CYRILLIC), min_size=3, max_size=12)
other_word = st.text(st.one_of(OTHER, COMBINING, LATIN), min_size=1, max_size=10)
long_word = st.integers(min_value=200, max_value=5000).map(lambda n: "Z" * n)
long_url = st.integers(min_value=50, max_value=600).map(lambda n: "https://example.org/" + "segment/" * (n // 8))
noise = st.sampled_from(["*", "_", "#", "<b>", "&amp;", "\\", "`", "|", ">", "[", "]", "{{", "%}", "\t", "\r\n"])


@st.composite
def paragraph(draw) -> tuple[str, list[str]]:
    covered = draw(st.lists(covered_word, min_size=1, max_size=6))
    pieces = covered + draw(st.lists(st.one_of(other_word, long_word, long_url, noise, ODD), max_size=6))
    order = draw(st.permutations(pieces))
    return " ".join(order), covered


@st.composite
def fact_check(draw) -> tuple[dict, list[str]]:
    covered: list[str] = []
    sections = []
    for index in range(draw(st.integers(1, 3))):
        text, words = draw(paragraph())
        covered += words
        heading = draw(st.text(st.one_of(LATIN, OTHER, ODD), min_size=1, max_size=40))
        sections.append({"heading": heading if heading.strip() else "H", "body": text + " [@s]"})
    title = draw(st.text(st.one_of(LATIN, CYRILLIC, OTHER, COMBINING, ODD), min_size=1, max_size=120))
    data = {
        "title": title,
        "language": draw(st.sampled_from(["en", "ru", "he", "ar", "zh", "de"])),
        "summary": draw(st.one_of(st.just(""), other_word)),
        "sections": sections,
        "sources": [{"key": "s", "title": draw(st.text(st.one_of(LATIN, OTHER), min_size=1, max_size=300)) or "S",
                     "url": draw(long_url)}],
    }
    if draw(st.booleans()):
        data["claim"] = {"text": draw(st.text(st.one_of(LATIN, OTHER, COMBINING, ODD), min_size=1, max_size=200))}
    if draw(st.integers(0, 9)) == 0:  # now and then, a control character that must be refused
        data["sections"][0]["body"] += draw(st.sampled_from(["\x00", "\x07", "\x1b", "\x85", "\ufffe"]))
    return data, covered




def pdf_words(pdf: Path) -> str:
    """The PDF's text. pypdf reads it when every glyph exists; when a font lacks one (a CJK character
    in a Latin font), WeasyPrint writes a custom 2-byte CMap that pypdf 7 decodes as 1-byte, so
    poppler's pdftotext, which reads such CMaps correctly, is used when the PDF has one."""
    reader = PdfReader(pdf)
    custom = any(
        font.get_object().get("/Encoding") != "/Identity-H"
        for page in reader.pages
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values()
    )
    if custom:
        tool = require_tool("pdftotext")
        return subprocess.run([tool, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(page.extract_text() or "" for page in reader.pages)


def epub_text(data: bytes) -> str:
    text = []
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                text.append("".join(etree.fromstring(archive.read(name)).itertext()))
    return "\n".join(text)


# Derandomized, so CI sees the same cases every run; no shrinking, which would re-render for minutes.
@settings(max_examples=20, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(fact_check())
def test_any_text_renders_and_round_trips_or_is_refused_clearly(tmp_path_factory, case):
    data, covered = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.ReportkitWarning)  # e.g. no catalogue for a language yet
        try:
            check = rk.FactCheck.from_dict(data)
            check.resolve()
        except rk.InputError as error:
            assert error.field and str(error)  # refused, naming the field
            return
        folder = tmp_path_factory.mktemp("any")
        pdf = check.to_pdf(folder / "any.pdf")
        epub = check.render("epub")
    pdf_text = squash(unicodedata.normalize("NFKC", pdf_words(pdf)))
    for word in covered:
        assert squash(unicodedata.normalize("NFKC", word)) in pdf_text, word
    text = unicodedata.normalize("NFC", epub_text(epub))
    for section in check.document.sections:
        for word in section.body.split():
            if word.isalpha():
                assert unicodedata.normalize("NFC", word) in text, word


@pytest.fixture(scope="module")
def generated_epubs() -> list[bytes]:
    """EPUBs of a few fact-checks drawn by the same strategy, made here (no other test's state)."""
    made: list[bytes] = []

    @settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.generate], database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(fact_check())
    def draw(case) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rk.ReportkitWarning)
            try:
                made.append(rk.FactCheck.from_dict(case[0]).render("epub"))
            except rk.InputError:
                pass

    draw()
    assert made, "the strategy drew no valid fact-check"
    return made


def test_a_sample_of_the_generated_epubs_passes_epubcheck(tmp_path, epubcheck, generated_epubs):
    paths = []
    for index, data in enumerate(generated_epubs[:3]):
        path = tmp_path / f"any-{index}.epub"
        path.write_bytes(data)
        paths.append(path)
    for path, report in epubcheck.run(*paths).items():
        checker = report["checker"]
        assert checker["nFatal"] + checker["nError"] + checker["nWarning"] == 0, messages(report)