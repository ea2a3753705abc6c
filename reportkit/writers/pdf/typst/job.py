"""Compiling a prepared Typst job: the settle and copyfit loops, freeing Typst's memory, finishing the PDF.

A :class:`TypstJob` is plain data (strings, numbers, lists, dicts): the template context as JSON
text (and, for copyfitting, one per fit step), the compile root it reads, the writer's data, the
PDF standards and date, the digests the PDF's /ID is made of and the metadata record. The
:class:`~reportkit.writers.pdf.typst.TypstEngine` prepares it from a resolved document;
:func:`compile_job` and :func:`finish_job` turn it into the finished PDF. This module imports only the standard library,
reportkit's errors and lean helpers, and (when a job runs) Typst, pikepdf and lxml: the parent
process of a split build (:mod:`reportkit.tools.split`) runs a job without ever loading the model,
the Markdown parser or the resolver, so that the memory they took is not under Typst's compile.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import threading
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ....errors import LayoutError, RenderError, ReportkitError, ReportkitWarning
from ...reproducible import content_digest
from .finish import finish

__all__ = [
    "EVICTING_COMPILES",
    "KNOWN_LINK_WORDS",
    "THREADS_VARIABLE",
    "Context",
    "MAX_FOOTNOTE_PASSES",
    "TypstJob",
    "book_families",
    "check_typst",
    "compile_job",
    "compiler",
    "compiling_process",
    "finish_job",
    "fixed_mmap_threshold",
    "font_book",
    "footnote_drift",
    "job_identifier",
    "link_description",
    "link_probe",
    "link_words",
    "missing_glyphs_notice",
    "needed_probe",
    "one_heap",
    "one_thread",
    "release_memory",
    "typst_error",
    "typst_module",
    "typst_version",
    "with_breaks",
    "words_for",
]

#: sys.inputs keys: the template context, the writer's own data, the embedded source JSON, the font book's families.
INPUT_CONTEXT = "reportkit"
INPUT_WRITER = "reportkit-writer"
INPUT_SOURCE = "reportkit-source"
INPUT_FONTS = "reportkit-fonts"
#: The label of the writer's metadata: page count, where each link target and each footnote lies.
WRITER_LABEL = "<reportkit-writer>"
#: How many times drifted footnotes are corrected before giving up with a warning.
MAX_FOOTNOTE_PASSES = 4
#: Compiles of an empty document that age every result of earlier compiles out of Typst's memo cache
#: (each compile of the binding ends with ``comemo::evict(10)``: a result unused for 10 evictions goes).
EVICTING_COMPILES = 11
#: A template context's JSON text and the offset of the ``[]`` of its ``breaks`` in it.
Context = tuple[str, int]
#: The identifier the metadata records of a job are prepared with, replaced by the PDF's /ID when it is known.
PLACEHOLDER_ID = "0" * 32


@dataclass
class TypstJob:
    """Everything a compile of one document needs, as plain data (it crosses a pipe in a split build)."""

    #: The template context as JSON text (``breaks`` empty), and where its ``[]`` of ``breaks`` starts.
    text: str
    breaks_at: int
    #: The folders of the font files Typst may use.
    font_folders: tuple[str, ...]
    #: The writer's data besides the anchors: the files an archival PDF embeds.
    attachments: list[dict[str, Any]]
    #: Every label links may point at (citation calls, sources).
    anchors: list[str]
    #: The embedded source JSON (archival), else None.
    source: str | None
    #: PDF standards asked of Typst (``a-3a``, ``ua-1``).
    standards: list[str]
    #: The date the build stands for.
    when: dt.datetime
    #: The layout's name, and its chain as (name, folder) pairs (a template error names the file).
    layout_name: str
    layout_chain: list[tuple[str, str]]
    #: The document's language (primary subtag), for the words of internal links.
    lang: str
    #: What the PDF's /ID digests besides the context text: layout files, images, options.
    identity: list[Any]
    #: The version of the Typst compiler (part of the /ID).
    compiler_version: str
    #: The metadata record's fields, claiming PDF/UA (``ua``) or not (``plain``), with :data:`PLACEHOLDER_ID`.
    records: dict[str, dict[str, Any]]
    #: Copyfitting: the page count aimed at (0: none) and the steps that may be tried.
    fit_pages: int = 0
    fit_steps: int = 0
    #: The context text of each fit step, prepared ahead (a detached job); else :attr:`fit_text` makes them.
    fit_texts: list[Context] = field(default_factory=list)
    fit_text: Callable[[int], Context] | None = field(default=None, repr=False, compare=False)
    #: The compile root holding ``main.typ``, ``typst/`` and ``assets/`` (a detached job; else the session's).
    root: str = ""
    #: The images by their path in the compile root, for the caller that writes it (empty in a detached job).
    files: dict[str, bytes] = field(default_factory=dict, repr=False)

    def detached(self) -> TypstJob:
        """The job without its function: every fit step's text made now, so that it can be pickled."""
        texts = list(self.fit_texts)
        if not texts and self.fit_text is not None:
            texts = [self.fit_text(step) for step in range(1, self.fit_steps + 1)]
        return replace(self, fit_texts=texts, fit_text=None, files={})

    def step_text(self, step: int) -> Context:
        """The context text of fit step ``step`` (1-based)."""
        if self.fit_texts:
            return self.fit_texts[step - 1]
        assert self.fit_text is not None, "a job with fit steps has their texts or a function making them"
        return self.fit_text(step)


