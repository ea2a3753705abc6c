"""Mistakes a person can act on, and failures that lose nothing."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportkit as rk
from reportkit.files import atomic_write

from conftest import run_cli


def small(base: Path | None = None, body: str = "Text [@a].") -> rk.FactCheck:
    return (rk.FactCheck("Is it small?", base_dir=base).section("One", body)
            .source("a", title="A source", url="https://example.org/a"))


# --- citations ----------------------------------------------------------------------------


@pytest.mark.parametrize("citation", ["[@a;;@b]", "[@a, ]", "[@]", "[@a b]", "[@a; see @b]", "[@unclosed"])
def test_malformed_citations_are_errors_with_the_part_and_a_hint(citation):
    check = small(body=f"Line one.\n\nThen {citation} here.")
    with pytest.raises(rk.CitationError) as info:
        check.resolve()
    message = str(info.value)
    assert ("malformed citation" in message or "not closed" in message) and "section 1" in message
    assert "write citations as [@key]" in message
    assert info.value.field == "sections[0].body"


def test_an_unknown_key_suggests_the_closest_known_keys():
    check = small(body="See [@b].").source("bb", title="B", url="https://example.org/b")
    with pytest.raises(rk.CitationError, match=r"(?s)unknown source key 'b' cited in section 1 \('One'\).*did you mean 'bb'"):
        check.resolve()


def test_a_source_never_cited_is_a_warning():
    check = small().source("unused", title="U")
    with pytest.warns(rk.ReportkitWarning, match="'unused' is never cited"):
        check.resolve()


def test_control_characters_are_refused_with_the_field():
    with pytest.raises(rk.InputError, match=r"sections\[0\]\.body: contains the control character U\+0007"):
        small(body="bell \x07 here").document


# --- layouts ------------------------------------------------------------------------------


def user_layout(tmp_path: Path, template: str) -> Path:
    folder = tmp_path / "mine"
    (folder / "print").mkdir(parents=True)
    (folder / "layout.toml").write_text('name = "mine"\nextends = "report"\ndescription = "test"\n')
    (folder / "print" / "byline.html").write_text(template)
    return folder


def test_a_template_syntax_error_names_the_template_file_and_line(tmp_path):
    folder = user_layout(tmp_path, "<p>\n{% if doc.authors %}\n<span>unclosed</span>\n")
    with pytest.raises(rk.LayoutError) as info:
        small().render("pdf", layout=str(folder))
    assert info.value.file.endswith("byline.html") and info.value.line is not None
    assert "syntax error" in str(info.value)


def test_an_undefined_variable_names_the_template_file_and_line(tmp_path):
    folder = user_layout(tmp_path, "<p>\nline two\n{{ no_such_variable }}\n</p>\n")
    with pytest.raises(rk.LayoutError) as info:
        small().render("pdf", layout=str(folder))
    assert info.value.file.endswith("byline.html") and info.value.line == 3
    assert "no_such_variable" in str(info.value)


def test_unknown_layouts_list_the_available_ones(tmp_path):
    with pytest.raises(rk.LayoutError, match="(?s)unknown layout 'nope'.*report"):
        small().render("epub", layout="nope")
    with pytest.raises(rk.LayoutError, match="does not exist"):
        small().render("epub", layout=str(tmp_path / "missing-folder"))


# --- outputs ------------------------------------------------------------------------------


def test_an_output_path_that_is_a_folder_is_refused_before_rendering(tmp_path):
    with pytest.raises(rk.OutputError, match="is a folder"):
        small().to_epub(tmp_path)


def test_an_unwritable_output_folder_is_an_output_error(tmp_path, monkeypatch):
    # Root can write anywhere, so the permission check itself is made to say no.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(rk.OutputError, match="is not writable"):
        small().to_epub(tmp_path / "x.epub")
    assert not (tmp_path / "x.epub").exists()


def test_an_unwritable_output_folder_exits_1_from_the_cli(tmp_path, samples):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("build", str(samples / "energy-bills.md"), "-o", str(blocker / "out"), "-f", "epub")
    assert result.returncode == 1 and "cannot create the output folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_full_disk_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.epub"
    target.write_bytes(b"previous good file")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(rk.OutputError, match="disk is full"):
        atomic_write(target, b"new contents")
    assert target.read_bytes() == b"previous good file"
    assert [p.name for p in tmp_path.iterdir()] == ["report.epub"]


def test_a_failed_build_never_replaces_a_good_file(tmp_path):
    good = small(tmp_path).to_epub(tmp_path / "out.epub")
    before = good.read_bytes()
    with pytest.raises(rk.CitationError):
        small(tmp_path, body="[@missing]").to_epub(good)
    assert good.read_bytes() == before


@pytest.mark.slow
def test_killing_a_build_midway_leaves_the_previous_output_intact(tmp_path, samples):
    target = tmp_path / "russia-nato.pdf"
    rk.load(samples / "russia-nato.md").to_pdf(target)
    before = target.read_bytes()
    big = tmp_path / "big.md"
    text = (samples / "russia-nato.md").read_text()
    header, body = text.split("\n---\n", 1)
    big.write_text(header + "\n---\n" + body + "\n".join(body.split("\n## ", 1)[1:]) * 12)
    for delay in (1.5, 3.0):
        proc = subprocess.Popen([sys.executable, "-c", (
            "import reportkit as rk, sys; rk.load(sys.argv[1]).to_pdf(sys.argv[2])"), str(big), str(target)])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert target.read_bytes() == before
        assert PdfReader(target).pages
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".russia-nato.pdf") and p.stat().st_size == 0]


# --- limits -------------------------------------------------------------------------------


def test_an_absurdly_large_file_fails_fast(tmp_path):
    huge = tmp_path / "huge.md"
    with open(huge, "wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(rk.LimitError, match="more than the limit of 8 MB"):
        rk.load(huge)
    assert time.monotonic() - started < 5
    result = run_cli("build", str(huge), "-o", str(tmp_path), "--max-input-mb", "1")
    assert result.returncode == 2 and "limit of 1 MB" in result.stderr


def test_ten_thousand_sources_fail_fast_unless_the_limit_is_raised():
    data = {"title": "Many sources?", "sections": [{"heading": "A", "body": "Text."}],
            "sources": [{"key": f"s{i}", "title": f"Source {i}"} for i in range(10_000)]}
    with pytest.raises(rk.LimitError, match="10,000 sources, more than the limit of 2,000"):
        rk.FactCheck.from_dict(data).resolve()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resolved = rk.FactCheck.from_dict(data, limits=rk.Limits(max_sources=10_000)).resolve()
    assert len(resolved.citations.uncited) == 10_000


# An alarm that lands in a garbage-collector callback is reported by Python as "ignored"; the next
# alarm, 50 ms later, stops the render. That report is expected here.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_render_over_its_time_limit_is_stopped_with_a_clear_error(tmp_path, samples):
    check = rk.load(samples / "russia-nato.md")
    with pytest.raises(rk.LimitError, match="rendering the pdf took longer than 0.05 s"):
        check.to_pdf(tmp_path / "slow.pdf", timeout=0.05)
    assert not (tmp_path / "slow.pdf").exists()
    assert check.to_epub(tmp_path / "fine.epub").exists()  # the limit applied to that render only
