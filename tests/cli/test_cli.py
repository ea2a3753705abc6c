"""The command line as a user runs it: a new process, exit statuses, messages without tracebacks."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pypdf import PdfReader

from conftest import SAMPLES, run_cli


def test_build_writes_pdf_and_epub_named_after_the_slug(tmp_path, samples):
    result = run_cli("build", str(samples / "energy-bills.md"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    pdf, epub = tmp_path / "out" / "energy-bills.pdf", tmp_path / "out" / "energy-bills.epub"
    assert f"wrote {pdf}" in result.stdout and f"wrote {epub}" in result.stdout
    assert PdfReader(pdf).pages and epub.stat().st_size > 1000


@pytest.mark.slow
def test_build_with_options_writes_only_the_formats_asked_for(tmp_path, samples):
    result = run_cli("build", str(samples / "energy-bills.md"), "-o", str(tmp_path), "--format", "pdf",
                     "--page-size", "Letter", "--layout", "report")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".reportkit-cache.json") == ["energy-bills.pdf"]
    assert round(float(PdfReader(tmp_path / "energy-bills.pdf").pages[0].mediabox[2])) == 612


def test_invalid_input_exits_2_with_file_line_and_field_and_no_traceback(tmp_path, samples):
    bad = tmp_path / "bad.md"
    bad.write_text((samples / "energy-bills.md").read_text().replace("rating: mostly-false", "rating: pants-on-fire"))
    result = run_cli("build", str(bad), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert f"{bad}:" in result.stderr and "verdict.rating" in result.stderr and "unknown rating" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "energy-bills.pdf").exists()


def test_one_bad_input_does_not_stop_the_others(tmp_path, samples):
    bad = tmp_path / "empty.md"
    bad.write_text("")
    result = run_cli("build", str(bad), str(samples / "energy-bills.md"), "-o", str(tmp_path / "out"), "-f", "epub")
    assert result.returncode == 2
    assert "empty" in result.stderr
    assert (tmp_path / "out" / "energy-bills.epub").exists()


def test_unknown_layout_and_format_are_user_errors(tmp_path, samples):
    result = run_cli("build", str(samples / "energy-bills.md"), "-o", str(tmp_path), "--layout", "fancy")
    assert result.returncode == 2 and "unknown layout 'fancy'" in result.stderr and "report" in result.stderr
    result = run_cli("build", str(samples / "energy-bills.md"), "-o", str(tmp_path), "--format", "docx")
    assert result.returncode == 2 and "docx" in result.stderr
    assert "Traceback" not in result.stderr


def test_warnings_are_printed_and_strict_makes_them_errors(tmp_path, samples):
    source = tmp_path / "check.md"
    text = (samples / "energy-bills.md").read_text()
    source.write_text(text.replace("sources:\n", "sources:\n  - {key: unused, title: Never cited}\n", 1))
    result = run_cli("build", str(source), "-o", str(tmp_path / "out"), "-f", "epub")
    assert result.returncode == 0
    assert "warning:" in result.stderr and "'unused' is never cited" in result.stderr
    result = run_cli("build", str(source), "-o", str(tmp_path / "strict"), "-f", "epub", "--strict")
    assert result.returncode == 2 and "--strict" in result.stderr
    assert not (tmp_path / "strict" / "energy-bills.epub").exists()


def test_a_folder_of_inputs_builds_every_fact_check_in_it(tmp_path, samples):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples / "energy-bills.md", folder)
    (folder / "notes.txt").write_text("not a fact-check")
    result = run_cli("build", str(folder), "-o", str(tmp_path / "out"), "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name != ".reportkit-cache.json"] == [
        "energy-bills.epub"
    ]


def test_help_reads_well():
    result = run_cli("--help")
    assert result.returncode == 0 and "build" in result.stdout and "Typeset fact-checks" in result.stdout
    result = run_cli("build", "--help")
    assert result.returncode == 0
    for option in ("--out", "--format", "--layout", "--page-size", "--strict"):
        assert option in result.stdout


@pytest.mark.slow
def test_the_publishing_script_sample_runs(tmp_path):
    import subprocess
    import sys

    script = SAMPLES / "publish.py"
    result = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list(tmp_path.glob("*.pdf"))) == 2 and len(list(tmp_path.glob("*.epub"))) == 1


_GC_PROBE = """
import atexit, gc, sys
exit_count = []
atexit.register(lambda: print("made later, frozen at exit:", gc.get_freeze_count() >= exit_count[0]))  # runs last
if sys.argv[1] == "command":
    from reportkit.cli import main
    main(["layouts"], standalone_mode=False)
print("imports frozen:", gc.get_freeze_count() > 0)
keep = [[] for _ in range(1000)]  # made after the command started
exit_count.append(gc.get_freeze_count() + 1000)
"""


@pytest.mark.parametrize(("how", "frozen"), [("command", True), ("no command", False)])
def test_a_command_leaves_its_imports_out_of_collections_and_skips_the_last_one(how, frozen):
    """A command freezes what exists as it starts, and what exists at exit; a process that runs no command does not."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", _GC_PROBE, how], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-2:] == [f"imports frozen: {frozen}", f"made later, frozen at exit: {frozen}"]


