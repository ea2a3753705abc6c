"""Turn a validated document into what every writer draws from: parsed text, numbered citations, checked images.

This is the step between validation and rendering. It parses each Markdown
text once, numbers the citations (:mod:`reportkit.resolve.citations`), checks every
image and link against the rules for untrusted content, and reports problems
that do not stop the build as :class:`~reportkit.errors.ReportkitWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from .citations import Citations, Part, number_citations
from ..errors import InputError, LimitError, ReportkitWarning, UnsafeResourceError
from ..limits import DEFAULT_LIMITS, Limits
from ..input.markdown import parse
from ..document.model import Document

__all__ = ["Asset", "IMAGE_TYPES", "UNSAFE_IMAGES", "Resolved", "resolve"]

#: Image files a fact-check may show, by suffix.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
#: Link schemes that may reach the outputs; any other link is dropped with a warning.
LINK_SCHEMES = ("http", "https", "mailto")
#: What to do with an image that may not be shown: refuse the document, or show a placeholder.
UNSAFE_IMAGES = ("error", "placeholder")


@dataclass(frozen=True)
class Asset:
    """A local file the document shows: its checked path and the name it gets inside packages."""

    path: Path
    media_type: str
    name: str


@dataclass
class Resolved:
    """A document ready to render: the same for every output format."""

    doc: Document
    parts: list[Part]
    citations: Citations
    #: Images by the reference written in the input (``claim.png``), checked and named.
    assets: dict[str, Asset]
    base_dir: Path | None
    file: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: Images that may not be shown, by reference, with the reason (placeholder mode only).
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def claim_image(self) -> Asset | None:
        """The claim's screenshot, if it has one."""
        claim = self.doc.claim
        return self.assets.get(claim.image) if claim and claim.image else None

    def part(self, name: str) -> Part | None:
        """The parsed Markdown text stored under field path ``name``."""
        return next((p for p in self.parts if p.name == name), None)


def resolve(
    doc: Document,
    *,
    base_dir: Path | None = None,
    file: str | None = None,
    lines: Mapping[str, int] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    unsafe_images: str = "error",
) -> Resolved:
    """Parse, number and check ``doc``; images are looked up in ``base_dir``.

    Raises :class:`InputError` subclasses for unknown citation keys, missing or
    unsafe images (or, with ``unsafe_images="placeholder"``, shows a placeholder
    and warns); warns (:class:`ReportkitWarning`) about uncited sources, missing
    alt text and dropped links.
    """
    if unsafe_images not in UNSAFE_IMAGES:
        raise ValueError(f"unsafe_images must be one of {UNSAFE_IMAGES}, not {unsafe_images!r}")
    lines = lines or {}
    _check_size(doc, limits, file)
    parts: list[Part] = []
    if doc.verdict and doc.verdict.explanation:
        parts.append(_part(doc.verdict.explanation, "verdict.explanation", "the verdict", lines))
    if doc.summary:
        parts.append(_part(doc.summary, "summary", "the summary", lines))
    for index, section in enumerate(doc.sections):
        name = f"sections[{index}].body"
        parts.append(_part(section.body, name, f"section {index + 1} ({section.heading!r})", lines))
    try:
        citations = number_citations(parts, doc.sources)
    except InputError as exc:
        raise exc.located(file) if file else exc
    messages: list[str] = []
    listed = set(doc.nocite)
    for source in citations.uncited:
        if "*" in listed or source.key in listed:
            continue  # listed on purpose (nocite), as Pandoc lists them
        messages.append(f"source {source.key!r} is never cited: cite it as [@{source.key}] or remove it")

    checker = _AssetChecker(base_dir, file, limits.max_image_bytes, placeholder=unsafe_images == "placeholder")
    if doc.claim and doc.claim.image:
        checker.check(doc.claim.image, "claim.image", lines.get("claim.image"), name="claim")
        if not (doc.claim.image_alt or "").strip():
            messages.append(
                "claim.image has no alt text: the screenshot is described as 'Screenshot of the claim: "
                f"{doc.claim.text[:60]}{'...' if len(doc.claim.text) > 60 else ''}'; say what it shows in claim.image_alt"
            )
    for part in parts:
        for block in part.tokens:
            if block.children:
                block.children = _check_inline(block, part, checker, messages)
    messages += [f"image {ref[:120]!r} is not shown: {reason}" for ref, reason in checker.refused.items()]

    where = f"{file}: " if file else ""
    for message in messages:
        warnings.warn(where + message, ReportkitWarning, stacklevel=2)
    return Resolved(doc, parts, citations, checker.assets, base_dir, file, messages, checker.refused)


def _check_size(doc: Document, limits: Limits, file: str | None) -> None:
    """Fail fast, before any parsing, on documents beyond the limits."""
    checks = [
        (len(doc.sources), limits.max_sources, "sources", "max_sources"),
        (len(doc.sections), limits.max_sections, "sections", "max_sections"),
    ]
    text = len(doc.summary) + sum(len(s.body) for s in doc.sections)
    text += len(doc.verdict.explanation) if doc.verdict else 0
    checks.append((text, limits.max_text_chars, "characters of text", "max_text_chars"))
    for count, limit, what, name in checks:
        if count > limit:
            raise LimitError(
                f"the fact-check has {count:,} {what}, more than the limit of {limit:,}",
                file=file,
                hint=f"split it, or raise the limit: Limits({name}=...)",
            )


def _part(text: str, name: str, title: str, lines: Mapping[str, int]) -> Part:
    return Part(name=name, title=title, tokens=parse(text), line=lines.get(name))


