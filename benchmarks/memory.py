"""Memory of long-lived processes: RSS per worker while a batch of distinct fact-checks is built.

    python benchmarks/memory.py --count 1000                  # API loop, -j 1, -j 2, a Dask worker
    python benchmarks/memory.py --count 60 --modes api,j1     # a short run

Each mode builds the same generated batch (benchmarks/corpus.py, PDF only) in a fresh process tree
and samples the resident memory of its processes every 0.1 s from /proc, with the number of PDFs
written so far. It prints the RSS of the building process (the worker with the most, for -j N and
Dask) when 10, 20 (end of the warm-up), 100 and 1,000 documents were done, the growth after the
warm-up, and documents per second (wall). ``benchmarks/run.py --only 8`` runs it as target 8.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

#: Document counts at which the RSS is reported (and the last document); 20 is the end of the warm-up.
MILESTONES = (10, 20, 100, 1000)
WARM_UP = 20

#: Builds the batch through the API, one document after another (the publishing-script case).
_API = """
import sys
from pathlib import Path
import reportkit as rk
out = Path(sys.argv[2])
for path in sorted(Path(sys.argv[1]).glob("check-*.md")):
    check = rk.load(path)
    check.to_pdf(out / f"{check.id}.pdf")
"""

#: Builds the batch on a local Dask cluster of one single-threaded worker process.
_DASK = """
import sys
import dask
from distributed import Client, LocalCluster
import reportkit as rk
# As the README advises for reportkit's workers: Dask's profiler keeps an hour of the layout's stacks.
dask.config.set({"distributed.worker.profile.enabled": sys.argv[3] == "profile"})
with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \\
        Client(cluster) as client:
    rk.build_many([sys.argv[1]], sys.argv[2], formats=["pdf"], executor=client.get_executor(pure=False),
                  cache=False)
"""


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, IndexError, ValueError):
        return None


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux: /proc/PID/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    children = [int(c) for c in handle.read().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def _start_mb() -> float:
    """RSS of a fresh process that has only imported the PDF writer and loaded the report layout's fonts.

    What recycling a worker costs in memory terms: the floor each new worker starts from.
    """
    code = (
        "import os\n"
        "from reportkit.render.layouts import find_layout\n"
        "from reportkit.writers.pdf.writer import font_setup\n"
        "font_setup(find_layout('report'))\n"
        "print(int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20)\n"
    )
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def worker_start_cost() -> tuple[float, float, float]:
    """CPU seconds and wall seconds of starting one warm worker (import WeasyPrint, load fonts), and its RSS."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    mb = _start_mb()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, mb


def measure(mode: str, inputs: Path, out: Path, count: int, recycle_after: int = 0) -> dict[str, object]:
    """Build the batch in ``mode`` (api, j1, j2, dask, dask-profiled) and sample memory; the figures as a dict."""
    out.mkdir(parents=True, exist_ok=True)
    reportkit = [sys.executable, "-m", "reportkit", "build", str(inputs), "-o", str(out), "--format", "pdf"]
    command = {
        "api": [sys.executable, "-c", _API, str(inputs), str(out)],
        "j1": [*reportkit, "-j", "1"],
        "j2": [*reportkit, "-j", "2", "--recycle-after", str(recycle_after)],
        "dask": [sys.executable, "-c", _DASK, str(inputs), str(out), "no-profile"],
        "dask-profiled": [sys.executable, "-c", _DASK, str(inputs), str(out), "profile"],
    }[mode]
    started = time.perf_counter()
    # The command's messages go to a file: a pipe nobody reads while it runs fills up (64 KB, about
    # 700 documents of progress lines) and stops the build.
    errors = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    at: dict[int, float] = {}
    peak = 0.0
    workers: set[int] = set()
    marks = sorted({m for m in MILESTONES if m <= count} | {count})
    while process.poll() is None:
        done = sum(1 for _ in out.glob("*.pdf"))
        pids = [process.pid] if mode in ("api", "j1") else _descendants(process.pid)
        sizes = [s for s in (_rss_mb(p) for p in pids) if s is not None]
        if mode != "api" and mode != "j1":
            workers.update(p for p, s in zip(pids, sizes) if s > 60)  # the nanny and trackers stay small
        if sizes:
            biggest = max(sizes)
            peak = max(peak, biggest)
            for mark in marks:
                if done >= mark and mark not in at:
                    at[mark] = biggest
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    errors.seek(0)
    messages = errors.read().decode(errors="replace")
    errors.close()
    if process.returncode != 0:
        raise SystemExit(f"{mode} failed: {messages[-2000:]}")
    done = sum(1 for _ in out.glob("*.pdf"))
    last = at.get(count, peak)
    return {
        "mode": mode,
        "documents": done,
        "rss_at": at,
        "peak_mb": peak,
        "growth_after_warm_up_mb": (last - at[WARM_UP]) if WARM_UP in at else None,
        "documents_per_second": done / seconds,
        "worker_processes_seen": len(workers),
    }


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="fact-checks in the batch")
    parser.add_argument("--modes", default="api,j1,j2,dask", help="comma-separated: api, j1, j2, dask, dask-profiled")
    parser.add_argument("--recycle-after", type=int, default=0, help="-j 2 workers replaced after N documents")
    parser.add_argument("--no-start", action="store_true", help="skip measuring what a new worker costs")
    args = parser.parse_args(argv)
    results = []
    cpu = 0.0
    if not args.no_start:
        cpu, wall, start_mb = worker_start_cost()
        print(f"a new worker: {cpu:.2f} s CPU, {wall:.2f} s wall, {start_mb:.0f} MB before its first document")
    with tempfile.TemporaryDirectory(prefix="reportkit-memory-") as tmp:
        work = Path(tmp)
        corpus.batch(work / "in", args.count)
        for mode in args.modes.split(","):
            result = measure(mode.strip(), work / "in", work / f"out-{mode}", args.count, args.recycle_after)
            result["worker_start_cpu_s"] = cpu
            marks = ", ".join(f"{n}: {mb:.0f} MB" for n, mb in sorted(result["rss_at"].items()))  # type: ignore[attr-defined]
            growth = result["growth_after_warm_up_mb"]
            print(
                f"{mode}: {result['documents']} documents, {result['documents_per_second']:.2f}/s; RSS after {marks}; "
                f"growth after the warm-up {growth if growth is None else f'{growth:+.1f}'} MB; "
                f"peak {result['peak_mb']:.0f} MB",
                flush=True,
            )
            results.append(result)
    return results


if __name__ == "__main__":
    main()
