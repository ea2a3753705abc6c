"""The PDF writer: the layout's ``print/`` templates laid out by WeasyPrint.

WeasyPrint reads nothing but what this writer allows: the layout folders, the
font files of the layout's families and the document's checked images
(:class:`SafeFetcher`). Footnotes land on their call's page in one layout: the
layouts ask for ``footnote-policy: line`` and :mod:`.footnotes` makes WeasyPrint
keep to it (WeasyPrint #1564, #2432). Should a note still drift (a custom layout
without the policy, or a WeasyPrint the patch was not written for), the call's
block is started on a new page and the document laid out again, a bounded number
of times.
"""

from __future__ import annotations

import datetime as dt

import gc
import hashlib
import linecache
import logging
import mimetypes
import re
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from urllib.request import url2pathname, urlopen

from .nativelibs import quick_library_lookup

with quick_library_lookup():  # importing WeasyPrint opens Pango and friends
    from weasyprint import CSS, HTML
    from weasyprint.document import Document as LaidOut
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import archival
from ...errors import RenderError, ReportkitWarning
from ...render.fonts import Face, font_face_css, font_files, local_face_css, local_faces, package_faces
from ...render.scripts import mark_word_breaks
from . import interrupts
from .gctune import rendering
from .pangoattrs import own_attributes
from ...render.layouts import Layout
from ...render.i18n import release_locale_data
from ...render.renderer import Medium, Renderer
from ..reproducible import build_datetime, content_digest, input_files, options_key
from .fonttools import fixed_font_time
from .subsetting import pinned_subsetting
from ...resolve.resolver import Asset, Resolved
from . import printmarks
from .glyphs import install as install_glyph_records
from .glyphs import missing_glyph_warning, missing_glyphs
from .stylesheets import lean_html
from . import actualtext, footnotearea, footnotes, pagination, pdfobjects, tagging


@contextmanager
def _sources_forgotten() -> Iterator[None]:
    """Forget the source files read inside the block (the patches below check WeasyPrint's source once).

    ``inspect.getsource`` keeps every file it reads in ``linecache`` for the life of the process:
    0.4 MB of WeasyPrint's and pydyf's lines, alive through every layout. A traceback that needs
    them reads them again. Entries that were there before the block (a shell's) are kept.
    """
    before = set(linecache.cache)
    try:
        yield
    finally:
        for name in set(linecache.cache) - before:
            linecache.cache.pop(name, None)


with _sources_forgotten():
    actualtext.install()  # the text layer of Indic, Thai and Khmer text (see the module)
    footnotes.install()  # one layout per document: notes stay with their calls (see the module)
    footnotearea.install()  # a page's notes laid out once each, not once per note added (see the module)
    pagination.install()  # layout time linear in the pages (see the module)
    tagging.install()  # a change of language is tagged with its /Lang (see the module)
    pdfobjects.install()  # no attribute dictionary per PDF object: 3 MB less at the peak (see the module)

__all__ = ["ASSET_SCHEME", "PdfWriter", "SafeFetcher", "asset_url", "font_setup", "footnote_drift", "pdf_identifier"]

#: How many times a drifted footnote is corrected, laying the document out again, before giving up
#: with a warning. A fallback: with the layouts' footnote-policy and :mod:`.footnotes` no note of the
#: benchmark corpus drifts; one still can when a page's first line carries more notes than fit. The
#: whole document is laid out again: WeasyPrint's API has no way to resume at the call's page.
MAX_FOOTNOTE_PASSES = 4

#: One layout at a time per process. WeasyPrint shares Pango's font maps and fontconfig's state
#: between threads without a lock of its own: two threads laying out at once corrupt them (GLib
#: prints "corrupted double-linked list", and a crash follows sooner or later). Every WeasyPrint
#: call of this package (font configurations, stylesheets, layout, drawing the PDF) holds this
#: lock, so threads get the right bytes but no speed: only processes (``build -j N``) build
#: documents in parallel. Re-entrant: :func:`font_setup` takes it inside a render.
LAYOUT_LOCK = threading.RLock()

