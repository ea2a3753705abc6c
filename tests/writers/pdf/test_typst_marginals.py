"""The Typst report's running heads and feet: "Page N of M" on every page, the date, the head from page 2.

Expected values come from the input (title, publisher, dates) and the page count of the PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportkit as rk

pytest.importorskip("typst")

from conftest import SAMPLES  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], rk.FactCheck]:
    check = rk.load(SAMPLES / "russia-nato.md")
    pdf = check.to_pdf(tmp_path_factory.mktemp("marginals") / "r.pdf", engine="typst")
    return [page.extract_text() for page in PdfReader(pdf).pages], check


def test_every_page_says_its_number_and_the_page_count(built):
    texts, _ = built
    assert len(texts) > 2
    for number, text in enumerate(texts, start=1):
        assert re.findall(r"Page (\d+) of (\d+)", text) == [(str(number), str(len(texts)))]


def _long(iso: str) -> str:
    """An ISO date as the English report writes it: "November 20, 2025"."""
    day = dt.date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year}"


def test_each_foot_gives_the_publication_date_on_the_first_page_and_the_update_on_the_others(built):
    texts, check = built
    doc = check.document
    assert doc.updated and doc.updated != doc.published
    feet = [text.strip().split("\n")[-1] for text in texts]
    assert feet[0] == f"Published {_long(doc.published)} Page 1 of {len(texts)}"
    assert feet[1:] == [f"Updated {_long(doc.updated)} Page {n} of {len(texts)}" for n in range(2, len(texts) + 1)]


def test_the_running_head_is_on_every_page_but_the_first(built):
    texts, check = built
    head = check.document.title.upper()
    assert [text.startswith(head) for text in texts] == [False] + [True] * (len(texts) - 1)
