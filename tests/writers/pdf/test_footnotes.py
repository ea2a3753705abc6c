"""Footnotes on their call's page in one layout: the WeasyPrint patch, pinned, and dense documents read back."""

from __future__ import annotations

import hashlib
import io
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader

import reportkit as rk
from reportkit.writers.pdf import footnotes, writer

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
import corpus  # noqa: E402

#: WeasyPrint #2432's example with footnote-policy: line: five lines, then a line "ff" carrying four
#: notes that fit with it, then three more lines. "ff" cannot stay alone (orphans: 2) and "gg" does
#: not fit under it, so WeasyPrint 70 makes room by moving note n4 to the next page, away from "ff".
POLICY_EXAMPLE = """<style>
  @page { margin: 0; size: 100px; @footnote { margin-top: 0 } }
  html { font-size: 10px; line-height: 1; } body { margin: 0; }
  div { break-before: avoid; orphans: 2; widows: 2; }
  span { float: footnote; footnote-policy: %s; }
  ::footnote-call { vertical-align: baseline; }
</style>
<div>aa<br>bb<br>cc<br>dd<br>ee</div>
<div>ff<span>n1</span><span>n2</span><span>n3</span><span>n4</span><br>gg<br>hh<br>ii</div>"""


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page of ``pdf``, spaces collapsed."""
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def note_pages(policy: str) -> tuple[int, list[int]]:
    """The page of the line "ff" and the pages of its four notes, laid out by WeasyPrint as it is now."""
    texts = page_texts(weasyprint.HTML(string=POLICY_EXAMPLE % policy).write_pdf())
    call = next(i for i, text in enumerate(texts) if "ff" in text)
    return call, [next(i for i, text in enumerate(texts) if f"n{n}" in text) for n in range(1, 5)]


@pytest.fixture
def weasyprint_unpatched() -> Iterator[None]:
    """WeasyPrint's own line layout for the test, the patched one again after it."""
    footnotes.uninstall()
    try:
        yield
    finally:
        assert footnotes.install()


# --- the patch and what it is written against -------------------------------------------------


def test_the_patch_is_pinned_to_the_installed_weasyprint_version_and_source():
    # Fails when WeasyPrint is upgraded or its line layout changes: re-read the new code, then
    # re-pin the digest (or drop the patch if upstream fixed #1564 for footnote-policy: line).
    assert weasyprint.__version__ == footnotes.WEASYPRINT_VERSION
    assert hashlib.sha256(footnotes.original_source().encode()).hexdigest() == footnotes.SOURCE_SHA256
    assert footnotes.applies()


def test_the_pdf_writer_lays_out_with_the_patch():
    assert writer.footnotes.installed()


def test_a_changed_weasyprint_is_left_alone(monkeypatch):
    changed = footnotes.original_source().replace("orphans", "widows", 1)
    monkeypatch.setattr(footnotes, "original_source", lambda: changed)
    assert not footnotes.applies()  # the digest no longer matches
    monkeypatch.undo()
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert not footnotes.applies()


def test_a_patch_whose_context_is_gone_does_not_apply():
    with pytest.raises(ValueError, match="does not apply"):
        footnotes.patched_source("def _linebox_layout(context):\n    pass\n")


def test_the_upstream_diff_changes_the_notes_loop_and_the_note_search_of_block_py():
    diff = footnotes.upstream_diff()
    assert diff.startswith("--- a/weasyprint/layout/block.py\n+++ b/weasyprint/layout/block.py\n")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == ["-            while report and context.current_page_footnotes:",
                       "-                if descendant.footnote in context.footnotes)"]


# --- the behaviour, on WeasyPrint alone -------------------------------------------------------


def test_notes_with_footnote_policy_line_stay_on_their_calls_page():
    call, notes = note_pages("line")
    assert notes == [call] * 4


