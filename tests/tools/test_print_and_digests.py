"""Print-shop options (crop marks and bleed, reproducible PDF/X-4), previews and digests."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import reportkit as rk
from reportkit.tools.bundle import bundle, read_report
from reportkit.cli import main
from reportkit.tools.preview import preview, watch
from conftest import SAMPLES

MM = 72 / 25.4


def tiny(title: str = "Is the tiny check true?", rating: str = "mostly-true") -> rk.FactCheck:
    return (
        rk.FactCheck(title, published="2025-01-02", authors=["T. Ester"], publisher="Desk")
        .claim("The tiny check is true.", claimant="A tester")
        .verdict(rating, label="Nearly")
        .summary("A short summary [@a].")
        .section("Only section", "First paragraph [@a].")
        .section("Second section", "More [@a].")
        .source("a", title="Source A", url="https://example.org/a", publisher="Example")
    )


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three report PDFs: the example, a short check as a brief, and a tiny one."""
    out = tmp_path_factory.mktemp("reports")
    example = rk.load(SAMPLES / "russia-nato.md").to_pdf(out / "russia-nato.pdf")
    energy = rk.load(SAMPLES / "energy-bills.md").to_pdf(out / "energy-brief.pdf", layout="brief")
    small = tiny(rating="true").to_pdf(out / "tiny.pdf")
    return [example, energy, small]


# --- print shop ------------------------------------------------------------------------------


def test_print_marks_add_3mm_bleed_around_the_trimmed_page() -> None:
    plain = PdfReader(io.BytesIO(tiny().render("pdf"))).pages[0]
    marked = PdfReader(io.BytesIO(tiny().render("pdf", print_marks=True))).pages[0]
    assert float(plain.mediabox.width) == pytest.approx(210 * MM, abs=0.1)
    trim, bleed = marked.trimbox, marked.bleedbox
    assert float(trim.width) == pytest.approx(210 * MM, abs=0.1)
    assert float(bleed.width) - float(trim.width) == pytest.approx(6 * MM, abs=0.1)
    assert float(bleed.height) - float(trim.height) == pytest.approx(6 * MM, abs=0.1)


def test_pdf_x_is_pdf_x4_and_the_same_bytes_every_time() -> None:
    first = tiny().render("pdf", pdf_x=True)
    time.sleep(1.1)  # WeasyPrint would stamp the clock's seconds
    second = tiny().render("pdf", pdf_x=True)
    assert first == second
    reader = PdfReader(io.BytesIO(first))
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "PDF/X-4" in raw and "<xmpMM:DocumentID>uuid:" in raw
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert reader.pdf_header == "%PDF-1.6"
    assert str(reader.metadata["/CreationDate"]).startswith("D:20250102")


def test_pdf_x_without_a_date_uses_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    undated = rk.FactCheck("Undated?").section("Only", "Text.")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    reader = PdfReader(io.BytesIO(undated.render("pdf", pdf_x=True)))
    assert str(reader.metadata["/ModDate"]).startswith("D:20231114")


def test_build_passes_print_options_to_the_pdf(tmp_path: Path) -> None:
    source = tmp_path / "tiny.json"
    source.write_text(tiny().to_json())
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path), "--print-marks", "-f", "pdf"])
    assert result.exit_code == 0, result.output
    page = PdfReader(tmp_path / "is-the-tiny-check-true.pdf").pages[0]
    assert float(page.bleedbox.width) > float(page.trimbox.width)


# --- previews -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["pypdfium2", "pdftoppm"])
def test_preview_writes_one_png_a_page_next_to_the_pdf(reports: list[Path], tmp_path: Path, engine: str) -> None:
    if engine == "pdftoppm":
        from conftest import require_tool

        require_tool("pdftoppm")
    pdf = tmp_path / "example.pdf"
    pdf.write_bytes(reports[0].read_bytes())
    pages = len(PdfReader(pdf).pages)
    stale = tmp_path / f"example-{pages + 1}.png"  # left by a longer version of the PDF
    stale.write_bytes(b"stale")
    images = preview(pdf, dpi=30, engine=engine)
    assert [p.name for p in images] == [f"example-{n}.png" for n in range(1, pages + 1)]
    from PIL import Image

    with Image.open(images[0]) as first:
        assert first.format == "PNG"
        assert first.width == pytest.approx(210 / 25.4 * 30, abs=2)
    assert not stale.exists()


