"""The public face of reportkit: the :class:`FactCheck` builder, :func:`load`, and the writers behind them.

Each builder call checks its own fields at once, so a mistake points at the
call that made it; the whole fact-check is validated again, with the rules
that need every field (unique source keys, a known rating), when it is rendered.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

from .writers.pdf import interrupts
from .errors import InputError, LayoutError
from .render.layouts import Layout, find_layout
from .limits import DEFAULT_LIMITS, Limits, time_limit
from .options import BuildOptions
from .input.loaders import read
from .document.model import Claim, Correction, Document, Publisher, Section, Source, Verdict, validate, validate_part
from .files import BinaryOutput, Target, atomic_write, check_output, check_target, deliver
from .resolve.resolver import Resolved, resolve

__all__ = ["FactCheck", "load"]

PathLike = str | os.PathLike[str]


class FactCheck:
    """A fact-check under construction: chain the calls, then write it out.

    >>> check = (
    ...     FactCheck("Has Russia ever formally applied for NATO membership?")
    ...     .verdict("false", label="No formal application")
    ...     .section("Early proposals", "In 1954 ... [@molotov-1954]")
    ...     .source("molotov-1954", title="Soviet note", url="https://example.org/note")
    ... )
    >>> check.to_pdf("nato.pdf")  # doctest: +SKIP
    """

    # Set by _init (the builder, from_dict and load all call it).
    _data: dict[str, Any]
    _file: Path | None
    _lines: dict[str, int]
    base_dir: Path | None
    limits: Limits
    unsafe_images: str
    _document: Document | None
    _resolved: Resolved | None
    #: Files read besides the input itself (a sources file): the build cache hashes them.
    #: The files besides the fact-check itself that it was read from (a sources file), for caches and watchers.
    read_files: list[Path]

    def __init__(
        self,
        title: str,
        *,
        subtitle: str | None = None,
        slug: str | None = None,
        language: str = "en",
        authors: Sequence[str] = (),
        editors: Sequence[str] = (),
        publisher: str | Mapping[str, Any] | None = None,
        published: Any = None,
        updated: Any = None,
        tags: Sequence[str] = (),
        base_dir: PathLike | None = None,
        limits: Limits = DEFAULT_LIMITS,
        unsafe_images: str = "error",
        url: str | None = None,
    ) -> None:
        self._init({"title": title, "language": language}, base_dir=base_dir, limits=limits,
                   unsafe_images=unsafe_images)
        self._set(
            subtitle=subtitle,
            slug=slug,
            authors=list(authors) or None,
            editors=list(editors) or None,
            publisher={"name": publisher} if isinstance(publisher, str) else publisher,
            published=published,
            updated=updated,
            tags=list(tags) or None,
            url=url,
        )
        if "publisher" in self._data:
            validate_part(Publisher, self._data["publisher"], field="publisher")

    # --- building ------------------------------------------------------------------------

    def claim(
        self,
        text: str,
        *,
        claimant: str | None = None,
        date: Any = None,
        url: str | None = None,
        image: str | None = None,
        archived: str | None = None,
        claimant_type: str | None = None,
    ) -> FactCheck:
        """Set the statement checked, who made it (``claimant_type``: person or organization), when and where."""
        data = _compact(text=text, claimant=claimant, claimant_type=claimant_type, date=date, url=url, image=image,
                        archived=archived)
        validate_part(Claim, data, field="claim")
        return self._set(claim=data)

    def verdict(self, rating: str | bool, *, label: str | None = None, explanation: str = "") -> FactCheck:
        """Set the rating (a key of the rating scale), its label and a one-paragraph explanation."""
        data = _compact(rating=rating, label=label, explanation=explanation or None)
        validate_part(Verdict, data, field="verdict")
        return self._set(verdict=data)

    def summary(self, text: str) -> FactCheck:
        """Set the executive summary (Markdown, with citations)."""
        return self._set(summary=text)

    def section(self, heading: str, body: str = "") -> FactCheck:
        """Add a section: a heading and its Markdown body."""
        index = len(self._data.get("sections", []))
        data = {"heading": heading, "body": body}
        validate_part(Section, data, field=f"sections[{index}]")
        return self._append("sections", data)

    def source(
        self,
        key: str,
        *,
        title: str,
        url: str | None = None,
        publisher: str | None = None,
        authors: Sequence[str] = (),
        published: Any = None,
        accessed: Any = None,
        archived: str | None = None,
        note: str | None = None,
        container: str | None = None,
        type: str | None = None,
        doi: str | None = None,
    ) -> FactCheck:
        """Add a source, cited in the text as ``[@key]``; an author is a name or ``{family, given}``."""
        index = len(self._data.get("sources", []))
        data = _compact(
            key=key,
            title=title,
            url=url,
            publisher=publisher,
            authors=list(authors) or None,
            published=published,
            accessed=accessed,
            archived=archived,
            note=note,
            container=container,
            type=type,
            doi=doi,
        )
        validate_part(Source, data, field=f"sources[{index}]")
        for other in self._data.get("sources", []):
            if other["key"] == key:
                raise InputError(f"duplicate source key {key!r}", field=f"sources[{index}].key")
        return self._append("sources", data)

    def sources_from(self, path: PathLike) -> FactCheck:
        """Add every reference of a CSL-JSON (``.json``) or BibTeX (``.bib``) file as a source."""
        from .input.references import read_references

        for fields in read_references(path):
            self.source(**fields)
        return self

    def correction(self, date: Any, text: str) -> FactCheck:
        """Add a dated note of what changed after publication."""
        index = len(self._data.get("corrections", []))
        data = {"date": date, "text": text}
        validate_part(Correction, data, field=f"corrections[{index}]")
        return self._append("corrections", data)

    def rating_scale(self, name: str, ratings: Iterable[Mapping[str, Any]]) -> FactCheck:
        """Use a custom rating scale: ratings with ``key``, ``label``, ``order`` and ``colour``."""
        return self._set(rating_scale={"name": name, "ratings": [dict(r) for r in ratings]})

    # --- reading -------------------------------------------------------------------------

    @property
    def document(self) -> Document:
        """The validated fact-check (raises :class:`~reportkit.errors.InputError` if it is not valid)."""
        if self._document is None:
            self._document = validate(self._data, file=self._where, lines=self._lines)
        return self._document

    @property
    def id(self) -> str:
        """The stable identifier: the slug, derived from the title when not given."""
        return self.document.id

    def resolve(self) -> Resolved:
        """The document with its citations numbered and its images checked, as every writer reads it."""
        if self._resolved is None:
            self._resolved = resolve(
                self.document,
                base_dir=self.base_dir,
                file=self._where,
                lines=self._lines,
                limits=self.limits,
                unsafe_images=self.unsafe_images,
            )
        return self._resolved

    def to_dict(self) -> dict[str, Any]:
        """All fields as plain JSON-ready data; :meth:`from_dict` gives back an equal fact-check."""
        return self.document.to_dict()

    def to_claimreview(self) -> dict[str, Any]:
        """The schema.org ``ClaimReview`` JSON-LD of the fact-check (warns about fields Google needs)."""
        from .render.claimreview import claimreview, warn_missing

        review = claimreview(self.document)
        warn_missing(review, file=self._where)
        return review

    def verdict_fields(self) -> dict[str, str]:
        """The verdict as plain strings (rating, label, numeric value...) for metadata such as XMP."""
        from .render.claimreview import verdict_fields

        return verdict_fields(self.document)

    def sources_as_csl(self) -> list[dict[str, Any]]:
        """The sources as CSL-JSON items, for Zotero, Mendeley or Pandoc."""
        from .input.references import sources_as_csl

        return sources_as_csl(self.document.sources)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The fields as canonical JSON (sorted keys, UTF-8 text)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=indent) + "\n"

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        base_dir: PathLike | None = None,
        limits: Limits = DEFAULT_LIMITS,
        unsafe_images: str = "error",
    ) -> FactCheck:
        """A fact-check from fields as :meth:`to_dict` gives them (or as a JSON file holds them)."""
        check = cls.__new__(cls)
        check._init(dict(data), base_dir=base_dir, limits=limits, unsafe_images=unsafe_images)
        check.document  # validate now, like the builder does
        return check

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FactCheck) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"FactCheck({self._data.get('title')!r})"

    # --- writing -------------------------------------------------------------------------

    def render(
        self,
        fmt: str,
        *,
        layout: str | PathLike | Layout = "report",
        page_size: str = "A4",
        timeout: float | None = None,
        **options: Any,
    ) -> bytes:
        """The bytes of one output format (``pdf``, ``epub``) without writing a file.

        ``timeout`` (seconds) overrides ``limits.render_seconds``; the other keyword
        options are those of :class:`~reportkit.options.BuildOptions` (and any the layout
        declares): an unknown one raises :class:`~reportkit.errors.InputError`.
        """
        from .writers import get_writer

        writer = get_writer(fmt)
        chosen = layout if isinstance(layout, Layout) else find_layout(_layout_arg(layout))
        built = BuildOptions.parse(
            {**options, "page_size": page_size, "timeout": timeout}, layout_options=chosen.options
        )
        size = _page_size(built.page_size, chosen)
        resolved = self.resolve()
        seconds = built.timeout if built.timeout is not None else self.limits.render_seconds
        with time_limit(seconds, f"rendering the {fmt}"), interrupts.kept():
            return writer.render(resolved, chosen, page_size=size, options=built.writer_options())

    @overload
    def to_pdf(self, target: PathLike, **options: Any) -> Path: ...
    @overload
    def to_pdf(self, target: BinaryOutput, **options: Any) -> None: ...
    @overload
    def to_pdf(self, target: None = None, **options: Any) -> bytes: ...
    def to_pdf(
        self, target: Target = None, *, layout: str | PathLike | Layout = "report", page_size: str = "A4",
        **options: Any,
    ) -> Path | bytes | None:
        """Print-ready PDF: returned as bytes without ``target``, written to a binary file object,
        or written to a path atomically (the path is returned).

        ``archival=True`` makes it PDF/A-3a and PDF/UA-1 with the fact-check's source
        embedded (see :mod:`reportkit.writers.pdf.archival`; check it with :func:`reportkit.verify`).
        """
        return self._deliver("pdf", target, layout=layout, page_size=page_size, **options)

    @overload
    def to_epub(self, target: PathLike, **options: Any) -> Path: ...
    @overload
    def to_epub(self, target: BinaryOutput, **options: Any) -> None: ...
    @overload
    def to_epub(self, target: None = None, **options: Any) -> bytes: ...
    def to_epub(
        self, target: Target = None, *, layout: str | PathLike | Layout = "report", **options: Any
    ) -> Path | bytes | None:
        """An EPUB 3: returned as bytes without ``target``, written to a binary file object, or to a path atomically."""
        return self._deliver("epub", target, layout=layout, **options)

    @overload
    def to_html(self, target: PathLike, **options: Any) -> Path: ...
    @overload
    def to_html(self, target: BinaryOutput, **options: Any) -> None: ...
    @overload
    def to_html(self, target: None = None, **options: Any) -> bytes: ...
    def to_html(
        self, target: Target = None, *, layout: str | PathLike | Layout = "report", **options: Any
    ) -> Path | bytes | None:
        """One self-contained, responsive web page: returned as bytes without ``target``, written to a binary
        file object, or to a path atomically."""
        return self._deliver("html", target, layout=layout, **options)

    def write(
        self,
        out_dir: PathLike,
        formats: Iterable[str] = ("pdf", "epub"),
        **options: Any,
    ) -> list[Path]:
        """Write ``<slug>.<format>`` for each of ``formats`` into ``out_dir``; return the paths."""
        from .writers import output_path

        folder = Path(out_dir)
        return [self.to_file(fmt, output_path(folder, self.id, fmt), **options) for fmt in formats]

    def to_file(self, fmt: str, path: PathLike, **options: Any) -> Path:
        """Write one output format (``pdf``, ``epub``, ``html``, ``claimreview``) to ``path`` atomically; return the path."""
        target = check_target(path)
        return atomic_write(target, self.render(fmt, **options))

    def _deliver(self, fmt: str, target: Target, **options: Any) -> Path | bytes | None:
        """Render ``fmt`` for ``target`` (checked first), then hand the bytes over (see :func:`reportkit.files.deliver`)."""
        return deliver(check_output(target), self.render(fmt, **options))

    # --- internals -----------------------------------------------------------------------

    def _init(
        self,
        data: dict[str, Any],
        *,
        base_dir: PathLike | None,
        limits: Limits,
        unsafe_images: str,
        file: Path | None = None,
        lines: dict[str, int] | None = None,
    ) -> None:
        self._data = data
        self._file = file
        self._lines = lines or {}
        self.base_dir = Path(base_dir) if base_dir is not None else None
        #: Size and time limits applied to this fact-check.
        self.limits = limits
        #: "error" refuses images from outside the input's folder; "placeholder" shows their alt text.
        self.unsafe_images = unsafe_images
        self._document = None
        self._resolved = None
        self.read_files = []

    @property
    def _where(self) -> str | None:
        return str(self._file) if self._file else None

    def _set(self, **fields: Any) -> FactCheck:
        for name, value in fields.items():
            if value is None:
                self._data.pop(name, None)
            else:
                self._data[name] = value
        self._document = self._resolved = None
        return self

    def _append(self, name: str, item: dict[str, Any]) -> FactCheck:
        self._data.setdefault(name, []).append(item)
        self._document = self._resolved = None
        return self


def _compact(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _layout_arg(layout: Any) -> str | PathLike:
    """The ``layout`` argument checked: a name or a path, else an :class:`InputError`."""
    if isinstance(layout, (str, os.PathLike)):
        return layout
    raise InputError(f"expected a layout name or path, got {type(layout).__name__}", field="layout")


def _page_size(page_size: str, layout: Layout) -> str:
    for size in layout.page_sizes:
        if size.lower() == page_size.lower():
            return size
    raise LayoutError(
        f"layout {layout.name!r} has no page size {page_size!r}",
        hint="use one of: " + ", ".join(layout.page_sizes),
    )


def load(path: PathLike, *, limits: Limits = DEFAULT_LIMITS, unsafe_images: str = "error") -> FactCheck:
    """Read a fact-check from a ``.md`` (front matter + Markdown), ``.yaml`` or ``.json`` file.

    Images are looked up next to the file. Raises :class:`~reportkit.errors.InputError`
    naming the file, line and field of the first problem.
    """
    loaded = read(path, max_bytes=limits.max_input_bytes)
    check = FactCheck.__new__(FactCheck)
    check._init(
        loaded.data,
        base_dir=loaded.file.resolve().parent,
        limits=limits,
        unsafe_images=unsafe_images,
        file=loaded.file,
        lines=loaded.lines,
    )
    check.read_files = list(loaded.files)
    check.document
    return check
