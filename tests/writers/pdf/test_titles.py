"""A title never ends on a word alone: WeasyPrint keeps its last words together, Typst balances its lines.

Both samples' titles, set at the full width of the column, left one word on the last line
("… NATO / membership?", "… since / 2021?"). The lines are read back from the PDF with
poppler; the expected words come from the input's title.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import reportkit as rk
from pdfutil import lines_of, page_lines

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
ENGINES = ["weasyprint", pytest.param("typst", marks=pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("typst") is None, reason="the typst extra is not installed"))]


def title_lines(pdf: bytes, title: str) -> list[str]:
    """The lines of page 1 that hold the title (each found in the PDF's text)."""
    found = lines_of(page_lines(pdf), title)
    assert found, f"the title {title!r} is not on page 1: {page_lines(pdf)[:6]}"
    return found


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("page_size", ["A4", "Letter", "A5"])
@pytest.mark.parametrize("sample", ["russia-nato", "energy-bills"])
def test_a_title_of_two_lines_ends_with_at_least_two_words(engine, page_size, sample):
    check = rk.load(SAMPLES / f"{sample}.md")
    lines = title_lines(check.render("pdf", engine=engine, page_size=page_size), check.document.title)
    assert len(lines) == 2, lines  # the precondition: the title breaks (both did, at every size, before)
    assert len(lines[-1].split()) >= 2, (engine, page_size, lines)
    # Nothing is lost or reordered: the lines are the title's words, in order.
    assert " ".join(lines).split() == check.document.title.split()


def test_typst_balances_the_title_rather_than_filling_its_first_line():
    pytest.importorskip("typst")
    check = rk.load(SAMPLES / "russia-nato.md")
    first, last = title_lines(check.render("pdf", engine="typst"), check.document.title)
    # At the full width the first line held 7 words and the last 1; balanced, neither holds more than 5 of the 8.
    assert max(len(first.split()), len(last.split())) <= 5, (first, last)


def test_a_japanese_title_keeps_its_last_characters_together_with_typst(tmp_path):
    pytest.importorskip("typst")
    from test_typst_glyphs import noto_cjk

    check = rk.load(Path(__file__).resolve().parents[2] / "data" / "scripts" / "ja.md")
    pdf = check.render("pdf", engine="typst", font_dirs=[str(noto_cjk())])
    lines = title_lines(pdf, check.document.title)
    assert len(lines) == 2, lines
    # Unbalanced, the last line was "か？": one character and its question mark.
    assert len(lines[-1].replace(" ", "")) >= 4, lines


#: Words of the samples' own sentences, for titles nobody tuned the layouts to.
WORDS = ("energy price cap household bills doubled since membership formally applied alliance podcast "
         "overtures partnerships accession request regulator average typical consumption winter support "
         "government scheme Moscow diplomatic note enlargement eastward expansion promise").split()


def generated_titles(count: int, seed: int = 18) -> list[str]:
    """``count`` titles of 5 to 16 words drawn from :data:`WORDS` (seeded), each ending in a question mark."""
    import random

    draw = random.Random(seed)
    return [" ".join(draw.choice(WORDS) for _ in range(draw.randint(5, 16))).capitalize() + "?" for _ in range(count)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("layout", ["report", "brief"])
def test_generated_titles_that_break_never_leave_a_word_alone(engine, layout):
    broken = 0
    for title in generated_titles(6):
        check = rk.FactCheck(title, publisher="Test desk").summary("A summary.").section("Heading", "A paragraph.")
        lines = title_lines(check.render("pdf", engine=engine, layout=layout, page_size="A5"), title)
        assert " ".join(lines).split() == title.split()
        if len(lines) > 1:
            broken += 1
            assert len(lines[-1].split()) >= 2, (engine, layout, lines)
    assert broken >= 3  # the precondition: most of these titles take more than one line on A5
