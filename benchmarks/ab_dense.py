"""A/B of the dense dossiers' render time: another checkout of reportkit against this one, interleaved.

    git worktree add --detach /tmp/reportkit-base main
    python benchmarks/ab_dense.py /tmp/reportkit-base --rounds 3 --dense 1,16

Each round renders every dense dossier (``corpus.dense_dossier``) with both checkouts, in fresh
processes (``run.py``'s render: CPU time of ``to_pdf`` after load and resolve, and the peak
memory), alternating which goes first, then bare WeasyPrint on the same HTML. The other checkout
is imported through ``PYTHONPATH`` with this environment's libraries, so only reportkit's code
differs. Prints every run, then the medians and the largest / smallest ratio per checkout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import run  # noqa: E402


def main() -> None:
    """Run the rounds and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, help="the other checkout (its folder holds reportkit/)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dense", default="1,16", help="factors of the dense dossiers")
    args = parser.parse_args()
    factors = [int(f) for f in args.dense.split(",")]
    work = Path(tempfile.mkdtemp(prefix="ab-dense-"))
    sources = {f: corpus.dense_dossier(work / "dense", f) for f in factors}
    floors = {f: run.floor_inputs(work, sources[f]) for f in factors}
    envs = {"base": {**run.ENV, "PYTHONPATH": str(args.base.resolve())}, "this": dict(run.ENV)}
    times: dict[tuple[str, int], list[float]] = {}

    def record(what: str, factor: int, cpu: float, peak: float) -> None:
        times.setdefault((what, factor), []).append(cpu)
        print(f"{what:5} {factor:3}x  render CPU {cpu:7.2f} s  peak {peak:4.0f} MB  load {os.getloadavg()[0]:.1f}",
              flush=True)

    for number in range(args.rounds):
        order = ["base", "this"] if number % 2 == 0 else ["this", "base"]
        for factor in factors:
            for what in order:
                proc = subprocess.run(
                    [sys.executable, "-c", run.RENDER, str(sources[factor]), str(work / f"{what}-{factor}x.pdf")],
                    env=envs[what], check=True, capture_output=True, text=True, cwd=work,
                )
                cpu, peak, _ = proc.stdout.split()
                record(what, factor, float(cpu), float(peak))
            record("bare", factor, *run.bare_pdf(*floors[factor], work / f"bare-{factor}x.pdf"))
    small, large = min(factors), max(factors)
    for what in ("base", "this", "bare"):
        medians = {f: statistics.median(times[(what, f)]) for f in factors}
        print(what, "medians:", ", ".join(f"{f}x {m:.2f} s" for f, m in medians.items()),
              f"| {large}x / {small}x = {medians[large] / medians[small]:.2f}")
    same = all((work / f"base-{f}x.pdf").read_bytes() == (work / f"this-{f}x.pdf").read_bytes() for f in factors)
    print("PDFs of both checkouts the same bytes:", same)


if __name__ == "__main__":
    main()
