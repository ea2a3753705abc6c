"""Archival PDFs: PDF/A-3a + PDF/UA-1 checked by veraPDF, XMP metadata, the embedded source, verify and extract."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

import reportkit as rk
from reportkit.writers.pdf.archival import NS, SOURCE_NAME
from reportkit.input.to_markdown import to_markdown
from reportkit.tools.verify import read_archive

from archivalutil import png
from conftest import require_tool, run_cli

#: Renders many documents or runs outside validators: not part of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow
from validators import VeraPDF



@pytest.fixture(scope="session")
def verapdf_results(archival):
    """veraPDF's verdicts on every archival PDF, from one JVM run."""
    return VeraPDF().validate(archival.values())


def xmp_root(path: Path) -> etree._Element:
    data = PdfReader(path).trailer["/Root"]["/Metadata"].get_object().get_data()
    return etree.fromstring(data[data.index(b"<x:xmpmeta") : data.rindex(b"</x:xmpmeta>") + 12])


def tamper(path: Path, target: Path, change) -> Path:
    """Copy ``path`` to ``target`` with pypdf, letting ``change(writer)`` alter it on the way."""
    writer = PdfWriter(clone_from=PdfReader(path))
    change(writer)
    writer.write(target)
    return target


def embedded_stream(writer: PdfWriter, name: str):
    names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    for index in range(0, len(names), 2):
        spec = names[index + 1].get_object()
        if spec["/UF"] == name:
            return spec["/EF"]["/F"].get_object()
    raise KeyError(name)


# --- the standards, checked by veraPDF -----------------------------------------------------


def test_archival_pdfs_pass_verapdf_for_pdfa_3a_and_pdfua_1_with_no_failed_rule(archival, verapdf_results):
    for slug, path in archival.items():
        profiles = {result.profile: result for result in verapdf_results[path]}
        assert any("PDF/A-3A" in name for name in profiles), f"{slug}: {list(profiles)}"
        assert any("PDF/UA-1" in name for name in profiles), f"{slug}: {list(profiles)}"
        for name, result in profiles.items():
            assert result.compliant and result.failed_rules == 0, f"{slug} against {name}: {result.failures}"


def test_the_xmp_declares_pdfa_3a_and_pdfua_1_in_one_rdf_block_that_pypdf_reads(archival):
    for path in archival.values():
        xmp = PdfReader(path).xmp_metadata
        assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "A")
        root = xmp_root(path)
        assert len(root.findall(f"{{{NS['rdf']}}}RDF")) == 1
        assert root.findtext(f".//{{{NS['pdfuaid']}}}part") == "1"
        schemas = root.findall(f".//{{{NS['pdfaSchema']}}}namespaceURI")
        assert {s.text for s in schemas} == {NS["pdfuaid"], NS["rk"]}


def test_an_srgb_output_intent_and_only_embedded_fonts(archival):
    pdffonts = require_tool("pdffonts")
    for path in archival.values():
        (intent,) = PdfReader(path).trailer["/Root"]["/OutputIntents"]
        intent = intent.get_object()
        assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()["/N"] == 3
        lines = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
        rows = [line.split() for line in lines[2:]]
        assert rows and all(row[-5] == "yes" for row in rows), "\n".join(lines)  # the 'emb' column


def test_qpdf_finds_no_error_in_archival_or_plain_pdfs(archival, built):
    qpdf = require_tool("qpdf")
    for path in [*archival.values(), *(files["pdf"] for files in built.values())]:
        proc = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0 and "No syntax or stream encoding errors" in proc.stdout, proc.stdout + proc.stderr


# --- what the metadata records ------------------------------------------------------------


def test_the_xmp_records_the_fact_check_the_build_and_the_source_hash(archival, built):
    check = rk.load(built["russia-nato"]["source"])
    doc = check.document
    archive = read_archive(archival["russia-nato"])
    meta = archive.metadata
    assert meta["dc:title"] == doc.title
    assert meta["dc:creator"] == doc.authors
    assert meta["dc:description"] == doc.claim.text
    assert meta["dc:language"] == [doc.language]
    assert meta["dc:subject"] == doc.tags and meta["pdf:Keywords"] == ", ".join(doc.tags)
    assert meta["dc:publisher"] == [doc.publisher.name] and meta["dc:contributor"] == doc.editors
    assert (meta["xmp:CreateDate"], meta["xmp:ModifyDate"]) == (doc.published, doc.updated)
    assert meta["rk:verdictRating"] == "false" and meta["rk:verdictLabel"] == doc.verdict.label
    assert (meta["rk:ratingLabel"], meta["rk:ratingOrder"], meta["rk:ratingScale"]) == ("False", "5", "reportkit")
    assert meta["pdf:Producer"].startswith(f"reportkit {rk.__version__} (WeasyPrint ")
    assert meta["xmp:CreatorTool"] == f"reportkit {rk.__version__}"
    assert (meta["rk:layout"], meta["rk:pageSize"], meta["rk:reportkitVersion"]) == ("report", "A4", rk.__version__)
    assert meta["rk:sourceSHA256"] == hashlib.sha256(archive.source.data).hexdigest()
    assert archive.info["Producer"] == meta["pdf:Producer"] and archive.info["Title"] == doc.title