@lru_cache(maxsize=1)
def typst_version() -> str:
    """The version of the ``typst`` package (the Typst compiler it binds), or 'unknown'.

    Read as the cache key reads it (:func:`~reportkit.writers.pdf.environment.installed_version`, which a
    build has asked already): ``importlib.metadata.version`` parsed the package's metadata as an e-mail
    message, 0.0013 s of CPU more, and loaded :mod:`email.parser`.
    """
    from ..environment import installed_version

    version = installed_version("typst")
    return "unknown" if version == "-" else version


def check_typst() -> None:
    """Raise the ReportkitError of :func:`typst_module` when the ``typst`` package is missing, without importing it."""
    from importlib.util import find_spec

    if find_spec("typst") is None:
        typst_module()


def typst_module() -> Any:
    """The ``typst`` module, or a ReportkitError saying how to install it."""
    try:
        import typst
    except ImportError:
        raise ReportkitError(
            "the Typst engine needs the 'typst' package", hint='pip install "reportkit[typst]"'
        ) from None
    return typst


@lru_cache(maxsize=8)
def font_book(folders: tuple[str, ...]) -> Any:
    """Typst's font book of the files in ``folders`` only (no system fonts, no embedded fonts), shared per process."""
    return typst_module().Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=list(folders))


@lru_cache(maxsize=8)
def book_families(folders: tuple[str, ...]) -> str:
    """The families of :func:`font_book` ``(folders)`` as Typst names them, a JSON list (``sys.inputs`` of
    :data:`INPUT_FONTS`): a template names a family that may be missing (Noto CJK from ``--font-dir``) only when the
    book has it, since Typst warns of every unknown family it is given."""
    return json.dumps(sorted(font_book(folders).families()), ensure_ascii=False)


def compiler(root: str | Path, folders: tuple[str, ...]) -> Any:
    """A Typst compiler of ``root``'s ``main.typ``, reading only ``root`` and the fonts of ``folders``."""
    return typst_module().Compiler(
        str(Path(root) / "main.typ"), root=str(root), font_paths=font_book(folders), ignore_system_fonts=True
    )


#: Held while the evictor compiles (it is shared by the threads of a process).
EVICTOR_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _evictor() -> Any:
    """A compiler with no fonts, whose empty compiles age Typst's memoised results out (see :func:`release_memory`)."""
    typst = typst_module()
    empty = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[])
    return typst.Compiler(font_paths=empty, ignore_system_fonts=True)


#: A label link to page 2 in a language: how Typst describes its internal links there (:func:`link_description`).
_LINK_PROBE = (
    '#set text(lang: "{lang}")\n#link(<t>, box(width: 1pt, height: 1pt))\n#pagebreak()\n'
    "#box(width: 1pt, height: 1pt) <t>"
)


#: Typst's words for a link to a page in English (``{}``: its number), the language of most documents: what
#: :func:`link_probe` finds, known without compiling it (tests/writers/pdf/test_typst_links.py fails when Typst's
#: words change). The probe cost a Typst build of the sample 0.0035 s of CPU (compiled, then read with pikepdf).
KNOWN_LINK_WORDS = {"en": "page {}"}


