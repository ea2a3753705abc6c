"""Digests: several fact-check PDFs combined into one, behind a cover drawn by a layout.

:func:`bundle` reads what each report's PDF says about itself (reportkit writes its
title, verdict and rating into the PDF's metadata, under the key ``/reportkit``),
renders a cover with the layout's ``print/bundle.html`` template (a table of
contents with every check's verdict and page, and a chart of the verdicts), and
joins cover and reports with pypdf: each report's own bookmarks nested under its
title, page labels (``i, ii`` for the cover, ``1-1, 1-2 ... 2-1`` for the reports),
the cover's entries linked to the reports' first pages, and metadata for the
whole. Nothing depends on the clock: the same reports give the same digest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import InputError, LayoutError, OutputError
from ..render.i18n import Translator
from ..render.layouts import Layout, find_layout
from ..files import atomic_write, check_target
from ..document.model import ReportMeta

__all__ = ["COVER_CONTEXT", "CoverRating", "ReportInfo", "bundle", "read_report"]

PathLike = str | os.PathLike[str]

#: Every variable the cover template (``print/bundle.html``) can use. Tests check that the
#: context built by :func:`bundle` has exactly these names.
COVER_CONTEXT: dict[str, str] = {
    "lang": "the cover's BCP 47 language tag (the reports' common language, else 'en', or as given)",
    "dir": "text direction of the language: 'ltr' or 'rtl'",
    "title": "the digest's title",
    "reports": "list of ReportInfo: number, title, first_page, pages, verdict_label, rating (CoverRating or None), "
    "publisher, date, link",
    "chart": "list of ChartBar, one per rating present, most accurate first: rating, count, share (0..1)",
    "count": "how many reports the digest holds",
    "total_pages": "pages of the whole digest, cover included",
    "cover_pages": "pages of the cover",
    "date": "the latest date of the reports, formatted for the language, or ''",
    "page_size": "the cover's page size: 'A4', 'Letter' or 'A5'",
    "generator": "'reportkit' and its version",
    "t": "t(message, **values): the message translated into the cover's language",
    "format_date": "format_date(iso): an ISO date formatted for the language",
    "asset": "asset(name): URL of a file of the layout, found along the extends chain",
    "rating_label": "rating_label(rating): the rating's label in the cover's language",
    "rating_shape": "rating_shape(rating): the badge shape of a rating (see reportkit.render.renderer.CONTEXT)",
    "options": "the layout's options from layout.toml",
}

#: Start of the links the cover template writes to reach a page of the digest; they become
#: internal links when the digest is assembled (``{LINK_PREFIX}12`` goes to page 12).
LINK_PREFIX = "https://reportkit.invalid/digest/page/"

#: Page sizes in PostScript points (width, height), to give the cover the reports' size.
_SIZES = {"A4": (595.28, 841.89), "Letter": (612.0, 792.0), "A5": (419.53, 595.28)}


@dataclass(frozen=True)
class CoverRating:
    """A report's rating as the cover shows it: label in the cover's language, colour, shape."""

    key: str
    label: str
    order: int
    colour: str
    symbol: str
    shape: str

    @property
    def text_colour(self) -> str:
        """Badge text colour: white or black, whichever contrasts more with :attr:`colour`."""
        from ..document.model import text_colour_on

        return text_colour_on(self.colour)


@dataclass
class ReportInfo:
    """One report of a digest: what its PDF says about itself, and where it starts in the digest."""

    path: Path
    title: str
    pages: int
    language: str = "en"
    publisher: str = ""
    date: str = ""
    verdict_label: str = ""
    rating: CoverRating | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    number: int = 0
    first_page: int = 0

    @property
    def link(self) -> str:
        """The address the cover links to for this report (made internal when the digest is assembled)."""
        return f"{LINK_PREFIX}{self.first_page}"


@dataclass(frozen=True)
class ChartBar:
    """One bar of the cover's chart: a rating and how many reports have it."""

    rating: CoverRating
    count: int
    share: float


