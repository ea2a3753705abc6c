"""Cost of the editors' layouts, side by side in one process: medians of N runs and ratios.

    python benchmarks/layouts_bench.py [N]

- report: the example as the full report (A4);
- brief: the example as a brief, copyfitted (it lays out once, runs over, lays out again at fit-1);
- brief-preset: the brief with fit=1 given, so one layout pass (what copyfitting costs is the difference);
- digest: a cover plus the report and the brief joined with pypdf (no report rendering).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import reportkit as rk

ROOT = Path(__file__).resolve().parent.parent


def timed(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    check = rk.load(ROOT / "samples" / "russia-nato.md")
    check.render("pdf")  # warm: imports, fonts
    folder = Path(tempfile.mkdtemp())
    report = check.to_pdf(folder / "report.pdf")
    brief = check.to_pdf(folder / "brief.pdf", layout="brief")
    results = {
        "report": timed(lambda: check.render("pdf"), runs),
        "brief": timed(lambda: check.render("pdf", layout="brief"), runs),
        "brief-preset": timed(lambda: check.render("pdf", layout="brief", fit=1), runs),
        "digest": timed(lambda: rk.bundle([report, brief], folder / "digest.pdf"), runs),
    }
    base = results["report"]
    for name, seconds in results.items():
        print(f"{name:13} median {seconds:6.3f} s   {seconds / base:5.2f}x report")


if __name__ == "__main__":
    main()
