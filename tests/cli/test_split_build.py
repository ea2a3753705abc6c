"""A single Typst PDF build runs in two processes (reportkit/tools/split.py): the child reads and
prepares, the parent, which never loads the model, the Markdown parser or the resolver, compiles,
finishes and writes. Its outputs, messages, exit statuses and cache records are those of a build in
one process (``REPORTKIT_SPLIT=0``).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportkit as rk

pytest.importorskip("typst")

from conftest import SAMPLES  # noqa: E402

SAMPLE = SAMPLES / "russia-nato.md"
SLUG = "russia-nato"  # the sample's front matter: slug: russia-nato
#: Modules the parent of a split build must never import (the model, the input parsers, the resolver, Babel).
HEAVY = ("pydantic", "markdown_it", "yaml", "babel", "reportkit.resolve", "reportkit.document", "reportkit.factcheck",
         "reportkit.render.renderer")


def build(*args: str, modules: Path | None = None, split: bool = True) -> subprocess.CompletedProcess[str]:
    """``reportkit build ARGS`` in a new process; ``modules``: where the split's parent lists its modules."""
    env = {k: v for k, v in os.environ.items() if k not in ("REPORTKIT_SPLIT", "REPORTKIT_SPLIT_MODULES")}
    if modules is not None:
        env["REPORTKIT_SPLIT_MODULES"] = str(modules)
    if not split:
        env["REPORTKIT_SPLIT"] = "0"
    return subprocess.run([sys.executable, "-m", "reportkit", "build", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def wrapped(script: str, folder: Path, source: Path, out: Path, **environment: str) -> None:
    """``reportkit build SOURCE -f pdf --engine typst -o OUT`` run by ``script`` (which wraps parts of the build and
    writes what it saw into ``folder``) in a new process, split unless ``environment`` says otherwise; it must succeed.
    ``environment``: variables set (``RAYON_NUM_THREADS``...); REPORTKIT_SPLIT and RAYON_NUM_THREADS are unset otherwise."""
    env = {k: v for k, v in os.environ.items() if k not in ("REPORTKIT_SPLIT", "RAYON_NUM_THREADS")} | environment
    proc = subprocess.run([sys.executable, "-c", script, str(folder), str(source), "-f", "pdf", "--engine", "typst",
                           "-o", str(out)], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr


def layout(folder: Path, document: str) -> Path:
    """A user layout extending the report, whose typst/document.typ is ``document``."""
    (folder / "typst").mkdir(parents=True)
    (folder / "layout.toml").write_text(f'name = "{folder.name}"\nextends = "report"\n', "utf-8")
    (folder / "typst" / "document.typ").write_text(document, "utf-8")
    return folder


@pytest.mark.parametrize(
    ("args", "same", "other"),
    [
        ((), {}, {"archival": True}),
        (("--archival",), {"archival": True}, {}),
        # The brief's layout.toml asks for one page (fit_pages = 1): the sample is copyfitted to it.
        (("-l", "brief"), {"layout": "brief"}, {"layout": "brief", "fit_steps": 0}),
    ],
    ids=["default", "archival", "copyfitted-brief"],
)
def test_a_split_build_writes_the_bytes_the_in_process_render_makes(tmp_path, args, same, other):
    modules = tmp_path / "modules.txt"
    proc = build(str(SAMPLE), "-f", "pdf", "--engine", "typst", *args, "-o", str(tmp_path / "out"), modules=modules)
    assert proc.returncode == 0, proc.stderr
    assert modules.is_file()  # the parent finished it: the build was split
    written = (tmp_path / "out" / f"{SLUG}.pdf").read_bytes()
    assert written == rk.load(SAMPLE).render("pdf", engine="typst", **same)
    # Negative: the comparison tells builds apart (another variant's bytes differ).
    assert written != rk.load(SAMPLE).render("pdf", engine="typst", **other)
    if "brief" in args:
        assert len(PdfReader(io.BytesIO(written)).pages) == 1


def test_a_split_build_and_a_build_in_one_process_write_the_same_file_and_cache_record(tmp_path):
    split, single = tmp_path / "split", tmp_path / "single"
    for out, flag in ((split, True), (single, False)):
        proc = build(str(SAMPLE), "-f", "pdf", "--engine", "typst", "-o", str(out), split=flag)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == f"wrote {out / (SLUG + '.pdf')}"
    assert (split / f"{SLUG}.pdf").read_bytes() == (single / f"{SLUG}.pdf").read_bytes()

    def record(out: Path) -> dict[str, object]:
        entry = json.loads((out / ".reportkit-cache.json").read_text("utf-8"))["inputs"][str(SAMPLE.resolve())]
        for fmt in entry["formats"].values():
            fmt.pop("mtime_ns")
        return entry

    assert record(split) == record(single)
    assert record(split)["slug"] == SLUG and set(record(split)["formats"]) == {"pdf"}


def test_a_second_split_build_without_force_is_skipped_and_rebuilt_when_the_input_changes(tmp_path, workdir):
    source = workdir / SAMPLE.name  # a copy, next to the files it names
    out = tmp_path / "out"
    target = out / f"{SLUG}.pdf"
    assert build(str(source), "-f", "pdf", "--engine", "typst", "-o", str(out)).returncode == 0
    stamp = target.stat().st_mtime_ns
    again = build(str(source), "-f", "pdf", "--engine", "typst", "-o", str(out))
    assert again.returncode == 0 and again.stdout.strip() == f"unchanged {target}"
    assert "1 skipped as unchanged" in again.stderr and target.stat().st_mtime_ns == stamp
    # Negative: an edited input is built again.
    source.write_text(SAMPLE.read_text("utf-8").replace("Northlight Fact Desk", "Southlight Fact Desk"), "utf-8")
    edited = build(str(source), "-f", "pdf", "--engine", "typst", "-o", str(out))
    assert edited.returncode == 0 and edited.stdout.strip() == f"wrote {target}"
    assert target.stat().st_mtime_ns != stamp


def test_the_parent_of_a_split_build_loads_neither_the_model_nor_the_markdown_parser_nor_the_resolver(tmp_path):
    modules = tmp_path / "modules.txt"
    proc = build(str(SAMPLE), "-f", "pdf", "--engine", "typst", "-o", str(tmp_path / "out"), modules=modules)
    assert proc.returncode == 0, proc.stderr
    loaded = set(modules.read_text("utf-8").split())
    assert {"click", "reportkit.cli", "reportkit.writers.pdf.typst.job"} <= loaded  # the list is the parent's
    assert not {name for name in loaded if name.split(".")[0] in HEAVY or name in HEAVY
                or any(name.startswith(heavy + ".") for heavy in HEAVY)}
    # Negative: a process that loads a fact-check has them all, so the check above would see them.
    probe = subprocess.run(
        [sys.executable, "-c", f"import sys, reportkit as rk; rk.load({str(SAMPLE)!r}).resolve(); print(*sys.modules)"],
        capture_output=True, text=True, timeout=120,
    )
    assert {"pydantic", "markdown_it", "yaml", "reportkit.resolve", "reportkit.document"} <= set(probe.stdout.split())


def test_a_bad_input_fails_with_exit_2_naming_it_and_leaves_the_good_output_there(tmp_path, workdir):
    source = workdir / SAMPLE.name  # a copy, next to the files it names
    out = tmp_path / "out"
    target = out / f"{SLUG}.pdf"
    good = build(str(source), "-f", "pdf", "--engine", "typst", "-o", str(out))
    assert good.returncode == 0 and target.is_file()  # the negative: the same file, still valid, builds
    before, stamp = target.read_bytes(), target.stat().st_mtime_ns
    source.write_text(SAMPLE.read_text("utf-8").replace("published: 2025-11-20", "published: 20 November"), "utf-8")
    bad = build(str(source), "-f", "pdf", "--engine", "typst", "--force", "-o", str(out))
    assert bad.returncode == 2
    assert str(source) in bad.stderr and "published" in bad.stderr and "Traceback" not in bad.stderr
    assert target.read_bytes() == before and target.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in out.iterdir()) == [".reportkit-cache.json", f"{SLUG}.pdf"]


def test_a_typst_template_error_in_a_user_layout_names_the_layout_file_and_line(tmp_path):
    broken = layout(tmp_path / "broken", '#import "/report/typst/report.typ": *\n\n#report(nope: 1)\n')
    modules = tmp_path / "modules.txt"
    proc = build(str(SAMPLE), "-f", "pdf", "--engine", "typst", "-l", str(broken), "-o", str(tmp_path / "out"),
                 modules=modules)
    assert modules.is_file()  # the error arose in the parent, which compiles
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{broken / 'typst' / 'document.typ'}:3" in proc.stderr and "Typst template error" in proc.stderr
    assert not (tmp_path / "out" / f"{SLUG}.pdf").exists()
    # Negative: the same layout without the error builds.
    layout(tmp_path / "fixed", '#import "/report/typst/report.typ": *\n\n#report()\n')
    fixed = build(str(SAMPLE), "-f", "pdf", "--engine", "typst", "-l", str(tmp_path / "fixed"), "-o",
                  str(tmp_path / "out"))
    assert fixed.returncode == 0, fixed.stderr


def test_strict_turns_a_typst_warning_of_the_parent_into_an_error_and_writes_nothing(tmp_path):
    warns = layout(tmp_path / "warns",
                   '#import "/report/typst/report.typ": *\n#text(font: "NoSuchFontFamily")[x]\n#report()\n')
    lax = build(str(SAMPLE), "-f", "pdf", "--engine", "typst", "-l", str(warns), "-o", str(tmp_path / "lax"))
    assert lax.returncode == 0 and "warning: Typst: unknown font family: nosuchfontfamily" in lax.stderr
    assert (tmp_path / "lax" / f"{SLUG}.pdf").is_file()  # the negative: without --strict it is written
    strict = build(str(SAMPLE), "-f", "pdf", "--engine", "typst", "-l", str(warns), "--strict", "-o",
                   str(tmp_path / "strict"))
    assert strict.returncode == 2 and "1 warning with --strict: Typst: unknown font family" in strict.stderr
    assert "Traceback" not in strict.stderr
    assert not (tmp_path / "strict" / f"{SLUG}.pdf").exists()
    single = build(str(SAMPLE), "-f", "pdf", "--engine", "typst", "-l", str(warns), "--strict", "-o",
                   str(tmp_path / "single"), split=False)
    assert (single.returncode, single.stdout, single.stderr) == (strict.returncode, strict.stdout, strict.stderr)


@pytest.mark.parametrize(
    "args",
    [
        (str(SAMPLE), str(SAMPLES / "energy-bills.md"), "-f", "pdf", "--engine", "typst"),
        (str(SAMPLE), "-f", "pdf,epub", "--engine", "typst"),
        (str(SAMPLE), "-f", "pdf", "--engine", "weasyprint"),
        (str(SAMPLE), "-f", "pdf", "--engine", "typst", "-j", "2"),
    ],
    ids=["two-inputs", "pdf-and-epub", "weasyprint", "two-jobs"],
)
def test_builds_other_than_one_typst_pdf_run_in_one_process_as_before(tmp_path, args):
    modules = tmp_path / "modules.txt"
    proc = build(*args, "-o", str(tmp_path / "out"), modules=modules)
    assert proc.returncode == 0, proc.stderr
    assert not modules.exists()  # no parent of a split compiled
    assert (tmp_path / "out" / f"{SLUG}.pdf").is_file()
    # Negative: one Typst PDF of one input is split.
    one = build(str(SAMPLE), "-f", "pdf", "--engine", "typst", "-o", str(tmp_path / "one"), modules=modules)
    assert one.returncode == 0 and modules.is_file()


def test_a_layout_whose_default_engine_is_typst_is_built_split_without_engine(tmp_path):
    house = layout(tmp_path / "house", '#import "/report/typst/report.typ": *\n#report()\n')
    toml = house / "layout.toml"
    modules = tmp_path / "modules.txt"
    toml.write_text(toml.read_text("utf-8") + '\n[options]\nengine = "typst"\n', "utf-8")
    proc = build(str(SAMPLE), "-f", "pdf", "-l", str(house), "-o", str(tmp_path / "out"), modules=modules)
    assert proc.returncode == 0, proc.stderr
    assert modules.is_file()
    assert "Typst" in PdfReader(tmp_path / "out" / f"{SLUG}.pdf").metadata["/Producer"]
    # Negative: the layout's default overridden on the command line is built by WeasyPrint, in one process.
    modules.unlink()
    weasy = build(str(SAMPLE), "-f", "pdf", "-l", str(house), "--engine", "weasyprint", "-o", str(tmp_path / "w"),
                  modules=modules)
    assert weasy.returncode == 0, weasy.stderr
    assert not modules.exists()


#: Runs ``reportkit build ARGV`` and, in each process of it, lists the modules it imported after the first fork
#: (the parent: after it forked the preparing child; a child: after its birth) in FOLDER/<role>.txt as it ends.
_MODULES_PER_PROCESS = """
import os, sys
folder, argv = sys.argv[1], sys.argv[2:]
role, before, forks = ["parent"], [None], [0]
real_exit, real_fork = os._exit, os.fork

def _exit(status):
    with open(os.path.join(folder, role[0] + ".txt"), "w") as out:
        out.write("\\n".join(sorted(set(sys.modules) - before[0])))
    real_exit(status)

def fork():
    forks[0] += 1
    loaded = set(sys.modules)
    if forks[0] == 1:
        before[0] = loaded
    pid = real_fork()
    if pid == 0:
        role[0], before[0] = f"child{forks[0]}", loaded
    return pid

os._exit, os.fork = _exit, fork
sys.argv = ["reportkit", "build", *argv]
from reportkit.cli import run
run()
"""


def test_no_module_is_imported_both_by_the_preparing_child_and_by_the_parent_nor_needlessly_by_the_parent(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", _MODULES_PER_PROCESS, str(tmp_path), str(SAMPLE), "-f", "pdf", "--engine", "typst",
         "-o", str(out)],
        capture_output=True, text=True, timeout=300, env={k: v for k, v in os.environ.items() if k != "REPORTKIT_SPLIT"},
    )
    assert proc.returncode == 0, proc.stderr
    child = set((tmp_path / "child1.txt").read_text("utf-8").split())
    parent = set((tmp_path / "parent.txt").read_text("utf-8").split())
    # The parent finishes with pikepdf: what pikepdf shares with the child's libraries is imported before the fork.
    assert "pydantic" in child and "pikepdf" in parent and "typst" not in child | parent
    # lxml is the exception: the child sanitises the sample's SVG drawings with it, the parent makes the XMP
    # packet; imported before the fork, it would sit in the memory of the parent while Typst compiles.
    lxml = subprocess.run(
        [sys.executable, "-c", "import sys, reportkit.cli; before = set(sys.modules); import lxml.etree; "
         "print(*set(sys.modules) - before)"], capture_output=True, text=True, timeout=120, check=True,
    ).stdout.split()
    assert "lxml.etree" in child & parent
    assert not (child & parent) - set(lxml), sorted(child & parent)
    # The parent reports its one document without the batch machinery (worker pools, concurrent.futures).
    assert {"reportkit.tools.report", "reportkit.cli.progress"} <= parent
    assert not {"reportkit.tools.batch", "concurrent.futures"} & parent
    assert (out / f"{SLUG}.pdf").is_file()


@pytest.mark.parametrize(("language", "word"), [("en", "page"), ("de", "Seite")])
def test_a_split_build_says_where_internal_links_go_in_the_documents_language(tmp_path, workdir, language, word):
    source = workdir / SAMPLE.name  # a copy, next to the files it names
    source.write_text(SAMPLE.read_text("utf-8").replace("\nlanguage: en\n", f"\nlanguage: {language}\n", 1), "utf-8")
    proc = build(str(source), "-f", "pdf", "--engine", "typst", "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    reader = PdfReader(tmp_path / "out" / f"{SLUG}.pdf")
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, start=1)}
    named = {name: pages[dest.page.idnum] for name, dest in reader.named_destinations.items()}
    said = [(str(annot["/Contents"]), named[str(annot["/Dest"])]) for page in reader.pages
            for annot in (a.get_object() for a in page.get("/Annots", []) or []) if isinstance(annot.get("/Dest"), str)]
    assert len(said) > 20  # every call and back-reference of the sample
    assert all(contents == f"{word} {target}" for contents, target in said), said[:3]


