"""The footnote area's trial layouts reuse each note's layout: pinned, linear in the notes, the same PDF."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import weasyprint
from pypdf import PdfReader
from weasyprint.layout import block

from reportkit.writers.pdf import footnotearea, writer

#: ``n`` notes on one page, one call a paragraph: WeasyPrint lays the footnote area out again after each.
ONE_PAGE = """<style>
  @page { size: 120mm 400mm; margin: 10mm; }
  body { font-size: 8pt; } .fn { float: footnote; }
</style>
%s"""

#: Notes with margins (collapsing between them), padding and borders, a list and a table inside one,
#: floats in the body beside and above the calls, notes moved on when they do not fit (policy auto),
#: over several pages: what a note's place and layout depend on.
VARIED = """<style>
  @page { size: 90mm 70mm; margin: 6mm; @footnote { margin-top: 2mm; border-top: 0.5pt solid; } }
  body { font-size: 8pt; line-height: 1.2; }
  .fn { float: footnote; margin: 1mm 0 1.5mm; }
  .fn.boxed { padding: 1mm; border: 0.5pt solid; margin-top: 2mm; }
  .side { float: left; width: 12mm; height: 18mm; background: #ccc; }
  .right { float: right; width: 8mm; height: 40mm; background: #999; }
</style>
%s"""


def one_page(n: int) -> str:
    """:data:`ONE_PAGE` with ``n`` paragraphs, each calling one short note."""
    return ONE_PAGE % "\n".join(f'<p>Paragraph {i}.<span class="fn">Note {i}, short.</span></p>' for i in range(n))


def varied() -> str:
    """:data:`VARIED` with forty paragraphs calling one to three notes of every kind."""
    parts = []
    for i in range(40):
        floats = '<span class="side"></span>' if i % 6 == 0 else ('<span class="right"></span>' if i % 9 == 4 else "")
        notes = "".join(
            f'<span class="fn{" boxed" if (i + k) % 4 == 0 else ""}">Note {i}.{k}: '
            + ("a longer note that runs over two lines of the footnote area, at least. " * (1 + (i + k) % 2))
            + ("<ul><li>one</li><li>two</li></ul>" if (i + k) % 7 == 3 else "")
            + ("<table><tr><td>a</td><td>b</td></tr></table>" if (i + k) % 11 == 5 else "")
            + "</span>"
            for k in range(1 + i % 3)
        )
        parts.append(f"<p>{floats}Paragraph {i} of the body, with its calls{notes} and some words after them.</p>")
    return VARIED % "\n".join(parts)


@pytest.fixture
def weasyprint_unpatched() -> Iterator[None]:
    """WeasyPrint's own footnote area for the test, the patched one again after it."""
    footnotearea.uninstall()
    try:
        yield
    finally:
        assert footnotearea.install()


@pytest.fixture
def note_layouts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every note (the box of a ``span.fn``) WeasyPrint lays out, appended as it is laid out."""
    laid: list[Any] = []
    layout = block.block_box_layout

    def counting(context: Any, box: Any, *args: Any) -> Any:
        if box.element_tag == "span" and box.element.get("class", "").startswith("fn"):
            laid.append(box)
        return layout(context, box, *args)

    monkeypatch.setattr(block, "block_box_layout", counting)
    return laid


# --- the pin ----------------------------------------------------------------------------------------


def test_the_patch_is_pinned_to_the_installed_weasyprint_version_and_sources():
    assert weasyprint.__version__ == footnotearea.WEASYPRINT_VERSION
    for _, name, _, sha256, _ in footnotearea.PATCHES:
        assert hashlib.sha256(footnotearea.original_source(name).encode()).hexdigest() == sha256
    assert footnotearea.applies()


def test_a_changed_weasyprint_is_left_alone(monkeypatch):
    source = footnotearea.original_source

    def changed(name: str) -> str:
        return source(name).replace("block_level_layout(", "block_level_layout (")

    monkeypatch.setattr(footnotearea, "original_source", changed)
    assert not footnotearea.applies()  # a digest no longer matches
    monkeypatch.undo()
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert not footnotearea.applies()


def test_the_pdf_writer_lays_out_with_the_patch():
    assert writer.footnotearea.installed()


def test_the_upstream_diff_marks_the_notes_and_lays_them_out_through_the_memo():
    diff = footnotearea.upstream_diff()
    assert "+++ b/weasyprint/layout/__init__.py" in diff and "+++ b/weasyprint/layout/block.py" in diff
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert any("_reportkit_mark_notes(self, footnote_area)" in line for line in added)
    assert any("_reportkit_note_layout(" in line for line in added)


# --- the cost ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [8, 24])
def test_a_page_of_n_notes_lays_each_note_out_a_fixed_number_of_times(n, note_layouts):
    pages = weasyprint.HTML(string=one_page(n)).render().pages
    assert len(pages) == 1  # every note on the one page: the area grows n times
    # Once to measure the area as the note is added, once for the area drawn on the page.
    assert len(note_layouts) == 2 * n


def test_weasyprint_alone_lays_the_area_out_again_for_each_note(note_layouts, weasyprint_unpatched):
    n = 24
    weasyprint.HTML(string=one_page(n)).render()
    assert len(note_layouts) == n * (n + 1) // 2 + n  # 1 + 2 + ... + n to measure, n to draw


# --- the result ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("html", [one_page(24), varied()], ids=["one-page", "varied"])
def test_the_patched_footnote_area_makes_the_same_pdf_as_weasyprint_alone(html):
    patched = weasyprint.HTML(string=html).write_pdf()
    footnotearea.uninstall()
    try:
        alone = weasyprint.HTML(string=html).write_pdf()
    finally:
        assert footnotearea.install()
    assert patched == alone


def test_the_varied_notes_spread_over_pages_around_floats_each_after_its_call():
    html = varied()
    texts = [re.sub(r"\s+", " ", page.extract_text() or "")
             for page in PdfReader(io.BytesIO(weasyprint.HTML(string=html).write_pdf())).pages]
    assert len(texts) > 5
    called = {m[0] for m in re.finditer(r"Note \d+\.\d", html)}
    placed = {m[0]: n for n, text in enumerate(texts) for m in re.finditer(r"Note \d+\.\d", text)}
    assert set(placed) == called  # every note drawn once
    paragraph = {int(m[1]): n for n, text in enumerate(texts) for m in re.finditer(r"Paragraph (\d+) of", text)}
    assert all(placed[note] >= paragraph[int(note.split()[1].split(".")[0])] for note in placed)
