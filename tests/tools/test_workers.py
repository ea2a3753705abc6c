"""How a batch's workers start: the fork server, started as soon as the command line is read, and what it imports."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES, require_module

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is Linux's")

#: Calls start_server(formats, layout, engine) from argv, then prints what it returned and the Python modules
#: each child process of this one was started to import (the fork server's preload; none for other children).
START = """
import os, sys, time
from reportkit.tools.workers import start_server
started = start_server(sys.argv[1].split(","), sys.argv[2], sys.argv[3] or None)
print(started)
time.sleep(0.2)
me = os.getpid()
for child in open(f"/proc/{me}/task/{me}/children").read().split():
    command = open(f"/proc/{child}/cmdline").read().split("\\0")
    print(command[command.index("-c") + 1] if "-c" in command else "")
"""


def _start(tmp_path: Path, formats: str, layout: str, engine: str, env: dict[str, str] | None = None
           ) -> tuple[bool, list[list[str]]]:
    """(whether start_server started the server, the preloads of this process's fork servers)."""
    proc = subprocess.run([sys.executable, "-c", START, formats, layout, engine], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    first, *children = proc.stdout.splitlines()
    preloads = []
    for code in children:
        if "multiprocessing.forkserver" in code:
            call = ast.parse(code.split(";", 1)[1].strip()).body[0].value  # main(fd, fd, [preload], **{...})
            preloads.append(ast.literal_eval(call.args[2]))
    return first == "True", preloads


def test_the_server_starts_with_the_typst_engine_preloaded_for_a_typst_batch(tmp_path: Path) -> None:
    require_module("typst")
    started, preloads = _start(tmp_path, "pdf", "report", "typst")
    assert started
    assert len(preloads) == 1
    assert {"reportkit.factcheck", "reportkit.writers.pdf.typst", "typst", "pikepdf"} <= set(preloads[0])


@pytest.mark.parametrize(("formats", "engine"), [("pdf", "weasyprint"), ("pdf", ""), ("epub", "typst")])
def test_the_server_of_other_batches_does_not_load_typst(tmp_path: Path, formats: str, engine: str) -> None:
    # The report layout's engine is WeasyPrint; an EPUB batch makes no PDF, whatever the engine.
    started, preloads = _start(tmp_path, formats, "report", engine)
    assert started
    assert len(preloads) == 1
    assert "reportkit.factcheck" in preloads[0]
    assert not {"typst", "reportkit.writers.pdf.typst"} & set(preloads[0])


def test_a_layout_whose_engine_is_typst_gets_the_typst_preload(tmp_path: Path) -> None:
    require_module("typst")
    layouts = tmp_path / "layouts"
    (layouts / "fast").mkdir(parents=True)
    (layouts / "fast" / "layout.toml").write_text(
        'name = "fast"\ndescription = "The report, set by Typst"\nextends = "report"\n\n[options]\nengine = "typst"\n'
    )
    started, preloads = _start(tmp_path, "pdf", "fast", "", {**os.environ, "REPORTKIT_LAYOUTS": str(layouts)})
    assert started
    assert "typst" in preloads[0]


def test_no_server_starts_where_its_socket_would_not_fit(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    started, preloads = _start(tmp_path, "epub", "report", "", {**os.environ, "TMPDIR": str(deep)})
    assert not started
    assert preloads == []


def test_the_fork_servers_socket_must_fit_a_unix_socket_address() -> None:
    from reportkit.tools.workers import forkserver_socket_fits

    assert forkserver_socket_fits("/tmp")
    assert forkserver_socket_fits("/" + "t" * 74)  # 75 + 32 = 107 bytes: the longest that fits
    assert not forkserver_socket_fits("/" + "t" * 75)


#: Runs the command with argv, recording the calls to start_server and the reading of the inputs, in order.
COMMAND = """
import sys
from reportkit.tools import build, workers
calls = []
start, expand = workers.start_server, build.expand_inputs
def recording_start(*args):
    calls.append(["server", *args])
    return start(*args)
def recording_expand(*args, **kwargs):
    calls.append(["inputs"])
    return expand(*args, **kwargs)
workers.start_server, build.expand_inputs = recording_start, recording_expand
from reportkit.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    print(calls, stop.code)
"""


def _command(tmp_path: Path, *args: str) -> str:
    """What COMMAND prints for ``reportkit build ARGS -o OUT``."""
    proc = subprocess.run([sys.executable, "-c", COMMAND, "build", *args, "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()[-1]


def _two_inputs(tmp_path: Path) -> list[str]:
    """Two fact-checks with slugs of their own."""
    text = (SAMPLES / "energy-bills.md").read_text(encoding="utf-8")
    paths = []
    for index in range(2):
        path = tmp_path / f"check-{index}.md"
        path.write_text(text.replace("slug: energy-bills\n", f"slug: check-{index}\n", 1), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_a_batch_command_starts_the_server_before_it_reads_its_inputs(tmp_path: Path) -> None:
    printed = _command(tmp_path, *_two_inputs(tmp_path), "-f", "epub", "-j", "2")
    assert printed == "[['server', ['epub'], 'report', None], ['inputs']] 0"
    assert sorted(p.name for p in (tmp_path / "out").glob("*.epub")) == ["check-0.epub", "check-1.epub"]


def test_a_folder_of_inputs_is_a_batch_too(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    _two_inputs(tmp_path / "in")
    printed = _command(tmp_path, str(tmp_path / "in"), "-f", "epub", "-j", "2")
    assert printed.startswith("[['server', ['epub'], 'report', None], ['inputs']]")


@pytest.mark.parametrize("case", ["one job", "one input"])
def test_a_command_with_no_workers_starts_no_server(tmp_path: Path, case: str) -> None:
    inputs = _two_inputs(tmp_path)
    args = [*inputs, "-f", "epub", "-j", "1"] if case == "one job" else [inputs[0], "-f", "epub", "-j", "2"]
    assert _command(tmp_path, *args) == "[['inputs']] 0"


# --- a CPU of its own for each worker of a Typst batch -------------------------------------------

#: Runs a -j 2 Typst batch of the checks in argv[1] in a process restricted to two CPUs, and prints the CPUs
#: each thread of each worker may run on, read from /proc while the batch runs.
PINNED = """
import os, sys, threading, time
from pathlib import Path
os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:2]))
from reportkit.tools.batch import build_many
seen = {}
done = threading.Event()
def watch():
    me = os.getpid()
    while not done.is_set():
        try:
            children = open(f"/proc/{me}/task/{me}/children").read().split()
        except OSError:
            children = []
        for child in children:
            try:
                command = open(f"/proc/{child}/cmdline").read()
                if "forkserver" not in command:
                    continue
                for server_child in open(f"/proc/{child}/task/{child}/children").read().split():
                    for task in os.listdir(f"/proc/{server_child}/task"):
                        for line in open(f"/proc/{server_child}/task/{task}/status"):
                            if line.startswith("Cpus_allowed_list:"):
                                seen[(server_child, task)] = line.split()[1]
            except OSError:
                pass
        time.sleep(0.01)
watcher = threading.Thread(target=watch)
watcher.start()
report = build_many(sorted(Path(sys.argv[1]).glob("*.md")), sys.argv[2], formats=["pdf"], jobs=int(sys.argv[3]),
                    engine=sys.argv[4], cache=False)
done.set()
watcher.join()
assert report.ok, [str(r.error) for r in report.results if r.error]
for (worker, task), cpus in sorted(seen.items()):
    print(worker, task, cpus)
"""


def _cpu_set(listed: str) -> frozenset[int]:
    """The CPUs of a /proc Cpus_allowed_list ("0-1", "0,2", "3")."""
    cpus: set[int] = set()
    for part in listed.split(","):
        low, _, high = part.partition("-")
        cpus.update(range(int(low), int(high or low) + 1))
    return frozenset(cpus)


def _worker_cpus(tmp_path: Path, jobs: int, engine: str, count: int = 8) -> dict[str, set[frozenset[int]]]:
    """Each worker's pid -> the CPU sets of its threads, in a batch of ``count`` checks in a process on two CPUs."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("this machine has one CPU")
    folder = tmp_path / "in"
    folder.mkdir()
    text = (SAMPLES / "energy-bills.md").read_text(encoding="utf-8")
    for index in range(count):
        (folder / f"c{index}.md").write_text(text.replace("slug: energy-bills\n", f"slug: c{index}\n", 1), "utf-8")
    proc = subprocess.run([sys.executable, "-c", PINNED, str(folder), str(tmp_path / "out"), str(jobs), engine],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    workers: dict[str, set[frozenset[int]]] = {}
    for line in proc.stdout.splitlines():
        worker, _, cpus = line.split()
        workers.setdefault(worker, set()).add(_cpu_set(cpus))
    return workers


def test_each_worker_of_a_typst_batch_with_a_worker_per_cpu_runs_on_a_cpu_of_its_own(tmp_path: Path) -> None:
    pytest.importorskip("typst")
    two = frozenset(sorted(os.sched_getaffinity(0))[:2])
    workers = _worker_cpus(tmp_path, 2, "typst")
    assert len(workers) >= 2, workers
    # Every thread of a worker (Typst's own among them) on one CPU, and the two workers on different ones.
    assert all(len(sets) == 1 and len(next(iter(sets))) == 1 for sets in workers.values()), workers
    assert frozenset().union(*(next(iter(sets)) for sets in workers.values())) == two, workers


def test_the_workers_of_a_weasyprint_batch_float(tmp_path: Path) -> None:
    two = frozenset(sorted(os.sched_getaffinity(0))[:2])
    workers = _worker_cpus(tmp_path, 2, "weasyprint", count=4)
    assert workers and all(sets == {two} for sets in workers.values()), workers


def test_only_a_typst_batch_with_one_worker_per_cpu_gets_cpu_slots() -> None:
    import multiprocessing

    from reportkit.tools.workers import cpu_slots

    context = multiprocessing.get_context("fork")
    cpus = tuple(sorted(os.sched_getaffinity(0)))
    if len(cpus) < 2:
        pytest.skip("this machine has one CPU")
    slots = cpu_slots(context, len(cpus), True)
    assert slots is not None and slots.cpus == cpus and list(slots.owners) == [0] * len(cpus)
    assert cpu_slots(context, len(cpus) - 1, True) is None  # fewer workers than CPUs: they float
    assert cpu_slots(context, len(cpus) + 1, True) is None
    assert cpu_slots(context, len(cpus), False) is None  # WeasyPrint's workers float


def _claim(slots: object, queue: object, hold: object) -> None:
    """In a forked process: pin this process to a free slot, report the CPU and the affinity, wait for ``hold``."""
    from reportkit.tools.workers import pin_worker

    cpu = pin_worker(slots)  # type: ignore[arg-type]
    queue.put((cpu, sorted(os.sched_getaffinity(0))))  # type: ignore[attr-defined]
    hold.wait(30)  # type: ignore[attr-defined]
    import atexit

    atexit._run_exitfuncs()  # what a batch worker's end runs (_run_exit_handlers_at_exit)


def test_pinned_workers_take_distinct_cpus_and_give_them_back_when_they_end() -> None:
    import multiprocessing

    from reportkit.tools.workers import CpuSlots

    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        pytest.skip("this machine has one CPU")
    context = multiprocessing.get_context("fork")
    slots = CpuSlots(tuple(cpus[:2]), context.Array("q", 2))
    queue, hold = context.Queue(), context.Event()
    first = [context.Process(target=_claim, args=(slots, queue, hold)) for _ in range(2)]
    for process in first:
        process.start()
    claimed = [queue.get(timeout=30) for _ in first]
    late = context.Process(target=_claim, args=(slots, queue, hold))  # every slot is held: it floats
    late.start()
    assert queue.get(timeout=30)[0] is None
    hold.set()
    for process in [*first, late]:
        process.join(30)
    assert sorted(cpu for cpu, _ in claimed) == cpus[:2]
    assert all(affinity == [cpu] for cpu, affinity in claimed)
    assert list(slots.owners) == [0, 0]  # given back: a recycled worker's successor takes the CPU


def test_a_slot_whose_holder_is_gone_is_free() -> None:
    import multiprocessing

    from reportkit.tools.workers import CpuSlots

    context = multiprocessing.get_context("fork")
    gone = context.Process(target=lambda: None)
    gone.start()
    gone.join()
    cpus = sorted(os.sched_getaffinity(0))
    slots = CpuSlots((cpus[0],), context.Array("q", [gone.pid]))
    queue, hold = context.Queue(), context.Event()
    hold.set()
    process = context.Process(target=_claim, args=(slots, queue, hold))
    process.start()
    assert queue.get(timeout=30) == (cpus[0], [cpus[0]])
    process.join(30)
