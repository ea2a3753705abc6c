"""Outputs as bytes and streams: without a target the writers return bytes, a binary file object is written to,
and a path is written atomically (as before)."""

from __future__ import annotations

import errno
import io
import zipfile
from pathlib import Path

import lxml.html
import pytest

import reportkit as rk
from reportkit.errors import OutputError, RenderError

from conftest import SAMPLES

SOURCE = SAMPLES / "energy-bills.md"


@pytest.fixture(scope="module")
def check() -> rk.FactCheck:
    return rk.load(SOURCE)


def test_without_a_target_each_output_comes_back_as_bytes(check: rk.FactCheck) -> None:
    from pypdf import PdfReader

    pdf = check.to_pdf()
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Doubled at the peak, not now" in text
    epub = check.to_epub()
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        assert archive.read("mimetype") == b"application/epub+zip"
    html = check.to_html()
    title = "Have household energy bills doubled since 2021?"
    assert lxml.html.fromstring(html).xpath("string(//h1)").strip().startswith(title)


@pytest.mark.parametrize("fmt", ["pdf", "epub", "html"])
def test_a_binary_file_object_receives_what_a_path_receives(check: rk.FactCheck, fmt: str, tmp_path: Path) -> None:
    write = getattr(check, f"to_{fmt}")
    buffer = io.BytesIO()
    assert write(buffer) is None
    path = write(tmp_path / f"out.{fmt}")
    assert path == tmp_path / f"out.{fmt}"
    assert buffer.getvalue() == path.read_bytes()
    with open(tmp_path / f"file.{fmt}", "wb") as handle:
        assert write(handle) is None
    assert (tmp_path / f"file.{fmt}").read_bytes() == path.read_bytes()


@pytest.mark.parametrize("target", ["text file", "StringIO", "a number"])
def test_a_target_that_cannot_take_bytes_is_refused_before_rendering(
    check: rk.FactCheck, target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_render(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("rendered although the target was refused")

    fresh = rk.load(SOURCE)
    monkeypatch.setattr(fresh, "render", no_render)
    handle = {"text file": lambda: open(tmp_path / "x.html", "w"), "StringIO": io.StringIO, "a number": lambda: 42}[target]()
    try:
        with pytest.raises(TypeError, match="binary mode|binary file object"):
            fresh.to_html(handle)
    finally:
        if hasattr(handle, "close"):
            handle.close()


def test_writing_to_a_path_stays_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "check.pdf"
    target.write_bytes(b"the previous good file")
    fresh = rk.load(SOURCE)

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RenderError("the renderer failed")

    monkeypatch.setattr(fresh, "render", broken)
    with pytest.raises(RenderError):
        fresh.to_pdf(target)
    assert target.read_bytes() == b"the previous good file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["check.pdf"]


def test_a_full_disk_behind_a_file_object_is_an_output_error(check: rk.FactCheck) -> None:
    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match="disk is full"):
        check.to_html(Full())
