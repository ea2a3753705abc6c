"""benchmarks/engines.py measures each build's own peak memory, however large the benchmark's process has grown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("typst")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's max RSS across exec")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import engines  # noqa: E402

#: What the benchmark's process holds in the test: more than any build of the sample takes (about 55 MB).
BALLAST_MB = 200


def test_a_build_reports_its_own_peak_memory_however_large_the_benchmark_has_grown(tmp_path: Path) -> None:
    ballast = bytearray(BALLAST_MB * 1024 * 1024)
    for at in range(0, len(ballast), 4096):  # every page resident
        ballast[at] = 1
    cpu, max_rss, tree_pss = engines.build_process(engines.SAMPLE, "typst", tmp_path)
    assert (tmp_path / "russia-nato.pdf").is_file()  # the sample's slug
    assert 20 < max_rss < BALLAST_MB / 2 and 20 < tree_pss < BALLAST_MB / 2 and cpu > 0
    # Started by this process directly, a process that does nothing reports this process's size as its peak:
    # the reason for the launcher (if Linux stops carrying it across exec, the launcher is no longer needed).
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    _, _, usage = os.wait4(proc.pid, 0)
    assert usage.ru_maxrss / 1024 >= BALLAST_MB
    del ballast

