"""The Typst engine of the PDF writer: the layout's ``typst/`` templates compiled by Typst.

The fact-check reaches the templates as data: the template context (the same
:class:`~reportkit.render.renderer.Renderer` builds it for both engines) turned into JSON
(:mod:`.context`), with Markdown as a tree of nodes (:mod:`.tree`), passed through
``sys.inputs``. Templates set every input string with ``text()``, so nothing from the input
is ever Typst markup. Typst reads only a compile root this engine assembles in a temporary
folder: the ``typst/`` folders of the layout chain, the document's checked images and the
writer's own main file; fonts come from the ``fontpkg`` packages the layout names, with
system fonts and Typst's embedded fonts ignored, so rebuilds are byte-identical.

After compiling, :mod:`.finish` gives the PDF reportkit's XMP packet and document info and
names its link targets (Typst names only headings: typst/typst#1352). Before it does, what Typst
memoised while compiling is freed (:func:`release_memory`), so that finishing, and the next
document of a batch or a preview, reuse that memory instead of adding to it.
"""

from __future__ import annotations

import atexit
import ctypes
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ....errors import LayoutError, RenderError, ReportkitError, ReportkitWarning
from ....render.i18n import release_locale_data
from ....render.layouts import Layout
from ....render.renderer import Medium, Renderer
from ....resolve.resolver import Resolved
from .. import archival
from ...reproducible import build_datetime, content_digest, input_files, options_key
from .context import context_data
from .finish import finish

__all__ = ["TypstEngine", "footnote_drift", "link_description", "release_memory", "typst_version", "warm_up"]

#: sys.inputs keys: the template context, the writer's own data, the embedded source JSON.
INPUT_CONTEXT = "reportkit"
INPUT_WRITER = "reportkit-writer"
INPUT_SOURCE = "reportkit-source"
#: The label of the writer's metadata: page count, where each link target and each footnote lies.
WRITER_LABEL = "<reportkit-writer>"
#: How many times drifted footnotes are corrected before giving up with a warning.
MAX_FOOTNOTE_PASSES = 4
#: Compiles of an empty document that age every result of earlier compiles out of Typst's memo cache
#: (each compile of the binding ends with ``comemo::evict(10)``: a result unused for 10 evictions goes).
EVICTING_COMPILES = 11


@lru_cache(maxsize=1)
def typst_version() -> str:
    """The version of the ``typst`` package (the Typst compiler it binds), or 'unknown'."""
    try:
        return version("typst")
    except PackageNotFoundError:  # pragma: no cover - checked by _typst()
        return "unknown"


def _typst() -> Any:
    """The ``typst`` module, or a ReportkitError saying how to install it."""
    try:
        import typst
    except ImportError:
        raise ReportkitError(
            "the Typst engine needs the 'typst' package", hint='pip install "reportkit[typst]"'
        ) from None
    return typst


@lru_cache(maxsize=8)
def _fonts(folders: tuple[str, ...]) -> Any:
    """Typst's font book of the files in ``folders`` only (no system fonts, no embedded fonts), shared per process."""
    typst = _typst()
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=list(folders))


@lru_cache(maxsize=64)
def _variable(family: str) -> bool:
    """Whether the ``fontpkg`` family ``family`` is a variable font."""
    import fontpkg

    from ....render.fonts import package_family

    try:
        return any(file.variable for file in package_family(family).files)
    except fontpkg.FontpkgError:
        return False


def _families(layout: Layout, text: str) -> tuple[str, ...]:
    """The families Typst gets: the layout's static families, fallbacks included, and the variable ones the text needs.

    IBM Plex Sans (the fallback for Cyrillic and Greek) is a variable font whose family name is
    that of IBM Plex Sans Condensed's static faces, and Typst 0.15 prefers the variable font
    for the whole family, condensed requests included (typst/typst#8425 added variable fonts):
    it joins only when the text has characters no other family has, and then sets all the
    sans-serif text at its narrowest width. tests/writers/pdf/test_typst.py fails when Typst
    picks the static condensed faces instead.
    """
    needed = set(layout.fonts_for(text))
    return tuple(family for family in layout.all_fonts if family in needed or not _variable(family))


