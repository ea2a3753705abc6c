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

A render is two steps: :meth:`TypstEngine.prepare` makes a :class:`.job.TypstJob` (plain data)
from the resolved document, with the model, the renderer and Babel; :mod:`.job` compiles and
finishes it with Typst and pikepdf alone. This package's modules load neither the model nor the
renderer when imported, so that the parent of a split build (:mod:`reportkit.tools.split`) can
run a job that its child prepared.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ....errors import LayoutError, ReportkitError
from ....render.i18n import release_locale_data
from .job import (
    PLACEHOLDER_ID,
    Context,
    TypstJob,
    check_typst,
    compile_job,
    compiler,
    finish_job,
    font_book,
    footnote_drift,
    job_identifier,
    link_description,
    one_thread,
    release_memory,
    typst_module,
    typst_version,
)

if TYPE_CHECKING:  # the model, the renderer and the resolver are imported when a job is prepared, not with this
    from ....render.layouts import Layout
    from ....render.renderer import Medium, Renderer
    from ....resolve.resolver import Resolved

__all__ = [
    "TypstEngine",
    "TypstJob",
    "detached",
    "footnote_drift",
    "link_description",
    "one_thread",
    "release_memory",
    "typst_version",
    "warm_up",
]


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
    from ....render.renderer import Medium

    return Medium(name="print", asset_url=lambda asset: asset.path.as_uri(), layout_url=lambda name: name, html=False)


def root_files(layout: Layout) -> dict[str, bytes]:
    """The compile root's files besides the images (root path -> bytes): the writer's main file and the
    ``typst/`` files of the layout chain (see :class:`_Session`)."""
    wanted: dict[str, bytes] = {"main.typ": main_file()}
    for chain_layout in reversed(layout.chain):  # farthest first: nearer layouts overwrite
        folder = chain_layout.path / "typst"
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    relative, data = path.relative_to(folder).as_posix(), path.read_bytes()
                    wanted[f"typst/{relative}"] = data
                    wanted[f"{chain_layout.name}/typst/{relative}"] = data
    return wanted


class _Session:
    """A compile root and its Typst compiler, kept for one layout chain and font set in this process.

    Keeping them lets Typst compile incrementally: a second document, or the same one edited
    (``reportkit preview --watch``), reuses what did not change. The root holds:
    ``/typst/``, the chain's ``typst/`` files, the nearest layout's winning (as the print
    templates are found); ``/<name>/typst/``, each layout's own, so that a layout reaches the
    one it extends by name (``#import "/report/typst/report.typ": *``); ``/assets/``, the
    images, named by their content's digest (a name never holds other bytes); ``/main.typ``.
    """

    def __init__(self, layout: Layout, folders: tuple[str, ...]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="reportkit-typst-"))
        self.pid = os.getpid()
        atexit.register(self.close)
        self.lock = threading.Lock()
        self.written: dict[Path, bytes] = {}
        self.sync(layout)
        self.compiler = compiler(self.root, folders)

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
        wanted = {self.root / name: data for name, data in root_files(layout).items()}
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


def write_root(root: str | os.PathLike[str], files: Mapping[str, bytes]) -> None:
    """Write ``files`` (root path -> bytes) into the folder ``root`` (a detached job's compile root)."""
    for name, data in files.items():
        target = Path(root) / name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


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
            session = _SESSIONS[key] = _Session(layout, folders)
        return session


def warm_up(layout: Layout) -> None:
    """Load the Typst binding and the layout's fonts ahead of the first document (batch workers)."""
    typst_module()
    font_book(_font_folders(_families(layout, "")))


#: The compile roots (and the lists of jobs) of the :func:`detached` blocks being run, innermost last.
_DETACHED: list[tuple[str, list[TypstJob]]] = []


@contextmanager
def detached(root: str | os.PathLike[str]) -> Iterator[list[TypstJob]]:
    """Within: :meth:`TypstEngine.render` prepares a detached job into ``root``, adds it to the list yielded and
    returns no bytes (the child of a split build, :mod:`reportkit.tools.split`, hands the job to its parent)."""
    jobs: list[TypstJob] = []
    _DETACHED.append((str(root), jobs))
    try:
        yield jobs
    finally:
        _DETACHED.pop()