@lru_cache(maxsize=32)
def link_description(lang: str) -> str:
    """How Typst describes a link to a page in ``lang`` ("page {}", "sayfa {}", "页 {}"), ``{}`` for the number.

    Typst gives each of its internal links a ``/Contents`` in the text's language ("page 6"); the
    templates' internal links are URIs that finishing turns into links to named destinations, and
    they get the same words. Typst's words are not readable from a template, so a tiny document
    with one label link is compiled in ``lang`` (:func:`link_probe`, about a millisecond, once per
    language and process) and read (:func:`link_words`), unless they are known
    (:data:`KNOWN_LINK_WORDS`). The built-in templates set the language without a region, as this does.
    """
    return words_for(lang, needed_probe(lang))


def needed_probe(lang: str) -> bytes:
    """What :func:`words_for` needs for ``lang``: its :func:`link_probe`, or nothing when its words are known."""
    return b"" if lang in KNOWN_LINK_WORDS else link_probe(lang)


def words_for(lang: str, probe: bytes) -> str:
    """How Typst describes a link to a page in ``lang``: the known words, else those of ``probe`` (:func:`needed_probe`)."""
    known = KNOWN_LINK_WORDS.get(lang)
    return known if known is not None else link_words(probe)


def link_probe(lang: str) -> bytes:
    """The PDF of a tiny document in ``lang`` with one label link to its page 2 (see :func:`link_description`)."""
    source = _LINK_PROBE.replace("{lang}", lang if re.fullmatch(r"[A-Za-z]{2,3}", lang) else "en")
    with EVICTOR_LOCK:
        pdf: bytes = _evictor().compile(input=source.encode(), format="pdf")
    return pdf


def link_words(probe: bytes) -> str:
    """How the :func:`link_probe` PDF ``probe`` describes its link, ``{}`` for the page number."""
    import pikepdf

    with pikepdf.open(io.BytesIO(probe)) as doc:
        words = str(doc.pages[0].Annots[0].get("/Contents", "page 2"))
    return words.replace("2", "{}") if words.count("2") == 1 else "page {}"


def release_memory() -> None:
    """Free what Typst memoised while compiling, and give the freed memory back to the system.

    Typst memoises its parsing, evaluation and layout in one global cache (comemo) for
    incremental compilation. The binding evicts a result only when 10 later compiles have not
    used it, and has no call to evict more (messense/typst-py#104): the last document's results
    stay (80 MB of them for the 16x dossier) while pikepdf finishes the PDF and while the next
    document of a batch compiles. A new document's JSON changes every result that depends on
    it, so keeping them saves little: compiling the sample again after this took as long as
    without it (0.10 s). ``EVICTING_COMPILES`` compiles of an empty document age them all out;
    ``malloc_trim`` (glibc) then returns the freed pages. tests/writers/pdf/test_typst_memory.py
    fails when the empty compiles stop freeing the memory (a binding that evicts differently).
    """
    with EVICTOR_LOCK:
        evictor = _evictor()
        for _ in range(EVICTING_COMPILES):
            evictor.compile(input=b"", format="pdf")  # its default empty document: "file not found" the 2nd time
    _trim()


@lru_cache(maxsize=2)
def _libc(function: str) -> Any:
    """The C library's function ``function`` (``malloc_trim``, ``mallopt``: glibc's), or None (another C library)."""
    import ctypes

    try:
        return getattr(ctypes.CDLL(None), function)
    except (AttributeError, OSError):
        return None


#: glibc's ``mallopt`` parameter number of the most heaps (arenas) its threads allocate from (malloc.h).
M_ARENA_MAX = -8


def one_heap() -> None:
    """Make every thread this process starts allocate from the main heap, where the C library can (glibc).

    glibc gives threads heaps of their own (up to 8 per core), and Typst lays a document out on
    several threads: each heap keeps free pages of its own, and the compile of the 16x dossier
    took about 11 MB more than with one heap, for the same CPU time. Called in a process that
    only compiles (:mod:`reportkit.tools.split`), before Typst starts its threads, when there are
    several: on the one thread :func:`one_thread` leaves it, Typst takes as much memory without it.
    """
    _mallopt(M_ARENA_MAX, 1)