def _check_inline(block: Token, part: Part, checker: "_AssetChecker", messages: list[str]) -> list[Token]:
    """Check the images and links of one inline block; return its children without unsafe links."""
    line = part.line + block.map[0] if part.line is not None and block.map else None
    kept: list[Token] = []
    dropping = 0
    for child in block.children or ():
        if child.type == "image":
            src = str(child.attrs.get("src", ""))
            checker.check(src, part.name, line)
            if not child.content.strip():
                messages.append(
                    f"image {src!r} in {part.title} has no alt text: describe it in ![...] for readers who cannot see it"
                )
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if urlsplit(href).scheme.lower() not in LINK_SCHEMES:
                messages.append(f"link to {href[:80]!r} in {part.title} was removed: only http(s) and mailto links are kept")
                dropping += 1
                continue
        elif child.type == "link_close" and dropping:
            dropping -= 1
            continue
        kept.append(child)
    return kept


class _AssetChecker:
    """Checks image references against the input's folder and names the accepted files."""

    def __init__(self, base_dir: Path | None, file: str | None, max_bytes: int, *, placeholder: bool) -> None:
        self.base_dir = base_dir.resolve() if base_dir else None
        self.file = file
        self.max_bytes = max_bytes
        self.placeholder = placeholder
        self.assets: dict[str, Asset] = {}
        self.refused: dict[str, str] = {}

    def check(self, ref: str, field: str, line: int | None, *, name: str | None = None) -> Asset | None:
        """The checked asset; ``None`` when it is refused and placeholders are on (else raises)."""
        if ref in self.assets or ref in self.refused:
            return self.assets.get(ref)
        try:
            return self._check(ref, field, line, name)
        except UnsafeResourceError as exc:
            if not self.placeholder:
                raise
            self.refused[ref] = exc.message
            return None

    def _check(self, ref: str, field: str, line: int | None, name: str | None) -> Asset:

        def fail(message: str, hint: str, kind: type[InputError] = UnsafeResourceError) -> InputError:
            return kind(message, file=self.file, field=field, line=line, hint=hint)

        parts = urlsplit(ref)
        if parts.scheme and len(parts.scheme) > 1:  # a one-letter scheme is a Windows drive
            raise fail(
                f"image {ref[:120]!r} is a URL ({parts.scheme}:); reportkit never fetches images while rendering",
                "save the image next to the input file and refer to it by its file name",
            )
        if self.base_dir is None:
            raise fail(
                f"image {ref!r} cannot be found: this fact-check has no folder to look in",
                "pass base_dir= to FactCheck, or load the fact-check from a file",
                InputError,
            )
        relative = Path(unquote(parts.path))
        if relative.is_absolute() or relative.drive:
            raise fail(
                f"image {ref!r} is an absolute path; only files in the input's folder may be shown",
                "copy the image next to the input file and refer to it by a relative path",
            )
        path = (self.base_dir / relative).resolve()
        if not path.is_relative_to(self.base_dir):
            raise fail(
                f"image {ref!r} lies outside the input's folder {self.base_dir}",
                "copy the image next to the input file and refer to it by a relative path",
            )
        media_type = IMAGE_TYPES.get(path.suffix.lower())
        if media_type is None:
            raise fail(
                f"image {ref!r} is not a PNG, JPEG or SVG file",
                "convert it to PNG, JPEG or SVG",
                InputError,
            )
        if not path.is_file():
            raise fail(f"image file {ref!r} does not exist in {self.base_dir}", "check the file name", InputError)
        if path.stat().st_size > self.max_bytes:
            raise fail(
                f"image {ref!r} is larger than {self.max_bytes / 2**20:g} MB",
                "reduce its resolution or compress it, or raise Limits(max_image_bytes=...)",
                LimitError,
            )
        problem = unreadable_image(path, media_type)
        if problem:
            raise fail(
                f"image {ref!r} {problem}",
                f"open it in an image editor and save it again as {path.suffix.lower()[1:].upper()}",
                InputError,
            )
        stem = name or f"figure-{sum(1 for a in self.assets.values() if a.name.startswith('images/figure-')) + 1}"
        asset = Asset(path=path, media_type=media_type, name=f"images/{stem}{path.suffix.lower()}")
        self.assets[ref] = asset
        return asset


#: What the first bytes of each raster type are.
_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
_SVG_ROOT = "{http://www.w3.org/2000/svg}svg"


def unreadable_image(path: Path, media_type: str) -> str | None:
    """Why the image file at ``path`` cannot be shown as ``media_type`` (``None`` when it can).

    Both renderers would otherwise fail quietly: WeasyPrint logs the failure and sets the alt
    text instead, and the EPUB would carry a file its reader cannot open.
    """
    kind = media_type.split("/")[1].replace("svg+xml", "SVG").upper()
    if media_type == "image/svg+xml":
        from xml.etree import ElementTree  # what WeasyPrint parses SVG with; it resolves no external entity

        try:
            root = ElementTree.parse(path).getroot()
        except ElementTree.ParseError as exc:
            line, column = exc.position
            problem = str(exc).rsplit(": line ", 1)[0]
            return f"is not a readable SVG file (its XML, line {line}, column {column + 1}: {problem})"
        if root.tag != _SVG_ROOT:
            return f"is not an SVG file: its root element is <{root.tag}>, not <svg> in the SVG namespace"
        return None
    with path.open("rb") as file:
        if not file.read(8).startswith(_SIGNATURES[media_type]):
            return f"is not a {kind} file (its first bytes are not a {kind} signature)"
    from PIL import Image, UnidentifiedImageError  # WeasyPrint's own image library

    try:
        with Image.open(path) as image:
            image.verify()  # the chunks of a PNG and their checksums, up to the end
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return f"is a damaged {kind} file ({exc})"
    return None
