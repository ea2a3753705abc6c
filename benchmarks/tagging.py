"""What tagging costs: tagged (PDF/UA-1, the default) against --untagged, side by side in one process.

    python benchmarks/tagging.py [--repeats 5] [--factor 4]

For each document (the two samples, a report and a brief, and a generated dossier the layout
was not tuned to), the tagged and untagged renders alternate, so that the machine's load hits
both alike; the medians and their ratio are printed. The target is tagged / untagged <= 1.10.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

import reportkit as rk

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import dossier  # noqa: E402  (benchmarks/corpus.py)

SAMPLES = HERE.parent / "samples"


def documents(work: Path, factor: int) -> dict[str, tuple[rk.FactCheck, str]]:
    """{name: (fact-check, layout)} for every document measured."""
    found = {
        "russia-nato report": (rk.load(SAMPLES / "russia-nato.md"), "report"),
        "russia-nato brief": (rk.load(SAMPLES / "russia-nato.md"), "brief"),
        "energy-bills report": (rk.load(SAMPLES / "energy-bills.md"), "report"),
    }
    found[f"dossier {factor}x report"] = (rk.load(dossier(work, factor)), "report")
    return found


def seconds(check: rk.FactCheck, layout: str, untagged: bool) -> float:
    """CPU seconds of one PDF render."""
    gc.collect()
    started = time.process_time()
    check.render("pdf", layout=layout, untagged=untagged)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="renders of each kind per document (median)")
    parser.add_argument("--factor", type=int, default=4, help="size of the generated dossier")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        docs = documents(Path(tmp), args.factor)
        print(f"{'document':<24} {'tagged s':>9} {'untagged s':>11} {'ratio':>7}")
        ratios = []
        for name, (check, layout) in docs.items():
            seconds(check, layout, False)  # warm: fonts, templates
            tagged, untagged = [], []
            for _ in range(args.repeats):
                tagged.append(seconds(check, layout, False))
                untagged.append(seconds(check, layout, True))
            ratio = statistics.median(tagged) / statistics.median(untagged)
            ratios.append(ratio)
            print(f"{name:<24} {statistics.median(tagged):>9.3f} {statistics.median(untagged):>11.3f} {ratio:>7.3f}")
        print(f"median ratio tagged / untagged: {statistics.median(ratios):.3f} (target <= 1.10)")


if __name__ == "__main__":
    main()
