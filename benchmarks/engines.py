"""Compare the two PDF engines side by side in one run: Typst against WeasyPrint (issue 18's targets).

    python benchmarks/engines.py            # about a minute and a half on 2 busy cores
    python benchmarks/engines.py --quick    # a smoke run: fewer repeats, a 4x dossier

Every comparison is interleaved (WeasyPrint, Typst, WeasyPrint, Typst...) so that a busy
machine slows both alike, and every figure is a median. Times are CPU seconds (user +
system) of the build process, read with os.wait4, or of this process for warm builds.
Needs the ``typst`` extra (``pip install -e ".[typst]"``).

Measured:
1. a whole process, ``reportkit build SAMPLE -f pdf --engine E`` on each sample (target Typst <= 0.25x), and
   the floor under it: a process that only imports what the Typst build's processes import (listed by
   ``python -X importtime`` from a build of the same sample), no work, against the WeasyPrint build;
2. warm in one process, a text the engine has not seen before (target <= 0.15x);
3. a whole process on a 16x dossier (benchmarks/corpus.py; target <= 0.12x);
4. peak memory of the whole-process builds, 1x and 16x (target <= 0.7x): the max RSS os.wait4 gives (the
   largest of the build's processes; each build is started by a small launcher process, see Launcher), and
   the peak of the process tree's summed Pss, sampled every 2 ms
   (a Typst build runs in two processes, :mod:`reportkit.tools.split`: max RSS alone would miss the
   memory of both while both are alive);
5. Typst batch throughput, ``-j 2`` against ``-j 1`` (wall time, medians of ``--batch-repeats`` interleaved
   rounds; target >= 1.8x on 2 idle cores), on a batch of 100 (throughput: the workers' start is a small part of it) and of 12 (start-up dominates:
   the parent's imports and the workers' start cost as much as three documents).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = ROOT / "samples" / "russia-nato.md"
#: The samples measure 1 builds: the sample the layouts were drawn with, and the shorter one.
SAMPLES = (SAMPLE, ROOT / "samples" / "energy-bills.md")
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

ENGINES = ("weasyprint", "typst")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux: /proc/PID/task/TID/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return found


def _pss(pid: int) -> int:
    """The proportional set size of ``pid`` in kB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_peak(pid: int, stop: threading.Event, peak: list[int]) -> None:
    """Sample the summed Pss of ``pid`` and its descendants every 2 ms until ``stop``; the largest sum goes in ``peak``."""
    while not stop.is_set():
        peak[0] = max(peak[0], sum(_pss(p) for p in _descendants(pid)))
        time.sleep(0.002)


#: The launcher's program: it reads a command (JSON) a line, starts it, prints its pid, waits for it and prints its
#: exit status, CPU seconds, max RSS (kB) and the end of its standard error, each as a line.
_LAUNCHER = """
import json, os, subprocess, sys, tempfile
for line in sys.stdin:
    cmd, env = json.loads(line)
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        print(proc.pid, flush=True)
        _, status, usage = os.wait4(proc.pid, 0)
        errors.seek(0)
        said = errors.read().decode(errors="replace")[-2000:]
    print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, usage.ru_maxrss, said]),
          flush=True)
"""


class Launcher:
    """A small process that starts the builds, so that their max RSS is theirs alone.

    Linux carries a process's peak RSS across ``exec``: a build started by this process once it
    had grown (the warm builds of measure 2 take it to about 160 MB; ``benchmarks/run.py`` more)
    reported that size as its own max RSS, whatever it used (tests/test_benchmark_engines.py). A child of
    the launcher, which stays at about 10 MB, reports its own.
    """

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)

    def start(self, cmd: list[str], env: dict[str, str]) -> int:
        """Start ``cmd`` with ``env``; its pid."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([cmd, env]) + "\n")
        return int(self.proc.stdout.readline())

    def wait(self) -> tuple[int, float, int, str]:
        """The exit status, CPU seconds, max RSS (kB) and the end of the standard error of the command started last,
        once it ended."""
        assert self.proc.stdout is not None
        status, cpu, maxrss, said = json.loads(self.proc.stdout.readline())
        return status, cpu, maxrss, said


@functools.lru_cache(maxsize=1)
def launcher() -> Launcher:
    """The launcher, started when first asked for (while this process is small)."""
    return Launcher()


def build_process(source: Path, engine: str, out: Path) -> tuple[float, float, float]:
    """CPU seconds, peak RSS (MB, the largest process's) and peak summed Pss of the process tree (MB) of one build."""
    cmd = [sys.executable, "-m", "reportkit", "build", str(source), "-f", "pdf", "--engine", engine,
           "--force", "-o", str(out)]
    runner = launcher()
    pid = runner.start(cmd, ENV)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=tree_peak, args=(pid, stop, peak), daemon=True)
    sampler.start()
    try:
        status, cpu, maxrss, said = runner.wait()
    finally:
        stop.set()
        sampler.join()
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {said}")
    return cpu, maxrss / 1024, peak[0] / 1024