def _font_folders(families: tuple[str, ...]) -> tuple[str, ...]:
    """The folders holding the font files of ``families`` (the ``fontpkg`` packages install one per family)."""
    from ....render.fonts import font_files

    return tuple(sorted({str(path.parent) for path in font_files(families)}))


def main_file() -> bytes:
    """The writer's main Typst file: the layout's document, then attachments and link targets."""
    return resources.files(__package__).joinpath("main.typ").read_bytes()


def _medium() -> Medium:
    """The print medium, without HTML: Typst templates read the Markdown trees of :mod:`.context`."""
    return Medium(name="print", asset_url=lambda asset: asset.path.as_uri(), layout_url=lambda name: name, html=False)


class _Session:
    """A compile root and its Typst compiler, kept for one layout chain and font set in this process.

    Keeping them lets Typst compile incrementally: a second document, or the same one edited
    (``reportkit preview --watch``), reuses what did not change. The root holds:
    ``/typst/``, the chain's ``typst/`` files, the nearest layout's winning (as the print
    templates are found); ``/<name>/typst/``, each layout's own, so that a layout reaches the
    one it extends by name (``#import "/report/typst/report.typ": *``); ``/assets/``, the
    images, named by their content's digest (a name never holds other bytes); ``/main.typ``.
    """

    def __init__(self, layout: Layout, fonts: Any) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="reportkit-typst-"))
        self.pid = os.getpid()
        atexit.register(self.close)
        self.lock = threading.Lock()
        self.written: dict[Path, bytes] = {}
        self.sync(layout)
        self.compiler = _typst().Compiler(
            str(self.root / "main.typ"), root=str(self.root), font_paths=fonts, ignore_system_fonts=True
        )

    def close(self) -> None:
        """Remove the root (only in the process that made it: a forked worker shares the path)."""
        if os.getpid() == self.pid:
            shutil.rmtree(self.root, ignore_errors=True)

    def _put(self, target: Path, data: bytes) -> None:
        if self.written.get(target) != data:  # unchanged files keep their time: Typst rereads only the others
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            self.written[target] = data

    def sync(self, layout: Layout) -> None:
        """Copy the layout chain's ``typst/`` files (and the writer's main file) into the root."""
        wanted: dict[Path, bytes] = {self.root / "main.typ": main_file()}
        for chain_layout in reversed(layout.chain):  # farthest first: nearer layouts overwrite
            folder = chain_layout.path / "typst"
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        relative, data = path.relative_to(folder), path.read_bytes()
                        wanted[self.root / "typst" / relative] = data
                        wanted[self.root / chain_layout.name / "typst" / relative] = data
        for stale in set(self.written) - set(wanted):
            if not stale.is_relative_to(self.root / "assets"):
                stale.unlink(missing_ok=True)
                del self.written[stale]
        for target, data in wanted.items():
            self._put(target, data)

    def put(self, files: Mapping[str, bytes]) -> None:
        """Write ``files`` (root path -> bytes) into the root."""
        for name, data in files.items():
            self._put(self.root / name.lstrip("/"), data)


def _images(resolved: Resolved) -> dict[str, tuple[str, bytes]]:
    """Each image reference's path in the compile root, named by its content's digest, and its bytes."""
    images = {}
    for ref, asset in sorted(resolved.assets.items()):
        data = asset.data  # the checked (and, for SVG, sanitised) bytes
        images[ref] = (f"/assets/{hashlib.sha256(data).hexdigest()[:24]}{asset.path.suffix.lower()}", data)
    return images


_SESSIONS: dict[tuple[Any, ...], _Session] = {}
_SESSIONS_LOCK = threading.Lock()
#: How many layout chains and font sets keep a compiler in one process.
MAX_SESSIONS = 4


def _session(layout: Layout, folders: tuple[str, ...]) -> _Session:
    """The process's session for ``layout``'s chain and the font ``folders`` (made on first use)."""
    key = (os.getpid(), tuple((l.name, str(l.path)) for l in layout.chain), folders)
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(key)
        if session is None:
            for stale in list(_SESSIONS)[: max(0, len(_SESSIONS) - MAX_SESSIONS + 1)]:
                if _SESSIONS[stale].lock.acquire(blocking=False):  # never one a render is using
                    _SESSIONS.pop(stale).close()
            session = _SESSIONS[key] = _Session(layout, _fonts(folders))
        return session