#: Runs ``reportkit build ARGV`` (argv[2:]) with Typst's compile wrapped: the process that compiles writes how many
#: threads it has then, its RAYON_NUM_THREADS, its pid and whether it loaded ctypes to ARGV[1]/compiled.txt, the command's own process its variable at
#: the end to ARGV[1]/command.txt.
_THREADS = """
import atexit, os, sys
from pathlib import Path
folder, argv = Path(sys.argv[1]), sys.argv[2:]
from reportkit.writers.pdf.typst import job
real = job.compile_job

def compile_job(*args, **kwargs):
    result = real(*args, **kwargs)
    (folder / "compiled.txt").write_text(
        f"{len(os.listdir('/proc/self/task'))} {os.environ.get('RAYON_NUM_THREADS', '-')} {os.getpid()} "
        f"{'ctypes' in sys.modules}")
    return result

job.compile_job = compile_job
atexit.register(lambda: (folder / "command.txt").write_text(f"{os.environ.get('RAYON_NUM_THREADS', '-')} {os.getpid()}"))
sys.argv = ["reportkit", "build", *argv]
from reportkit.cli import run
run()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc/self/task")
@pytest.mark.parametrize(("chosen", "threads"), [(None, 1), ("3", 3)])
def test_the_compiling_process_of_a_split_build_lays_out_on_one_thread_unless_the_user_chose(tmp_path, chosen,
                                                                                             threads):
    wrapped(_THREADS, tmp_path, SAMPLE, tmp_path / "out", **({} if chosen is None else {"RAYON_NUM_THREADS": chosen}))
    compiled_threads, compiled_variable, compiled_pid, heap = (tmp_path / "compiled.txt").read_text("utf-8").split()
    command_variable, command_pid = (tmp_path / "command.txt").read_text("utf-8").split()
    assert compiled_pid != command_pid  # compiled in a process of its own
    # The compiling process's own thread and Typst's pool; the command's environment is left as it was.
    assert (int(compiled_threads), compiled_variable) == (1 + threads, chosen or "1")
    assert command_variable == (chosen or "-")
    # Several threads allocate from one heap (one_heap, through ctypes); Typst's one thread needs no such call.
    assert heap == str(threads > 1)


#: Runs ``reportkit build ARGV`` (argv[2:]); the process that reads and prepares the document writes whether Python's
#: garbage collector is on, and its pid, to ARGV[1]/prepared.txt as it loads the fact-check; the command's own pid
#: goes to ARGV[1]/command.txt.
_COLLECTOR = """
import gc, os, sys
from pathlib import Path
folder, argv = Path(sys.argv[1]), sys.argv[2:]
(folder / "command.txt").write_text(str(os.getpid()))
from reportkit.tools import build
real = build.build_file

