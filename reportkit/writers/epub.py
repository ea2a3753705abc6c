"""The EPUB 3 writer: the layout's ``epub/`` templates packaged by ebooklib.

This is the only module that imports ebooklib. One XHTML file holds the title
page and summary, one each section, then the corrections and the bibliography
(back matter). Citations are DAISY noterefs to footnotes in the same file, so
reading systems show them as pop-ups. The package is reproducible: its
identifier derives from the fact-check's id, ``dcterms:modified`` from its
date (else ``SOURCE_DATE_EPOCH``, see :mod:`reportkit.writers.reproducible`), and the ZIP
entries have fixed timestamps and order.

Upstream: ebooklib 0.20 stamps every ZIP entry with the clock; aerkalov/ebooklib#340 (merged,
not yet released) uses the ``mtime`` option instead. Until a release carries it, the package is
rewritten with fixed timestamps (:data:`ZIP_DATE`); ``tests/writers/test_epub.py`` fails if
ebooklib's own output becomes reproducible, so that the rewrite can be dropped.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..errors import RenderError
from ..render.layouts import Layout
from ..render.renderer import Medium, Renderer
from .reproducible import build_datetime
from ..resolve.resolver import Asset, Resolved

__all__ = ["EpubWriter", "epub_identifier"]

#: Timestamp of every ZIP entry (the earliest a ZIP file can hold): builds do not depend on the clock.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_OPF = "{http://www.idpf.org/2007/opf}"


def epub_identifier(doc_id: str) -> str:
    """The package identifier: a UUID derived from the fact-check's id, the same on every build."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'https://reportkit.invalid/factcheck/' + doc_id)}"


def _file_of(part: str) -> str:
    if part.startswith("sections["):
        return f"section-{int(part[9:part.index(']')]) + 1}.xhtml"
    if part == "sources":
        return "sources.xhtml"
    if part == "corrections":
        return "corrections.xhtml"
    return "title.xhtml"


def _medium(layout: Layout) -> Medium:
    return Medium(
        name="epub",
        asset_url=lambda asset: asset.name,
        layout_url=lambda name: name,
        file_of=_file_of,
    )