#: From how many pages the garbage a layout leaves is collected before the pages are drawn (it is
#: collected anyway as the render ends, see gctune). The pass walks what the render made (the
#: heap from before is frozen); for short documents it costs more, relatively, than the few MB it
#: lets the drawing reuse. Only when some page was laid out more than once (a footnote drift
#: corrected, a table of contents aiming forward): a layout that made each page once leaves almost
#: nothing (20 objects in the dense 16x dossier, for a pass of 1.5 s over 800,000; see BENCHMARKS.md).
COLLECT_BEFORE_DRAWING = 32

# WeasyPrint reports an image it cannot load or draw only through its logger (no API says so);
# _image_failures() reads those two messages (see Kozea/WeasyPrint#2239 for the SVG one), and
# tests/writers/pdf/test_pdf.py fails if WeasyPrint words them differently.
# It reports a character no font has the same way; glyphs.py takes those records (WARNING level)
# and keeps every other WeasyPrint warning as quiet as the ERROR level did.
install_glyph_records(logging.getLogger("weasyprint"))
logging.getLogger("fontTools").setLevel(logging.ERROR)


#: How WeasyPrint 70's log messages begin when an image cannot be loaded or an SVG drawn.
_IMAGE_FAILURES = ("Failed to load image", "Failed to render SVG image")


class _ImageFailures(logging.Handler):
    """Collects WeasyPrint's reports of images it could not load or draw, made in this thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if record.thread == self.thread and record.args and message.startswith(_IMAGE_FAILURES):
            self.failures.append(str(record.args[0] if isinstance(record.args, tuple) else record.args))


def _image_name(url: str, assets: Mapping[str, Asset]) -> str:
    """How a warning names the image at ``url``: its file name, or the start of a layout's data: URL."""
    if url in assets:  # a document's image, by its asset_url()
        return assets[url].path.name
    if url.startswith("file:"):
        return Path(url2pathname(urlsplit(url).path)).name
    return f"a drawing of the layout ({url[:40]}...)" if len(url) > 40 else url


@contextmanager
def _image_failures() -> Iterator[list[str]]:
    """The URLs of the images WeasyPrint fails to load or draw within the block (it only logs them)."""
    handler = _ImageFailures()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.failures
    finally:
        logger.removeHandler(handler)


#: URL scheme of the document's images in the HTML WeasyPrint lays out (see :func:`asset_url`).
ASSET_SCHEME = "reportkit-asset"


def asset_url(asset: Asset) -> str:
    """The URL WeasyPrint knows an image of the document by: its name and content, never the folder it is in.

    WeasyPrint names a raster image in the PDF after the MD5 of its URL (``weasyprint/images.py``,
    ``get_image_from_uri``), so a ``file://`` URL made the bytes depend on where the input lay:
    an archive extracted elsewhere did not rebuild identically. This URL depends on the image alone.
    """
    digest = hashlib.sha256(asset.data).hexdigest()[:32]
    return f"{ASSET_SCHEME}:{digest}/{quote(asset.name)}"


class SafeFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that reads only listed files and folders, and never the network."""

    def __init__(
        self,
        files: Iterable[Path] = (),
        folders: Iterable[Path] = (),
        *,
        allow_data: bool = True,
        assets: Iterable[Asset] = (),
    ) -> None:
        super().__init__(allowed_protocols={"file", "data", ASSET_SCHEME}, allow_redirects=False)
        #: Whether in-memory ``data:`` URLs (drawings made by the layout's templates) are read.
        self.allow_data = allow_data
        #: The document's images by their :func:`asset_url`.
        self.assets = {asset_url(asset): asset for asset in assets}
        self.files = {Path(p).resolve() for p in files}
        self.folders = [Path(p).resolve() for p in folders]
        #: URLs refused during rendering, in order.
        self.refused: list[str] = []

    def allows(self, path: Path) -> bool:
        """Whether ``path`` is one of the listed files or lies in a listed folder."""
        path = path.resolve()
        return path in self.files or any(path.is_relative_to(folder) for folder in self.folders)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data" and self.allow_data:
            # Drawings the layout's templates make (badge icons). Content cannot produce data: URLs:
            # Markdown images with them are refused before rendering and raw HTML is never markup.
            with urlopen(url) as response:  # urllib decodes data: URLs in memory; nothing is fetched
                return URLFetcherResponse(url, body=response.read(), headers={"Content-Type": response.headers.get_content_type()})
        if parts.scheme == ASSET_SCHEME and url in self.assets:
            asset = self.assets[url]
            # The image's bytes as they were checked (an SVG drawing sanitised), not the file read again.
            return URLFetcherResponse(url, body=asset.data, headers={"Content-Type": asset.media_type})
        if parts.scheme == "file" and not parts.netloc:
            path = Path(url2pathname(parts.path))
            if self.allows(path) and path.is_file():
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": media_type})
        self.refused.append(url)
        raise ValueError(f"reportkit does not let documents read {url[:200]!r}")


@lru_cache(maxsize=8)
def _fonts(
    families: tuple[str, ...], weights: tuple[int, ...] = (), faces: tuple[Face, ...] = ()
) -> tuple[FontConfiguration, CSS | None]:
    """One font configuration per set of families, weights and local faces, shared by every render in the process."""
    config = own_attributes(FontConfiguration())
    css_text = "\n".join(filter(None, (font_face_css(families, weights), local_face_css(faces))))
    fetcher = SafeFetcher(files=[*font_files(families, weights), *(face.path for face in faces)])
    css = CSS(string=css_text, font_config=config, url_fetcher=fetcher) if css_text else None
    return config, css


def font_setup(
    layout: Layout, *texts: str, font_dirs: Iterable[str | Path] = ()
) -> tuple[FontConfiguration, CSS | None]:
    """The font configuration and ``@font-face`` rules for a document of ``layout`` whose text is ``texts``.

    The layout's families in the weights it declares, the fallback families the text needs
    (:meth:`Layout.fonts_for`), and the font files of the layout's ``fonts/`` folders and of
    ``font_dirs``; shared by every render in the process that needs the same.
    """
    faces = local_faces(layout.local_font_folders(font_dirs))
    families = layout.fonts_for(*texts)
    with LAYOUT_LOCK:  # Pango and fontconfig state: see LAYOUT_LOCK
        return _fonts(families, layout.weights, faces)


def registered_faces(layout: Layout, *texts: str, font_dirs: Iterable[str | Path] = ()) -> tuple[Face, ...]:
    """The faces :func:`font_setup` registers for the same arguments: pip's, then the local font files."""
    local = local_faces(layout.local_font_folders(font_dirs))
    return package_faces(layout.fonts_for(*texts), layout.weights) + local


def _text_of(html: str) -> str:
    """The text of ``html`` as a reader sees it: tags, comments, styles and scripts dropped, entities decoded."""
    from html import unescape

    text = re.sub(r"<(style|script)\b.*?</\1\s*>|<!--.*?-->", " ", html, flags=re.DOTALL | re.IGNORECASE)
    return unescape(re.sub(r"<[^>]*>", " ", text)).replace("\u200b", "")


def _medium(layout: Layout) -> Medium:
    def layout_url(name: str) -> str:
        return layout.find(f"print/{name}").as_uri()

    return Medium(name="print", asset_url=asset_url, layout_url=layout_url)


def footnote_drift(document: LaidOut) -> list[int]:
    """Numbers of the footnotes that are not on the page of their call (``fn-N`` vs ``cite-N-1``)."""
    page_of: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            page_of.setdefault(anchor, index)
    drifted = []
    for anchor, page in page_of.items():
        if anchor.startswith("fn-"):
            number = anchor[3:]
            call = page_of.get(f"cite-{number}-1")
            if call is not None and call != page:
                drifted.append(int(number))
    return sorted(drifted)


def _fix_css(resolved_sections: list[Any], drifted: Iterable[int]) -> str:
    """CSS that starts the block holding each drifted call on a new page."""
    rules = []
    for number in drifted:
        section = next((s for s in resolved_sections if number in s.lead_notes), None)
        if section is not None:  # keep the heading with its first paragraph
            rules.append(f"#{section.id} {{ break-before: page; }}")
        else:
            rules.append(f'[data-notes~="{number}"] {{ break-before: page; }}')
    return "\n".join(rules)


