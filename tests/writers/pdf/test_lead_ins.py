"""A paragraph ending with a colon is never left at the foot of a page, its table or list on the next (both engines).

A generated check has 14 lead-ins, each followed by a table, a list or a quotation, between paragraphs of seeded
lengths, so that page breaks fall at many places (with seed 6, without the rules, two lead-ins fell at
the foot of a page with Typst and one with WeasyPrint). Every lead-in must share a page with the first row or item it
introduces, read back from the PDF.
"""

from __future__ import annotations

import random

import pytest

import reportkit as rk
from pdfutil import page_texts

ENGINES = ["weasyprint", pytest.param("typst", marks=pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("typst") is None, reason="the typst extra is not installed"))]
WORDS = "the price cap rose fell twice winter regulator households bills average typical since energy".split()


def generated_check(seed: int = 6) -> tuple[rk.FactCheck, list[tuple[str, str]]]:
    """A check with lead-ins and what each introduces, and the (lead-in, first row or item) marker pairs."""
    draw = random.Random(seed)
    check = rk.FactCheck("Do lead-ins stay with their tables?", publisher="Test desk").summary("A summary.")
    for section in range(2):
        parts = []
        for n in range(7):
            number = section * 7 + n
            filler = " ".join(draw.choice(WORDS) for _ in range(draw.randint(20, 140)))
            lead, first = f"L{number:02d}L shows:", f"F{number:02d}F"
            if number % 3 == 1:
                body = f"{lead}\n\n| Row | Value |\n|---|---|\n| {first} | 1 |\n" + "".join(f"| r{i} | {i} |\n" for i in range(6))
            elif number % 3 == 2:
                body = f"{lead}\n\n> {first} the parties may, by unanimous agreement, invite any other state.\n"
            else:
                body = f"{lead}\n\n- {first} one\n- two\n- three\n"
            parts.append(f"{filler.capitalize()} E{number:02d}E.\n\n{body}")
        check.section(f"Part {section + 1}", "\n\n".join(parts))
    return check, [(f"L{n:02d}L shows:", f"F{n:02d}F") for n in range(14)]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_lead_in_shares_a_page_with_what_it_introduces(engine, tmp_path):
    check, pairs = generated_check()
    texts = page_texts(_write(check.render("pdf", engine=engine), tmp_path))

    def page(marker: str) -> int:
        found = [number for number, text in enumerate(texts, 1) if marker in text.replace("\n", " ")]
        assert len(found) == 1, (marker, found)
        return found[0]

    starts_a_page = 0
    for lead, first in pairs:
        assert page(lead) == page(first), (engine, lead)
        starts_a_page += page(lead) > page(f"E{lead[1:3]}E")
    # Page breaks fell between a paragraph and the lead-in after it: the rule had work to do.
    assert len(texts) >= 4 and starts_a_page >= 1, starts_a_page


def _write(pdf: bytes, folder):
    path = folder / "check.pdf"
    path.write_bytes(pdf)
    return path