def test_plain_pdfs_carry_the_verdict_in_xmp_claim_only_pdf_ua_and_embed_nothing(built):
    archive = read_archive(built["energy-bills"]["pdf"])
    assert archive.metadata["rk:verdictRating"] == "mostly-false"
    assert archive.metadata["dc:title"] == rk.load(built["energy-bills"]["source"]).document.title
    assert not any(name.startswith("pdfaid:") for name in archive.metadata)  # no PDF/A claim
    assert archive.metadata["pdfuaid:part"] == "1"  # tagged PDF/UA-1 by default
    assert archive.files == {}


def test_the_canonical_json_and_the_images_are_embedded_as_source_files(archival, built):
    check = rk.load(built["russia-nato"]["source"])
    archive = read_archive(archival["russia-nato"])
    source = archive.files[SOURCE_NAME]
    assert source.data == check.to_json().encode()
    assert (source.relationship, source.mime_type, source.associated) == ("Source", "application/json", True)
    images = {name: f for name, f in archive.files.items() if name != SOURCE_NAME}
    assert set(images) == {"claim.svg", "enlargement-timeline.svg"}
    for name, image in images.items():
        assert image.data == (built["russia-nato"]["source"].parent / name).read_bytes()
        assert (image.relationship, image.mime_type, image.associated) == ("Source", "image/svg+xml", True)
    reader = PdfReader(archival["russia-nato"])
    params = reader.trailer["/Root"]["/AF"][0].get_object()["/EF"]["/F"].get_object()["/Params"]
    assert params["/ModDate"] == "D:20251122000000Z"  # the fact-check's date, not the clock


# --- verify ---------------------------------------------------------------------------------


def test_verify_passes_every_archival_pdf_and_says_what_it_checked(archival):
    for path in archival.values():
        report = rk.verify(path)
        assert report.ok, [c for c in report.checks if not c.ok]
        assert (report.pdfa, report.pdfua) == ("3a", "1")
        assert [c.name for c in report.checks] == [
            "pdfa", "pdfua", "output-intent", "fonts", "encryption", "revisions", "source", "source-hash",
            "source-valid", "attachments", "images", "metadata", "producer", "links", "pages", "rebuild",
        ]
    proc = run_cli("verify", "--json", *map(str, archival.values()))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [entry["ok"] for entry in json.loads(proc.stdout)] == [True] * len(archival)


def test_verify_fails_a_plain_pdf_naming_what_is_missing(built):
    proc = run_cli("verify", str(built["energy-bills"]["pdf"]))
    assert proc.returncode == 1
    assert "FAIL" in proc.stdout and "pdfaid:part" in proc.stdout and "no embedded source" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_verify_reports_one_changed_byte_of_the_embedded_source(archival, tmp_path):
    def change_one_byte(writer: PdfWriter) -> None:
        stream = embedded_stream(writer, SOURCE_NAME)
        data = bytearray(stream.get_data())
        data[data.index(b"hustings")] ^= 0x20  # h -> H, in the summary
        stream.set_data(bytes(data))

    tampered = tamper(archival["energy-bills"], tmp_path / "tampered.pdf", change_one_byte)
    report = rk.verify(tampered)
    assert not report.ok
    failures = {c.name: c.message for c in report.failures}
    assert set(failures) == {"source-hash", "rebuild"}  # the rebuild shows the changed text
    assert "changed after the PDF was made" in failures["source-hash"]
    proc = run_cli("verify", str(tampered))
    assert proc.returncode == 1 and "source-hash" in proc.stdout


def test_verify_reports_metadata_altered_after_the_fact(archival, tmp_path):
    def retitle(writer: PdfWriter) -> None:
        metadata = writer._root_object["/Metadata"].get_object()
        metadata.set_data(metadata.get_data().replace(b"<rk:verdictRating>mostly-false<", b"<rk:verdictRating>true<"))

    report = rk.verify(tamper(archival["energy-bills"], tmp_path / "retitled.pdf", retitle))
    failures = {c.name: c.message for c in report.failures}
    assert set(failures) == {"metadata", "rebuild"}
    assert "rk:verdictRating is 'true', the source says 'mostly-false'" in failures["metadata"]
    assert "first at the XMP metadata" in failures["rebuild"]