def build_file(*args, **kwargs):
    (folder / "prepared.txt").write_text(f"{gc.isenabled()} {os.getpid()}")
    return real(*args, **kwargs)

build.build_file = build_file
sys.argv = ["reportkit", "build", *argv]
from reportkit.cli import run
run()
"""


def test_the_preparing_child_of_a_split_build_runs_without_garbage_collections_and_the_command_with(tmp_path):
    import gc

    wrapped(_COLLECTOR, tmp_path, SAMPLE, tmp_path / "out")
    enabled, pid = (tmp_path / "prepared.txt").read_text("utf-8").split()
    assert enabled == "False" and pid != (tmp_path / "command.txt").read_text("utf-8")
    # A build in one process keeps its collections (a batch's worker, a script, the preview server).
    wrapped(_COLLECTOR, tmp_path, SAMPLE, tmp_path / "one", REPORTKIT_SPLIT="0")
    command = (tmp_path / "command.txt").read_text("utf-8")
    assert (tmp_path / "prepared.txt").read_text("utf-8").split() == ["True", command]
    assert gc.isenabled()


#: Runs ``reportkit build ARGV`` (argv[2:]); the process that compiles writes to ARGV[1]/threshold.txt whether it
#: fixed glibc's size for blocks of their own before compiling, and how many characters its job's context text has.
_THRESHOLD = """
import os, sys
from pathlib import Path
folder, argv = Path(sys.argv[1]), sys.argv[2:]
from reportkit.writers.pdf.typst import job
real_fix, real_compile = job.fixed_mmap_threshold, job.compile_job
fixed = []