def _shape_of(shape: str, key: str) -> str:
    from ..render.renderer import SHAPES

    if shape:
        return shape
    return key if key in (*SHAPES, "unsupported") else "unsupported"


def read_report(path: PathLike, translator: Translator | None = None) -> ReportInfo:
    """What a report's PDF says about itself: title, verdict, rating (from reportkit's metadata)."""
    from .verify import open_pdf

    file = Path(path)
    if not file.exists():
        raise InputError(f"{file} does not exist", file=file, hint="give the paths of PDF files")
    try:
        reader = open_pdf(file)
    except InputError as exc:
        raise InputError(f"{file} is not a readable PDF: {exc.message}", file=file, hint=exc.hint) from None
    try:
        pages = len(reader.pages)
        info: Mapping[str, Any] = reader.metadata or {}
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds of errors on damaged files
        raise InputError(f"the PDF's metadata cannot be read: {type(exc).__name__}: {exc}"[:300], file=file) from None
    meta = _report_meta(info.get("/reportkit"), file)
    title = meta.title or _text(info.get("/Title")) or file.stem
    if pages < 1:
        raise InputError("the PDF has no pages", file=file)
    rating = None
    if meta.rating is not None:
        data = meta.rating
        label = data.label
        if translator is not None and data.default_scale:
            label = translator.gettext(label)
        rating = CoverRating(
            key=data.key,
            label=label,
            order=data.order,
            colour=data.colour,
            symbol=data.symbol,
            shape=_shape_of(data.shape, data.key),
        )
    return ReportInfo(
        path=file,
        title=title,
        pages=pages,
        language=meta.language,
        publisher=meta.publisher,
        date=meta.date or "",
        verdict_label=meta.verdict_label,
        rating=rating,
        meta=meta.model_dump(),
    )


def _text(value: Any) -> str:
    """A PDF metadata value as text ('' for none)."""
    return str(value) if value is not None else ""


def _report_meta(raw: Any, file: Path) -> ReportMeta:
    """reportkit's ``/reportkit`` metadata of a PDF, validated as input is: a wrong field is an :class:`InputError`.

    A language that is not a language tag becomes the default (English), with a warning:
    it is never used to find a file.
    """
    import warnings

    from ..errors import ReportkitWarning
    from ..input.text import parse_json
    from ..document.model import ReportMeta, is_language_tag, validate_part

    if raw is None:
        return ReportMeta()
    data = parse_json(str(raw), file)
    if not isinstance(data, dict):
        return ReportMeta()
    language = data.get("language")
    if language not in (None, "") and not is_language_tag(language):
        warnings.warn(
            f"{file}: the language {str(language)[:40]!r} its metadata records is not a language tag: "
            "the default (en) is used",
            ReportkitWarning,
            stacklevel=3,
        )
        data = {**data, "language": "en"}
    elif language in (None, ""):
        data = {**data, "language": "en"}
    return validate_part(ReportMeta, data, field="/reportkit", file=file)


def _chart(reports: Sequence[ReportInfo]) -> list[ChartBar]:
    groups: dict[tuple[int, str, str], list[CoverRating]] = {}
    for report in reports:
        if report.rating is not None:
            r = report.rating
            groups.setdefault((r.order, r.key, r.label), []).append(r)
    total = len(reports) or 1
    return [
        ChartBar(rating=ratings[0], count=len(ratings), share=len(ratings) / total)
        for _, ratings in sorted(groups.items(), key=lambda item: item[0])
    ]


def _page_size(reports: Sequence[ReportInfo]) -> str:
    from .verify import open_pdf

    try:
        box = open_pdf(reports[0].path).pages[0].trimbox
        width, height = float(box.width), float(box.height)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return "A4"
    best = min(_SIZES, key=lambda name: abs(_SIZES[name][0] - width) + abs(_SIZES[name][1] - height))
    return best