def imported_modules(source: Path, out: Path) -> list[str]:
    """The modules a Typst build of ``source`` imports, in all its processes, in the order Python imported them.

    ``python -X importtime`` writes a line per module imported (children before the module that imports them,
    an order that imports each after what it needs); the forked processes write to the same standard error.
    """
    cmd = [sys.executable, "-X", "importtime", "-m", "reportkit", "build", str(source), "-f", "pdf", "--engine",
           "typst", "--force", "-o", str(out)]
    done = subprocess.run(cmd, env=ENV, capture_output=True, text=True, check=True)
    names: list[str] = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "imported package" not in line:
            name = line.rsplit("|", 1)[1].strip()
            if name not in names:
                names.append(name)
    return names


#: Imports the listed modules (a JSON list on standard input) in one process, as the build imported them.
_IMPORTER = """
import importlib, json, os, sys
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as the command sets it
for name in json.load(sys.stdin):
    if name not in sys.modules:
        try:
            importlib.import_module(name)
        except Exception:  # a platform's module the build only tried
            pass
os._exit(0)
"""


def import_floor(source: Path, out: Path, repeats: int) -> float:
    """Median CPU seconds of a fresh process importing every module a Typst build of ``source`` imports: the part of
    the build's cost that is Python and the libraries starting, whatever reportkit does with them."""
    names = json.dumps(imported_modules(source, out))
    times = []
    for _ in range(max(repeats, 3)):
        proc = subprocess.Popen([sys.executable, "-c", _IMPORTER], stdin=subprocess.PIPE, env=ENV, text=True)
        assert proc.stdin is not None
        proc.stdin.write(names)
        proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("importing the Typst build's modules failed")
        times.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(times)


def interleaved(measure: Any, repeats: int) -> dict[str, list[Any]]:
    """``measure(engine)`` for each engine in turn, ``repeats`` rounds."""
    results: dict[str, list[Any]] = {engine: [] for engine in ENGINES}
    for _ in range(repeats):
        for engine in ENGINES:
            results[engine].append(measure(engine))
    return results


def median(values: list[Any], index: int | None = None) -> float:
    return statistics.median(v[index] if index is not None else v for v in values)


#: The rows of the last run: what, Typst / WeasyPrint (or -j 2 / -j 1), goal, figures (read by run.py's target 9).
rows: list[tuple[str, float, str, str]] = []


def report(what: str, results: dict[str, list[Any]], target: str, index: int | None = None, unit: str = "s") -> None:
    weasy, typst = median(results["weasyprint"], index), median(results["typst"], index)
    rows.append((what, typst / weasy, target, f"WeasyPrint {weasy:.3f} {unit}, Typst {typst:.3f} {unit}"))
    print(f"{what:<44} WeasyPrint {weasy:8.3f} {unit}  Typst {typst:8.3f} {unit}  ratio {typst / weasy:6.3f}  (target {target})",
          flush=True)


def warm(repeats: int) -> dict[str, list[float]]:
    """CPU seconds of in-process builds of the sample, each with a title the process has not set before."""
    import reportkit as rk

    check = rk.load(SAMPLE)
    data = check.to_dict()
    for engine in ENGINES:  # warm-up: imports, fonts, templates
        rk.FactCheck.from_dict({**data, "title": f"warm-up {engine}"}, base_dir=SAMPLE.parent).render("pdf", engine=engine)
    counter = iter(range(10**6))

    def one(engine: str) -> float:
        fresh = rk.FactCheck.from_dict({**data, "title": f"{data['title']} ({next(counter)})"}, base_dir=SAMPLE.parent)
        started = time.process_time()
        fresh.render("pdf", engine=engine)
        return time.process_time() - started

    return interleaved(one, repeats)


