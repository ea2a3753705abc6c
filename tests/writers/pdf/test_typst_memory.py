"""The Typst engine's memory: what Typst memoised is freed before finishing and between documents,
and a Typst build's cache key loads none of WeasyPrint's native libraries (BENCHMARKS.md, issue 18).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import reportkit as rk

pytest.importorskip("typst")

from conftest import SAMPLES, run_cli  # noqa: E402

#: Renders the sample with the Typst engine five times, each with a title not rendered before, and
#: prints the process's RSS in MB after each; with the argument ``keep``, nothing is evicted.
GROWTH = """
import sys
import reportkit as rk
import reportkit.writers.pdf.typst.job as engine
if sys.argv[2:] == ["keep"]:
    engine.EVICTING_COMPILES = 0
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
data = rk.load(sys.argv[1] + "/russia-nato.md").to_dict()
for n in range(5):
    rk.FactCheck.from_dict({**data, "title": f"Title {n}"}, base_dir=sys.argv[1]).render("pdf", engine="typst")
    print(rss())
"""


def _growth(*args: str) -> float:
    """MB the process grew by from the first Typst render to the fifth."""
    proc = subprocess.run([sys.executable, "-c", GROWTH, str(SAMPLES), *args], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    sizes = [float(line) for line in proc.stdout.split()]
    return sizes[-1] - sizes[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_what_typst_memoised_for_one_document_is_freed_before_the_next_compiles():
    # Keeping every document's memoised results (the binding evicts them only after 10 compiles) grew
    # the process by about 9.5 MB a document here; freed, by under 1 MB.
    kept, freed = _growth("keep"), _growth()
    assert kept > 20, f"keeping Typst's memo cache grew the process by only {kept:.1f} MB over 4 documents"
    assert freed < 8, f"the process grew by {freed:.1f} MB over 4 documents: Typst's memo cache was not freed"


def test_typst_memory_is_released_after_the_last_compile_and_before_finishing(monkeypatch):
    import reportkit.writers.pdf.typst as engine
    import reportkit.writers.pdf.typst.job as job

    events: list[str] = []
    compile_, release, finish = job.compile_once, engine.release_memory, job.finish
    monkeypatch.setattr(job, "compile_once", lambda *a, **k: (events.append("compile"), compile_(*a, **k))[1])
    monkeypatch.setattr(engine, "release_memory", lambda: (events.append("release"), release())[1])
    monkeypatch.setattr(job, "finish", lambda *a, **k: (events.append("finish"), finish(*a, **k))[1])
    rk.load(SAMPLES / "energy-bills.md").render("pdf", engine="typst")
    assert events[-2:] == ["release", "finish"] and events.count("release") == 1
    assert "compile" in events and events.index("release") > max(i for i, e in enumerate(events) if e == "compile")


def test_babels_locale_data_is_let_go_before_typst_compiles(monkeypatch):
    # The dates are formatted into the template data before the compile: Babel's CLDR data (about
    # 4 MB for English) would otherwise stay loaded under Typst's compile, the build's peak.
    import reportkit.writers.pdf.typst as engine
    import reportkit.writers.pdf.typst.job as job

    events: list[str] = []
    compile_, release = job.compile_once, engine.release_locale_data
    monkeypatch.setattr(job, "compile_once", lambda *a, **k: (events.append("compile"), compile_(*a, **k))[1])
    monkeypatch.setattr(engine, "release_locale_data", lambda: (events.append("babel"), release())[1])
    rk.load(SAMPLES / "energy-bills.md").render("pdf", engine="typst")
    assert events[0] == "babel" and "compile" in events


def test_dates_are_formatted_again_after_babels_data_was_let_go():
    # A document rendered after another (whose render let Babel's data go) still has its dates in words.
    import datetime as dt
    import io

    from pypdf import PdfReader

    rk.load(SAMPLES / "russia-nato.md").render("pdf", engine="typst")
    check = rk.load(SAMPLES / "energy-bills.md")
    published = dt.date.fromisoformat(str(check.to_dict()["published"]))
    text = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(check.render("pdf", engine="typst"))).pages).split())
    assert f"{published:%B} {published.day}, {published.year}" in text


def test_typst_memory_is_released_when_the_compile_fails(monkeypatch, tmp_path):
    import reportkit.writers.pdf.typst as engine

    released: list[bool] = []
    release = engine.release_memory
    monkeypatch.setattr(engine, "release_memory", lambda: (released.append(True), release())[1])
    layout = tmp_path / "broken"
    (layout / "typst").mkdir(parents=True)
    (layout / "layout.toml").write_text('name = "broken"\nextends = "report"\n', encoding="utf-8")
    (layout / "typst" / "document.typ").write_text("#let x = (\n", encoding="utf-8")
    with pytest.raises(rk.ReportkitError):
        rk.load(SAMPLES / "energy-bills.md").render("pdf", engine="typst", layout=str(layout))
    assert released == [True]


def test_a_typst_pdf_built_after_another_document_is_the_one_a_fresh_process_builds(tmp_path):
    # Freeing the memo cache between documents changes no byte: a document compiled after another
    # (its results evicted) is the PDF a new process builds.
    rk.load(SAMPLES / "russia-nato.md").render("pdf", engine="typst")
    in_process = rk.load(SAMPLES / "energy-bills.md").render("pdf", engine="typst")
    proc = run_cli("build", str(SAMPLES / "energy-bills.md"), "-f", "pdf", "--engine", "typst", "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / f"{rk.load(SAMPLES / 'energy-bills.md').id}.pdf").read_bytes() == in_process


#: Prints whether Pango is mapped into the process after it computed the cache key of ENGINE's builds.
NATIVE_PROBE = """
import sys
from reportkit.tools.cache import context_key
context_key("report", {"engine": sys.argv[1]})
print(any("libpango" in line for line in open("/proc/self/maps")))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
@pytest.mark.parametrize(("engine", "loaded"), [("typst", "False"), ("weasyprint", "True")])
def test_only_a_weasyprint_build_loads_pango_for_its_cache_key(engine, loaded):
    proc = subprocess.run([sys.executable, "-c", NATIVE_PROBE, engine], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == loaded


@pytest.mark.parametrize(("engine", "changes"), [("typst", False), ("weasyprint", True)])
def test_a_new_pango_changes_the_cache_key_of_weasyprint_builds_only(engine, changes, monkeypatch):
    from reportkit.tools import cache
    from reportkit.writers.pdf import environment

    def key() -> str:
        environment.environment.cache_clear()
        return cache.context_key("report", {"engine": engine})

    before = key()
    real = environment._native
    monkeypatch.setattr(environment, "_native", lambda *spec: "999.0" if spec[1].startswith("pango") else real(*spec))
    assert (key() != before) is changes
    monkeypatch.undo()
    environment.environment.cache_clear()