class _Cover:
    """Renders the cover of a digest with a layout's ``print/bundle.html``."""

    def __init__(self, layout: Layout, language: str, title: str | None, page_size: str) -> None:
        self.layout = layout
        self.translator = Translator(language)
        self.language = language
        self.title = title or self.translator.gettext("Fact check digest")
        self.page_size = page_size

    def context(self, reports: Sequence[ReportInfo], cover_pages: int, total_pages: int) -> dict[str, Any]:
        """The cover template's context (documented in :data:`COVER_CONTEXT`)."""
        from ..render.renderer import RTL_LANGUAGES

        dates = sorted(r.date for r in reports if r.date)
        return {
            "lang": self.language,
            "dir": "rtl" if self.language.split("-")[0].lower() in RTL_LANGUAGES else "ltr",
            "title": self.title,
            "reports": list(reports),
            "chart": _chart(reports),
            "count": len(reports),
            "total_pages": total_pages,
            "cover_pages": cover_pages,
            "date": self.translator.format_date(dates[-1]) if dates else "",
            "page_size": self.page_size,
            "generator": f"reportkit {__version__}",
            "t": self.translator.gettext,
            "format_date": lambda iso: self.translator.format_date(str(iso)) if iso else "",
            "asset": lambda name: self.layout.find(f"print/{name}").as_uri(),
            "rating_label": lambda rating: rating.label if rating is not None else "",
            "rating_shape": lambda rating: rating.shape if rating is not None else "unsupported",
            "options": dict(self.layout.options),
        }

    def html(self, context: dict[str, Any]) -> str:
        """The cover's HTML."""
        import jinja2

        from ..render.renderer import template_error

        try:
            template = self.layout.env.get_template("print/bundle.html")
            return template.render(context)
        except jinja2.TemplateNotFound:
            raise LayoutError(
                f"layout {self.layout.name!r} has no print/bundle.html for a digest's cover",
                file=self.layout.path,
                hint="extend the 'report' layout, which has one",
            ) from None
        except jinja2.TemplateError as exc:
            raise template_error(exc) from None

    def pdf(self, context: dict[str, Any]) -> bytes:
        """The cover laid out by the PDF writer."""
        from ..writers.pdf.writer import pdf_from_html
        from ..writers.reproducible import FALLBACK_DATE, source_date_epoch

        identifier = hashlib.sha256(json.dumps(context["title"]).encode()).hexdigest()[:32]
        return pdf_from_html(
            self.html(context), self.layout, identifier=identifier, when=source_date_epoch() or FALLBACK_DATE
        )