def batch_wall(files: list[Path], jobs: int, out: Path) -> float:
    """Wall seconds of one ``reportkit build -j JOBS --engine typst`` over ``files``."""
    cmd = [sys.executable, "-m", "reportkit", "build", *map(str, files), "-f", "pdf", "--engine", "typst",
           "-j", str(jobs), "--force", "-o", str(out)]
    started = time.perf_counter()
    subprocess.run(cmd, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> list[tuple[str, float, str, str]]:
    """Measure what ``argv`` asks for, print each line as it comes and return the rows."""
    rows.clear()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the process and warm builds (median)")
    parser.add_argument("--factor", type=int, default=16, help="size of the dossier")
    parser.add_argument("--batch", default="100,12", help="fact-checks in the -j 1 / -j 2 batches (comma-separated)")
    parser.add_argument("--dossier-repeats", type=int, default=1, help="rounds of the dossier builds (median)")
    parser.add_argument("--batch-repeats", type=int, default=3,
                        help="rounds of each batch, -j 1 and -j 2 in turn (median of each)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round, a 4x dossier")
    parser.add_argument("--only", default="1,2,3,4,5", help="comma-separated measures (4 comes with 1 and 3)")
    args = parser.parse_args(argv)
    repeats, factor = (1, 4) if args.quick else (args.repeats, args.factor)
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="reportkit-engines-") as folder:
        work = Path(folder)
        out = work / "out"
        if only & {"1", "4"}:
            for source in SAMPLES:
                name = source.stem
                sample = interleaved(lambda engine: build_process(source, engine, out), repeats)
                report(f"1. whole process, {name} (CPU)", sample, "<= 0.25", 0)
                report(f"4. peak memory, {name} (max RSS)", sample, "<= 0.7", 1, "MB")
                report(f"4. peak memory, {name} (tree Pss)", sample, "<= 0.7", 2, "MB")
                if "1" in only:
                    floor = import_floor(source, out, repeats)
                    weasy = median(sample["weasyprint"], 0)
                    rows.append((f"1. floor, {name}: the Typst build's imports alone / WeasyPrint build", floor / weasy,
                                 "", f"imports {floor:.3f} s, WeasyPrint build {weasy:.3f} s"))
                    print(f"{'1. floor, ' + name + ': imports alone (CPU)':<44} WeasyPrint {weasy:8.3f} s  "
                          f"imports  {floor:8.3f} s  ratio {floor / weasy:6.3f}", flush=True)
        if "2" in only:
            hot = warm(max(repeats, 3))
            report("2. warm in process, unseen text (CPU)", hot, "<= 0.15")
        if only & {"3", "4"}:
            big = corpus.dossier(work / "dossier", factor)
            dossier = interleaved(lambda engine: build_process(big, engine, out), 1 if args.quick else args.dossier_repeats)
            report(f"3. whole process, {factor}x dossier (CPU)", dossier, "<= 0.12", 0)
            report(f"4. peak memory, {factor}x dossier (max RSS)", dossier, "<= 0.7", 1, "MB")
            report(f"4. peak memory, {factor}x dossier (tree Pss)", dossier, "<= 0.7", 2, "MB")
        for size in [] if "5" not in only else [4] if args.quick else [int(n) for n in args.batch.split(",")]:
            files = corpus.batch(work / f"batch-{size}", size)
            walls: dict[int, list[float]] = {1: [], 2: []}
            for _ in range(1 if args.quick else args.batch_repeats):
                for jobs in walls:  # interleaved, so that a busy machine slows both alike
                    walls[jobs].append(batch_wall(files, jobs, out / f"j{jobs}"))
            one, two = statistics.median(walls[1]), statistics.median(walls[2])
            rows.append((f"5. Typst batch of {len(files)}, -j 2 / -j 1 throughput (wall)", one / two, ">= 1.8",
                         f"-j 1 {one:.3f} s, -j 2 {two:.3f} s"))
            print(f"{'5. Typst batch of ' + str(len(files)) + ', -j 2 against -j 1 (wall)':<44} -j 1 {one:8.3f} s  "
                  f"-j 2 {two:8.3f} s  throughput x{one / two:6.3f}  (target >= 1.8)", flush=True)
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    return list(rows)


if __name__ == "__main__":
    main()
