"""The Typst report's back-references: each gives the page of the call it links to, whether the
bibliography looks the pages up at once (the report's own) or one by one (a layout's own
bibliography calling ``backrefs(s)``), and none when the layout asks for no page numbers.

Expected pages come from the PDF's links: a source's first call is the first link to ``src-N``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import reportkit as rk

pytest.importorskip("typst")

from conftest import SAMPLES  # noqa: E402
from pdfutil import first_call_pages, page_texts, squash  # noqa: E402

#: A layout whose bibliography calls ``backrefs(s)`` with no pages: each looks its own up.
OWN_BIBLIOGRAPHY = """#import "/report/typst/report.typ": *
#let own-bibliography() = {
  pagebreak(weak: true)
  part-heading(t("Sources"))
  for s in data.sources { [#block([#str(s.number) #source-details(s) #linebreak() #backrefs(s)])#label(s.id)] }
}
#report(bibliography: own-bibliography)
"""


def _expected(pdf: Path) -> list[str]:
    """"Summary (p. N)" / "§ K (p. N)" of each source's first call, N from where its call's link is."""
    resolved = rk.load(SAMPLES / "russia-nato.md").resolve()
    calls = first_call_pages(pdf)
    expected = []
    for source in resolved.citations.cited:
        ref = resolved.citations.refs[source.key][0]
        if ref.part == "summary" or ref.part.startswith("sections["):
            label = "Summary" if ref.part == "summary" else "§ " + str(int(ref.part[9 : ref.part.index("]")]) + 1)
            expected.append(squash(f"{label} (p. {calls[ref.number] + 1})"))
    assert len(expected) >= 5
    return expected


def _sources_text(pdf: Path) -> str:
    texts = page_texts(pdf)
    start = max(i for i, t in enumerate(texts) if "Sources" in t)
    return "".join(texts[start:])


@pytest.fixture(scope="module")
def own_layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("layouts") / "own"
    (folder / "typst").mkdir(parents=True)
    (folder / "layout.toml").write_text('name = "own"\nextends = "report"\n', "utf-8")
    (folder / "typst" / "document.typ").write_text(OWN_BIBLIOGRAPHY, "utf-8")
    return folder


def test_the_report_gives_each_back_reference_the_page_of_its_call(tmp_path):
    pdf = rk.load(SAMPLES / "russia-nato.md").to_pdf(tmp_path / "r.pdf", engine="typst")
    text = squash(_sources_text(pdf))
    for wanted in _expected(pdf):
        assert wanted in text


def test_a_layouts_own_bibliography_calling_backrefs_alone_still_gets_each_calls_page(tmp_path, own_layout):
    pdf = rk.load(SAMPLES / "russia-nato.md").to_pdf(tmp_path / "own.pdf", engine="typst", layout=str(own_layout))
    text = squash(_sources_text(pdf))
    for wanted in _expected(pdf):
        assert wanted in text


@pytest.mark.parametrize("layout", ["report", "own"])
def test_no_page_numbers_when_the_layout_asks_for_none(tmp_path, own_layout, layout):
    check = rk.load(SAMPLES / "russia-nato.md")
    chosen = "report" if layout == "report" else str(own_layout)
    pdf = check.to_pdf(tmp_path / "lean.pdf", engine="typst", layout=chosen, backref_pages=False)
    text = _sources_text(pdf)
    assert "Cited in" in text and "(p." not in text  # the back-references stay, without their pages
    assert not [wanted for wanted in _expected(pdf) if wanted in squash(text)]
