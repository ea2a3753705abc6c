"""Run by tests in a fresh process: build one fact-check many times and report memory, or build it from threads.

    python memoryutil.py loop SOURCE OUT_DIR COUNT [--leak KB]   # JSON: RSS in MB after each build
    python memoryutil.py threads SOURCE OUT_DIR THREADS BUILDS    # JSON: SHA-256 of every PDF, by thread

A fresh process measures only what the builds keep; C-level warnings (GLib's) reach its stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import threading
from pathlib import Path

#: A small fact-check (two pages in the report layout) for tests that build it many times.
SMALL_CHECK = """---
title: Did the town library double its opening hours?
slug: library-hours
language: en
published: 2025-11-12
claim:
  text: The library now opens twice as long as last year.
  claimant: A council newsletter
verdict:
  rating: mostly-false
  label: Up by a third, not doubled
sources:
  - key: council-report
    title: Library services annual report
    publisher: Town council
    url: https://council.example.org/library-report
    accessed: 2025-11-20
---

The library opened 40 hours a week last year and opens 53 hours a week now [@council-report].

## What changed

Saturday afternoons and two evenings were added. That is an increase of about a third, not a
doubling [@council-report].
"""


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def loop(source: Path, out: Path, count: int, leak_kb: int = 0) -> list[float]:
    """Build ``source`` to PDF ``count`` times through the API; RSS after each build."""
    import reportkit as rk

    kept: list[bytes] = []  # the negative test's stand-in for a leak
    sizes = []
    for _ in range(count):
        rk.load(source).to_pdf(out / "loop.pdf")
        if leak_kb:
            kept.append(os.urandom(leak_kb * 1024))
        sizes.append(rss_mb())
    return sizes


def threads(source: Path, count: int, builds: int) -> dict[str, list[str]]:
    """Build ``source`` to PDF bytes ``builds`` times in each of ``count`` threads at once; digests by thread."""
    import reportkit as rk

    check = rk.load(source)
    check.resolve()
    start = threading.Barrier(count)
    digests: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            start.wait(60)
            digests[name] = [hashlib.sha256(check.render("pdf")).hexdigest() for _ in range(builds)]
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(f"thread-{n}",)) for n in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return digests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["loop", "threads"])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("numbers", type=int, nargs="+")
    parser.add_argument("--leak", type=int, default=0, help="KB kept alive after every build (negative tests)")
    args = parser.parse_args()
    if args.mode == "loop":
        print(json.dumps(loop(args.source, args.out, args.numbers[0], args.leak)))
    else:
        print(json.dumps(threads(args.source, *args.numbers[:2])))


if __name__ == "__main__":
    main()