def bundle(
    reports: Iterable[PathLike],
    output: PathLike,
    *,
    title: str | None = None,
    language: str | None = None,
    layout: str | PathLike | Layout = "report",
    page_size: str | None = None,
) -> Path:
    """Combine report PDFs into one digest at ``output`` (atomically), behind a generated cover; return its path.

    ``language`` is the cover's (default: the reports' common language, else English),
    ``page_size`` the cover's (default: the first report's), ``layout`` draws the cover.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import PageLabelStyle

    from .verify import open_pdf
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    paths = [Path(p) for p in reports]
    if not paths:
        raise InputError("a digest needs at least one report", hint="give the paths of report PDFs")
    target = check_target(output)
    for path in paths:
        if path.resolve() == target.resolve():
            raise OutputError(f"{target} is one of the reports", file=target, hint="write the digest elsewhere")
    chosen = layout if isinstance(layout, Layout) else find_layout(layout)
    probe = [read_report(p) for p in paths]
    languages = {r.language for r in probe}
    cover_language = language or (languages.pop() if len(languages) == 1 else "en")
    translator = Translator(cover_language)
    infos = [read_report(p, translator) for p in paths]
    size = page_size or _page_size(infos)
    cover = _Cover(chosen, cover_language, title, size)

    # Lay the cover out until its page count settles (its table gives page numbers).
    cover_pages, cover_pdf = 1, b""
    for _ in range(3):
        _number(infos, cover_pages)
        total = cover_pages + sum(r.pages for r in infos)
        cover_pdf = cover.pdf(cover.context(infos, cover_pages, total))
        laid_out = len(PdfReader(io.BytesIO(cover_pdf)).pages)
        if laid_out == cover_pages:
            break
        cover_pages = laid_out

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover_pdf)), import_outline=False)
    for report in infos:
        try:
            writer.append(open_pdf(report.path), outline_item=report.title, import_outline=True)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds of errors on damaged files
            raise InputError(
                f"the PDF's pages cannot be copied: {type(exc).__name__}: {exc}"[:300],
                file=report.path,
                hint="open it and save it again, or leave it out of the digest",
            ) from None
    _link_cover(writer, cover_pages)

    writer.set_page_label(0, cover_pages - 1, style=PageLabelStyle.LOWERCASE_ROMAN, start=1)
    for report in infos:
        first = report.first_page - 1
        writer.set_page_label(
            first, first + report.pages - 1, style=PageLabelStyle.DECIMAL, prefix=f"{report.number}-", start=1
        )

    dates = sorted(r.date for r in infos if r.date)
    authors = list(dict.fromkeys(a for r in infos for a in r.meta.get("authors", []) if a))
    metadata = {
        "/Title": cover.title,
        "/Subject": "; ".join(r.title for r in infos),
        "/Creator": f"reportkit {__version__}",
        "/Producer": f"reportkit {__version__} (pypdf)",
        "/reportkit": json.dumps(
            {
                "digest": [
                    {"id": r.meta.get("id") or r.path.stem, "title": r.title, "first_page": r.first_page,
                     "pages": r.pages, "rating": r.rating.key if r.rating else None}
                    for r in infos
                ],
                "generator": f"reportkit {__version__}",
                "language": cover_language,
                "title": cover.title,
            },
            ensure_ascii=False,
            sort_keys=True,
        ),
    }
    if authors:
        metadata["/Author"] = ", ".join(authors)
    if dates:
        stamp = "D:" + dates[-1].replace("-", "").ljust(8, "0")[:8] + "000000Z"
        metadata["/CreationDate"] = metadata["/ModDate"] = stamp
    writer.add_metadata(metadata)
    writer._root_object[NameObject("/Lang")] = TextStringObject(cover_language)
    writer.page_mode = "/UseOutlines"

    # The file identifier comes from the content, so the same reports give the same bytes.
    digest = hashlib.sha256(cover_pdf)
    for report in infos:
        digest.update(_read_pdf(report.path))
    identifier = ByteStringObject(digest.digest()[:16])
    writer._ID = ArrayObject([identifier, identifier])

    buffer = io.BytesIO()
    writer.write(buffer)
    return atomic_write(target, buffer.getvalue())


def _read_pdf(path: Path) -> bytes:
    from ..files import read_regular
    from .verify import MAX_PDF_BYTES

    return read_regular(path, max_bytes=MAX_PDF_BYTES, what="PDF")


def _number(infos: Sequence[ReportInfo], cover_pages: int) -> None:
    page = cover_pages + 1
    for number, report in enumerate(infos, start=1):
        report.number = number
        report.first_page = page
        page += report.pages


def _link_cover(writer: Any, cover_pages: int) -> None:
    """Turn the cover's ``LINK_PREFIX`` web links into links to pages of the digest."""
    from pypdf.generic import ArrayObject, NameObject, NumberObject

    pattern = re.compile(re.escape(LINK_PREFIX) + r"(\d+)$")
    for page in writer.pages[:cover_pages]:
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            match = pattern.match(uri)
            if not match:
                continue
            index = int(match.group(1)) - 1
            if not 0 <= index < len(writer.pages):
                continue
            destination = ArrayObject([writer.pages[index].indirect_reference, NameObject("/Fit")])
            del annot[NameObject("/A")]
            annot[NameObject("/Dest")] = destination
            annot[NameObject("/Border")] = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(0)])

