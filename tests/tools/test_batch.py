"""Batch builds: build_many, the content-hash cache, executors, progress, Ctrl-C, and no WeasyPrint for EPUB."""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import reportkit as rk
from reportkit.tools.batch import BatchReport
from reportkit.tools.build import BuildResult, build_file
from reportkit.tools.cache import MANIFEST

from conftest import ROOT, SAMPLES, require_module, require_tool, run_cli

#: Renders many documents or runs outside validators: not part of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

BROKEN = "---\ntitle: Broken on purpose\nverdict: {rating: nope}\n---\nText.\n\n## A section\nMore.\n"


def _batch(folder: Path, count: int = 3, *, broken: bool = False) -> Path:
    """A folder of ``count`` small distinct fact-checks (copies of energy-bills with their own slugs)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (SAMPLES / "energy-bills.md").read_text(encoding="utf-8")
    for index in range(count):
        (folder / f"check-{index}.md").write_text(
            text.replace("slug: energy-bills\n", f"slug: check-{index}\n", 1), encoding="utf-8"
        )
    if broken:
        (folder / "zz-broken.md").write_text(BROKEN, encoding="utf-8")
    return folder


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if not p.name.startswith(".")}


def _parts(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".part")]


# --- build_many in this process -------------------------------------------------------------


def test_build_many_builds_every_input_and_reports_in_input_order(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", 2, broken=True)
    report = rk.build_many([inputs], tmp_path / "out", formats=["epub"])
    assert [r.input.name for r in report.results] == ["check-0.md", "check-1.md", "zz-broken.md"]
    assert [r.status for r in report.results] == ["built", "built", "failed"]
    assert report.results[0].outputs == [tmp_path / "out" / "check-0.epub"]
    assert "unknown rating 'nope'" in str(report.failed[0].error)
    assert report.exit_code == 2 and not report.ok
    assert "2 built, 0 skipped as unchanged, 1 failed" in report.summary()


def test_unchanged_inputs_are_skipped_without_touching_their_outputs(tmp_path: Path) -> None:
    inputs, out = _batch(tmp_path / "in", 2), tmp_path / "out"
    rk.build_many([inputs], out, formats=["epub"])
    before = _mtimes(out)
    again = rk.build_many([inputs], out, formats=["epub"])
    assert [r.status for r in again.results] == ["skipped", "skipped"]
    assert again.results[0].outputs == again.results[0].unchanged == [out / "check-0.epub"]
    assert _mtimes(out) == before


def test_changing_an_input_rebuilds_only_that_input(tmp_path: Path) -> None:
    inputs, out = _batch(tmp_path / "in", 2), tmp_path / "out"
    rk.build_many([inputs], out, formats=["epub"])
    changed = inputs / "check-1.md"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Energy", "Power", 1), encoding="utf-8")
    report = rk.build_many([inputs], out, formats=["epub"])
    assert [r.status for r in report.results] == ["skipped", "built"]


def test_changing_an_image_the_input_shows_rebuilds_it(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("russia-nato.md", "claim.svg", "enlargement-timeline.svg"):
        shutil.copy2(SAMPLES / name, inputs / name)
    out = tmp_path / "out"
    first = rk.build_many([inputs / "russia-nato.md"], out, formats=["epub"])
    assert str((inputs / "claim.svg").resolve()) in first.results[0].sources
    assert rk.build_many([inputs / "russia-nato.md"], out, formats=["epub"]).results[0].status == "skipped"
    svg = inputs / "enlargement-timeline.svg"
    svg.write_text(svg.read_text(encoding="utf-8").replace("</svg>", "<!-- new --></svg>"), encoding="utf-8")
    assert rk.build_many([inputs / "russia-nato.md"], out, formats=["epub"]).results[0].status == "built"


def test_other_options_force_or_a_changed_layout_rebuild(tmp_path: Path) -> None:
    inputs, out = _batch(tmp_path / "in", 1), tmp_path / "out"
    layout = tmp_path / "mine"
    layout.mkdir()
    (layout / "layout.toml").write_text('name = "mine"\nextends = "report"\n', encoding="utf-8")
    (layout / "epub").mkdir()
    css = (ROOT / "layouts/report/epub/epub.css").read_text(encoding="utf-8")
    (layout / "epub" / "epub.css").write_text(css, encoding="utf-8")

    def status(**options: object) -> str:
        return rk.build_many([inputs], out, formats=["epub"], **options).results[0].status  # type: ignore[arg-type]

    assert status(layout=str(layout)) == "built"
    assert status(layout=str(layout)) == "skipped"
    assert status(layout=str(layout), strict=True) == "built"
    assert status(layout=str(layout), strict=True, force=True) == "built"
    (layout / "epub" / "epub.css").write_text(css + "\nh1 { color: #333; }\n", encoding="utf-8")
    assert status(layout=str(layout), strict=True) == "built"
    assert status(layout="report", strict=True) == "built"
    assert status(layout="report", strict=True, cache=False) == "built"


def test_a_deleted_or_edited_output_is_rebuilt(tmp_path: Path) -> None:
    inputs, out = _batch(tmp_path / "in", 2), tmp_path / "out"
    rk.build_many([inputs], out, formats=["epub"])
    (out / "check-0.epub").unlink()
    (out / "check-1.epub").write_bytes(b"not an epub")
    report = rk.build_many([inputs], out, formats=["epub"])
    assert [r.status for r in report.results] == ["built", "built"]
    assert zipfile.ZipFile(out / "check-1.epub").testzip() is None


def test_only_the_formats_that_are_out_of_date_are_rendered(tmp_path: Path) -> None:
    inputs, out = _batch(tmp_path / "in", 1), tmp_path / "out"
    rk.build_many([inputs], out, formats=["epub"])
    epub_written = (out / "check-0.epub").stat().st_mtime_ns
    result = rk.build_many([inputs], out, formats=["pdf", "epub"]).results[0]
    assert result.status == "built"
    assert result.written == [out / "check-0.pdf"] and result.unchanged == [out / "check-0.epub"]
    assert (out / "check-0.epub").stat().st_mtime_ns == epub_written
    assert (out / "check-0.pdf").read_bytes().startswith(b"%PDF")
    assert rk.build_many([inputs], out, formats=["pdf", "epub"]).results[0].status == "skipped"


def test_the_manifest_is_json_in_the_output_folder_and_a_damaged_one_is_ignored(tmp_path: Path) -> None:
    inputs, out = _batch(tmp_path / "in", 1), tmp_path / "out"
    rk.build_many([inputs], out, formats=["epub"])
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    entry = manifest["inputs"][str((inputs / "check-0.md").resolve())]
    assert entry["slug"] == "check-0" and entry["formats"]["epub"]["output"] == "check-0.epub"
    (out / MANIFEST).write_text("{ damaged", encoding="utf-8")
    assert rk.build_many([inputs], out, formats=["epub"]).results[0].status == "built"
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["schema"] == 1
    assert not _parts(out)


def test_warnings_are_reported_again_when_an_input_is_skipped(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", 1)
    text = (inputs / "check-0.md").read_text(encoding="utf-8")
    (inputs / "check-0.md").write_text(
        text.replace("sources:\n", "sources:\n  - {key: never-cited, title: Unused}\n", 1), encoding="utf-8"
    )
    first = rk.build_many([inputs], tmp_path / "out", formats=["epub"]).results[0]
    again = rk.build_many([inputs], tmp_path / "out", formats=["epub"]).results[0]
    assert again.status == "skipped"
    assert any("never-cited" in w for w in first.warnings) and again.warnings == first.warnings


def test_a_failed_input_is_not_cached_and_is_tried_again(tmp_path: Path) -> None:
    inputs, out = _batch(tmp_path / "in", 0, broken=True), tmp_path / "out"
    assert rk.build_many([inputs], out, formats=["epub"]).results[0].status == "failed"
    assert rk.build_many([inputs], out, formats=["epub"]).results[0].status == "failed"


def test_two_inputs_with_one_slug_are_both_reported(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", 1)
    shutil.copy2(inputs / "check-0.md", inputs / "copy.md")
    report = rk.build_many([inputs], tmp_path / "out", formats=["epub"])
    assert [r.status for r in report.results] == ["failed", "failed"]
    assert all("written by several inputs" in str(r.error) for r in report.results)
    assert rk.build_many([inputs], tmp_path / "out", formats=["epub"]).results[0].status == "failed"


def test_results_cross_process_boundaries(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", 0, broken=True)
    result = build_file(inputs / "zz-broken.md", tmp_path / "out", formats=["epub"])
    copy = pickle.loads(pickle.dumps(result))
    assert isinstance(copy, BuildResult) and copy.status == "failed"
    assert str(copy.error) == str(result.error) and copy.error.line == result.error.line


def test_collect_returns_bytes_that_this_process_writes(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", 1)
    direct = build_file(inputs / "check-0.md", tmp_path / "direct", formats=["epub"], collect=True)
    assert direct.payload and not (tmp_path / "direct").exists()
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = rk.build_many([inputs], tmp_path / "out", formats=["epub"], executor=pool, collect=True)
    assert report.results[0].payload == {}
    assert (tmp_path / "out" / "check-0.epub").read_bytes() == next(iter(direct.payload.values()))


def test_any_executor_can_run_the_batch(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", 3, broken=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = rk.build_many([inputs], tmp_path / "out", formats=["epub"], executor=pool)
    assert [r.status for r in report.results] == ["built", "built", "built", "failed"]
    assert sorted(p.name for p in (tmp_path / "out").glob("*.epub")) == [f"check-{i}.epub" for i in range(3)]


def test_an_unusable_layout_fails_every_input_with_its_message(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", 2)
    report = rk.build_many([inputs], tmp_path / "out", formats=["epub"], layout="no-such-layout")
    assert [r.status for r in report.results] == ["failed", "failed"]
    assert "unknown layout 'no-such-layout'" in str(report.results[0].error)


# --- progress ---------------------------------------------------------------------------------


def _report(tmp_path: Path, progress: object) -> BatchReport:
    inputs = _batch(tmp_path / "in", 2, broken=True)
    return rk.build_many([inputs], tmp_path / "out", formats=["epub"], progress=progress)  # type: ignore[arg-type]


def test_plain_progress_prints_a_line_per_input_and_a_summary(tmp_path: Path) -> None:
    from reportkit.cli.progress import LineProgress

    out, err = io.StringIO(), io.StringIO()
    _report(tmp_path, LineProgress(out=out, err=err))
    assert out.getvalue().splitlines() == [f"wrote {tmp_path / 'out' / 'check-0.epub'}",
                                           f"wrote {tmp_path / 'out' / 'check-1.epub'}"]
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("[1/3, ") and "built " in lines[0] and "ETA" in lines[0]
    assert any(line.startswith("[3/3") and "FAILED" in line for line in lines)
    assert "2 built, 0 skipped as unchanged, 1 failed" in err.getvalue()
    assert "  failed: " in err.getvalue() and "unknown rating 'nope'" in err.getvalue()


def test_the_progress_bar_shows_counts_rate_and_eta_on_a_terminal(tmp_path: Path) -> None:
    from rich.console import Console

    from reportkit.cli.progress import RichProgress

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160, color_system=None)
    _report(tmp_path, RichProgress(console, out=io.StringIO()))
    text = screen.getvalue()
    assert "3/3" in text and "ETA" in text and "/s" in text
    assert "2 built · 0 unchanged · 1 failed" in text
    assert "error: " in text and "2 built, 0 skipped as unchanged, 1 failed" in text


# --- the command line -----------------------------------------------------------------------


def test_cli_builds_a_folder_with_two_workers_then_skips_it(tmp_path: Path) -> None:
    inputs, out = _batch(tmp_path / "in", 2, broken=True), tmp_path / "out"
    first = run_cli("build", str(inputs), "-o", str(out), "-j", "2", "-f", "pdf,epub")
    assert first.returncode == 2, first.stderr
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "check-0.epub", "check-0.pdf", "check-1.epub",
                                                     "check-1.pdf"]
    assert "2 built, 0 skipped as unchanged, 1 failed" in first.stderr
    assert "Traceback" not in first.stderr
    again = run_cli("build", str(inputs / "check-0.md"), str(inputs / "check-1.md"), "-o", str(out), "-j", "2")
    assert again.returncode == 0, again.stderr
    assert "0 built, 2 skipped as unchanged, 0 failed" in again.stderr
    assert f"unchanged {out / 'check-0.pdf'}" in again.stdout
    forced = run_cli("build", str(inputs / "check-0.md"), "-o", str(out), "-f", "epub", "--force")
    assert forced.returncode == 0 and forced.stdout.strip() == f"wrote {out / 'check-0.epub'}"


def test_cli_collect_needs_dask(tmp_path: Path) -> None:
    result = run_cli("build", str(SAMPLES / "energy-bills.md"), "-o", str(tmp_path), "--collect")
    assert result.returncode == 2 and "--collect only applies to --dask" in result.stderr


_NO_WEASYPRINT = """
import sys
import reportkit as rk
from reportkit.cli import main
report = rk.build_many([sys.argv[1]], sys.argv[2], formats=["epub"], force=True)
assert report.ok, report.summary()
try:
    main(["build", sys.argv[1], "-o", sys.argv[2], "-f", "epub", "--force"])
