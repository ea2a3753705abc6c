"""A process that builds documents one after another keeps a flat memory profile, and threads are safe.

Each test runs tests/memoryutil.py in a fresh process: the memory it reports is that of the
builds alone, and C libraries' warnings (GLib's) reach the stderr the test reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

UTIL = Path(__file__).resolve().parents[2] / "memoryutil.py"
sys.path.insert(0, str(UTIL.parent))

from memoryutil import SMALL_CHECK  # noqa: E402

#: Builds before memory is measured: fonts, templates and stylesheets are loaded and cached by then.
WARM_UP = 20
BUILDS = 60
#: Growth allowed over the 40 builds after the warm-up. Before issue 22 this document grew by 58 MB
#: there (1.5 MB a build); now by about 1 MB (malloc's arenas settling).
BOUND_MB = 5.0


def _run(*args: str, tmp_path: Path) -> tuple[object, str]:
    source = tmp_path / "small.md"
    source.write_text(SMALL_CHECK, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(UTIL), args[0], str(source), str(tmp_path), *args[1:]],
        capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout), done.stderr


def _growth(sizes: list[float]) -> float:
    return sizes[BUILDS - 1] - sizes[WARM_UP - 1]


def test_sixty_builds_in_one_process_grow_less_than_the_bound_after_warm_up(tmp_path: Path) -> None:
    sizes, _ = _run("loop", str(BUILDS), tmp_path=tmp_path)
    assert isinstance(sizes, list) and len(sizes) == BUILDS
    assert _growth(sizes) < BOUND_MB, f"RSS after build {WARM_UP}: {sizes[WARM_UP - 1]:.1f} MB, after {BUILDS}: {sizes[-1]:.1f} MB"


def test_the_memory_check_catches_a_leak_of_two_hundred_kilobytes_a_build(tmp_path: Path) -> None:
    # 40 builds x 200 KB = 8 MB kept: the same measurement must see it.
    sizes, _ = _run("loop", str(BUILDS), "--leak", "200", tmp_path=tmp_path)
    assert isinstance(sizes, list)
    assert _growth(sizes) >= BOUND_MB


def test_four_threads_building_at_once_get_identical_bytes_and_no_glib_warning(tmp_path: Path) -> None:
    import reportkit as rk

    source = tmp_path / "small.md"
    source.write_text(SMALL_CHECK, encoding="utf-8")
    import hashlib

    alone = hashlib.sha256(rk.load(source).render("pdf")).hexdigest()  # built with no other thread about
    digests, stderr = _run("threads", "4", "12", tmp_path=tmp_path)
    assert isinstance(digests, dict) and sorted(digests) == [f"thread-{n}" for n in range(4)]
    every = [d for thread in digests.values() for d in thread]
    assert len(every) == 48
    assert set(every) == {alone}
    assert "corrupted" not in stderr and "GLib" not in stderr and "Pango" not in stderr, stderr[-2000:]


def test_layouts_from_several_threads_never_overlap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import threading

    import reportkit as rk
    from reportkit.writers.pdf import stylesheets, writer

    inside = 0
    most = 0
    count_lock = threading.Lock()
    lean_html = stylesheets.lean_html

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal inside, most
        with count_lock:
            inside += 1
            most = max(most, inside)
        try:
            import time

            time.sleep(0.05)  # a slow layout start: another thread would come in now if it could
            return lean_html(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            with count_lock:
                inside -= 1

    monkeypatch.setattr(writer, "lean_html", counting)
    source = tmp_path / "small.md"
    source.write_text(SMALL_CHECK, encoding="utf-8")
    check = rk.load(source)
    threads = [threading.Thread(target=check.render, args=("pdf",)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1


def test_a_second_layout_waits_while_the_lock_is_held_elsewhere(tmp_path: Path) -> None:
    import threading

    import reportkit as rk
    from reportkit.writers.pdf.writer import LAYOUT_LOCK

    source = tmp_path / "small.md"
    source.write_text(SMALL_CHECK, encoding="utf-8")
    check = rk.load(source)
    finished = threading.Event()
    with LAYOUT_LOCK:
        thread = threading.Thread(target=lambda: (check.render("pdf"), finished.set()))
        thread.start()
        assert not finished.wait(1.5)  # the render cannot lay out while another holds the lock
    thread.join(120)
    assert finished.is_set()
