"""The base files module: temporaries of atomic writes that a killed build leaves are removed, and only those.

A temporary is ``.NAME.<host>-<pid>.<random>.part``, locked while it is written. The next
write of NAME removes those whose process is gone and whose lock is free; a running build's
temporaries, and those of another machine, stay.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reportkit.files import atomic_write, sweep_temporaries, temporaries


def _dead_pid() -> int:
    """The id of a process that has exited (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _temporary(folder: Path, target: str, owner: str) -> Path:
    path = folder / f".{target}.{owner}.abc123.part"
    path.write_bytes(b"half a PDF")
    return path


def _own_host(tmp_path: Path) -> str:
    """This machine's part of a temporary's name, read off a real one."""
    script = textwrap.dedent(
        f"""
        import os, sys
        from reportkit import files
        def stop(src, dst):
            print(os.listdir({str(tmp_path)!r}), flush=True)
            raise SystemExit(0)
        files.os.replace = stop
        files.atomic_write({str(tmp_path / "probe.pdf")!r}, b"x")
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60).stdout
    name = next(n for n in eval(out) if n.endswith(".part"))  # noqa: S307 - our own list's repr
    return name.split(".")[3].split("-")[0]


def test_a_temporary_left_by_a_build_killed_with_sigkill_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "report.pdf"
    atomic_write(target, b"old good file")
    script = textwrap.dedent(
        f"""
        import time
        from reportkit import files
        def hang(src, dst):
            print("writing", flush=True)
            time.sleep(600)
        files.os.replace = hang
        files.atomic_write({str(target)!r}, b"x" * 1_000_000)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "writing"
    left = list(temporaries(target))
    assert len(left) == 1 and left[0].stat().st_size == 1_000_000
    sweep_temporaries(target)
    assert left[0].exists(), "a running build's temporary must stay"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert target.read_bytes() == b"old good file"
    atomic_write(target, b"new file")
    assert not left[0].exists()
    assert target.read_bytes() == b"new file"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_temporaries_of_live_processes_and_other_machines_stay(tmp_path):
    host = _own_host(tmp_path)
    target = tmp_path / "report.pdf"
    mine = _temporary(tmp_path, "report.pdf", f"{host}-{os.getpid()}")
    other_machine = _temporary(tmp_path, "report.pdf", f"{'0' * 8 if host != '0' * 8 else '1' * 8}-{_dead_pid()}")
    dead = _temporary(tmp_path, "report.pdf", f"{host}-{_dead_pid()}")
    unrelated = tmp_path / ".report.pdf.notes.part"
    unrelated.write_text("not ours")
    removed = sweep_temporaries(target)
    assert removed == [dead]
    assert mine.exists() and other_machine.exists() and unrelated.exists() and not dead.exists()


def test_a_locked_temporary_of_a_dead_pid_stays(tmp_path):
    """The lock decides when a process id was reused or the name lies: a held lock means a live owner."""
    import fcntl

    host = _own_host(tmp_path)
    target = tmp_path / "report.pdf"
    locked = _temporary(tmp_path, "report.pdf", f"{host}-{_dead_pid()}")
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import fcntl, time
            handle = open({str(locked)!r}, "rb")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            print("locked", flush=True)
            time.sleep(600)
        """)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert sweep_temporaries(target) == []
        assert locked.exists()
    finally:
        holder.kill()
        holder.wait()
    assert sweep_temporaries(target) == [locked]
    del fcntl


def test_a_symlink_named_like_a_temporary_is_never_followed_or_removed_through(tmp_path):
    host = _own_host(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / f".report.pdf.{host}-{_dead_pid()}.abc.part"
    link.symlink_to(victim)
    sweep_temporaries(tmp_path / "report.pdf")
    assert victim.read_text() == "keep me"


def test_sweeping_costs_little_in_a_folder_of_many_files(tmp_path):
    for index in range(2000):
        (tmp_path / f"other-{index}.pdf").write_bytes(b"")
    started = time.perf_counter()
    atomic_write(tmp_path / "report.pdf", b"x")
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("name", ["a" * 300 + ".pdf"])
def test_a_file_name_too_long_for_the_file_system_is_an_output_error(tmp_path, name):
    from reportkit.errors import OutputError

    with pytest.raises(OutputError, match="too long"):
        atomic_write(tmp_path / name, b"x")
