"""Hostile input met by the build tools and the command line: strictness, batch folders, echoed text, layouts, caches.

- ``--strict``: a warning raised while rendering fails the input and nothing is written;
- a batch folder's symlink to a file outside the folder is refused unread, its content never echoed;
- control characters in file names and fields are escaped in everything printed;
- a ``layout.toml`` key of the wrong type is a clean error in ``build`` and ``layouts``;
- a cache manifest of the wrong shape is ignored entry by entry, never trusted;
- ``--timeout`` covers loading too.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import reportkit as rk
from conftest import run_cli
from reportkit.errors import LimitError, printable


def _md(folder: Path, name: str, front: str, body: str = "\n## One\n\nText.\n") -> Path:
    path = folder / name
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


# --- --strict ------------------------------------------------------------------------------------


def test_a_warning_raised_while_rendering_fails_strict_builds_and_nothing_is_written(tmp_path):
    source = _md(tmp_path, "check.md", "title: No translation\nlanguage: xx\n")  # the layouts' texts warn at render
    out = tmp_path / "out"
    result = run_cli("build", str(source), "-o", str(out), "-f", "html,epub", "--strict", timeout=300)
    assert result.returncode == 2, result.stderr
    assert "with --strict" in result.stderr and "no translation" in result.stderr
    assert not [p for p in out.iterdir() if not p.name.startswith(".")]


def test_the_same_build_without_strict_writes_both_outputs_with_the_warning(tmp_path):
    source = _md(tmp_path, "check.md", "title: No translation\nlanguage: xx\n")
    out = tmp_path / "out"
    result = run_cli("build", str(source), "-o", str(out), "-f", "html,epub", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr
    assert sorted(p.suffix for p in out.iterdir() if not p.name.startswith(".")) == [".epub", ".html"]


def test_strict_build_file_returns_no_outputs_when_rendering_warned(tmp_path):
    from reportkit.tools.build import build_file

    source = _md(tmp_path, "check.md", "title: No translation\nlanguage: xx\n")
    (tmp_path / "out").mkdir()
    result = build_file(source, tmp_path / "out", formats=("html",), strict=True)
    assert result.error is not None and result.error.exit_code == 2 and result.outputs == []
    assert list((tmp_path / "out").iterdir()) == []


# --- batch folders and symlinks -------------------------------------------------------------------


def test_a_symlink_in_a_batch_folder_to_a_file_outside_is_refused_without_echoing_it(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: HUNTER2-TOP-SECRET\n", encoding="utf-8")
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "leak.yaml").symlink_to(secret)
    _md(folder, "good.md", "title: A good one\n")
    result = run_cli("build", str(folder), "-o", str(tmp_path / "out"), "-f", "html", timeout=300)
    assert result.returncode == 2
    assert "leak.yaml" in result.stderr and "symbolic link" in result.stderr
    assert "HUNTER2" not in result.stdout + result.stderr and "password" not in result.stdout + result.stderr
    assert (tmp_path / "out" / "a-good-one.html").exists()


def test_a_symlink_inside_the_batch_folder_to_a_file_in_it_is_built(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    real = _md(folder, "real.md", "title: Linked inside\n")
    (folder / "alias.md").symlink_to(real)
    from reportkit.tools.build import expand_checked

    assert [(p.name, e) for p, e in expand_checked([folder])] == [("alias.md", None), ("real.md", None)]


# --- control characters in what is printed -------------------------------------------------------


def test_printable_escapes_terminal_controls_and_bidi_overrides():
    text = "a\x1b]0;owned\x07b\x9bc\u202ed\r\n"
    assert printable(text) == "a\\x1b]0;owned\\x07b\\x9bc\\u202ed\\x0d\\x0a"
    assert printable("line one\nline two", newlines=True) == "line one\nline two"
    assert printable("plain – text, ünïcode") == "plain – text, ünïcode"


def test_an_escape_sequence_in_a_file_name_is_printed_escaped_even_into_a_pipe(tmp_path):
    name = "bad\x1b]0;pwned\x07\x1b[31mname.md"
    _md(tmp_path, name, "title: [unclosed\n")
    result = run_cli("build", str(tmp_path / name), "-o", str(tmp_path / "out"), "-f", "html", timeout=300)
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "bad\\x1b]0;pwned\\x07\\x1b[31mname.md" in result.stderr


def test_an_escape_sequence_in_a_field_is_never_printed_raw(tmp_path):
    source = _md(tmp_path, "check.md", 'title: "\\e]0;pwned\\a title"\n')
    result = run_cli("build", str(source), "-o", str(tmp_path / "out"), "-f", "html", timeout=300)
    assert result.returncode == 2 and "U+001B" in result.stderr
    assert "\x1b" not in result.stderr + result.stdout


def test_error_messages_escape_their_parts():
    error = rk.InputError("unknown field 'x\x1b[2J'", file="f\x07.md", field="a\x1bb", hint="see\x9b")
    text = str(error)
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "f\\x07.md" in text and "\n  hint: " in text


def test_verify_json_output_is_valid_json_with_controls_escaped(tmp_path):
    from reportkit.errors import json_safe

    text = json.dumps({"message": "x\x9b\u202ey", "lines": ["a\nb"]}, ensure_ascii=False, indent=2)
    assert json.loads(json_safe(text)) == {"message": "x\x9b\u202ey", "lines": ["a\nb"]}
    assert "\x9b" not in json_safe(text) and "\u202e" not in json_safe(text)


# --- layout.toml keys of the wrong type -----------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    ['page_sizes = 5', 'options = "x"', 'fonts = [1, 2]', 'name = 5', 'description = []', 'extends = 3',
     'fallback_fonts = 3', 'font_weights = ["bold"]', 'page_sizes = [[]]'],
)
def test_a_layout_toml_key_of_the_wrong_type_is_a_clean_error_in_build_and_layouts(tmp_path, line):
    layout = tmp_path / "lay"
    layout.mkdir()
    extends = "" if line.startswith("extends") else 'extends = "report"\n'
    (layout / "layout.toml").write_text(f"{extends}{line}\n", encoding="utf-8")
    source = _md(tmp_path, "check.md", "title: Layout test\n")
    result = run_cli("build", str(source), "-o", str(tmp_path / "out"), "-f", "html", "--layout", str(layout),
                     timeout=300)
    key = line.split(" ")[0]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "layout.toml: " in result.stderr
    assert f"{key}:" in result.stderr or f"{key} must" in result.stderr
    listed = run_cli("layouts", "--dir", str(tmp_path), timeout=300)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr
    assert "layout.toml: " in listed.stderr and key in listed.stderr


def test_a_layout_toml_that_is_a_fifo_is_a_layout_error(tmp_path):
    import os

    from reportkit.errors import LayoutError
    from reportkit.render.layouts import find_layout

    layout = tmp_path / "lay"
    layout.mkdir()
    os.mkfifo(layout / "layout.toml")
    with pytest.raises(LayoutError, match="FIFO"):
        find_layout(str(layout))


# --- cache manifests of the wrong shape ------------------------------------------------------------


def _manifest_variants(entry: dict) -> list[object]:
    record = entry["formats"]["html"]
    return [
        [], None, "x", 5, {"formats": 5}, {"formats": {"html": 5}}, {"formats": {"html": {"output": 5}}},
        {"formats": {"html": {**record, "output": "../../etc/passwd"}}},
        {"formats": {"html": {**record, "sources": [1]}}},
        {"formats": {"html": {**record, "size": "big"}}},
        {"formats": {"html": {**record, "context": None}}},
        {**entry, "warnings": 5, "slug": {"x": 1}},
    ]


def test_a_cache_manifest_entry_of_the_wrong_shape_is_ignored_and_the_input_rebuilt(tmp_path):
    source = _md(tmp_path, "check.md", "title: Cached\n")
    out = tmp_path / "out"
    first = rk.build_many([source], out, formats=("html",))
    assert first.ok
    manifest = out / ".reportkit-cache.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    (key, entry), = data["inputs"].items()
    for variant in _manifest_variants(entry):
        data["inputs"][key] = variant
        manifest.write_text(json.dumps(data), encoding="utf-8")
        report = rk.build_many([source], out, formats=("html",))
        assert report.ok, (variant, report.results[0].error)
        assert [r.status for r in report.results] == ["built"], variant
    for broken in ("{", "[]", '{"schema": 1, "inputs": [1]}', "\x00" * 10):
        manifest.write_text(broken, encoding="utf-8")
        assert rk.build_many([source], out, formats=("html",)).ok


# --- --timeout covers loading ------------------------------------------------------------------------


def test_the_time_limit_covers_loading(tmp_path, monkeypatch):
    import reportkit.factcheck as factcheck
    from reportkit.tools.build import build_file

    real = factcheck.load

    def slow(*args, **kwargs):
        time.sleep(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(factcheck, "load", slow)
    source = _md(tmp_path, "check.md", "title: Slow to load\n")
    (tmp_path / "out").mkdir()
    started = time.monotonic()
    result = build_file(source, tmp_path / "out", formats=("html",), limits=rk.Limits(render_seconds=1))
    assert time.monotonic() - started < 10
    assert isinstance(result.error, LimitError) and "loading" in result.error.message


def test_warnings_no_command_caught_are_printed_escaped(capsys):
    from reportkit.cli import show_warning

    show_warning(rk.ReportkitWarning("bad \x1b]0;title\x07 value"), rk.ReportkitWarning, "x.py", 1)
    err = capsys.readouterr().err
    assert err.startswith("warning: bad \\x1b]0;title\\x07 value") and "\x1b]" not in err


def test_the_timeout_stops_slow_loading_in_worker_processes_too(tmp_path):
    body = "\n## One\n\n" + "[a " * 600_000 + "\n"  # within the text limit, and minutes of Markdown parsing
    for index in range(2):
        _md(tmp_path, f"slow-{index}.md", "title: Slow to parse\n", body)
    started = time.monotonic()
    result = run_cli("build", str(tmp_path / "slow-0.md"), str(tmp_path / "slow-1.md"), "-j", "2", "--timeout", "3",
                     "-o", str(tmp_path / "out"), "-f", "html", timeout=300)
    assert time.monotonic() - started < 120
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("loading and checking the fact-check took longer than 3 s") >= 2