_THRESHOLD_PROBE = """
import gc, sys
if sys.argv[1] == "command":
    from reportkit.cli import main
    main(["layouts"], standalone_mode=False)
print("thresholds:", *gc.get_threshold())
"""


@pytest.mark.parametrize(("how", "middle"), [("command", 100), ("no command", 10)])
def test_a_command_collects_the_middle_generation_ten_times_less_often(how, middle):
    """The young and old thresholds stay Python's; a process that runs no command keeps all three."""
    import subprocess
    import sys

    from reportkit.cli import MIDDLE_GENERATION_EVERY

    result = subprocess.run([sys.executable, "-c", _THRESHOLD_PROBE, how], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert MIDDLE_GENERATION_EVERY == 100
    assert result.stdout.strip().splitlines()[-1] == f"thresholds: 700 {middle} 10"


#: Runs ``reportkit ARGS...`` through the console script's function (``run``, or ``main`` if HOW says so), with an
#: exit handler and an audit hook that says when Python's finalisation clears the interpreter; ``thread`` first
#: starts a thread that outlives the command.
_EXIT_PROBE = """
import atexit, os, sys, threading, time
def hook(event, args, write=os.write):  # late in the finalisation, print is gone
    if event == "cpython.PyInterpreterState_Clear":
        write(1, b"finalised\\n")
sys.addaudithook(hook)
atexit.register(lambda: print("exit handler ran", flush=True))
if sys.argv[1] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.5), print("thread done", flush=True))).start()
how = sys.argv[2]
sys.argv = ["reportkit", *sys.argv[3:]]
import reportkit.cli
getattr(reportkit.cli, how)()
"""


def _exit_probe(*args: str) -> subprocess.CompletedProcess[str]:
    import sys

    return subprocess.run([sys.executable, "-c", _EXIT_PROBE, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("args", "status"), [(("layouts",), 0), (("build", "no-such-file.md"), 2)])
def test_the_command_ends_with_its_status_after_the_exit_handlers_and_without_pythons_finalisation(args, status):
    result = _exit_probe("alone", "run", *args)
    assert result.returncode == status, result.stderr
    assert result.stdout.splitlines()[-1] == "exit handler ran"
    assert "finalised" not in result.stdout
    if status == 0:
        assert "report" in result.stdout  # what the command printed was flushed
    else:
        assert "no-such-file.md" in result.stderr


def test_the_probe_sees_pythons_finalisation_after_the_click_group_alone():
    # The negative of the test above: the click group (what tests call) ends as Python ends.
    result = _exit_probe("alone", "main", "layouts")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["exit handler ran", "finalised"]


def test_the_command_ends_as_python_does_while_another_thread_runs():
    # Python waits for the thread, runs the handlers and finalises.
    result = _exit_probe("thread", "run", "layouts")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-3:] == ["thread done", "exit handler ran", "finalised"]


#: A pydantic plugin installed for the test (a distribution with a ``pydantic`` entry point): it prints
#: ``plugin saw <model>`` for every model class whose validator is built while it is on.
_PLUGIN = '''
import sys

class Plugin:
    def new_schema_validator(self, schema, schema_type, schema_type_path, schema_kind, config, plugin_settings):
        print("plugin saw", schema_type_path.name, file=sys.stderr)
        return None, None, None

plugin = Plugin()
'''


def _with_pydantic_plugin(tmp_path, args: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` with a pydantic plugin installed on its path and ``environ`` added to the environment."""
    import os
    import sys

    site = tmp_path / "site"
    (site / "probe_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "probe_plugin-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: probe-plugin\nVersion: 1.0\n")
    (site / "probe_plugin-1.0.dist-info" / "entry_points.txt").write_text("[pydantic]\nprobe = probe_plugin:plugin\n")
    (site / "probe_plugin.py").write_text(_PLUGIN)
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, env={**env, **environ})


def test_the_command_builds_its_models_without_looking_for_pydantic_plugins(tmp_path):
    result = _with_pydantic_plugin(tmp_path, ["-m", "reportkit", "schema"], {})
    assert result.returncode == 0, result.stderr
    assert '"title"' in result.stdout  # the models were built: the schema lists the fields
    assert "plugin saw" not in result.stderr


@pytest.mark.parametrize(
    ("args", "environ"),
    [
        (["-m", "reportkit", "schema"], {"PYDANTIC_DISABLE_PLUGINS": ""}),  # the user's setting is kept
        (["-c", "import reportkit; reportkit.FactCheck"], {}),  # the library leaves the plugins on
    ],
)
def test_pydantic_plugins_run_in_the_library_and_when_the_user_sets_the_variable(tmp_path, args, environ):
    # The negative of the test above: the same plugin sees the models being built.
    result = _with_pydantic_plugin(tmp_path, args, environ)
    assert result.returncode == 0, result.stderr
    assert "plugin saw Document" in result.stderr