class PdfWriter:
    """Writes print-ready PDF."""

    suffix = ".pdf"

    def html(
        self, resolved: Resolved, layout: Layout, *, page_size: str = "A4", options: Mapping[str, Any] | None = None
    ) -> tuple[str, Renderer]:
        """The HTML that WeasyPrint lays out, and the renderer that made it."""
        renderer = Renderer(resolved, layout, _medium(layout), page_size=page_size, options=options)
        return mark_word_breaks(renderer.render("document.html")), renderer

    def render(
        self,
        resolved: Resolved,
        layout: Layout,
        *,
        page_size: str = "A4",
        options: Mapping[str, Any] | None = None,
    ) -> bytes:
        """Lay out the document (copyfitted when the layout asks), correct drifted footnotes, return the PDF bytes."""
        options = dict(options or {})
        variant = _variant_options(options)
        if archival.is_archival(options):
            archival.check_archivable(resolved, variant)  # before the costly layout
        fetcher = SafeFetcher(folders=[l.path for l in layout.chain], assets=resolved.assets.values())
        html, renderer = self.html(resolved, layout, page_size=page_size, options=options)
        drawings = [a.data.decode("utf-8", "replace") for a in resolved.assets.values() if a.path.suffix == ".svg"]
        # The dates are in the HTML: Babel's locale data (4 MB) is freed for the layout to reuse.
        release_locale_data()
        try:
            with LAYOUT_LOCK, rendering(), _image_failures() as failed_images:
                font_config, font_css = font_setup(layout, html, *drawings, font_dirs=options.get("font_dirs", ()))
                stylesheets = [font_css] if font_css else []
                marks = printmarks.print_css(options)
                if marks:
                    stylesheets.append(CSS(string=marks, font_config=font_config))
                laid_before = pagination.page_layouts()
                html, document = self._fitted(
                    html, renderer, resolved, layout, page_size, options, fetcher, font_config, stylesheets
                )
                laid_after = pagination.page_layouts()
                identifier = pdf_identifier(html, resolved, layout, options)
                write_options = {
                    **variant,
                    **archival.write_options(
                        resolved, layout, page_size=page_size, options=options, identifier=identifier
                    ),
                }
                write_options["finisher"].faces = registered_faces(
                    layout, html, *drawings, font_dirs=options.get("font_dirs", ())
                )
                if len(document.pages) >= COLLECT_BEFORE_DRAWING and _pages_laid_out_again(
                    laid_before, laid_after, len(document.pages)
                ):
                    # The layout leaves reference cycles behind (pages laid out again, discarded boxes):
                    # collected now, their memory is reused while the pages are drawn.
                    gc.collect()
                with fixed_font_time(build_datetime(resolved.doc)), pinned_subsetting(), missing_glyphs() as missing:
                    pdf = document.write_pdf(
                        pdf_identifier=identifier.encode(), custom_metadata=True, **write_options
                    )
                # Dropped inside the block: rendering() collects the layout's cycles as it ends.
                del document
        except (RecursionError, MemoryError) as exc:
            raise RenderError(f"the layout engine gave up: {type(exc).__name__}", file=resolved.file) from None
        if fetcher.refused:
            warnings.warn(
                "the layout asked for resources reportkit does not allow, and they were left out: "
                + ", ".join(fetcher.refused[:5]),
                ReportkitWarning,
                stacklevel=2,
            )
        missing_warning = missing_glyph_warning(missing, [_text_of(html), *drawings]) if missing else None
        if missing_warning:
            warnings.warn(missing_warning, ReportkitWarning, stacklevel=2)
        failed = dict.fromkeys(_image_name(url, fetcher.assets) for url in failed_images if url not in fetcher.refused)
        if failed:
            warnings.warn(
                f"WeasyPrint could not load or draw {', '.join(failed)}: the PDF shows an image's alt text "
                "instead, or leaves the drawing out",
                ReportkitWarning,
                stacklevel=2,
            )
        return bytes(pdf)

    def _fitted(
        self,
        html: str,
        renderer: Renderer,
        resolved: Resolved,
        layout: Layout,
        page_size: str,
        options: dict[str, Any],
        fetcher: SafeFetcher,
        font_config: FontConfiguration,
        stylesheets: list[CSS],
    ) -> tuple[str, LaidOut]:
        """Lay ``html`` out; when the layout sets ``fit_pages`` and it runs longer, try the tighter ``fit-N`` steps."""
        document = self._lay_out(html, renderer, fetcher, font_config, stylesheets)
        target = int(renderer.context["options"].get("fit_pages") or 0)
        steps = int(renderer.context["options"].get("fit_steps") or 0)
        # Tighter type can save a part of a page, never a whole one: past that the text just runs on.
        if target and target < len(document.pages) <= target + 1 and "fit" not in options:
            for step in range(1, steps + 1):
                fit_html, fit_renderer = self.html(
                    resolved, layout, page_size=page_size, options={**options, "fit": step}
                )
                fit_document = self._lay_out(fit_html, fit_renderer, fetcher, font_config, stylesheets)
                if len(fit_document.pages) <= target:
                    return fit_html, fit_document
        return html, document

    def _lay_out(
        self,
        html: str,
        renderer: Renderer,
        fetcher: SafeFetcher,
        font_config: FontConfiguration,
        stylesheets: list[CSS],
    ) -> LaidOut:
        """Lay ``html`` out once; should a footnote drift off its call's page, move its block and lay out again."""
        # The writer's own stylesheets (font faces, print marks, footnote fixes) make no list
        # items, footnotes or notes, so the HTML's stylesheets tell lean_html all it needs.
        source = lean_html(html, url_fetcher=fetcher, allows=fetcher.allows)
        document = source.render(font_config=font_config, stylesheets=stylesheets)
        fixed: set[int] = set()
        for _ in range(MAX_FOOTNOTE_PASSES):
            drifted = [n for n in footnote_drift(document) if n not in fixed]
            if not drifted:
                break
            fixed.update(drifted)
            fix = CSS(string=_fix_css(renderer.context["sections"], sorted(fixed)), font_config=font_config)
            # Free the drifted layout before the next: its boxes hold reference cycles, which only the
            # collector frees, and rendering() keeps it idle. Peak memory stays that of one layout.
            del document
            gc.collect()
            document = source.render(font_config=font_config, stylesheets=[*stylesheets, fix])
        still = footnote_drift(document)
        if still:
            warnings.warn(
                f"footnote{'s' if len(still) > 1 else ''} {', '.join(map(str, still))} could not be kept "
                "on the page of its call",
                ReportkitWarning,
                stacklevel=3,
            )
        return document