@lru_cache(maxsize=1)
def _evictor() -> Any:
    """A compiler with no fonts, whose empty compiles age Typst's memoised results out (see :func:`release_memory`)."""
    typst = _typst()
    empty = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[])
    return typst.Compiler(font_paths=empty, ignore_system_fonts=True)


#: A label link to page 2 in a language: how Typst describes its internal links there (:func:`link_description`).
_LINK_PROBE = (
    '#set text(lang: "{lang}")\n#link(<t>, box(width: 1pt, height: 1pt))\n#pagebreak()\n'
    "#box(width: 1pt, height: 1pt) <t>"
)


@lru_cache(maxsize=32)
def link_description(lang: str) -> str:
    """How Typst describes a link to a page in ``lang`` ("page {}", "sayfa {}", "页 {}"), ``{}`` for the number.

    Typst gives each of its internal links a ``/Contents`` in the text's language ("page 6"); the
    templates' internal links are URIs that finishing turns into links to named destinations, and
    they get the same words. Typst's words are not readable from a template, so a tiny document
    with one label link is compiled in ``lang`` (about a millisecond, once per language and process).
    The built-in templates set the language without a region, as this does.
    """
    import pikepdf

    source = _LINK_PROBE.replace("{lang}", lang if re.fullmatch(r"[A-Za-z]{2,3}", lang) else "en")
    with _SESSIONS_LOCK:
        pdf = _evictor().compile(input=source.encode(), format="pdf")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
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
    with _SESSIONS_LOCK:
        evictor = _evictor()
        for _ in range(EVICTING_COMPILES):
            evictor.compile(input=b"", format="pdf")  # its default empty document: "file not found" the 2nd time
    _trim()


@lru_cache(maxsize=1)
def _libc_trim() -> Any:
    """glibc's ``malloc_trim``, or None (another C library)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None


def _trim() -> None:
    """Return the C heap's free pages to the system, where the C library can (glibc)."""
    trim = _libc_trim()
    if trim is not None:
        trim(0)


def warm_up(layout: Layout) -> None:
    """Load the Typst binding and the layout's fonts ahead of the first document (batch workers)."""
    _typst()
    _fonts(_font_folders(_families(layout, "")))


