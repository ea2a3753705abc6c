"""Measure issue 19's targets for ``reportkit serve`` side by side, and print a table of ratios.

    python benchmarks/serve_bench.py            # about 2 minutes on 2 cores
    python benchmarks/serve_bench.py --quick    # fewer repeats and requests
    python benchmarks/serve_bench.py --only load           # one part: refresh, throughput, load

1. Preview refresh after a save (the page's event arrives) vs one build of the same PDF in a warm
   process (target <= 1.3x with WeasyPrint); with Typst (when the PDF writer reports it, previews use
   it) the refresh itself (target <= 1 s).
2. API throughput (requests/s, wall) with 2 workers vs 1 worker (target >= 1.8x).
3. The load test: 200 requests at concurrency 8, 2 workers; p95 latency of the answers, how many
   were refused with 429, and how many were lost (target 0).

Each server is a real ``reportkit serve`` on 127.0.0.1, driven by httpx. Needs the serve extra.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "energy-bills.md"
#: The small fact-check of the load test (tests/tools/test_serve.py).
SMALL = (ROOT / "tests" / "data" / "serve" / "bicycles.md").read_text(encoding="utf-8")


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and every live process below it (Linux /proc)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += tree_cpu(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return total


#: The process id of the server started by the last :func:`served`.
SERVER: dict[str, int] = {}


@contextmanager
def served(folder: Path, *args: str) -> Iterator[str]:
    """A ``reportkit serve`` process on a free port; its base URL while it runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "reportkit", "serve", str(folder), "--port", str(port), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    SERVER["pid"] = process.pid
    try:
        for _ in range(600):
            try:
                httpx.get(url + "/api/schema", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        # Warm every worker: the first build in a worker loads fonts and templates.
        asyncio.run(burst(url, SMALL.encode(), total=8, concurrency=4))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


async def burst(url: str, body: bytes, *, total: int, concurrency: int) -> list[tuple[int, float]]:
    """``total`` builds, ``concurrency`` at a time: each answer's status and latency (or status -1: lost)."""
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        async def one() -> tuple[int, float]:
            async with gate:
                started = time.perf_counter()
                try:
                    answer = await client.post("/api/build", content=body, headers={"Content-Type": "text/markdown"})
                except httpx.HTTPError:
                    return -1, time.perf_counter() - started
                return answer.status_code, time.perf_counter() - started

        return await asyncio.gather(*(one() for _ in range(total)))


def one_build(repeats: int) -> float:
    """Median wall seconds of one PDF build of the sample in this (warm) process."""
    import reportkit as rk

    rk.load(SAMPLE).render("pdf")
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        rk.load(SAMPLE).render("pdf")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def refresh(folder: Path, repeats: int) -> tuple[float, float, str]:
    """Median seconds from a save to the page's preview event, the worker's own build time in it, and the
    engine the preview used (Typst when the PDF writer has it)."""
    target = folder / SAMPLE.name
    with served(folder) as url, httpx.Client(base_url=url, timeout=300) as client:
        params = {"file": SAMPLE.name}
        with client.stream("GET", "/events", params=params) as stream:
            lines = stream.iter_lines()

            def next_preview() -> dict:
                event = None
                for line in lines:
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event == "preview":
                        return json.loads(line.split(":", 1)[1])
                raise RuntimeError("the stream ended")

            next_preview()
            times, builds = [], []
            text = SAMPLE.read_text(encoding="utf-8")
            for n in range(repeats):
                time.sleep(0.3)
                started = time.perf_counter()
                title = f"Have household bills ({n})"
                target.write_text(text.replace("Have household energy bills", title), "utf-8")
                state = next_preview()
                while not state["title"].startswith(title):  # a rebuild of an earlier save
                    state = next_preview()
                times.append(time.perf_counter() - started)
                builds.append(state["seconds"])
    return statistics.median(times), statistics.median(builds), state["engine"]


def throughput(folder: Path, workers: int, total: int) -> tuple[float, float]:
    """Requests per second (wall) of ``total`` small builds, 4 at a time, with no request refused; and the
    CPU seconds the server and its workers spent per request."""
    with served(folder, "--workers", str(workers), "--queue", "64") as url:
        cpu = tree_cpu(SERVER["pid"])
        started = time.perf_counter()
        answers = asyncio.run(burst(url, SMALL.encode(), total=total, concurrency=4))
        seconds = time.perf_counter() - started
        cpu = tree_cpu(SERVER["pid"]) - cpu
    assert all(status == 200 for status, _ in answers), answers
    return total / seconds, cpu / total


def main(argv: list[str] | None = None) -> list[tuple[str, float, str, str]]:
    """Run the parts ``argv`` asks for, print their table and return its rows (what, value, goal, figures)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and requests")
    parser.add_argument("--only", default="refresh,throughput,load",
                        help="comma-separated parts to run: refresh, throughput, load")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    repeats, total, load = (3, 12, 100) if args.quick else (5, 24, 200)
    folder = Path(tempfile.mkdtemp(prefix="reportkit-bench-serve-"))
    shutil.copy(SAMPLE, folder)
    rows = []
    try:
        if "refresh" in only:
            build = one_build(repeats)
            save, worker, engine = refresh(folder, repeats)
            if engine == "typst":
                rows.append(("preview refresh after a save, Typst (s)", save, "<= 1.0",
                             f"refresh {save:.2f} s (worker {worker:.2f} s); a WeasyPrint build {build:.2f} s"))
            else:
                rows.append((f"preview refresh after a save / one build ({engine})", save / build, "<= 1.3",
                             f"refresh {save:.2f} s (worker {worker:.2f} s) vs build {build:.2f} s"))
        if "throughput" in only:
            single, single_cpu = throughput(folder, 1, total)
            double, double_cpu = throughput(folder, 2, total)
            rows.append(("API throughput, 2 workers / 1 worker", double / single, ">= 1.8",
                         f"{double:.2f} vs {single:.2f} requests/s (wall); CPU per request {double_cpu:.3f} vs "
                         f"{single_cpu:.3f} s"))
        for queue in ("default", "2") if "load" in only else ():
            options = ("--workers", "2") + (("--queue", queue) if queue != "default" else ())
            with served(folder, *options) as url:
                started = time.perf_counter()
                answers = asyncio.run(burst(url, SMALL.encode(), total=load, concurrency=8))
                seconds = time.perf_counter() - started
            ok = sorted(t for status, t in answers if status == 200)
            busy = sum(1 for status, _ in answers if status == 429)
            lost = load - len(ok) - busy
            p95 = ok[max(0, int(round(0.95 * len(ok))) - 1)] if ok else float("nan")
            p50 = statistics.median(ok) if ok else float("nan")
            rows.append((f"load test: {load} requests at concurrency 8, 2 workers, queue {queue}", float(lost),
                         "0 lost", f"{len(ok)} built, {busy} answered 429, {lost} lost; p50 {p50:.2f} s, "
                         f"p95 {p95:.2f} s, {seconds:.1f} s in all"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\ncores: {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f} at the end")
    width = max(len(r[0]) for r in rows)
    for what, ratio, limit, detail in rows:
        print(f"{what:<{width}}  {ratio:6.2f}  (target {limit})  {detail}")
    return rows


if __name__ == "__main__":
    main()