def pdf_from_html(html: str, layout: Layout, *, identifier: str, when: dt.datetime) -> bytes:
    """The PDF of a page the layout's templates made outside a fact-check (a digest's cover).

    It is laid out like a document: the layout's fonts, the same restricted fetcher, the
    interrupts kept, and fonts stamped with ``when`` so that rebuilds give the same bytes.
    """
    html = mark_word_breaks(html)
    fetcher = SafeFetcher(folders=[l.path for l in layout.chain])
    with LAYOUT_LOCK, interrupts.kept(), rendering(), fixed_font_time(when), pinned_subsetting():
        font_config, font_css = font_setup(layout, html)
        document = HTML(string=html, url_fetcher=fetcher).render(
            font_config=font_config, stylesheets=[font_css] if font_css else []
        )
        with missing_glyphs() as missing:
            pdf = bytes(document.write_pdf(pdf_identifier=identifier.encode(), pdf_version="1.7"))
        del document  # dropped inside the block: rendering() collects the layout's cycles as it ends
    missing_warning = missing_glyph_warning(missing, [_text_of(html)]) if missing else None
    if missing_warning:
        warnings.warn(missing_warning, ReportkitWarning, stacklevel=2)
    return pdf


def _pages_laid_out_again(before: int | None, after: int | None, pages: int) -> bool:
    """Whether a layout made more page layouts than it has pages (or, without the count, may have)."""
    return before is None or after is None or after - before > pages


def pdf_identifier(html: str, resolved: Resolved, layout: Layout, options: Mapping[str, Any]) -> str:
    """The PDF's /ID (32 hex digits): a digest of the content, independent of where files are installed."""
    for chain_layout in layout.chain:  # the HTML refers to layout files by absolute file:// URLs (images: asset_url)
        html = html.replace(chain_layout.path.as_uri(), f"layout:{chain_layout.name}")
    layout_files, assets = input_files(resolved, layout)
    effective = {**layout.options, **options}  # an option given at its layout's default value changes nothing
    effective["archival"] = archival.is_archival(effective)
    return content_digest(html, layout_files, assets, options_key(effective))[:32]


def _variant_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """WeasyPrint options for the PDF variant asked for: PDF/UA-1 by default, PDF/X-4, or plain when untagged."""
    variant = printmarks.variant_options(options)
    if not variant and archival.is_tagged(options) and not archival.is_archival(options):
        variant = {"pdf_variant": "pdf/ua-1"}
    return {"pdf_version": "1.7", **variant}
