"""PDFs are untrusted input for verify, extract and bundle: a clean message or success, never a traceback.

Real reportkit PDFs are mutated (byte flips, truncations, and structural changes made with
pikepdf: encryption, a link's /Rect that is not numbers, a Type0 font without descendants,
/Annots given as a dictionary, hostile ``/reportkit`` metadata) and every command is run on
them. ``bundle`` validates the metadata it reads with the input format's types; a language
that is not a language tag becomes English, with a warning, and is never used as a path.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import reportkit as rk
from reportkit.cli import main


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory, samples: Path) -> Path:
    """One archival report, built once: the PDF every mutation starts from."""
    out = tmp_path_factory.mktemp("original")
    return rk.load(samples / "russia-nato.md").to_pdf(out / "russia-nato.pdf", archival=True)


def _mutant(original: Path, folder: Path, name: str, change=None, **save: object) -> Path:
    target = folder / f"{name}.pdf"
    with pikepdf.open(original) as pdf:
        if change is not None:
            change(pdf)
        pdf.save(target, **save)
    return target


def _annotations(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            yield page, annotation


def _rect_not_numbers(pdf: pikepdf.Pdf) -> None:
    for _, annotation in _annotations(pdf):
        annotation.Rect = pikepdf.Array([pikepdf.String("x"), 1, 2, 3])


def _type0_without_descendants(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for font in page.obj.Resources.get("/Font", {}).values():
            if "/DescendantFonts" in font:
                del font["/DescendantFonts"]


def _annots_as_dictionary(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        if "/Annots" in page.obj:
            page.obj.Annots = pikepdf.Dictionary(Subtype=pikepdf.Name.Link)


def _metadata(values: dict) -> callable:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.docinfo["/reportkit"] = json.dumps(values)

    return change


STRUCTURAL = {
    "aes-user-password": (None, {"encryption": pikepdf.Encryption(owner="o", user="u", R=6)}),
    "aes-owner-password-only": (None, {"encryption": pikepdf.Encryption(owner="o", user="", R=6)}),
    "rect-not-numbers": (_rect_not_numbers, {}),
    "type0-without-descendants": (_type0_without_descendants, {}),
    "annots-as-dictionary": (_annots_as_dictionary, {}),
    "metadata-wrong-types": (_metadata({"title": 5, "rating": {"colour": "red", "order": "first"},
                                        "date": "yesterday", "authors": 5}), {}),
    "metadata-not-json": (lambda pdf: pdf.docinfo.__setitem__("/reportkit", "{" * 5000), {}),
}


def _random_mutants(original: Path, folder: Path, count: int) -> list[Path]:
    data = original.read_bytes()
    chooser = random.Random(14)
    mutants = []
    for index in range(count):
        mutated = bytearray(data)
        kind = index % 3
        if kind == 0:  # flip bytes
            for _ in range(chooser.randint(1, 40)):
                mutated[chooser.randrange(len(mutated))] = chooser.randrange(256)
        elif kind == 1:  # truncate
            mutated = mutated[: chooser.randrange(8, len(mutated))]
        else:  # overwrite a run with another part of the file
            start, source = chooser.randrange(len(mutated) - 200), chooser.randrange(len(mutated) - 200)
            mutated[start : start + 200] = data[source : source + 200]
        path = folder / f"random-{index}.pdf"
        path.write_bytes(bytes(mutated))
        mutants.append(path)
    return mutants


def _run(*args: str):
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"reportkit {' '.join(args)} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    return result


@pytest.mark.slow
def test_verify_and_extract_give_a_clean_message_or_succeed_on_mutated_pdfs(original, tmp_path):
    mutants = [_mutant(original, tmp_path, name, change, **save) for name, (change, save) in STRUCTURAL.items()]
    mutants += _random_mutants(original, tmp_path, 45)
    codes = {}
    for pdf in mutants:
        codes[pdf.stem] = _run("verify", str(pdf)).exit_code
        _run("verify", "--json", str(pdf))
        _run("extract", str(pdf))
        _run("extract", str(pdf), "-o", str(tmp_path / f"{pdf.stem}-out" / "check.json"))
    assert codes["aes-user-password"] == 2
    assert codes["rect-not-numbers"] == 1 and codes["type0-without-descendants"] == 1


def test_a_pdf_with_only_an_owner_password_is_verified(original, tmp_path):
    pdf = _mutant(original, tmp_path, "owner", None, encryption=pikepdf.Encryption(owner="o", user="", R=6))
    report = rk.verify(pdf)
    assert report.pages == len(PdfReader(original).pages)
    assert {c.name for c in report.checks if c.ok} >= {"pdfa", "fonts", "source", "source-hash"}


def test_each_odd_structure_fails_its_own_check_with_a_reason(original, tmp_path):
    # Structural checks only: a rebuild would fail each of these files too, for the same change.
    rect = rk.verify(_mutant(original, tmp_path, "rect", _rect_not_numbers), structural=True)
    assert [c.name for c in rect.failures] == ["links"] and "/Rect" in rect.failures[0].message
    fonts = rk.verify(_mutant(original, tmp_path, "type0", _type0_without_descendants), structural=True)
    assert [c.name for c in fonts.failures] == ["fonts"]
    annots = rk.verify(_mutant(original, tmp_path, "annots", _annots_as_dictionary), structural=True)
    assert annots.pages == len(PdfReader(original).pages)


@pytest.mark.slow
def test_bundle_gives_a_clean_message_or_a_digest_on_mutated_pdfs(original, tmp_path):
    mutants = [_mutant(original, tmp_path, name, change, **save) for name, (change, save) in STRUCTURAL.items()]
    mutants += _random_mutants(original, tmp_path, 6)
    outcomes = {}
    for pdf in mutants:
        result = _run("bundle", str(pdf), "-o", str(tmp_path / f"digest-{pdf.stem}.pdf"))
        outcomes[pdf.stem] = result.exit_code
    assert outcomes["aes-user-password"] == 2
    assert outcomes["metadata-wrong-types"] == 2 and outcomes["metadata-not-json"] == 2
    assert outcomes["aes-owner-password-only"] == 0 and outcomes["annots-as-dictionary"] == 0


def test_bundle_reports_the_wrong_metadata_field_as_an_input_error(original, tmp_path):
    pdf = _mutant(original, tmp_path, "colour", _metadata({"title": "T", "rating": {"key": "x", "colour": "red"}}))
    with pytest.raises(rk.InputError) as caught:
        rk.bundle([pdf], tmp_path / "digest.pdf")
    assert caught.value.field == "/reportkit.rating.colour" and caught.value.file == str(pdf)
    assert not (tmp_path / "digest.pdf").exists()


def test_a_language_in_metadata_is_never_used_as_a_path(original, tmp_path):
    catalogue = tmp_path / "evil.json"
    catalogue.write_text(json.dumps({"Fact check digest": "LEAKED FROM DISK"}), encoding="utf-8")
    import os

    from reportkit.render import i18n

    relative = os.path.relpath(catalogue.with_suffix(""), i18n._LOCALES)
    pdf = _mutant(original, tmp_path, "lang", _metadata({"title": "Report", "language": relative}))
    with pytest.warns(rk.ReportkitWarning, match="not a language tag"):
        digest = rk.bundle([pdf], tmp_path / "digest.pdf")
    cover = PdfReader(digest).pages[0].extract_text()
    assert "LEAKED" not in cover and "digest" in cover.lower()
    assert json.loads(str(PdfReader(digest).metadata["/reportkit"]))["language"] == "en"


def test_translator_never_reads_a_catalogue_outside_its_own(tmp_path):
    import warnings

    from reportkit.render.i18n import Translator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.ReportkitWarning)
        translator = Translator("../../../../../../etc/passwd")
    assert translator.catalogue == {}


def test_valid_metadata_still_gives_the_cover_its_language_and_ratings(original, tmp_path):
    digest = rk.bundle([original], tmp_path / "digest.pdf")
    meta = json.loads(str(PdfReader(digest).metadata["/reportkit"]))
    assert meta["language"] == "en" and meta["digest"][0]["rating"]


@pytest.mark.parametrize("command", ["verify", "extract", "bundle"])
def test_a_fifo_or_device_given_as_a_pdf_is_refused_without_blocking(tmp_path, command):
    import os

    os.mkfifo(tmp_path / "fifo.pdf")
    (tmp_path / "zero.pdf").symlink_to("/dev/zero")
    for name in ("fifo.pdf", "zero.pdf"):
        args = [command, str(tmp_path / name)] + (["-o", str(tmp_path / "digest.pdf")] if command == "bundle" else [])
        result = _run(*args)
        assert result.exit_code == 2 and "not a regular file" in result.output


def damaged_object_stream_pdf(count: int) -> bytes:
    """A PDF whose objects all sit in one object stream whose header points every one of them past its end."""
    header = b" ".join(b"%d %d" % (n, 10**6 + n) for n in range(1, count + 1)) + b" "
    body = b"<< /Type /Catalog >> " * 3
    stream = header + body
    out = bytearray(b"%PDF-1.7\n")
    stream_number, xref_number = count + 1, count + 2
    stream_at = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n" % (stream_number, count, len(header), len(stream))
    out += stream + b"\nendstream\nendobj\n"
    rows = [b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"]
    rows += [b"\x02" + stream_number.to_bytes(4, "big") + (i).to_bytes(2, "big") for i in range(count)]
    rows += [b"\x01" + stream_at.to_bytes(4, "big") + b"\x00\x00"]
    xref_at = len(out)
    rows += [b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"]
    data = b"".join(rows)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (xref_number, count + 3, len(data))
    out += data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def test_a_damaged_object_stream_is_refused_quickly_and_quietly(tmp_path, monkeypatch, caplog):
    # pypdf's lenient reading parses the stream's header again for every object missing from it, with a
    # warning per entry: 3,000 objects took minutes and millions of log lines (py-pdf/pypdf#3676 made intact
    # streams linear, not damaged ones). The strict reading names the damage at once; the lenient one is cut.
    import time

    from reportkit.tools import verify

    monkeypatch.setattr(verify, "LENIENT_READ_SECONDS", 0.5, raising=False)
    pdf = tmp_path / "damaged.pdf"
    pdf.write_bytes(damaged_object_stream_pdf(3000))
    started = time.perf_counter()
    for command in ("verify", "extract"):
        result = _run(command, str(pdf))
        assert result.exit_code == 2
        assert str(pdf) in result.output and "Invalid object number (1) or offset (1000001)" in result.output
        assert "skipping the entry" not in result.output
    assert time.perf_counter() - started < 15  # two commands, each cut at 0.5 s; before, 223 s for one
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