def test_preview_command_builds_the_pdf_and_its_pages(tmp_path: Path) -> None:
    source = tmp_path / "tiny.json"
    source.write_text(tiny().to_json())
    result = CliRunner().invoke(main, ["preview", str(source), "-o", str(tmp_path / "out"), "--dpi", "30"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "is-the-tiny-check-true.pdf").is_file()
    assert (tmp_path / "out" / "is-the-tiny-check-true-1.png").is_file()


def test_watch_rebuilds_when_the_input_changes(tmp_path: Path) -> None:
    source = tmp_path / "tiny.json"
    source.write_text(tiny().to_json())
    builds: list[tuple[Path, list[Path] | None, Exception | None]] = []
    stop = threading.Event()

    def on_build(pdf: Path, images: list[Path] | None, error: Exception | None) -> None:
        builds.append((pdf, images, error))
        if len(builds) >= 2:
            stop.set()

    worker = threading.Thread(
        target=watch, args=(source, tmp_path / "out"), kwargs={"on_build": on_build, "stop_event": stop, "dpi": 20}
    )
    worker.start()
    deadline = time.monotonic() + 60
    while not builds and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    source.write_text(tiny("Is the changed check true?").to_json())
    worker.join(timeout=60)
    stop.set()
    assert len(builds) >= 2, builds
    assert all(error is None for _, _, error in builds), builds
    assert builds[-1][0].name == "is-the-changed-check-true.pdf"


# --- digests --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digest(reports: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundle(reports, tmp_path_factory.mktemp("digest") / "digest.pdf", title="Weekly checks")


def test_a_report_says_what_the_cover_needs_in_its_metadata(reports: list[Path]) -> None:
    info = read_report(reports[0])
    assert info.title == "Has Russia ever formally applied for NATO membership?"
    assert info.verdict_label == "No formal application"
    assert info.rating is not None and info.rating.key == "false" and info.rating.shape == "false"
    assert info.date == "2025-11-22" and info.pages == len(PdfReader(reports[0]).pages)


def test_a_digest_has_a_cover_then_every_report(reports: list[Path], digest: Path) -> None:
    reader = PdfReader(digest)
    sizes = [len(PdfReader(r).pages) for r in reports]
    assert len(reader.pages) == 1 + sum(sizes)
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Weekly checks" in cover
    for title in ("Has Russia ever formally applied", "Have household energy bills doubled", "Is the tiny check true?"):
        assert title in cover
    assert "No formal application" in cover and "Doubled at the peak, not now" in cover
    assert "VERDICTS AT A GLANCE" in cover.upper()


def test_a_digest_nests_each_reports_bookmarks_under_its_title(reports: list[Path], digest: Path) -> None:
    reader = PdfReader(digest)
    outline = reader.outline
    tops = [item for item in outline if not isinstance(item, list)]
    assert [t.title for t in tops] == [read_report(r).title for r in reports]
    children = [item for item in outline if isinstance(item, list)]
    assert len(children) == 3
    first_children = [c.title for c in children[0] if not isinstance(c, list)]
    assert first_children[0] == "Summary" and "Sources" in first_children
    starts = [reader.get_destination_page_number(t) for t in tops]
    sizes = [len(PdfReader(r).pages) for r in reports]
    assert starts == [1, 1 + sizes[0], 1 + sizes[0] + sizes[1]]
    # Each report's own bookmarks point into its own pages.
    assert all(starts[0] <= reader.get_destination_page_number(c) < starts[1] for c in children[0]
               if not isinstance(c, list))


def test_a_digest_labels_its_pages_and_describes_itself(digest: Path) -> None:
    reader = PdfReader(digest)
    labels = reader.page_labels
    assert labels[0] == "i" and labels[1] == "1-1" and "2-1" in labels and labels[-1].startswith("3-")
    meta = reader.metadata
    assert meta["/Title"] == "Weekly checks"
    assert "Marta Lindqvist" in meta["/Author"] and "T. Ester" in meta["/Author"]
    assert str(meta["/ModDate"]).startswith("D:20251122")
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_the_cover_links_to_the_reports_first_pages(reports: list[Path], digest: Path) -> None:
    reader = PdfReader(digest)
    targets = set()
    for ref in reader.pages[0].get("/Annots", []):
        annot = ref.get_object()
        assert "/URI" not in (annot.get("/A") or {})
        if "/Dest" in annot:
            targets.add(reader.get_page_number(annot["/Dest"][0].get_object()))
    sizes = [len(PdfReader(r).pages) for r in reports]
    assert targets == {1, 1 + sizes[0], 1 + sizes[0] + sizes[1]}


def test_the_same_reports_give_the_same_digest(reports: list[Path], digest: Path, tmp_path: Path) -> None:
    again = bundle(reports, tmp_path / "again.pdf", title="Weekly checks")
    assert again.read_bytes() == digest.read_bytes()


def test_build_bundle_makes_a_digest_from_inputs(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(tiny("Is check A true?").to_json())
    b.write_text(tiny("Is check B false?", rating="false").to_json())
    result = CliRunner().invoke(
        main, ["build", str(a), str(b), "-o", str(tmp_path / "out"), "-f", "pdf", "--bundle", str(tmp_path / "d.pdf")]
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "d.pdf")
    assert [t.title for t in reader.outline if not isinstance(t, list)] == ["Is check A true?", "Is check B false?"]


def test_bundle_command_and_its_errors(reports: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["bundle", str(reports[2]), "-o", str(tmp_path / "one.pdf"), "--language", "fr"])
    assert ok.exit_code == 0, ok.output
    cover = PdfReader(tmp_path / "one.pdf").pages[0].extract_text()
    assert "Recueil de vérifications" in cover and "Vrai" in cover.replace("VRAI", "Vrai")
    missing = runner.invoke(main, ["bundle", str(tmp_path / "nope.pdf"), "-o", str(tmp_path / "x.pdf")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    bad = runner.invoke(main, ["bundle", str(junk), "-o", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2 and "not a readable PDF" in bad.output
    assert not (tmp_path / "x.pdf").exists()
