"""The EPUB read back: epubcheck with 0 errors and 0 warnings, navigation, noterefs and footnotes, metadata."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

import reportkit as rk
from reportkit.writers.epub import epub_identifier

from conftest import SAMPLES, messages

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def parts(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


@pytest.mark.slow
def test_every_sample_passes_epubcheck_without_errors_or_warnings(built, epubcheck):
    reports = epubcheck.run(*(files["epub"] for files in built.values()))
    for path, report in reports.items():
        checker = report["checker"]
        assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), messages(report)


@pytest.mark.slow
def test_an_epub_built_with_the_api_alone_passes_epubcheck(tmp_path, epubcheck):
    import importlib.util

    spec = importlib.util.spec_from_file_location("publish", SAMPLES / "publish.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    epub = module.build_check().to_epub(tmp_path / "api.epub")
    report = epubcheck.run(epub)[epub]
    assert report["checker"]["nError"] + report["checker"]["nWarning"] + report["checker"]["nFatal"] == 0, messages(report)


def test_package_metadata(built):
    files = built["russia-nato"]
    doc = rk.load(files["source"]).document
    opf = xml(parts(files["epub"])["EPUB/content.opf"])
    meta = opf.find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == doc.title
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    assert [c.text for c in meta.findall("dc:creator", NS)] == doc.authors
    assert meta.findtext("dc:identifier", namespaces=NS) == epub_identifier(doc.id)
    assert meta.findtext("dc:date", namespaces=NS) == doc.published
    modified = [m.text for m in meta.findall("opf:meta", NS) if m.get("property") == "dcterms:modified"]
    assert modified == [f"{doc.updated}T00:00:00Z"]
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert sorted(s.text for s in meta.findall("dc:subject", NS)) == sorted(doc.tags)


def test_the_identifier_is_stable_and_derived_from_the_fact_check_id(tmp_path, samples):
    first = rk.load(samples / "energy-bills.md").to_epub(tmp_path / "a.epub")
    second = rk.load(samples / "energy-bills.md").to_epub(tmp_path / "b.epub")
    assert first.read_bytes() == second.read_bytes()
    assert epub_identifier("energy-bills") == epub_identifier("energy-bills") != epub_identifier("russia-nato")


def test_navigation_has_a_toc_and_landmarks(built):
    files = built["russia-nato"]
    doc = rk.load(files["source"]).document
    nav = xml(parts(files["epub"])["EPUB/nav.xhtml"])
    navs = {n.get(EPUB_TYPE): n for n in nav.iter("{http://www.w3.org/1999/xhtml}nav")}
    toc = ["".join(a.itertext()) for a in navs["toc"].iter("{http://www.w3.org/1999/xhtml}a")]
    assert toc == [doc.title, *[f"{i}. {s.heading}" for i, s in enumerate(doc.sections, 1)], "Corrections", "Sources"]
    landmarks = {a.get(EPUB_TYPE): a.get("href") for a in navs["landmarks"].iter("{http://www.w3.org/1999/xhtml}a")}
    assert landmarks["toc"] == "nav.xhtml"
    assert landmarks["bodymatter"] == "title.xhtml"
    assert landmarks["bibliography"] == "sources.xhtml"
    assert "page-list" not in navs


def test_citations_are_noterefs_to_footnotes_in_the_same_file(built):
    files = built["russia-nato"]
    content = parts(files["epub"])
    checked = 0
    for name, data in content.items():
        if not name.endswith(".xhtml") or name.endswith("nav.xhtml"):
            continue
        root = xml(data)
        ids = {e.get("id"): e for e in root.iter() if e.get("id")}
        for ref in root.iter("{http://www.w3.org/1999/xhtml}a"):
            if ref.get(EPUB_TYPE) == "noteref":
                assert ref.get("role") == "doc-noteref"
                target = ids[ref.get("href").lstrip("#")]
                assert target.tag == "{http://www.w3.org/1999/xhtml}aside"
                assert target.get(EPUB_TYPE) == "footnote" and target.get("role") == "doc-footnote"
                checked += 1
    assert checked >= 20


def test_the_bibliography_is_back_matter_with_links_back_to_every_citation(built):
    files = built["russia-nato"]
    content = parts(files["epub"])
    doc = rk.load(files["source"]).document
    sources = xml(content["EPUB/sources.xhtml"])
    section = next(s for s in sources.iter("{http://www.w3.org/1999/xhtml}section"))
    assert section.get(EPUB_TYPE) == "bibliography"
    entries = list(section.iter("{http://www.w3.org/1999/xhtml}li"))
    assert len(entries) == len(doc.sources)
    text = etree.tostring(section, method="text", encoding="unicode")
    for source in doc.sources:
        assert source.title in text
    backlinks = [a.get("href") for a in section.iter("{http://www.w3.org/1999/xhtml}a") if a.get("role") == "doc-backlink"]
    assert backlinks
    for href in backlinks:
        file, _, anchor = href.partition("#")
        target = xml(content[f"EPUB/{file}"])
        assert any(e.get("id") == anchor for e in target.iter()), href
    spine = [i.get("idref") for i in xml(content["EPUB/content.opf"]).iter("{http://www.idpf.org/2007/opf}itemref")]
    assert spine[-1] == "sources"


def test_images_are_packaged_under_names_made_by_reportkit(built):
    names = set(parts(built["russia-nato"]["epub"]))
    assert "EPUB/images/claim.svg" in names
    assert "EPUB/images/figure-1.svg" in names
    assert not any("enlargement-timeline" in n for n in names)


def test_zip_entries_have_fixed_timestamps_and_mimetype_first(built):
    with zipfile.ZipFile(built["russia-nato"]["epub"]) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_ebooklib_alone_still_stamps_zip_entries_with_the_clock(tmp_path) -> None:
    # The reason the EPUB writer rewrites the ZIP; when this fails, ebooklib honours "mtime" (ebooklib#340).
    import datetime as dt
    import zipfile

    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("x")
    book.set_title("t")
    book.set_language("en")
    page = epub.EpubHtml(title="p", file_name="p.xhtml", content="<p>p</p>")
    book.add_item(page)
    book.spine = [page]
    book.add_item(epub.EpubNav())
    target = tmp_path / "plain.epub"
    epub.write_epub(str(target), book, {"mtime": dt.datetime(2000, 1, 1)})
    stamps = {info.date_time for info in zipfile.ZipFile(target).infolist()}
    assert (2000, 1, 1, 0, 0, 0) not in stamps