class TypstEngine:
    """Compiles a resolved document with the layout's ``typst/`` templates."""

    def render(
        self, resolved: Resolved, layout: Layout, *, page_size: str = "A4", options: Mapping[str, Any] | None = None
    ) -> bytes:
        """The PDF bytes of ``resolved`` (copyfitted when the layout asks), finished with reportkit's metadata.

        Within :func:`detached`, the job is prepared for another process and no bytes are returned.
        """
        if _DETACHED:
            root, jobs = _DETACHED[-1]
            jobs.append(self.prepare(resolved, layout, page_size=page_size, options=options, root=root))
            return b""
        job = self.prepare(resolved, layout, page_size=page_size, options=options)
        session = _session(layout, job.font_folders)
        with session.lock:
            try:
                session.sync(layout)
                session.put(job.files)
                pdf, found, text = compile_job(job, session.compiler)
            finally:
                release_memory()  # before finishing: pikepdf reuses Typst's memory instead of adding to the peak
        return finish_job(job, pdf, found, job_identifier(job, text))

    def prepare(
        self,
        resolved: Resolved,
        layout: Layout,
        *,
        page_size: str = "A4",
        options: Mapping[str, Any] | None = None,
        root: str | os.PathLike[str] | None = None,
    ) -> TypstJob:
        """The compile job of ``resolved``: everything that needs the model, the renderer, the layout and Babel.

        With ``root`` (an empty folder the caller owns and removes), the job is detached: the
        compile root is written there and every copyfitting step's context is made now, so that
        :mod:`reportkit.tools.split` can compile it in another process.
        """
        from ....render.renderer import Renderer
        from .. import archival
        from ...reproducible import build_datetime, input_files, options_key

        check_typst()  # before any work: says how to install the engine
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
        text, breaks_at = _context_json(renderer, paths)
        release_locale_data()  # the dates are in the JSON: Typst's compile reuses Babel's data's memory
        fit_pages = int(renderer.context["options"].get("fit_pages") or 0) if "fit" not in options else 0
        fit_steps = int(renderer.context["options"].get("fit_steps") or 0) if fit_pages else 0

        def fit_text(step: int) -> Context:
            fitted = Renderer(resolved, layout, _medium(), page_size=page_size, options={**options, "fit": step})
            return _context_json(fitted, paths)

        layout_files, assets = input_files(resolved, layout)
        effective = {**layout.options, **options}
        effective["archival"] = archival.is_archival(effective)
        build = archival.build_record(resolved, layout, options) if is_archival else None
        records = {
            key: asdict(archival.record_for(
                resolved.doc, layout_name=layout.name, page_size=page_size, identifier=PLACEHOLDER_ID, source=source,
                tagged=claims, engine="typst", engine_version=typst_version(), build=build,
            ))
            for key, claims in (("ua", tagged), ("plain", False))
        }
        job = TypstJob(
            text=text,
            breaks_at=breaks_at,
            # The families' packages, then the layout's fonts/ folders and font_dirs (Typst never reads system fonts).
            font_folders=_font_folders(_families(layout, text))
            + tuple(map(str, layout.local_font_folders(options.get("font_dirs") or ()))),
            attachments=_attachments(resolved, paths) if is_archival else [],
            anchors=_anchors(renderer),
            source=source.decode("utf-8") if source is not None else None,
            standards=standards,
            when=when,
            layout_name=layout.name,
            layout_chain=[(l.name, str(l.path)) for l in layout.chain],
            lang=str(renderer.context["lang"]).split("-")[0],
            identity=[layout_files, assets, options_key(effective)],
            compiler_version=typst_version(),
            records=records,
            fit_pages=fit_pages,
            fit_steps=fit_steps,
            fit_text=fit_text,
            files=dict(images.values()),
        )
        if root is None:
            return job
        write_root(root, {**root_files(layout), **job.files})
        detached = job.detached()
        detached.root = str(root)
        return detached


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
    from .. import archival

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


def _context_json(renderer: Renderer, paths: Mapping[str, str]) -> Context:
    """The template context as the JSON text templates read (``breaks`` empty), and the offset of its ``[]``."""
    from .context import context_data

    data = context_data(renderer, paths)
    marker = uuid.uuid4().hex  # in no input: where the breaks go is found by it
    data["breaks"] = marker
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    at = text.index(f'"breaks":"{marker}"') + len('"breaks":')
    return text[:at] + "[]" + text[at + len(marker) + 2 :], at