def test_weasyprint_itself_still_moves_a_note_away_from_its_call(weasyprint_unpatched):
    # The negative of the test above, and the sign to watch upstream: when this fails, WeasyPrint
    # keeps notes with their calls by itself and the patch can go.
    call, notes = note_pages("line")
    assert notes[:3] == [call] * 3 and notes[3] == call + 1


def test_footnote_policy_auto_is_laid_out_as_weasyprint_does(weasyprint_unpatched):
    unpatched = page_texts(weasyprint.HTML(string=POLICY_EXAMPLE % "auto").write_pdf())
    assert footnotes.install()
    assert page_texts(weasyprint.HTML(string=POLICY_EXAMPLE % "auto").write_pdf()) == unpatched


# --- reportkit documents: one layout, every note on its call's page ----------------------------


def build(source: Path, pdf: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Make ``pdf`` from ``source`` with reportkit; how many times WeasyPrint laid the document out."""
    calls = []
    render = weasyprint.HTML.render

    def counted(self, *args, **kwargs):
        calls.append(1)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", counted)
    rk.load(source).to_pdf(pdf)
    return len(calls)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [16, 24])
def test_dense_dossiers_are_laid_out_once_with_every_note_on_its_calls_page(tmp_path, monkeypatch, seed):
    source = corpus.dense_dossier(tmp_path, 1, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a note the writer could not keep would warn
        layouts = build(source, tmp_path / "dense.pdf", monkeypatch)
    notes, misplaced = corpus.misplaced_notes(source, tmp_path / "dense.pdf")
    assert layouts == 1
    assert notes > 40 and misplaced == []


@pytest.mark.slow
def test_without_the_patch_a_dense_dossier_is_laid_out_again_and_still_drifts(tmp_path, monkeypatch, weasyprint_unpatched):
    # Seed 24 is a dense dossier whose note 20 WeasyPrint 70 puts a page after its call. The
    # writer's fallback (a new page for the call's block, the whole document again) does not save it.
    source = corpus.dense_dossier(tmp_path, 1, seed=24)
    with pytest.warns(rk.ReportkitWarning, match="footnote 20 could not be kept on the page of its call"):
        layouts = build(source, tmp_path / "drift.pdf", monkeypatch)
    assert layouts > 1
    _, misplaced = corpus.misplaced_notes(source, tmp_path / "drift.pdf")
    assert [number for number, _, _ in misplaced] == [20]


# --- the first page of the sample: no gap at its foot -----------------------------------------


def summary_paragraph_start(sample: Path, index: int) -> str:
    """The first eight words of the ``index``-th paragraph of a sample's summary (the text before its first section)."""
    body = sample.read_text(encoding="utf-8").split("---\n", 2)[2]
    paragraphs = [p for p in body.split("\n## ", 1)[0].split("\n\n") if p.strip()]
    return " ".join(paragraphs[index].split()[:8])


def first_page_text(pdf: bytes) -> str:
    return re.sub(r"[\W_]+", "", PdfReader(io.BytesIO(pdf)).pages[0].extract_text()).lower()


def test_the_summary_of_russia_nato_runs_on_to_the_foot_of_page_one(samples):
    second = summary_paragraph_start(samples / "russia-nato.md", 1)
    pdf = rk.load(samples / "russia-nato.md").render("pdf")
    assert re.sub(r"[\W_]+", "", second).lower() in first_page_text(pdf)


def test_with_three_line_widows_the_summary_leaves_page_one_a_gap(samples, tmp_path):
    # The negative: the five-line paragraph with four notes cannot be split 3 + 3 and moves on.
    layout = tmp_path / "widows3"
    (layout / "print").mkdir(parents=True)
    (layout / "layout.toml").write_text('name = "widows3"\ndescription = "Three-line widows"\nextends = "report"\n')
    (layout / "print" / "extra.css").write_text("p { widows: 3; }\n", encoding="utf-8")
    second = summary_paragraph_start(samples / "russia-nato.md", 1)
    pdf = rk.load(samples / "russia-nato.md").render("pdf", layout=str(layout))
    assert re.sub(r"[\W_]+", "", second).lower() not in first_page_text(pdf)