class TypstEngine:
    """Compiles a resolved document with the layout's ``typst/`` templates."""

    def render(
        self, resolved: Resolved, layout: Layout, *, page_size: str = "A4", options: Mapping[str, Any] | None = None
    ) -> bytes:
        """The PDF bytes of ``resolved`` (copyfitted when the layout asks), finished with reportkit's metadata."""
        _typst()  # before any work: says how to install the engine
        options = dict(options or {})
        _refuse_print_shop(options)
        is_archival = archival.is_archival(options)
        tagged = archival.is_tagged(options)
        # Tagged PDF/UA-1 by default, as with WeasyPrint; archival adds PDF/A-3a.
        standards = ["a-3a", "ua-1"] if is_archival else (["ua-1"] if tagged else [])
        if is_archival:
            archival.check_archivable(resolved, {})
        when = build_datetime(resolved.doc)
        source = archival.canonical_json(resolved.doc) if is_archival else None
        if not any((l.path / "typst" / "document.typ").is_file() for l in layout.chain):
            raise LayoutError(
                f"layout {layout.name!r} has no typst/document.typ for the Typst engine",
                file=layout.path,
                hint="add one, extend a layout that has it (report, brief), or build with --engine weasyprint",
            )
        images = _images(resolved)
        paths = {ref: path for ref, (path, _) in images.items()}
        renderer = Renderer(resolved, layout, _medium(), page_size=page_size, options=options)
        text = _context_json(renderer, paths)
        release_locale_data()  # the dates are in the JSON: Typst's compile reuses Babel's data's memory
        session = _session(layout, _font_folders(_families(layout, text)))
        attachments = _attachments(resolved, paths) if is_archival else []

        def settle(renderer: Renderer, text: str) -> tuple[bytes, dict[str, Any], str]:
            """Compile; start the blocks whose footnotes drifted off their call's page on a new page, and again."""
            writer = {"attachments": attachments, "anchors": _anchors(renderer)}
            pdf, found = _compile(session, text, writer, source, standards, when, layout)
            fixed: set[int] = set()
            for _ in range(MAX_FOOTNOTE_PASSES):
                drifted = set(footnote_drift(found)) - fixed
                if not drifted:
                    break
                fixed |= drifted
                text = _context_json(renderer, paths, breaks=sorted(fixed))
                pdf, found = _compile(session, text, writer, source, standards, when, layout)
            still = footnote_drift(found)
            if still:
                warnings.warn(
                    f"footnote{'s' if len(still) > 1 else ''} {', '.join(map(str, still))} could not be kept "
                    "on the page of its call",
                    ReportkitWarning,
                    stacklevel=4,
                )
            return pdf, found, text

        with session.lock:
            try:
                session.sync(layout)
                session.put(dict(images.values()))
                chosen = settle(renderer, text)
                target = int(renderer.context["options"].get("fit_pages") or 0)
                steps = int(renderer.context["options"].get("fit_steps") or 0)
                # Tighter type can save a part of a page, never a whole one: past that the text just runs on.
                if target and target < chosen[1]["pages"] <= target + 1 and "fit" not in options:
                    for step in range(1, steps + 1):
                        fitted = Renderer(resolved, layout, _medium(), page_size=page_size, options={**options, "fit": step})
                        attempt = settle(fitted, _context_json(fitted, paths))
                        if attempt[1]["pages"] <= target:
                            chosen = attempt
                            break
            finally:
                release_memory()  # before finishing: pikepdf reuses Typst's memory instead of adding to the peak
        pdf, found, text = chosen
        links = link_description(str(renderer.context["lang"]).split("-")[0])
        identifier = typst_identifier(text, resolved, layout, options)
        record = archival.record_for(
            resolved.doc, layout_name=layout.name, page_size=page_size, identifier=identifier, source=source,
            tagged=tagged and chosen[1]["ua"], engine="typst", engine_version=typst_version(),
            build=archival.build_record(resolved, layout, options) if is_archival else None,
        )
        return finish(
            pdf,
            found["anchors"],
            lambda packet: archival.xmp_packet(record, archival.identification(packet)),
            archival.document_info(record),
            bytes.fromhex(identifier),
            link_text=links,
        )


def _refuse_print_shop(options: Mapping[str, Any]) -> None:
    """Refuse what Typst cannot make: crop marks and bleed (``print_marks``), PDF/X (``pdf_x``)."""
    asked = [name for name, flag in (("--print-marks", "print_marks"), ("--pdf-x", "pdf_x")) if options.get(flag)]
    if asked:
        raise ReportkitError(
            f"the Typst engine cannot make {' or '.join(asked)}: Typst has no crop marks, bleed or PDF/X output",
            hint="build print-shop files with --engine weasyprint",
        )


def _attachments(resolved: Resolved, paths: Mapping[str, str]) -> list[dict[str, Any]]:
    """The files an archival PDF embeds: the source JSON and the images it shows, sorted by name."""
    files = [{"name": archival.SOURCE_NAME, "path": None, "mime": "application/json",
              "description": "The fact-check's source data (reportkit canonical JSON)"}]
    for ref, path in paths.items():
        files.append({"name": ref, "path": path, "mime": resolved.assets[ref].media_type,
                      "description": f"Image {ref} of the fact-check's source"})
    return sorted(files, key=lambda f: str(f["name"]).encode())


def _anchors(renderer: Renderer) -> list[str]:
    """Every label links may point at: each citation's call (``cite-N-M``) and each source (``src-N``)."""
    calls = [ref.id for refs in renderer.resolved.citations.refs.values() for ref in refs]
    return calls + [view.id for view in renderer.context["sources"]]


#: Where a diagnostic points: a file of the compile root (``typst/x.typ`` or ``<layout>/typst/x.typ``) and a line.
_LOCATION = re.compile(r"reportkit-typst-[^/\s]+/((?:[\w.-]+/)?typst/[\w./-]+\.typ):(\d+)")