def test_verify_reports_a_missing_image_and_a_broken_link(archival, tmp_path):
    def break_things(writer: PdfWriter) -> None:
        names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
        index = [str(n) for n in names[::2]].index("claim.svg") * 2
        del names[index : index + 2]
        for page in writer.pages:
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                if str(annotation.get("/Dest", "")).startswith("src-"):
                    annotation[NameObject("/Dest")] = TextStringObject("nowhere")
                    return

    report = rk.verify(tamper(archival["russia-nato"], tmp_path / "broken.pdf", break_things))
    failures = {c.name: c.message for c in report.failures}
    assert set(failures) == {"source-valid", "images", "links", "rebuild"}
    assert "claim.svg" in failures["source-valid"] and "'nowhere' does not exist" in failures["links"]
    assert "claim.svg is not embedded" in failures["images"]


def test_verify_exits_2_for_a_file_that_is_not_a_pdf(tmp_path, archival):
    (tmp_path / "notes.pdf").write_text("not a pdf")
    proc = run_cli("verify", str(tmp_path / "notes.pdf"), str(archival["edge"]))
    assert proc.returncode == 2
    assert "is not a PDF file" in proc.stderr and "PASS" in proc.stdout and "Traceback" not in proc.stderr


# --- extract --------------------------------------------------------------------------------


def test_extracted_sources_rebuild_the_same_pdf_byte_for_byte(archival, built, tmp_path):
    original = archival["russia-nato"]
    out = tmp_path / "back" / "russia-nato.md"
    out.parent.mkdir()
    proc = run_cli("extract", str(original), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "rebuild with: reportkit build" in proc.stdout and "--layout report --page-size A4" in proc.stdout
    assert sorted(p.name for p in out.parent.iterdir()) == ["claim.svg", "enlargement-timeline.svg", "russia-nato.md"]
    check = rk.load(out)
    assert check == rk.load(built["russia-nato"]["source"])
    rebuilt = check.to_pdf(tmp_path / "rebuilt.pdf", archival=True)
    assert hashlib.sha256(rebuilt.read_bytes()).digest() == hashlib.sha256(original.read_bytes()).digest()


def test_extract_to_json_and_from_python(archival, built, tmp_path):
    check = rk.extract(archival["energy-bills"])
    assert check == rk.load(built["energy-bills"]["source"])
    target = tmp_path / "energy.json"
    rk.extract(archival["energy-bills"], target)
    assert target.read_bytes() == read_archive(archival["energy-bills"]).source.data
    proc = run_cli("extract", str(archival["edge"]))
    assert proc.returncode == 0 and json.loads(proc.stdout)["title"].startswith("Did the council")
    assert "1 image(s) not written" in proc.stderr


def test_extract_refuses_a_pdf_without_source_and_unknown_suffixes(built, archival, tmp_path):
    with pytest.raises(rk.InputError, match="holds no embedded factcheck.json"):
        rk.extract(built["energy-bills"]["pdf"])
    proc = run_cli("extract", str(archival["edge"]), "-o", str(tmp_path / "out.txt"))
    assert proc.returncode == 2 and "give a .json or .md file name" in proc.stderr


def test_extract_never_writes_outside_the_chosen_folder(archival, tmp_path):
    hostile = tmp_path / "hostile.pdf"
    writer = PdfWriter(clone_from=PdfReader(archival["edge"]))
    for name in ("../escape.png", "/tmp/absolute.png", "sub/../../up.png"):
        writer.add_attachment(name, png(2, 2))
    writer.write(hostile)
    out = tmp_path / "inside" / "x.json"
    out.parent.mkdir()
    rk.extract(hostile, out)
    assert sorted(p.name for p in out.parent.rglob("*")) == ["chart.png", "x.json"]
    assert not (tmp_path / "escape.png").exists() and not (tmp_path / "up.png").exists()


def test_markdown_dump_reads_back_exactly_even_when_the_body_cannot_hold_the_sections(tmp_path, built):
    for files in built.values():
        data = rk.load(files["source"]).to_dict()
        (tmp_path / "a.md").write_text(to_markdown(data), encoding="utf-8")
        assert rk.load(tmp_path / "a.md").to_dict() == data
    awkward = rk.FactCheck("An awkward one").section("1. Numbered heading", "Text\n\n## A heading inside").to_dict()
    text = to_markdown(awkward)
    assert text.count("\n## ") == 0  # kept in the front matter, where it reads back unchanged
    (tmp_path / "b.md").write_text(text, encoding="utf-8")
    assert rk.load(tmp_path / "b.md").to_dict() == awkward


def test_an_archival_pdf_cannot_also_be_another_pdf_variant(monkeypatch, tmp_path):
    import reportkit.writers.pdf.writer as pdf_writer

    monkeypatch.setattr(pdf_writer, "_variant_options", lambda options: {"pdf_variant": "pdf/x-4"})
    monkeypatch.setattr(pdf_writer.HTML, "render", lambda *a, **k: pytest.fail("laid out before refusing"))
    check = rk.FactCheck("Both at once?").section("Body", "Text.")
    with pytest.raises(rk.ReportkitError, match="cannot also be PDF/X-4"):
        check.to_pdf(tmp_path / "both.pdf", archival=True)
