"""Archival proof: verify rebuilds a PDF from its embedded source and catches every kind of change to it.

Each tampering class of the archival-proof issue fails verify with a message naming what
changed; genuine files with unusual image references pass and round-trip through extract and a
rebuild; a rebuild this machine cannot make identically is a different environment, not tampering.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter

import reportkit as rk
from reportkit.tools.verify import read_archive, revisions
from reportkit.writers.pdf import environment as env_module

from conftest import SAMPLES, require_tool, run_cli

#: Each verify rebuilds a PDF: heavy, like the other archival tests.
pytestmark = pytest.mark.slow


def object_span(raw: bytes, number: int) -> tuple[int, int]:
    """Where the data of stream object ``number`` lies in the file."""
    found = re.search(rb"(?<![0-9])%d 0 obj" % number, raw)
    assert found, number
    start = raw.index(b"stream", found.end()) + len(b"stream")
    start += 2 if raw[start : start + 2] == b"\r\n" else 1
    return start, raw.index(b"endstream", start)


def flip(raw: bytes, at: int) -> bytes:
    data = bytearray(raw)
    data[at] ^= 0x01
    return bytes(data)


@pytest.fixture
def genuine(archival, tmp_path) -> Path:
    """A copy of an archival sample with images (russia-nato), to change."""
    return Path(shutil.copy(archival["russia-nato"], tmp_path / "genuine.pdf"))


def failed(path: Path) -> dict[str, str]:
    """verify's failed checks of ``path``, by name; the verdict must be 'failed'."""
    report = rk.verify(path)
    assert report.verdict == "failed", [(c.name, c.message) for c in report.checks]
    return {c.name: c.message for c in report.failures}


# --- genuine files ------------------------------------------------------------------------------


def test_verify_rebuilds_a_genuine_archive_byte_for_byte(archival):
    for slug, path in archival.items():
        report = rk.verify(path)
        assert report.verdict == "verified" and report.ok, (slug, [(c.name, c.message) for c in report.checks])
        rebuild = next(c for c in report.checks if c.name == "rebuild")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"the same {path.stat().st_size:,} bytes (SHA-256 {digest[:16]}" in rebuild.message


def test_the_archive_records_what_a_rebuild_needs(archival, samples):
    meta = read_archive(archival["russia-nato"]).metadata
    assert json.loads(meta["rk:buildOptions"]) == {}
    images = json.loads(meta["rk:imagesSHA256"])
    assert images == {name: hashlib.sha256((samples / name).read_bytes()).hexdigest()
                      for name in ("claim.svg", "enlargement-timeline.svg")}
    assert re.fullmatch(r"[0-9a-f]{64}", meta["rk:layoutSHA256"])


ODD_REFERENCES = ("my%20image.svg", "claim.svg?v=2", "claim.svg#x", "sub/../claim.svg")


@pytest.fixture(scope="module")
def odd(tmp_path_factory) -> Path:
    """An archival PDF whose images are referenced as my%20image.svg, claim.svg?v=2, claim.svg#x, sub/../claim.svg."""
    folder = tmp_path_factory.mktemp("odd")
    shutil.copy(SAMPLES / "claim.svg", folder / "claim.svg")
    (folder / "my image.svg").write_bytes((SAMPLES / "enlargement-timeline.svg").read_bytes())
    body = "\n\n".join(f"![Figure {n}]({ref})" for n, ref in enumerate(ODD_REFERENCES, start=1))
    (folder / "odd.md").write_text(
        "---\ntitle: Odd image references\nslug: odd\nclaim:\n  text: A claim.\nverdict:\n  rating: false\n"
        f"---\n\n## Figures\n\n{body}\n", encoding="utf-8")
    return rk.load(folder / "odd.md").to_pdf(folder / "odd.pdf", archival=True)


def test_genuine_files_with_unusual_image_references_pass(odd):
    report = rk.verify(odd)
    assert report.verdict == "verified", [(c.name, c.message) for c in report.checks]
    assert set(read_archive(odd).files) == {"factcheck.json", *ODD_REFERENCES}