def _mallopt(parameter: int, value: int) -> None:
    """glibc's ``mallopt(parameter, value)`` in this process; nothing where the C library is another."""
    mallopt = _libc("mallopt")
    if mallopt is not None:
        mallopt(parameter, value)


#: glibc's ``mallopt`` parameter number of the size from which a block gets a mapping of its own (malloc.h), and
#: the size it starts at (128 KiB).
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024


def fixed_mmap_threshold() -> None:
    """Keep glibc's size from which a block gets a mapping of its own at its start, 128 KiB, in this process.

    glibc raises that size to the size of each mapped block the program frees (up to 32 MB): a
    process forked after its parent read and freed the buffers of a large job (the split build's
    compiling process, after the 16x dossier's job of about 0.5 MB crossed the pipe) then serves
    Typst's large buffers from the heap, whose holes are not given back. The compile of the 16x
    dossier peaked at 165-171 MB in about one run in four, at 145-150 MB otherwise; with the size
    fixed (``mallopt`` also ends the raising) at 145-146 MB in 12 runs of 12, for 2-3 % more CPU
    in the compile (Typst's large buffers are mapped and unmapped each time). A no-op where the C
    library is not glibc.
    """
    _mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def _job_size(job: TypstJob) -> int:
    """About how many bytes ``job`` is when it crosses a pipe: the characters of its context texts."""
    return len(job.text) + sum(len(text) for text, _ in job.fit_texts)


def compiling_process(job: TypstJob) -> None:
    """Set up this process, which only compiles ``job`` (a split build's, :mod:`reportkit.tools.split`), before Typst starts.

    Typst lays out on one thread (:func:`one_thread`); threads the user asks for allocate from one heap
    (:func:`one_heap`: 9 MB less for the 16x dossier on 2 threads, nothing on one, where ``ctypes`` would
    only cost its 0.003 s import); a job larger than glibc's mmap threshold, whose buffers the parent
    freed as it read it, keeps that threshold fixed (:func:`fixed_mmap_threshold`; the sample's job does not).
    """
    import os

    if _job_size(job) > MMAP_THRESHOLD:
        fixed_mmap_threshold()
    one_thread()
    if os.environ[THREADS_VARIABLE] != "1":
        one_heap()


#: The environment variable that sets how many threads Typst lays documents out on (rayon's pool; the
#: default is one per core).
THREADS_VARIABLE = "RAYON_NUM_THREADS"


def one_thread() -> None:
    """Have Typst lay documents out on one thread in this process, unless ``RAYON_NUM_THREADS`` says otherwise.

    For a batch's worker, called before its first compile: the batch builds one document per
    core already, and each worker's extra threads would only wait for a core another worker
    holds (a ``-j 2`` batch of 100 Typst PDFs on 2 cores: about 4 % less wall time; BENCHMARKS.md,
    "Typst engine"). For the compiling process of a split build (:mod:`reportkit.tools.split`) too:
    Typst's second thread mostly waits for work, and one thread cost the 16x dossier 5 % less CPU
    and 2.6 % less wall time, the sample 1 % less of each. Typst's threads are rayon's, whose pool
    reads the variable as it starts, at the first compile; tests/writers/pdf/test_typst_threads.py
    fails if that changes upstream.
    """
    import os

    os.environ.setdefault(THREADS_VARIABLE, "1")


def _trim() -> None:
    """Return the C heap's free pages to the system, where the C library can (glibc)."""
    trim = _libc("malloc_trim")
    if trim is not None:
        trim(0)


def with_breaks(context: Context, breaks: Sequence[int]) -> str:
    """The context text (``breaks`` empty, its ``[]`` at the offset given) with ``breaks``: notes whose blocks start a page."""
    text, at = context
    if not breaks:
        return text
    assert text[at : at + 2] == "[]", "the offset of the context's breaks points at their empty list"
    return text[:at] + json.dumps(list(breaks), separators=(",", ":")) + text[at + 2 :]


def footnote_drift(found: Mapping[str, Any]) -> list[int]:
    """Numbers of the footnotes that are not on the page of their first call (``cite-N-1``)."""
    calls = {name: position["page"] for name, position in found["anchors"]}
    return sorted({int(n) for n, page in found["notes"] if calls.get(f"cite-{n}-1", page) != page})


