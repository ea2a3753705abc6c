"""Bibliography entries formatted by CSL styles (the optional 'csl' extra) in every output."""

from __future__ import annotations

import builtins
import io
import zipfile
from pathlib import Path

import lxml.html
import pytest

import reportkit as rk
from reportkit.render.csl import format_entries
from reportkit.document.model import Source

from conftest import DATA, SAMPLES, messages, require_module

require_module("citeproc")

DATA = DATA / "ecosystem"


@pytest.fixture(scope="module")
def check() -> rk.FactCheck:
    return (
        rk.FactCheck("Did cycling double?", url="https://desk.example.org/c")
        .verdict("mostly-false")
        .section("Counts", "They rose [@method-note; @regional-survey; @counts-2024; @leaflet-2025].")
        .sources_from(DATA / "refs.bib")
    )


def test_apa_formats_names_dates_and_containers(check: rk.FactCheck) -> None:
    sources = {s.key: s for s in check.document.sources}
    apa = format_entries([sources["method-note"], sources["regional-survey"]], "apa")
    assert apa[0].startswith("Ortega, L., van der Berg, J., &amp; King, M., Jr. (2023). Counter relocation note.")
    assert "<i>Transport Bulletin</i>" in apa[0]
    assert 'href="https://council.example.org/bulletin/2023-07?page=2&amp;view=full"' in apa[0]
    assert apa[1].startswith("Nakamura, A. (2024).")
    assert '<a class="url" href="https://doi.org/10.1234/rtr.2024.17">' in apa[1]


def test_chicago_author_date_differs_from_apa(check: rk.FactCheck) -> None:
    source = next(s for s in check.document.sources if s.key == "method-note")
    chicago = format_entries([source], "chicago-author-date")[0]
    assert chicago.startswith("Ortega, L., J. van der Berg, and M. King Jr. 2023.")
    assert chicago != format_entries([source], "apa")[0]


def test_entries_keep_reportkit_numbering_and_back_references(check: rk.FactCheck) -> None:
    tree = lxml.html.fromstring(check.render("html", csl_style="apa"))
    entries = tree.xpath("//ol[@class='sources']/li")
    assert [li.get("id") for li in entries] == ["src-1", "src-2", "src-3", "src-4"]
    assert entries[0].xpath("string(.//span[@class='source-formatted'])").startswith("Ortega, L.")
    assert entries[0].xpath(".//a[@class='source-archived']") and entries[0].xpath(".//a[@class='backref']")


@pytest.mark.slow
def test_pdf_and_epub_use_the_style(check: rk.FactCheck, epubcheck, tmp_path: Path) -> None:
    from pypdf import PdfReader

    epub = tmp_path / "c.epub"
    epub.write_bytes(check.render("epub", csl_style="chicago-author-date"))
    sources = zipfile.ZipFile(epub).read("EPUB/sources.xhtml").decode()
    assert "Ortega, L., J. van der Berg, and M. King Jr. 2023." in sources
    report = epubcheck.run(epub)[epub]
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, messages(report)
    pdf = PdfReader(io.BytesIO(check.render("pdf", csl_style="apa")))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Nakamura, A. (2024)." in " ".join(text.split())


def test_untrusted_titles_stay_text() -> None:
    source = Source(key="x", title="<script>alert(1)</script>", url="https://x.example.org/?a=1&b=2")
    entry = format_entries([source], "apa")[0]
    assert "<script>" not in entry and "&lt;script&gt;" in entry
    assert 'href="https://x.example.org/?a=1&amp;b=2"' in entry


def test_unknown_style_is_a_clear_error(check: rk.FactCheck) -> None:
    with pytest.raises(rk.LayoutError, match="unknown CSL style 'apa-9th'") as caught:
        check.render("html", csl_style="apa-9th")
    assert "chicago-author-date" in caught.value.hint
    with pytest.raises(rk.LayoutError, match="does not exist"):
        check.render("html", csl_style="missing.csl")


def test_without_the_extra_the_error_says_what_to_install(check: rk.FactCheck, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_citeproc(name: str, *args, **kwargs):
        if name == "citeproc" or name.startswith("citeproc."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_citeproc)
    with pytest.raises(rk.ReportkitError, match="needs citeproc-py") as caught:
        check.render("html", csl_style="apa")
    assert "reportkit[csl]" in caught.value.hint


def test_cli_build_takes_a_csl_style(tmp_path: Path) -> None:
    from conftest import run_cli

    proc = run_cli("build", str(SAMPLES / "energy-bills.md"), "-o", str(tmp_path), "-f", "html", "--csl-style", "apa")
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "energy-bills.html").read_text(encoding="utf-8")
    assert 'class="source-formatted"' in html and ("(n.d.)" in html or "Retrieved" in html)


def test_rich_text_reaches_the_style_as_markup_and_abbreviations_get_one_period() -> None:
    source = Source(key="a", title="The <i>Prouerbia</i> & <b>more</b> <script>x</script>", authors=["Ann Author"],
                    container="J. Organomet. Chem.", published="2006", type="article-journal")
    entry = str(format_entries([source], "apa")[0])
    assert "<i>Prouerbia</i> &amp; <b>more</b> &lt;script&gt;x&lt;/script&gt;" in entry
    assert "Chem.." not in entry and "Chem.</i>" in entry


def test_a_doi_with_angle_brackets_is_a_percent_encoded_link() -> None:
    source = Source(key="a", title="x", authors=["Ann Author"], published="1998",
                    doi="10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P")
    entry = str(format_entries([source], "apa")[0])
    assert 'href="https://doi.org/10.1002/(SICI)1096-987X(199803)19:4%3C377::AID-JCC1%3E3.0.CO;2-P"' in entry