def _context_json(renderer: Renderer, paths: Mapping[str, str], breaks: Sequence[int] = ()) -> str:
    """The template context as the JSON text templates read; ``breaks``: notes whose blocks start a page."""
    data = context_data(renderer, paths)
    data["breaks"] = list(breaks)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def footnote_drift(found: Mapping[str, Any]) -> list[int]:
    """Numbers of the footnotes that are not on the page of their first call (``cite-N-1``)."""
    calls = {name: position["page"] for name, position in found["anchors"]}
    return sorted({int(n) for n, page in found["notes"] if calls.get(f"cite-{n}-1", page) != page})


def _compile(
    session: _Session,
    text: str,
    writer: Mapping[str, Any],
    source: bytes | None,
    standards: list[str],
    when: dt.datetime,
    layout: Layout,
    *,
    tags: bool = False,
) -> tuple[bytes, dict[str, Any]]:
    """Compile once; return the PDF and what the writer's metadata found (pages, link targets, PDF/UA claimed)."""
    typst = _typst()
    inputs = {INPUT_CONTEXT: text, INPUT_WRITER: json.dumps(writer)}
    if source is not None:
        inputs[INPUT_SOURCE] = source.decode("utf-8")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the binding's own warnings: compile_with_warnings returns them
            pdf, found_warnings = session.compiler.compile_with_warnings(
                format="pdf",
                sys_inputs=inputs,
                pdf_standards=standards,
                pdf_tags=tags or bool(standards),
                timestamp=when,
            )
            found = json.loads(session.compiler.query(WRITER_LABEL, field="value", one=True))
    except typst.TypstError as exc:
        message = str(getattr(exc, "message", "") or exc)
        if standards == ["ua-1"] and "PDF/UA-1 error" in message:
            # A default (not archival) build of a layout that breaks PDF/UA-1: still tagged, but claiming
            # nothing, and said. An archival build refuses it, as PDF/A-3a + PDF/UA-1 is its promise.
            warnings.warn(
                f"the layout {layout.name!r} breaks PDF/UA-1 ({message.split('PDF/UA-1 error:')[-1].strip()}): "
                "the PDF is tagged but claims no PDF/UA conformance; fix the layout's typst/ templates",
                ReportkitWarning,
                stacklevel=5,
            )
            pdf, found = _compile(session, text, writer, source, [], when, layout, tags=True)
            return pdf, {**found, "ua": False}
        raise _typst_error(exc, layout) from None
    for warning in found_warnings:
        warnings.warn(f"Typst: {getattr(warning, 'message', warning)}", ReportkitWarning, stacklevel=5)
    return bytes(pdf), {**found, "ua": "ua-1" in standards}


def _typst_error(exc: Any, layout: Layout) -> ReportkitError:
    """A LayoutError naming the layout file and line where Typst stopped (a RenderError if none)."""
    message = str(getattr(exc, "message", "") or exc)
    text = "\n".join([str(getattr(exc, "diagnostic", "")), *map(str, getattr(exc, "trace", []) or [])])
    hints = list(getattr(exc, "hints", []) or [])
    match = _LOCATION.search(text)
    if match:
        relative, line = match.group(1), int(match.group(2))
        file: Path | str = relative
        name, _, rest = relative.partition("/typst/")
        for chain_layout in layout.chain:
            if relative.startswith("typst/") and (chain_layout.path / relative).is_file():
                file = chain_layout.path / relative
                break
            if chain_layout.name == name and (chain_layout.path / "typst" / rest).is_file():
                file = chain_layout.path / "typst" / rest
                break
        return LayoutError(f"Typst template error: {message}", file=file, line=line, hint=hints[0] if hints else None)
    return RenderError(f"Typst could not compile the document: {message}", hint=hints[0] if hints else None)


def typst_identifier(text: str, resolved: Resolved, layout: Layout, options: Mapping[str, Any]) -> str:
    """The PDF's /ID (32 hex digits): a digest of the template data, layout files, images, options and Typst's version."""
    layout_files, assets = input_files(resolved, layout)
    effective = {**layout.options, **options}
    effective["archival"] = archival.is_archival(effective)
    return content_digest("typst", typst_version(), text, layout_files, assets, options_key(effective))[:32]