def compile_once(
    job: TypstJob, typst_compiler: Any, text: str, standards: list[str], *, tags: bool = False
) -> tuple[bytes, dict[str, Any]]:
    """Compile once; return the PDF and what the writer's metadata found (pages, link targets, PDF/UA claimed)."""
    typst = typst_module()
    writer = {"attachments": job.attachments, "anchors": job.anchors}
    inputs = {INPUT_CONTEXT: text, INPUT_WRITER: json.dumps(writer), INPUT_FONTS: book_families(job.font_folders)}
    if job.source is not None:
        inputs[INPUT_SOURCE] = job.source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the binding's own warnings: compile_with_warnings returns them
            pdf, found_warnings = typst_compiler.compile_with_warnings(
                format="pdf",
                sys_inputs=inputs,
                pdf_standards=standards,
                pdf_tags=tags or bool(standards),
                timestamp=job.when,
            )
            found = json.loads(typst_compiler.query(WRITER_LABEL, field="value", one=True))
    except typst.TypstError as exc:
        message = str(getattr(exc, "message", "") or exc)
        # A character none of the fonts has: PDF/UA-1 and PDF/A stop the compile rather than draw it as a box.
        missing = missing_glyphs_notice(job, text) if UNDISPLAYABLE in message else None
        if missing is not None and any(standard.startswith("a-") for standard in standards):
            raise RenderError(f"{missing}. PDF/A allows no such box: the archival PDF was not made") from None
        if standards == ["ua-1"] and "PDF/UA-1 error" in message:
            # A default (not archival) build that breaks PDF/UA-1: still tagged, but claiming nothing, and said
            # (the missing characters by compile_job, once). An archival build refuses it, as PDF/A-3a + PDF/UA-1
            # is its promise.
            if missing is None:
                warnings.warn(
                    f"the layout {job.layout_name!r} breaks PDF/UA-1 ({message.split('PDF/UA-1 error:')[-1].strip()}): "
                    "the PDF is tagged but claims no PDF/UA conformance; fix the layout's typst/ templates",
                    ReportkitWarning,
                    stacklevel=5,
                )
            pdf, found = compile_once(job, typst_compiler, text, [], tags=True)
            return pdf, {**found, "ua": False, "missing": missing}
        raise typst_error(exc, job.layout_chain) from None
    for warning in found_warnings:
        warnings.warn(f"Typst: {getattr(warning, 'message', warning)}", ReportkitWarning, stacklevel=5)
    return bytes(pdf), {**found, "ua": "ua-1" in standards}


def _settle(job: TypstJob, typst_compiler: Any, context: Context) -> tuple[bytes, dict[str, Any], str]:
    """Compile; start the blocks whose footnotes drifted off their call's page on a new page, and again."""
    text = context[0]
    pdf, found = compile_once(job, typst_compiler, text, job.standards)
    fixed: set[int] = set()
    for _ in range(MAX_FOOTNOTE_PASSES):
        drifted = set(footnote_drift(found)) - fixed
        if not drifted:
            break
        fixed |= drifted
        text = with_breaks(context, sorted(fixed))
        pdf, found = compile_once(job, typst_compiler, text, job.standards)
    still = footnote_drift(found)
    if still:
        warnings.warn(
            f"footnote{'s' if len(still) > 1 else ''} {', '.join(map(str, still))} could not be kept "
            "on the page of its call",
            ReportkitWarning,
            stacklevel=4,
        )
    return pdf, found, text


def compile_job(job: TypstJob, typst_compiler: Any) -> tuple[bytes, dict[str, Any], str]:
    """The settled compile of ``job`` (copyfitted when the layout asks): the PDF, what it found, the text chosen.

    A character none of the fonts has is warned of, with the text around it (:func:`missing_glyphs_notice`):
    found by PDF/UA-1's check in a tagged build (the PDF then claims no PDF/UA conformance), and by
    the fonts' character maps in an untagged one, whose text goes beyond ASCII.
    """
    from .coverage import document_texts, needs_check

    chosen = _settle(job, typst_compiler, (job.text, job.breaks_at))
    target = job.fit_pages
    # Tighter type can save a part of a page, never a whole one: past that the text just runs on.
    if target and target < chosen[1]["pages"] <= target + 1:
        for step in range(1, job.fit_steps + 1):
            attempt = _settle(job, typst_compiler, job.step_text(step))
            if attempt[1]["pages"] <= target:
                chosen = attempt
                break
    _, found, text = chosen
    if found.get("missing"):
        warnings.warn(f"{found['missing']}; the PDF claims no PDF/UA conformance", ReportkitWarning, stacklevel=2)
    elif not job.standards and needs_check(document_texts(text)):
        notice = missing_glyphs_notice(job, text)
        if notice is not None:
            warnings.warn(notice, ReportkitWarning, stacklevel=2)
    return chosen