class EpubWriter:
    """Writes EPUB 3."""

    suffix = ".epub"

    def render(
        self,
        resolved: Resolved,
        layout: Layout,
        *,
        page_size: str = "A4",
        options: Mapping[str, Any] | None = None,
    ) -> bytes:
        """Build the EPUB and return its bytes."""
        from ebooklib import epub

        doc = resolved.doc
        renderer = Renderer(resolved, layout, _medium(layout), page_size=page_size, options=options)
        t = renderer.translator.gettext
        rtl = renderer.context["dir"] == "rtl"

        book = epub.EpubBook()
        book.set_identifier(epub_identifier(doc.id))
        book.set_title(doc.title)
        book.set_language(doc.language)
        if rtl:
            book.set_direction("rtl")
        for number, author in enumerate(doc.authors, start=1):
            book.add_author(author, uid=f"creator{number}")
        for editor in doc.editors:
            book.add_metadata("DC", "contributor", editor)
        if doc.publisher:
            book.add_metadata("DC", "publisher", doc.publisher.name)
        if doc.published:
            book.add_metadata("DC", "date", doc.published)
        if doc.claim:
            book.add_metadata("DC", "description", doc.claim.text)
        for tag in doc.tags:
            book.add_metadata("DC", "subject", tag)
        _accessibility(book, has_images=bool(resolved.assets))

        css = epub.EpubItem(
            uid="style",
            file_name="styles/report.css",
            media_type="text/css",
            content=layout.find("epub/epub.css").read_bytes(),
        )
        book.add_item(css)
        for asset in resolved.assets.values():
            book.add_item(_image(epub, asset))

        def page(file_name: str, title: str, template: str, **extra: Any) -> Any:
            item = epub.EpubHtml(
                uid=file_name.removesuffix(".xhtml"),
                file_name=file_name,
                title=title,
                lang=doc.language,
                media_type="application/xhtml+xml",  # given, so ebooklib does not load the system's MIME tables
            )
            item.content = renderer.render(template, **extra)
            item.add_item(css)
            if rtl:
                item.direction = "rtl"
            book.add_item(item)
            return item

        title_page = page("title.xhtml", doc.title, "title.xhtml")
        chapters = [
            page(_file_of(f"sections[{s.number - 1}]"), f"{s.number}. {s.heading}", "section.xhtml", section=s)
            for s in renderer.context["sections"]
        ]
        back = []
        if doc.corrections:
            back.append(page("corrections.xhtml", t("Corrections"), "corrections.xhtml"))
        sources = page("sources.xhtml", t("Sources"), "sources.xhtml")
        back.append(sources)

        book.toc = [title_page, *chapters, *back]
        book.guide = [
            {"type": "toc", "href": "nav.xhtml", "title": t("Contents")},
            {"type": "bodymatter", "href": "title.xhtml", "title": t("Start of content")},
            {"type": "bibliography", "href": "sources.xhtml", "title": t("Sources")},
        ]
        nav = epub.EpubNav(title=t("Contents"))
        book.add_item(nav)
        book.add_item(epub.EpubNcx())
        book.spine = [title_page, ("nav", "no"), *chapters, *back]

        buffer = io.BytesIO()
        options_ = {
            "raise_exceptions": True,
            "epub3_pages": False,  # a page-list would list every footnote (ebooklib#339)
            "epub3_landmark": True,
            "landmark_title": t("Landmarks"),
            "mtime": build_datetime(doc),  # dcterms:modified: the fact-check's date, never the clock
            "spine_direction": True,
            "package_direction": True,
        }
        try:
            epub.write_epub(buffer, book, options_)
        except Exception as exc:  # ebooklib wraps lxml and zipfile errors without a common base
            raise RenderError(f"the EPUB could not be assembled: {exc}", file=resolved.file) from exc
        head = {}
        if doc.verdict is not None:  # the verdict as schema.org ClaimReview, for machines
            from ..render.claimreview import script_json

            script = f'<script type="application/ld+json">{script_json(doc)}</script>'
            head[f"EPUB/{title_page.file_name}"] = script.encode("utf-8")
        return _normalise(buffer.getvalue(), doc.language, head)


def _image(epub: Any, asset: Asset) -> Any:
    return epub.EpubItem(
        uid=asset.name.replace("/", "-").replace(".", "-"),
        file_name=asset.name,
        media_type=asset.media_type,
        content=asset.data,
    )


def _accessibility(book: Any, *, has_images: bool) -> None:
    """EPUB Accessibility 1.1 metadata (schema.org properties and the conformance claim)."""
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if has_images:
        features.append("alternativeText")
    entries = [("schema:accessMode", "textual")]
    if has_images:
        entries.append(("schema:accessMode", "visual"))
    entries.append(("schema:accessModeSufficient", "textual"))
    entries += [("schema:accessibilityFeature", f) for f in features]
    entries.append(("schema:accessibilityHazard", "none"))
    entries.append(
        (
            "schema:accessibilitySummary",
            "A fact-check with a navigable table of contents, headings for every section, "
            "footnotes linked both ways and text alternatives for every image.",
        )
    )
    entries.append(("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"))
    for prop, value in entries:
        book.add_metadata(None, "meta", value, {"property": prop})


def _normalise(data: bytes, language: str, head: Mapping[str, bytes] | None = None) -> bytes:
    """Rewrite the ZIP with fixed timestamps and order, ``xml:lang`` on the package, and ``head`` markup.

    ``head`` maps a file of the package to markup added at the end of its ``<head>``
    (ebooklib writes each document's head itself and drops what the template put there).
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        ordered = ["mimetype"] + sorted(n for n in names if n != "mimetype")
        for name in ordered:
            content = source.read(name)
            if name.endswith(".opf"):
                content = _package_lang(content, language)
            if head and name in head:
                content = content.replace(b"</head>", head[name] + b"</head>", 1)
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, content, compresslevel=9 if name != "mimetype" else None)
    return out.getvalue()


def _package_lang(opf: bytes, language: str) -> bytes:
    root = etree.fromstring(opf)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
