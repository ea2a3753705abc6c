"""Signed archives: PAdES signatures with pyHanko, an RFC 3161 timestamp from a TSA on 127.0.0.1, validation data.

A throwaway CA signs the signer's and the TSA's certificates (tests/signutil.py); nothing
reaches the network.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

import reportkit as rk
from reportkit.tools.verify import revisions

from conftest import SAMPLES, require_module, run_cli
from validators import VeraPDF

#: Each verify rebuilds a PDF: heavy, like the other archival tests.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    require_module("pyhanko")
    from signutil import make_pki

    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tsa(pki):
    from signutil import time_stamping_authority

    with time_stamping_authority(pki) as url:
        yield url


@pytest.fixture(scope="module")
def signed(archival, pki, tsa, tmp_path_factory) -> Path:
    """An archival sample signed in place by the CLI, with a timestamp and validation data."""
    path = Path(shutil.copy(archival["russia-nato"], tmp_path_factory.mktemp("signed") / "russia-nato.pdf"))
    proc = run_cli("sign", str(path), "--key", str(pki.path("key.pem")), "--cert", str(pki.path("cert.pem")),
                   "--chain", str(pki.path("ca.pem")), "--tsa", tsa, "--ltv", "--trust", str(pki.path("ca.pem")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == f"signed {path} with a timestamp and validation data"
    return path


def test_signing_in_place_keeps_the_build_as_the_first_revision_and_leaves_no_temporary_file(signed, archival):
    original = archival["russia-nato"].read_bytes()
    data = signed.read_bytes()
    assert data.startswith(original) and len(data) > len(original)
    assert revisions(data)[0] == len(original)
    assert "/DSS" in PdfReader(signed).trailer["/Root"]  # --ltv: the validation data travels with the file
    assert [p.name for p in signed.parent.iterdir()] == [signed.name]


def test_a_signed_and_timestamped_archive_verifies_with_its_signer_and_time(signed, pki):
    proc = run_cli("verify", "--json", "--trust", str(pki.path("ca.pem")), str(signed))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (entry,) = json.loads(proc.stdout)
    assert entry["verdict"] == "verified"
    (signature,) = entry["signatures"]
    assert "Ann Archivist" in signature["signer"]
    assert signature["timestamped"] and signature["intact"] and signature["trusted"]
    when = dt.datetime.fromisoformat(signature["time"])
    assert abs(dt.datetime.now(dt.timezone.utc) - when) < dt.timedelta(minutes=30)
    assert signature["coverage"] == "the whole file but validation data added after it"  # --ltv's DSS
    text = run_cli("verify", "--trust", str(pki.path("ca.pem")), str(signed)).stdout
    assert text.startswith("PASS") and "signed by Common Name: Ann Archivist at " in text
    assert "(timestamped by a TSA)" in text and "; trusted" in text


def test_a_signed_archive_still_passes_verapdf_for_pdfa_3a_and_pdfua_1(signed):
    results = VeraPDF().validate([signed])[signed]
    profiles = {result.profile: result for result in results}
    assert any("PDF/A-3A" in name for name in profiles) and any("PDF/UA-1" in name for name in profiles)
    for name, result in profiles.items():
        assert result.compliant and result.failed_rules == 0, f"{name}: {result.failures}"


def test_one_byte_changed_after_signing_fails_verify(signed, pki, tmp_path):
    data = bytearray(signed.read_bytes())
    at = data.index(b"<dc:title>") + len(b"<dc:title>") + 40  # inside the build's XMP, which the signature covers
    data[at] ^= 0x20
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    report = rk.verify(changed, trust=pki.path("ca.pem"))
    failures = {c.name: c.message for c in report.failures}
    assert report.verdict == "failed"
    assert "does not match the bytes it signs" in failures["signature Signature1"]
    assert "rebuild" in failures


def test_an_update_appended_after_signing_fails_verify(signed, pki, tmp_path):
    writer = PdfWriter(signed, incremental=True)
    writer.add_blank_page()
    writer.write(tmp_path / "appended.pdf")
    report = rk.verify(tmp_path / "appended.pdf", trust=pki.path("ca.pem"))
    failures = {c.name: c.message for c in report.failures}
    assert "does not cover the whole file" in failures["revisions"]


def test_a_signer_the_trust_file_does_not_vouch_for_fails(signed, pki):
    report = rk.verify(signed, trust=pki.path("other-ca.pem"))
    assert report.verdict == "failed"
    assert [c.name for c in report.failures] == ["signature Signature1"]
    assert "is not trusted by other-ca.pem" in report.failures[0].message


def test_without_a_trust_file_the_report_says_trust_was_not_checked(signed):
    report = rk.verify(signed)
    assert report.verdict == "verified"
    assert report.signatures[0]["trusted"] is None
    assert "trust not checked (give --trust CA.pem)" in report.signatures[0]["summary"]


def test_a_pkcs12_key_signs_into_another_file_through_the_api(archival, pki, tmp_path):
    source = Path(shutil.copy(archival["energy-bills"], tmp_path / "energy-bills.pdf"))
    before = source.read_bytes()
    out = rk.sign(source, tmp_path / "signed.pdf", key=pki.path("signer.p12"))
    assert source.read_bytes() == before
    report = rk.verify(out, trust=pki.path("ca.pem"))
    assert report.verdict == "verified", [(c.name, c.message) for c in report.checks]
    assert "Ann Archivist" in report.signatures[0]["signer"] and not report.signatures[0]["timestamped"]
    assert "(the signer's clock; no timestamp)" in report.signatures[0]["summary"]


def test_a_pem_key_without_its_certificate_is_refused(archival, pki, tmp_path):
    source = Path(shutil.copy(archival["energy-bills"], tmp_path / "energy-bills.pdf"))
    proc = run_cli("sign", str(source), "--key", str(pki.path("key.pem")), "-o", str(tmp_path / "out.pdf"))
    assert proc.returncode == 2 and "a PEM key needs its certificate" in proc.stderr and "--cert" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out.pdf").exists()


def test_build_sign_signs_each_pdf_it_builds(pki, tmp_path):
    proc = run_cli("build", str(SAMPLES / "energy-bills.md"), "--archival", "-f", "pdf", "-o", str(tmp_path),
                   "--sign", str(pki.path("key.pem")), "--cert", str(pki.path("cert.pem")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"signed {tmp_path / 'energy-bills.pdf'}" in proc.stdout
    report = rk.verify(tmp_path / "energy-bills.pdf", trust=pki.path("ca.pem"))
    assert report.verdict == "verified" and report.signatures[0]["trusted"]
    assert len(PdfReader(tmp_path / "energy-bills.pdf").trailer["/Root"]["/AcroForm"]["/Fields"]) == 1


def test_a_change_made_before_signing_is_not_excused_by_the_signature(archival, pki, tmp_path):
    source = Path(shutil.copy(archival["energy-bills"], tmp_path / "energy-bills.pdf"))
    writer = PdfWriter(source, incremental=True)
    writer.add_blank_page()  # an update after the build...
    writer.write(tmp_path / "changed.pdf")
    rk.sign(tmp_path / "changed.pdf", key=pki.path("key.pem"), cert=pki.path("cert.pem"))  # ...then signed
    report = rk.verify(tmp_path / "changed.pdf", trust=pki.path("ca.pem"))
    failures = {c.name: c.message for c in report.failures}
    assert "1 update(s) between the build and the first signature are not a signature's" in failures["revisions"]
    assert report.signatures[0]["ok"]  # the signature itself is sound: it signed the changed file