#: How Typst's PDF/UA-1 and PDF/A checks begin to say that a font cannot display a text.
UNDISPLAYABLE = "could not be displayed with font"


def missing_glyphs_notice(job: TypstJob, text: str) -> str | None:
    """The warning naming each character of the context ``text`` that none of ``job``'s fonts has; None for none."""
    from ..glyphs import missing_glyph_warning
    from .coverage import document_texts, uncovered

    texts = document_texts(text)
    return missing_glyph_warning(uncovered(texts, job.font_folders), texts, system_fonts=False)


def job_identifier(job: TypstJob, text: str) -> str:
    """The PDF's /ID (32 hex digits): a digest of the template data, layout files, images, options and Typst's version."""
    return content_digest("typst", job.compiler_version, text, *job.identity)[:32]


def finish_job(
    job: TypstJob, pdf: bytes | Path, found: Mapping[str, Any], identifier: str, *, links: str | None = None
) -> bytes:
    """Typst's PDF (its bytes, or its file) finished: reportkit's XMP and document info, the /ID ``identifier``
    (:func:`job_identifier` of the context text compiled), named link targets.

    ``links``: how links to a page read in the document's language (default: :func:`link_description`).
    """
    from ..xmp import Record, document_info, identification, xmp_packet

    links = link_description(job.lang) if links is None else links
    fields = job.records["ua" if found["ua"] else "plain"]
    record = Record(**{**fields, "instance_id": f"uuid:{uuid.UUID(identifier[:32])}"})

    def packet(typst_packet: bytes, fonts: Callable[[], frozenset[str]]) -> bytes:
        """reportkit's XMP packet; an archival one records the font files (``rk:fonts``), as the WeasyPrint engine does."""
        if job.source is None:
            return xmp_packet(record, identification(typst_packet))
        from .coverage import used_font_files

        used = "\n".join(used_font_files(fonts(), job.font_folders))
        return xmp_packet(replace(record, rk={**record.rk, "fonts": used}), identification(typst_packet))

    return finish(
        pdf,
        found["anchors"],
        packet,
        document_info(record),
        bytes.fromhex(identifier),
        link_text=links,
    )


def remove_root(root: str | Path) -> None:
    """Remove a detached job's compile root."""
    shutil.rmtree(root, ignore_errors=True)


#: Where a diagnostic points: a file of the compile root (``typst/x.typ`` or ``<layout>/typst/x.typ``) and a line.
_LOCATION = re.compile(r"reportkit-typst-[^/\s]+/((?:[\w.-]+/)?typst/[\w./-]+\.typ):(\d+)")


def typst_error(exc: Any, chain: Sequence[tuple[str, str]]) -> ReportkitError:
    """A LayoutError naming the layout file and line where Typst stopped (a RenderError if none).

    ``chain``: the layout chain as (name, folder) pairs, nearest first.
    """
    message = str(getattr(exc, "message", "") or exc)
    text = "\n".join([str(getattr(exc, "diagnostic", "")), *map(str, getattr(exc, "trace", []) or [])])
    hints = list(getattr(exc, "hints", []) or [])
    match = _LOCATION.search(text)
    if match:
        relative, line = match.group(1), int(match.group(2))
        file: Path | str = relative
        name, _, rest = relative.partition("/typst/")
        for layout_name, folder in chain:
            path = Path(folder)
            if relative.startswith("typst/") and (path / relative).is_file():
                file = path / relative
                break
            if layout_name == name and (path / "typst" / rest).is_file():
                file = path / "typst" / rest
                break
        return LayoutError(f"Typst template error: {message}", file=file, line=line, hint=hints[0] if hints else None)
    return RenderError(f"Typst could not compile the document: {message}", hint=hints[0] if hints else None)
