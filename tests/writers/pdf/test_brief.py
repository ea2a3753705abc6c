"""The brief layout: one page for the example on A4 and Letter, leads of sections, graceful overflow."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportkit as rk
from reportkit.resolve.leads import blocks, excerpt, has_more, lead
from reportkit.input.markdown import parse
from conftest import SAMPLES

SAMPLE = SAMPLES / "russia-nato.md"


@pytest.fixture(scope="session")
def example() -> rk.FactCheck:
    return rk.load(SAMPLE)


@pytest.fixture(scope="session")
def brief_pdfs(example: rk.FactCheck) -> dict[str, bytes]:
    """The example as a brief, on every page size."""
    return {size: example.render("pdf", layout="brief", page_size=size) for size in ("A4", "Letter", "A5")}


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_the_example_brief_fits_one_page(brief_pdfs: dict[str, bytes], size: str) -> None:
    reader = PdfReader(io.BytesIO(brief_pdfs[size]))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == {"A4": (595, 842), "Letter": (612, 792)}[size]


def test_the_brief_leads_with_the_verdict_then_question_claim_summary_findings(brief_pdfs: dict[str, bytes]) -> None:
    text = " ".join(text_of(brief_pdfs["A4"]).split())
    order = [
        "No formal application",
        "Has Russia ever formally applied for NATO membership?",
        "Russia once applied to join NATO",
        "Summary".upper(),
        "Key findings".upper(),
        "The 1954 note: a diplomatic manoeuvre, not a bid",
        "Bottom line",
        "Sources".upper(),
    ]
    positions = [text.find(piece) for piece in order]
    assert all(p >= 0 for p in positions), dict(zip(order, positions))
    assert positions == sorted(positions)
    # Key findings are the leads: a sentence from a section's second paragraph is not there.
    assert "Moscow's answer came in a note" not in text
    assert "The episode most often cited" in text


def test_a5_brief_runs_on_without_losing_text(brief_pdfs: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(brief_pdfs["A5"]))
    assert 2 <= len(reader.pages) <= 4
    text = " ".join(text_of(brief_pdfs["A5"]).split())
    for heading in ("The 1954 note", "Bottom line", "Commentary versus procedure"):
        assert heading in text
    # The last finding's last words and the sources are all there: nothing clipped.
    assert "followed" in text and "nato.int" in text


def test_a_long_check_degrades_to_more_pages_and_keeps_every_heading(example: rk.FactCheck) -> None:
    data = example.to_dict()
    data["sections"] = data["sections"] * 3
    long = rk.FactCheck.from_dict(data, base_dir=SAMPLE.parent)
    pdf = long.render("pdf", layout="brief")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = " ".join(text_of(pdf).split())
    assert text.count("Bottom line") == 3
    assert "Page 1 of" in text


def test_a_lead_is_the_first_paragraph_of_text() -> None:
    tokens = parse("![fig](a.png)\n\nFirst para.\n\nSecond para.\n\n- item")
    assert [b[0].type for b in blocks(tokens)] == ["paragraph_open", "paragraph_open", "paragraph_open", "bullet_list_open"]
    chosen = lead(tokens)
    assert chosen[1].content == "First para."
    assert has_more(tokens)


def test_a_lead_that_ends_with_a_colon_keeps_what_it_announces() -> None:
    tokens = parse("Article 10 reads:\n\n> The Parties may invite.\n\nMore.")
    chosen = lead(tokens)
    assert [t.type for t in chosen][0] == "paragraph_open"
    assert "blockquote_open" in [t.type for t in chosen]
    assert has_more(tokens)
    assert not has_more(parse("Only one paragraph."))


def test_an_excerpt_numbers_its_sources_again_without_gaps(example: rk.FactCheck) -> None:
    cut = excerpt(example.resolve())
    numbers = sorted(refs[0].number for refs in cut.citations.refs.values())
    assert numbers == list(range(1, len(numbers) + 1))
    # Sources cited only past the leads are uncited in the excerpt, not dropped from the document.
    assert len(cut.citations.cited) + len(cut.citations.uncited) == len(example.document.sources)
    assert cut.citations.uncited
    # The full document is untouched.
    full = example.resolve()
    assert len(full.citations.cited) == len(example.document.sources)


@pytest.mark.slow
def test_the_brief_epub_is_valid_and_holds_only_leads(example: rk.FactCheck, tmp_path: Path, epubcheck) -> None:
    import zipfile

    from conftest import messages

    path = example.to_epub(tmp_path / "brief.epub", layout="brief")
    report = epubcheck.run(path)[path]
    errors = [m for m in messages(report) if m.startswith(("ERROR", "FATAL"))]
    assert not errors, errors
    with zipfile.ZipFile(path) as epub:
        css = epub.read("EPUB/styles/report.css").decode()
        section = epub.read("EPUB/section-1.xhtml").decode()
        title = epub.read("EPUB/title.xhtml").decode()
    assert "brief" in css.splitlines()[0]
    assert "The episode most often cited" in section and "Moscow's answer came" not in section
    body = title[title.index("<body") :]
    assert body.index("No formal application") < body.index("Has Russia ever formally applied")
