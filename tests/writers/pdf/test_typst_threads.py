"""How many threads Typst lays a document out on, and the batch workers' one thread (issue 18, target 5).

A batch's Typst workers call :func:`reportkit.writers.pdf.typst.one_thread` before their first
compile: these tests check that Typst's threads still follow ``RAYON_NUM_THREADS`` (they fail if
the binding stops reading it, or starts its threads another way), and that the function leaves a
number the user chose alone.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("typst")

from conftest import SAMPLES  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc/self/task")

#: Builds the sample with the Typst engine in a fresh process, then prints how many threads the process has.
COUNT = """
import os, sys
from pathlib import Path
from reportkit.tools.build import build_file
if sys.argv[3] == "one_thread":
    from reportkit.writers.pdf.typst import one_thread
    one_thread()
assert len(os.listdir("/proc/self/task")) == 1, "a thread ran before the first compile"
result = build_file(Path(sys.argv[1]), Path(sys.argv[2]), formats=("pdf",), engine="typst")
assert result.ok, result.error
print(len(os.listdir("/proc/self/task")), os.environ.get("RAYON_NUM_THREADS"))
"""


def _threads_after_a_compile(tmp_path, environment: dict[str, str], call: str = "") -> tuple[int, str]:
    """(threads of a process after one Typst build, its RAYON_NUM_THREADS) with ``environment`` added."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "RAYON_NUM_THREADS"} | environment
    proc = subprocess.run([sys.executable, "-c", COUNT, str(SAMPLES / "energy-bills.md"), str(tmp_path), call or "-"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    threads, value = proc.stdout.split()
    return int(threads), value


@pytest.mark.parametrize("count", [1, 3])
def test_typst_lays_out_on_as_many_threads_as_rayon_num_threads_says(tmp_path, count):
    # The process's own thread, and the pool's.
    assert _threads_after_a_compile(tmp_path, {"RAYON_NUM_THREADS": str(count)}) == (1 + count, str(count))


def test_one_thread_leaves_typst_a_single_thread_of_its_own(tmp_path):
    assert _threads_after_a_compile(tmp_path, {}, "one_thread") == (2, "1")


def test_one_thread_keeps_a_number_of_threads_the_user_chose(tmp_path):
    assert _threads_after_a_compile(tmp_path, {"RAYON_NUM_THREADS": "3"}, "one_thread") == (4, "3")