def fixed_mmap_threshold():
    fixed.append(os.getpid())
    real_fix()

def compile_job(typst_job, *args, **kwargs):
    (folder / "threshold.txt").write_text(f"{os.getpid() in fixed} {len(typst_job.text)}")
    return real_compile(typst_job, *args, **kwargs)

job.fixed_mmap_threshold, job.compile_job = fixed_mmap_threshold, compile_job
sys.argv = ["reportkit", "build", *argv]
from reportkit.cli import run
run()
"""


@pytest.mark.parametrize(("factor", "fixed"), [(1, "False"), (6, "True")])
def test_the_compiling_process_fixes_glibcs_mapping_size_for_a_job_larger_than_it(tmp_path, monkeypatch, factor,
                                                                                   fixed):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import corpus

    from reportkit.writers.pdf.typst.job import MMAP_THRESHOLD

    source = corpus.dossier(tmp_path / "in", factor)
    wrapped(_THRESHOLD, tmp_path, source, tmp_path / "out")
    was_fixed, characters = (tmp_path / "threshold.txt").read_text("utf-8").split()
    # The sample's job is smaller than glibc's first size for blocks of their own; six times the sample, larger.
    assert (was_fixed, int(characters) > MMAP_THRESHOLD) == (fixed, fixed == "True")