except SystemExit as exit:
    assert not exit.code, exit.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("weasyprint", "pydyf", "cffi", "tinycss2", "fontpkg"))
print(loaded)
"""


def test_an_epub_only_build_never_imports_weasyprint_nor_looks_fonts_up(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", _NO_WEASYPRINT, str(SAMPLES / "russia-nato.md"), str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
    assert (tmp_path / "russia-nato.epub").is_file()


# --- Ctrl-C -------------------------------------------------------------------------------------


def _interrupt(tmp_path: Path, jobs: str, *, group: bool) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """Start a batch build, interrupt it once the first document is written, and wait for it."""
    inputs, out = _batch(tmp_path / "in", 8), tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportkit", "build", str(inputs), "-o", str(out), "-j", jobs, "-f", "epub,pdf"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # blocks until the first output is written
    assert first.startswith("wrote "), first
    if group:  # a terminal's Ctrl-C reaches every process of the group
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, first + stdout, stderr), inputs, out


def _complete(path: Path) -> bool:
    if path.suffix == ".pdf":
        return path.read_bytes().rstrip().endswith(b"%%EOF")
    with zipfile.ZipFile(path) as archive:
        return archive.testzip() is None


@pytest.mark.parametrize(("jobs", "group"), [("1", False), ("2", True), ("2", False)],
                         ids=["in-process", "workers-ctrl-c", "workers-parent-signal"])
def test_ctrl_c_stops_cleanly_keeping_finished_files_and_leaving_no_partial_ones(
    tmp_path: Path, jobs: str, group: bool
) -> None:
    result, inputs, out = _interrupt(tmp_path, jobs, group=group)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert "interrupted" in result.stderr
    assert not _parts(out)
    written = [Path(line.split(" ", 1)[1]) for line in result.stdout.splitlines() if line.startswith("wrote ")]
    outputs = [p for p in out.iterdir() if p.suffix in (".pdf", ".epub")]
    assert written and set(written) <= set(outputs)
    assert all(_complete(p) for p in outputs)
    assert len(outputs) < 16
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    remembered = {Path(e["formats"][f]["output"]).name for e in manifest["inputs"].values() for f in e["formats"]}
    assert {p.name for p in written} <= remembered
    summary = next(line for line in result.stderr.splitlines() if "skipped as unchanged" in line)
    assert int(summary.split()[0]) == sum(len(e["formats"]) == 2 for e in manifest["inputs"].values())


def test_a_worker_process_that_dies_costs_no_document(tmp_path: Path) -> None:
    import multiprocessing

    killed: list[int] = []

    class KillAWorker:
        """Kills one worker process (as the kernel's OOM killer would) when the first document is done."""

        def start(self, total: int) -> None:
            pass

        def update(self, result: BuildResult) -> None:
            workers = [p for p in multiprocessing.active_children()
                       if p.name.startswith(("ForkServerProcess", "SpawnProcess"))]
            if not killed and workers:
                os.kill(workers[0].pid, signal.SIGKILL)
                killed.append(workers[0].pid)

        def finish(self, report: BatchReport) -> None:
            pass

    inputs = _batch(tmp_path / "in", 4)
    report = rk.build_many([inputs], tmp_path / "out", formats=["pdf"], jobs=2, progress=KillAWorker())
    assert killed
    assert [r.status for r in report.results] == ["built"] * 4
    assert all(_complete(tmp_path / "out" / f"check-{i}.pdf") for i in range(4)) and not _parts(tmp_path / "out")


# --- Dask ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():  # type: ignore[no-untyped-def]
    distributed = require_module("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        yield client


def test_a_dask_cluster_builds_every_output_exactly_once_and_reports_failures(
    tmp_path: Path, dask_client: object
) -> None:
    from distributed import get_task_stream

    inputs, out = _batch(tmp_path / "in", 4, broken=True), tmp_path / "out"
    executor = dask_client.get_executor(pure=False)  # type: ignore[attr-defined]
    with get_task_stream(dask_client) as stream:  # type: ignore[arg-type]
        report = rk.build_many([inputs], out, formats=["epub", "pdf"], executor=executor)
    assert [r.status for r in report.results] == ["built"] * 4 + ["failed"]
    assert "unknown rating 'nope'" in str(report.failed[0].error)
    tasks = [t for t in stream.data if t["key"].startswith("_run-")]
    assert len(tasks) == 5 and len({t["key"] for t in tasks}) == 5
    assert len({t["worker"] for t in tasks}) == 2  # both workers took part
    written = [o for r in report.results for o in r.written]
    assert len(written) == len(set(written)) == 8
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(p.name for p in written)
    assert all(_complete(p) for p in written) and not _parts(out)
    again = rk.build_many([inputs], out, formats=["epub", "pdf"], executor=executor)
    assert [r.status for r in again.results] == ["skipped"] * 4 + ["failed"]


def test_dask_workers_can_send_the_files_back_to_the_client(tmp_path: Path, dask_client: object) -> None:
    inputs, out = _batch(tmp_path / "in", 2), tmp_path / "out"
    executor = dask_client.get_executor(pure=False)  # type: ignore[attr-defined]
    report = rk.build_many([inputs], out, formats=["epub"], executor=executor, collect=True)
    assert report.ok and sorted(p.name for p in out.glob("*.epub")) == ["check-0.epub", "check-1.epub"]


def test_cli_dask_reports_an_unreachable_scheduler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_module("distributed")
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "2s")
    result = run_cli("build", str(SAMPLES / "energy-bills.md"), "-o", str(tmp_path), "--dask", "tcp://127.0.0.1:9")
    assert result.returncode == 1 and "cannot reach the Dask scheduler" in result.stderr
    assert "Traceback" not in result.stderr


# --- what the layouts cost ------------------------------------------------------------------------


def test_back_reference_page_numbers_are_an_option_of_the_report_layout(
    tmp_path: Path, built: dict[str, dict[str, Path]]
) -> None:
    def text(pdf: Path) -> str:
        return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    require_tool("pdftotext")
    default = text(built["energy-bills"]["pdf"])
    assert re.search(r"Cited in .*\(p.\s\d\)", default)
    without = text(rk.load(SAMPLES / "energy-bills.md").to_pdf(tmp_path / "lean.pdf", backref_pages=False))
    assert "Cited in" in without and "(p." not in without


_TEMPLATE_RUN = """
import sys
from reportkit.cli import main

main(["build", sys.argv[1], "-o", sys.argv[2], "-f", "epub", "--layout", sys.argv[3], "--force"])
"""


def test_compiled_templates_are_cached_between_runs_and_never_stale(tmp_path: Path) -> None:
    layout = tmp_path / "marked"
    (layout / "epub").mkdir(parents=True)
    (layout / "layout.toml").write_text('name = "marked"\nextends = "report"\n', encoding="utf-8")
    title = (ROOT / "layouts/report/epub/title.xhtml").read_text(encoding="utf-8")
    env = {**os.environ, "REPORTKIT_CACHE_DIR": str(tmp_path / "cache")}

    def build(marker: str) -> str:
        marked = title.replace("{% block body %}", f"{{% block body %}}<p>{marker}</p>", 1)
        (layout / "epub" / "title.xhtml").write_text(marked, encoding="utf-8")
        subprocess.run([sys.executable, "-c", _TEMPLATE_RUN, str(SAMPLES / "energy-bills.md"), str(tmp_path / "out"),
                        str(layout)], env=env, check=True, capture_output=True, timeout=120)
        with zipfile.ZipFile(tmp_path / "out" / "energy-bills.epub") as epub:
            return epub.read("EPUB/title.xhtml").decode()

    assert "first-marker" in build("first-marker")
    assert list((tmp_path / "cache").rglob("*.cache"))
    assert "second-marker" in build("second-marker")


def test_a_sources_file_and_a_file_an_option_names_are_part_of_the_cache_key(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", 1)
    text = (inputs / "check-0.md").read_text(encoding="utf-8")
    check = rk.load(inputs / "check-0.md")
    csl = [{"id": s.key, "type": "webpage", "title": s.title, **({"URL": s.url} if s.url else {})}
           for s in check.document.sources]
    (inputs / "refs.json").write_text(json.dumps(csl), encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    front = head.split("sources:\n")[0] + "sources: refs.json\n"
    (inputs / "check-0.md").write_text(front + "---\n" + body, encoding="utf-8")
    out = tmp_path / "out"
    first = rk.build_many([inputs], out, formats=["epub"]).results[0]
    assert first.status == "built", first.error
    assert str((inputs / "refs.json").resolve()) in first.sources
    assert rk.build_many([inputs], out, formats=["epub"]).results[0].status == "skipped"
    csl[0]["title"] = "A retitled source"
    (inputs / "refs.json").write_text(json.dumps(csl), encoding="utf-8")
    assert rk.build_many([inputs], out, formats=["epub"]).results[0].status == "built"

    style = tmp_path / "option.txt"
    style.write_text("one", encoding="utf-8")
    from reportkit.tools.cache import context_key

    before = context_key("report", {"note_file": str(style)})
    style.write_text("two", encoding="utf-8")
    assert context_key("report", {"note_file": str(style)}) != before


@pytest.mark.parametrize("library", ["typst", "pikepdf", "citeproc-py", "icu4py", "weasyprint"])
def test_a_new_version_of_a_library_that_writes_the_bytes_changes_the_context_key(library: str, monkeypatch) -> None:
    """The Typst engine, its finishing, CSL styles and ICU word breaks decide bytes as WeasyPrint does."""
    from reportkit.tools import cache
    from reportkit.writers.pdf import environment

    before = cache.context_key("report", {})
    real = environment.installed_version
    monkeypatch.setattr(environment, "installed_version", lambda name: "999.0" if name == library else real(name))
    assert cache.context_key("report", {}) != before


def test_a_font_change_makes_the_pdf_stale_but_not_the_epub(tmp_path: Path, monkeypatch) -> None:
    import reportkit.render.fonts as fonts

    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    shutil.copy(SAMPLES / "energy-bills.md", inputs)
    assert rk.build_many([inputs], out, formats=["pdf", "epub"]).results[0].status == "built"
    real = fonts.font_files
    other = tmp_path / "Other.ttf"
    other.write_bytes(b"a font file that changed")
    monkeypatch.setattr(fonts, "font_files", lambda *a, **k: [*real(*a, **k), other])
    result = rk.build_many([inputs], out, formats=["pdf", "epub"]).results[0]
    assert [p.suffix for p in result.written] == [".pdf"]
    assert [p.suffix for p in result.unchanged] == [".epub"]


def test_recycle_after_sets_how_many_documents_a_worker_builds_before_it_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent import futures

    from reportkit.tools import batch

    limits: list[int | None] = []

    class Recording(futures.ProcessPoolExecutor):
        def __init__(self, *args: object, **kwargs: object) -> None:
            limits.append(kwargs.get("max_tasks_per_child"))  # type: ignore[arg-type]
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch.futures, "ProcessPoolExecutor", Recording)
    inputs = _batch(tmp_path / "in", 3)
    report = rk.build_many([inputs], tmp_path / "out", formats=["epub"], jobs=2, recycle_after=1, cache=False)
    assert [r.status for r in report.results] == ["built"] * 3  # every worker replaced after one document
    assert limits == [1]
    rk.build_many([inputs], tmp_path / "never", formats=["epub"], jobs=2, recycle_after=0, cache=False)
    assert limits == [1, None]  # 0: never replaced
    rk.build_many([inputs], tmp_path / "default", formats=["epub"], jobs=2, cache=False)
    assert limits == [1, None, batch.TASKS_PER_WORKER]


def test_cli_recycle_after_must_not_be_negative(tmp_path: Path) -> None:
    inputs = _batch(tmp_path / "in", 1)
    done = run_cli("build", str(inputs), "-o", str(tmp_path / "out"), "--recycle-after", "-1")
    assert done.returncode == 2 and "--recycle-after" in done.stderr


# --- worker processes -----------------------------------------------------------------------------

_TWO_BATCHES = """
import os, sys
import reportkit as rk
inputs, out, layouts = sys.argv[1:4]
first = rk.build_many([inputs], out + "/first", formats=["epub"], jobs=2, cache=False)  # the workers' server starts
os.environ["REPORTKIT_LAYOUTS"] = layouts  # set after it started: the next batch's workers must see it
second = rk.build_many([inputs], out + "/second", formats=["epub"], jobs=2, cache=False, layout="mine")
print([r.status for r in first.results], [r.status for r in second.results], [str(r.error) for r in second.failed])
"""


def test_workers_have_the_environment_of_the_batch_not_of_an_earlier_one(tmp_path: Path) -> None:
    inputs, layouts = _batch(tmp_path / "in", 2), tmp_path / "layouts"
    (layouts / "mine").mkdir(parents=True)
    (layouts / "mine" / "layout.toml").write_text('name = "mine"\ndescription = "A test layout"\nextends = "report"\n')
    env = {k: v for k, v in os.environ.items() if k != "REPORTKIT_LAYOUTS"}
    result = subprocess.run([sys.executable, "-c", _TWO_BATCHES, str(inputs), str(tmp_path / "out"), str(layouts)],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "['built', 'built'] ['built', 'built'] []"


_TYPST_BATCH = """
import sys
import reportkit as rk
report = rk.build_many([sys.argv[1]], sys.argv[2], formats=["pdf"], jobs=2, engine="typst", cache=False)
print([r.status for r in report.results])
"""


def test_typst_workers_remove_their_compile_folders_when_they_end(tmp_path: Path) -> None:
    require_module("typst")
    inputs, scratch = _batch(tmp_path / "in", 3), tmp_path / "tmp"
    scratch.mkdir()
    result = subprocess.run([sys.executable, "-c", _TYPST_BATCH, str(inputs), str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "['built', 'built', 'built']"
    assert all(_complete(tmp_path / "out" / f"check-{i}.pdf") for i in range(3))
    assert not [p.name for p in scratch.iterdir() if p.name.startswith("reportkit-typst-")]


#: Warms this process as a batch's worker is warmed (formats, layout, engine from argv), then prints its
#: RAYON_NUM_THREADS: the number of threads Typst lays documents out on.
_WARM = """
import os, sys
from reportkit.tools import batch
class Pids:
    def put(self, pid):
        pass
environ = {k: v for k, v in os.environ.items() if k != "RAYON_NUM_THREADS"} | dict(a.split("=") for a in sys.argv[3:])
batch._warm((sys.argv[1],), "report", Pids(), sys.argv[2] or None, environ)
print(os.environ.get("RAYON_NUM_THREADS"))
"""


@pytest.mark.parametrize(("formats", "engine", "chosen", "threads"), [
    ("pdf", "typst", "", "1"),  # a document per core already: each worker compiles on one thread
    ("pdf", "typst", "RAYON_NUM_THREADS=3", "3"),  # unless the user chose
    ("epub", "typst", "", "None"),  # no Typst in an EPUB worker
])
def test_typst_workers_compile_on_one_thread_unless_the_user_chose(formats, engine, chosen, threads) -> None:
    require_module("typst")
    result = subprocess.run([sys.executable, "-c", _WARM, formats, engine, *filter(None, [chosen])],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [threads]


def test_a_deep_temporary_folder_gets_spawned_workers_not_a_socket_error(tmp_path: Path) -> None:
    inputs, deep = _batch(tmp_path / "in", 3), tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    result = subprocess.run([sys.executable, "-m", "reportkit", "build", str(inputs), "-f", "epub", "-j", "2",
                             "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": str(deep)})
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.epub")) == [f"check-{i}.epub" for i in range(3)]


#: Runs batches in a fresh process (argv: inputs, output folder, format, batches, "early" or not) and
#: prints, for each, the statuses and the indexes of the documents this process built itself (the
#: workers get the real function: it is pickled by name).
_PARENT = """
import functools, json, sys
import reportkit as rk
from reportkit.tools import batch, workers
inputs, out, fmt, batches, early, engine = sys.argv[1:7]
built = []
real = batch._run
@functools.wraps(real)
def recording(job):
    built.append(job.index)
    return real(job)
batch._run = recording
if early == "early":
    workers.start_server([fmt], "report", engine)  # as the command does, before its own imports
for n in range(int(batches)):
    report = rk.build_many([inputs], f"{out}/{n}", formats=[fmt], jobs=2, cache=False, engine=engine)
    print(json.dumps([[r.status for r in report.results], sorted(built)]))
    built.clear()
"""


def _parent_builds(tmp_path: Path, fmt: str, count: int, *, batches: int = 1, early: bool = False,
                   engine: str = "weasyprint") -> list[list[list]]:
    """For each batch of ``count`` inputs: [the statuses, the documents the batch's own process built]."""
    result = subprocess.run([sys.executable, "-c", _PARENT, str(_batch(tmp_path / "in", count)), str(tmp_path / "out"),
                             fmt, str(batches), "early" if early else "-", engine],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()[-batches:]]


def test_the_parent_builds_epubs_while_a_new_server_starts_its_workers(tmp_path: Path) -> None:
    [(statuses, built)] = _parent_builds(tmp_path, "epub", 8)
    assert statuses == ["built"] * 8
    assert built and all(i >= 4 for i in built)  # the first four wait for the workers; the parent takes the next


def test_the_parent_builds_typst_pdfs_while_a_new_server_starts_its_workers(tmp_path: Path) -> None:
    require_module("typst")
    [(statuses, built)] = _parent_builds(tmp_path, "pdf", 8, engine="typst")
    assert statuses == ["built"] * 8
    assert built and all(i >= 4 for i in built)


def test_the_parent_leaves_weasyprint_pdfs_to_the_workers(tmp_path: Path) -> None:
    [(statuses, built)] = _parent_builds(tmp_path, "pdf", 5)
    assert statuses == ["built"] * 5
    assert built == []


def test_the_parent_leaves_the_documents_to_workers_of_a_server_started_before_the_batch(tmp_path: Path) -> None:
    # As the command starts it: the workers start soon after the batch asks, and the parent's first
    # document (its engine's imports and fonts included) would only take a core from them.
    [(statuses, built)] = _parent_builds(tmp_path, "epub", 8, early=True)
    assert statuses == ["built"] * 8
    assert built == []


def test_a_second_batch_of_a_process_leaves_its_documents_to_the_workers(tmp_path: Path) -> None:
    first, second = _parent_builds(tmp_path, "epub", 8, batches=2)
    assert first[0] == second[0] == ["built"] * 8
    assert first[1] and second[1] == []