def test_unusual_image_references_round_trip_through_extract_and_a_rebuild(odd, tmp_path):
    out = tmp_path / "back" / "odd.md"
    out.parent.mkdir()
    proc = run_cli("extract", str(odd), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["claim.svg", "my image.svg", "odd.md"]
    proc = run_cli("build", str(out), "--archival", "-f", "pdf", "-o", str(tmp_path / "rebuilt"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "rebuilt" / "odd.pdf").read_bytes() == odd.read_bytes()


# --- each tampering class -----------------------------------------------------------------------


def test_one_byte_flipped_in_a_page_content_stream(genuine):
    raw = genuine.read_bytes()
    page = PdfReader(genuine).pages[1]
    contents = page.raw_get("/Contents")
    number = (contents.get_object()[0] if isinstance(contents.get_object(), list) else contents).idnum
    start, end = object_span(raw, number)
    genuine.write_bytes(flip(raw, start + (end - start) // 2))
    qpdf = require_tool("qpdf")
    import subprocess

    assert subprocess.run([qpdf, "--check", str(genuine)], capture_output=True).returncode != 0  # qpdf sees it too
    failures = failed(genuine)
    assert list(failures) == ["rebuild"]
    assert f"first at the content stream of page 2 (object {number})" in failures["rebuild"]


def test_a_white_box_drawn_over_page_1(genuine, tmp_path):
    with pikepdf.open(genuine) as pdf:
        pdf.pages[0].contents_add(pdf.make_stream(b"q 1 1 1 rg 0 0 595 842 re f Q"))
        pdf.save(tmp_path / "boxed.pdf")
    failures = failed(tmp_path / "boxed.pdf")
    assert "first at the content stream of page 1" in failures["rebuild"]


def test_a_changed_byte_in_an_embedded_font_program(genuine):
    reader = PdfReader(genuine)
    font = next(iter(reader.pages[0]["/Resources"]["/Font"].values())).get_object()
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    program = descriptor.raw_get("/FontFile2") or descriptor.raw_get("/FontFile3")
    raw = genuine.read_bytes()
    start, _ = object_span(raw, program.idnum)
    genuine.write_bytes(flip(raw, start + 100))
    failures = failed(genuine)
    assert list(failures) == ["rebuild"]
    assert f"first at font {str(font['/BaseFont'])[1:]} used on page 1" in failures["rebuild"]


def test_an_edited_xmp_producer(genuine):
    raw = genuine.read_bytes()
    producer = read_archive(genuine).metadata["pdf:Producer"].encode()
    edited = producer.replace(b"reportkit", b"reportkiT")
    genuine.write_bytes(raw.replace(b">" + producer + b"<", b">" + edited + b"<"))
    failures = failed(genuine)
    assert set(failures) == {"producer", "rebuild"}
    assert f"pdf:Producer is {edited.decode()!r}" in failures["producer"]
    assert "first at the XMP metadata" in failures["rebuild"]


def test_an_embedded_image_changed_while_its_stored_checksum_was_kept(genuine, tmp_path):
    writer = PdfWriter(clone_from=PdfReader(genuine))
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = next(names[i + 1].get_object() for i in range(0, len(names), 2) if names[i] == "claim.svg")
    stream = spec["/EF"]["/F"].get_object()
    kept = dict(stream["/Params"])
    stream.set_data(stream.get_data().replace(b"</svg>", b'<rect width="9" height="9"/></svg>'))
    assert dict(stream["/Params"]) == kept  # the MD5 and size stored with it are the old ones
    writer.write(tmp_path / "image.pdf")
    failures = failed(tmp_path / "image.pdf")
    assert "claim.svg has SHA-256" in failures["images"] and "the XMP metadata records" in failures["images"]
    assert "rebuild" in failures


def test_seven_extra_attachments_injected(genuine, tmp_path):
    writer = PdfWriter(clone_from=PdfReader(genuine))
    for number in range(7):
        writer.add_attachment(f"extra-{number}.txt", b"injected")
    writer.write(tmp_path / "attached.pdf")
    failures = failed(tmp_path / "attached.pdf")
    assert failures["attachments"].startswith("7 attached file(s) the build did not write: 'extra-0.txt'")
    assert "embedded file extra-0.txt" in failures["rebuild"]


def test_an_rc4_encrypted_copy(genuine, tmp_path):
    with pikepdf.open(genuine) as pdf:
        pdf.save(tmp_path / "rc4.pdf", encryption=pikepdf.Encryption(owner="o", user="", R=3, aes=False, metadata=False))
    failures = failed(tmp_path / "rc4.pdf")
    assert failures["encryption"].startswith("the file is encrypted (RC4")
    assert "PDF/A forbids encryption" in failures["encryption"]


def test_an_incremental_update_appended_after_the_build(genuine, tmp_path):
    writer = PdfWriter(genuine, incremental=True)
    writer.add_blank_page()
    writer.write(tmp_path / "appended.pdf")
    assert len(revisions((tmp_path / "appended.pdf").read_bytes())) == 2
    failures = failed(tmp_path / "appended.pdf")
    assert failures["revisions"].startswith("the file was changed after the build: 1 incremental update(s)")
    assert "none is a signature's" in failures["revisions"]


def test_verify_cli_names_the_change_and_exits_1(genuine):
    raw = genuine.read_bytes()
    producer = read_archive(genuine).metadata["pdf:Producer"].encode()
    genuine.write_bytes(raw.replace(b">" + producer + b"<", b">" + producer.replace(b"reportkit", b"reportkiT") + b"<"))
    proc = run_cli("verify", str(genuine))
    assert proc.returncode == 1 and proc.stdout.startswith("FAIL")
    assert "first at the XMP metadata" in proc.stdout and "Traceback" not in proc.stderr


# --- environments and the structural verdict -------------------------------------------------------


def test_a_rebuild_in_another_environment_is_a_different_environment_not_tampering(archival, monkeypatch):
    installed = env_module.environment()
    monkeypatch.setattr(env_module, "environment", lambda: {**installed, "pango": "9.9.9", "harfbuzz": "99.0.0"})
    report = rk.verify(archival["energy-bills"])
    assert report.verdict == "different environment" and not report.failures
    assert report.needs == [f"pango {installed['pango']} (installed: 9.9.9)",
                            f"harfbuzz {installed['harfbuzz']} (installed: 99.0.0)"]
    rebuild = next(c for c in report.checks if c.name == "rebuild")
    assert rebuild.undecided and "cannot rebuild the file identically here" in rebuild.message
    assert "tamper" not in json.dumps(report.to_dict())


def test_the_cli_reports_a_different_environment_with_exit_status_3(archival, tmp_path):
    raw = archival["energy-bills"].read_bytes()
    recorded = env_module.parse(read_archive(archival["energy-bills"]).metadata["rk:environment"])
    wanted = f"fonttools={recorded['fonttools']};".encode()
    other = f"fonttools={'9' * len(recorded['fonttools'])};".encode()  # as if built with another fontTools
    (tmp_path / "other.pdf").write_bytes(raw.replace(wanted, other))
    proc = run_cli("verify", str(tmp_path / "other.pdf"))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stdout.startswith("CANNOT REBUILD (different environment)")
    assert f"needs fonttools {'9' * len(recorded['fonttools'])} (installed: {recorded['fonttools']})" in proc.stdout
    assert "FAIL" not in proc.stdout


def test_structural_only_is_labelled_and_does_not_rebuild(archival, genuine):
    proc = run_cli("verify", "--structural", "--json", str(archival["energy-bills"]))
    assert proc.returncode == 0, proc.stdout
    (entry,) = json.loads(proc.stdout)
    assert entry["verdict"] == "structural" and "rebuild" not in [c["name"] for c in entry["checks"]]
    proc = run_cli("verify", "--structural", str(archival["energy-bills"]))
    assert proc.stdout.startswith("PASS (structural checks only: not rebuilt)")
    # A change only the rebuild sees passes the structural checks: that is why the verdict says so.
    raw = genuine.read_bytes()
    start, end = object_span(raw, PdfReader(genuine).pages[0].raw_get("/Contents").idnum)
    genuine.write_bytes(flip(raw, (start + end) // 2))
    assert rk.verify(genuine, structural=True).verdict == "structural"
    assert rk.verify(genuine).verdict == "failed"
