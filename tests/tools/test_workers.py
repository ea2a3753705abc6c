"""How a batch's workers start: the fork server, started as soon as the command line is read, and what it imports."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES, require_module

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is Linux's")

#: Calls start_server(formats, layout, engine) from argv, then prints what it returned and the Python modules
#: each child process of this one was started to import (the fork server's preload; none for other children).
START = """
import os, sys, time
from reportkit.tools.workers import start_server
started = start_server(sys.argv[1].split(","), sys.argv[2], sys.argv[3] or None)
print(started)
time.sleep(0.2)
me = os.getpid()
for child in open(f"/proc/{me}/task/{me}/children").read().split():
    command = open(f"/proc/{child}/cmdline").read().split("\\0")
    print(command[command.index("-c") + 1] if "-c" in command else "")
"""


def _start(tmp_path: Path, formats: str, layout: str, engine: str, env: dict[str, str] | None = None
           ) -> tuple[bool, list[list[str]]]:
    """(whether start_server started the server, the preloads of this process's fork servers)."""
    proc = subprocess.run([sys.executable, "-c", START, formats, layout, engine], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    first, *children = proc.stdout.splitlines()
    preloads = []
    for code in children:
        if "multiprocessing.forkserver" in code:
            call = ast.parse(code.split(";", 1)[1].strip()).body[0].value  # main(fd, fd, [preload], **{...})
            preloads.append(ast.literal_eval(call.args[2]))
    return first == "True", preloads


def test_the_server_starts_with_the_typst_engine_preloaded_for_a_typst_batch(tmp_path: Path) -> None:
    require_module("typst")
    started, preloads = _start(tmp_path, "pdf", "report", "typst")
    assert started
    assert len(preloads) == 1
    assert {"reportkit.factcheck", "reportkit.writers.pdf.typst", "typst", "pikepdf"} <= set(preloads[0])


@pytest.mark.parametrize(("formats", "engine"), [("pdf", "weasyprint"), ("pdf", ""), ("epub", "typst")])
def test_the_server_of_other_batches_does_not_load_typst(tmp_path: Path, formats: str, engine: str) -> None:
    # The report layout's engine is WeasyPrint; an EPUB batch makes no PDF, whatever the engine.
    started, preloads = _start(tmp_path, formats, "report", engine)
    assert started
    assert len(preloads) == 1
    assert "reportkit.factcheck" in preloads[0]
    assert not {"typst", "reportkit.writers.pdf.typst"} & set(preloads[0])


def test_a_layout_whose_engine_is_typst_gets_the_typst_preload(tmp_path: Path) -> None:
    require_module("typst")
    layouts = tmp_path / "layouts"
    (layouts / "fast").mkdir(parents=True)
    (layouts / "fast" / "layout.toml").write_text(
        'name = "fast"\ndescription = "The report, set by Typst"\nextends = "report"\n\n[options]\nengine = "typst"\n'
    )
    started, preloads = _start(tmp_path, "pdf", "fast", "", {**os.environ, "REPORTKIT_LAYOUTS": str(layouts)})
    assert started
    assert "typst" in preloads[0]


def test_no_server_starts_where_its_socket_would_not_fit(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    started, preloads = _start(tmp_path, "epub", "report", "", {**os.environ, "TMPDIR": str(deep)})
    assert not started
    assert preloads == []


def test_the_fork_servers_socket_must_fit_a_unix_socket_address() -> None:
    from reportkit.tools.workers import forkserver_socket_fits

    assert forkserver_socket_fits("/tmp")
    assert forkserver_socket_fits("/" + "t" * 74)  # 75 + 32 = 107 bytes: the longest that fits
    assert not forkserver_socket_fits("/" + "t" * 75)


#: Runs the command with argv, recording the calls to start_server and the reading of the inputs, in order.
COMMAND = """
import sys
from reportkit.tools import build, workers
calls = []
start, expand = workers.start_server, build.expand_inputs
def recording_start(*args):
    calls.append(["server", *args])
    return start(*args)
def recording_expand(*args, **kwargs):
    calls.append(["inputs"])
    return expand(*args, **kwargs)
workers.start_server, build.expand_inputs = recording_start, recording_expand
from reportkit.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    print(calls, stop.code)
"""


def _command(tmp_path: Path, *args: str) -> str:
    """What COMMAND prints for ``reportkit build ARGS -o OUT``."""
    proc = subprocess.run([sys.executable, "-c", COMMAND, "build", *args, "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()[-1]


def _two_inputs(tmp_path: Path) -> list[str]:
    """Two fact-checks with slugs of their own."""
    text = (SAMPLES / "energy-bills.md").read_text(encoding="utf-8")
    paths = []
    for index in range(2):
        path = tmp_path / f"check-{index}.md"
        path.write_text(text.replace("slug: energy-bills\n", f"slug: check-{index}\n", 1), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_a_batch_command_starts_the_server_before_it_reads_its_inputs(tmp_path: Path) -> None:
    printed = _command(tmp_path, *_two_inputs(tmp_path), "-f", "epub", "-j", "2")
    assert printed == "[['server', ['epub'], 'report', None], ['inputs']] 0"
    assert sorted(p.name for p in (tmp_path / "out").glob("*.epub")) == ["check-0.epub", "check-1.epub"]


def test_a_folder_of_inputs_is_a_batch_too(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    _two_inputs(tmp_path / "in")
    printed = _command(tmp_path, str(tmp_path / "in"), "-f", "epub", "-j", "2")
    assert printed.startswith("[['server', ['epub'], 'report', None], ['inputs']]")


@pytest.mark.parametrize("case", ["one job", "one input"])
def test_a_command_with_no_workers_starts_no_server(tmp_path: Path, case: str) -> None:
    inputs = _two_inputs(tmp_path)
    args = [*inputs, "-f", "epub", "-j", "1"] if case == "one job" else [inputs[0], "-f", "epub", "-j", "2"]
    assert _command(tmp_path, *args) == "[['inputs']] 0"
