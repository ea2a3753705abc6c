"""Check archival PDFs: :func:`verify` and :func:`read_archive` (:mod:`reportkit.tools.extract` gets the fact-check back out).

:func:`verify` rebuilds a PDF reportkit made with ``archival=True`` from the source and images
embedded in it, with the layout, options and library versions its XMP records, and compares the
whole file with the rebuild, byte for byte; the first differing part (a page's content stream, a
font, an image, the metadata, an attachment) is named. When this machine has other versions than
the record, it says which versions a rebuild needs (a different environment, not a changed file).
Structural checks need no rebuild: PDF/A and PDF/UA declared, output intent, fonts embedded, no
encryption, no update after the build but a signature's, only the build's attachments, the source
and images equal to the SHA-256 the XMP records, the metadata matching the source, links, pages.
Signatures are checked by :mod:`reportkit.tools.sign` (pyHanko).

PDFs are untrusted input: they are read with pypdf, XML without entities or network,
and embedded file names are never used as paths outside the chosen folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import posixpath
import re
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ..writers.pdf.archival import DESCRIBED, NS, SOURCE_NAME, record_for
from ..errors import InputError, ReportkitError, ReportkitWarning

if TYPE_CHECKING:
    pass

__all__ = [
    "Archive", "Check", "EmbeddedFile", "Verification", "first_difference", "read_archive", "recorded_images",
    "revisions", "safe_name", "verify", "write_images",
]

PathLike = str | os.PathLike[str]
#: How deep name trees and form XObjects are followed (guards against loops in hostile files).
_MAX_DEPTH = 32
_LINK_SCHEMES = ("http://", "https://", "mailto:")


@dataclass(frozen=True)
class EmbeddedFile:
    """A file embedded in a PDF (``/EmbeddedFiles``), as stored."""

    name: str
    data: bytes
    mime_type: str | None
    relationship: str | None
    #: Whether the catalog's ``/AF`` array lists it (an associated file of the document).
    associated: bool
    #: The MD5 and size recorded in the file's ``/Params``, if any.
    checksum: str | None = None
    size: int | None = None


@dataclass
class Archive:
    """What an archival PDF holds: its XMP properties, its document info, its embedded files."""

    path: Path
    #: XMP properties by qualified name (``dc:title``, ``rk:sourceSHA256``): text, or a list for Seq/Bag.
    metadata: dict[str, Any]
    info: dict[str, str]
    files: dict[str, EmbeddedFile]
    reader: Any = field(repr=False, default=None)

    @property
    def source(self) -> EmbeddedFile | None:
        """The embedded source data (named by ``rk:sourceFile``, else ``factcheck.json``)."""
        return self.files.get(str(self.metadata.get("rk:sourceFile") or SOURCE_NAME))


@dataclass(frozen=True)
class Check:
    """One verification: its name, whether it passed, and what was found."""

    name: str
    ok: bool
    message: str
    #: True when the check could not be made here (a rebuild needs other versions): neither passed nor failed.
    undecided: bool = False


@dataclass
class Verification:
    """The result of verifying one PDF."""

    path: Path
    checks: list[Check] = field(default_factory=list)
    pages: int = 0
    pdfa: str | None = None
    pdfua: str | None = None
    #: True when only the structural checks were asked for (no rebuild).
    structural: bool = False
    #: What a rebuild here lacks (``weasyprint 70.0 (installed: 71.0)``): the environment differs.
    needs: list[str] = field(default_factory=list)
    #: One entry per signature: signer, time, intact, coverage, trusted... (see :mod:`reportkit.tools.sign`).
    signatures: list[dict[str, Any]] = field(default_factory=list)
    #: Font files the PDF records (``rk:fonts``) that are missing or different on this machine:
    #: no failure of the PDF, but a rebuild here would not give the same bytes.
    font_changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check passed (a check that could not be made is not a pass)."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        """The checks that failed (not those that could not be made here)."""
        return [c for c in self.checks if not c.ok and not c.undecided]

    @property
    def verdict(self) -> str:
        """``verified``, ``structural`` (passed, not rebuilt), ``different environment`` or ``failed``."""
        if self.failures or not self.checks:
            return "failed"
        if any(c.undecided for c in self.checks):
            return "different environment"
        return "structural" if self.structural else "verified"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: file, ok, verdict, pages, pdfa, pdfua, every check, what a rebuild needs, the signatures."""
        return {
            "file": str(self.path),
            "ok": self.ok,
            "verdict": self.verdict,
            "pages": self.pages,
            "pdfa": self.pdfa,
            "pdfua": self.pdfua,
            "checks": [asdict(c) for c in self.checks],
            "needs": list(self.needs),
            "signatures": list(self.signatures),
            "font_changes": list(self.font_changes),
        }


# --- reading ------------------------------------------------------------------------------


#: The largest PDF read.
MAX_PDF_BYTES = 2 * 1024**3
#: How long a PDF that strict reading refuses may take to be read leniently (seconds): pypdf's recovery of a
#: damaged object stream parses the stream's header again for every object missing from it (a 146 kB
#: reportkit PDF with 200 bytes overwritten took 22 s and two million warnings; py-pdf/pypdf#3676 made
#: intact streams linear, not damaged ones).
LENIENT_READ_SECONDS = 3.0


def open_pdf(path: PathLike, data: bytes | None = None) -> Any:
    """A pypdf reader of the PDF at ``path``, decrypted when only an owner password protects it.

    ``data`` is the file's bytes when the caller has read them (a revision of it). Raises
    :class:`InputError` for anything that is not a readable PDF: a missing or special
    file, another kind of file, a damaged one, or one that needs a password to be opened.

    The file is read strictly first. One that strict reading refuses is read again leniently (a slightly
    damaged archive may still give its source back) within :data:`LENIENT_READ_SECONDS`; if that fails too, the
    error names what strict reading found. pypdf logs nothing meanwhile: the error says what matters.
    """
    from ..files import read_regular

    file = Path(path)
    if data is None:
        data = read_regular(file, max_bytes=MAX_PDF_BYTES, what="PDF")
    if not data.startswith(b"%PDF-"):
        raise InputError("is not a PDF file", file=file, hint="give a PDF made by reportkit")
    with _quiet_pypdf():
        try:
            return _read(data, file, strict=True)
        except InputError as strict_error:
            if "cannot be read" not in strict_error.message:  # encrypted, a password: the same leniently
                raise
            from ..errors import LimitError
            from ..limits import time_limit

            try:
                with time_limit(LENIENT_READ_SECONDS, "reading the damaged PDF"):
                    return _read(data, file, strict=False)
            except (InputError, LimitError):
                raise strict_error from None


def _read(data: bytes, file: Path, *, strict: bool) -> Any:
    """:func:`open_pdf`'s reading of ``data``, strict or lenient; InputError for what cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    try:
        try:
            reader = PdfReader(io.BytesIO(data), strict=strict)
        except DependencyError:
            raise InputError("the PDF is encrypted (AES) and cannot be read without the cryptography package",
                             file=file, hint="pip install cryptography, or save an unencrypted copy") from None
        if reader.is_encrypted:
            _decrypt(reader, file)
        len(reader.pages)
        return reader
    except InputError:
        raise
    except RecursionError:
        raise InputError("the PDF's structure is nested too deeply to be read", file=file) from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            NotImplementedError, AssertionError, ZeroDivisionError, OverflowError) as exc:
        raise InputError(f"the PDF cannot be read: {type(exc).__name__}: {exc}"[:300], file=file) from None


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Within: pypdf logs nothing (a damaged file's recovery logs a line per object it skips; the error says enough)."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _decrypt(reader: Any, file: Path) -> None:
    """Open an encrypted PDF whose user password is empty (only an owner password set); refuse the others."""
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    try:
        opened = reader.decrypt("")
    except DependencyError:
        raise InputError("the PDF is encrypted (AES) and cannot be read here", file=file,
                         hint="save an unencrypted copy of it, or install pypdf's crypto extra") from None
    except NotImplementedError as exc:
        raise InputError(f"the PDF is encrypted in a way that cannot be read: {exc}", file=file) from None
    if opened == PasswordType.NOT_DECRYPTED:
        raise InputError("the PDF is protected by a password", file=file, hint="save an unprotected copy of it")


def _open(path: Path, data: bytes | None = None) -> Any:
    return open_pdf(path, data)


def _xmp(reader: Any) -> dict[str, Any]:
    """The XMP properties of the document's metadata stream, by qualified name."""
    from lxml import etree

    stream = reader.trailer["/Root"].get("/Metadata")
    if stream is None:
        return {}
    packet = stream.get_object().get_data()
    start, end = packet.find(b"<x:xmpmeta"), packet.rfind(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        return {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(packet[start : end + len(b"</x:xmpmeta>")], parser)
    except etree.XMLSyntaxError:
        return {}
    prefixes = {uri: prefix for prefix, uri in NS.items()}
    rdf = NS["rdf"]

    def qualified(tag: str) -> str:
        uri, _, local = tag[1:].partition("}")
        return f"{prefixes[uri]}:{local}" if uri in prefixes else tag

    result: dict[str, Any] = {}
    for desc in root.iter(f"{{{rdf}}}Description"):
        for name, value in desc.attrib.items():
            if not name.startswith(f"{{{rdf}}}"):
                result.setdefault(qualified(name), value)
        for child in desc:
            if child.get(f"{{{rdf}}}parseType") == "Resource" or child.tag == f"{{{NS['pdfaExtension']}}}schemas":
                continue
            container = next(iter(child), None)
            if container is None:
                result.setdefault(qualified(child.tag), child.text or "")
            elif container.tag == f"{{{rdf}}}Alt":
                items = list(container)
                default = next((li for li in items if li.get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default"), None)
                chosen = default if default is not None else (items[0] if items else None)
                result.setdefault(qualified(child.tag), (chosen.text or "") if chosen is not None else "")
            elif container.tag in (f"{{{rdf}}}Seq", f"{{{rdf}}}Bag"):
                result.setdefault(qualified(child.tag), [li.text or "" for li in container])
    return result


def _name_tree(node: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """The (name, value) pairs of a PDF name tree."""
    if node is None or depth > _MAX_DEPTH:
        return
    node = node.get_object()
    names = node.get("/Names")
    if names is not None:
        names = names.get_object()
        for index in range(0, len(names) - 1, 2):
            yield str(names[index]), names[index + 1]
    for kid in node.get("/Kids") or ():
        yield from _name_tree(kid, depth + 1)


def _embedded_files(reader: Any) -> dict[str, EmbeddedFile]:
    root = reader.trailer["/Root"]
    associated = {getattr(ref, "idnum", None) for ref in (root.get("/AF") or [])}
    tree = (root.get("/Names") or {}).get("/EmbeddedFiles") if root.get("/Names") else None
    files: dict[str, EmbeddedFile] = {}
    for key, value in _name_tree(tree):
        spec = value.get_object()
        name = str(spec.get("/UF") or spec.get("/F") or key)
        stream = (spec.get("/EF") or {}).get("/F")
        if stream is None:
            continue
        stream = stream.get_object()
        params = stream.get("/Params") or {}
        checksum = params.get("/CheckSum")
        subtype = stream.get("/Subtype")
        relationship = spec.get("/AFRelationship")
        files[name] = EmbeddedFile(
            name=name,
            data=stream.get_data(),
            mime_type=str(subtype)[1:] if subtype is not None else None,
            relationship=str(relationship)[1:] if relationship is not None else None,
            associated=getattr(value, "idnum", None) in associated,
            checksum=_raw(checksum).hex() if checksum is not None else None,
            size=int(params["/Size"]) if "/Size" in params else None,
        )
    return files


def _raw(value: Any) -> bytes:
    """The bytes of a PDF string object (pypdf decodes some strings to text)."""
    original = getattr(value, "original_bytes", None)
    if original is not None:
        return bytes(original)
    return value if isinstance(value, bytes) else str(value).encode("latin-1")


def read_archive(path: PathLike, data: bytes | None = None) -> Archive:
    """Read a PDF's XMP metadata, document info and embedded files (raises :class:`InputError` if unreadable).

    ``data``: the bytes to read instead of the file's (its first revision, say).
    """
    file = Path(path)
    reader = _open(file, data)
    try:
        metadata = _xmp(reader)
        files = _embedded_files(reader)
        info = {str(k)[1:]: str(v) for k, v in (reader.metadata or {}).items()}
    except ReportkitError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise InputError(f"the PDF's structure cannot be read: {type(exc).__name__}: {exc}", file=file) from None
    return Archive(file, metadata, info, files, reader)


# --- checks -------------------------------------------------------------------------------


def _check_pdfa(meta: Mapping[str, Any]) -> Check:
    part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    if not part:
        return Check("pdfa", False, "no PDF/A identification (pdfaid:part) in the XMP metadata: build with --archival")
    if not conformance:
        return Check("pdfa", False, f"PDF/A-{part} declared without a conformance level (pdfaid:conformance)")
    return Check("pdfa", True, f"PDF/A-{part}{str(conformance).lower()} declared in the XMP metadata")


def _check_pdfua(meta: Mapping[str, Any]) -> Check:
    part = meta.get("pdfuaid:part")
    if not part:
        return Check("pdfua", False, "no PDF/UA identification (pdfuaid:part) in the XMP metadata")
    return Check("pdfua", True, f"PDF/UA-{part} declared in the XMP metadata")


def _check_output_intent(reader: Any) -> Check:
    intents = reader.trailer["/Root"].get("/OutputIntents") or []
    for intent in intents:
        intent = intent.get_object()
        if intent.get("/S") == "/GTS_PDFA1":
            if intent.get("/DestOutputProfile") is None:
                return Check("output-intent", False, "the PDF/A output intent has no ICC profile (DestOutputProfile)")
            label = intent.get("/OutputConditionIdentifier") or intent.get("/Info") or "unnamed"
            return Check("output-intent", True, f"PDF/A output intent with an ICC profile ({label})")
    return Check("output-intent", False, "no PDF/A output intent (GTS_PDFA1) in the document catalog")


def _fonts(resources: Any, found: dict[str, bool], seen: set[int | None], depth: int = 0) -> None:
    """Record every font reachable from ``resources`` (and its form XObjects): name -> embedded."""
    if resources is None or depth > _MAX_DEPTH:
        return
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        name = str(font.get("/BaseFont", font.get("/Name", "(unnamed)")))
        if font.get("/Subtype") == "/Type3":
            found.setdefault(name, True)  # glyphs are drawn by the font's own content streams
            continue
        target = font
        if font.get("/Subtype") == "/Type0":
            descendants = font.get("/DescendantFonts")
            descendants = descendants.get_object() if descendants is not None else None
            target = descendants[0].get_object() if isinstance(descendants, list) and descendants else {}
        descriptor = target.get("/FontDescriptor") if isinstance(target, dict) else None
        descriptor = descriptor.get_object() if descriptor is not None else {}
        embedded = isinstance(descriptor, dict) and any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        found[name] = found.get(name, True) and embedded
    for xobject in (resources.get("/XObject") or {}).values():
        number = getattr(xobject, "idnum", None)
        if number in seen:
            continue
        seen.add(number)
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            _fonts(xobject.get("/Resources"), found, seen, depth + 1)


def _check_fonts(reader: Any) -> Check:
    found: dict[str, bool] = {}
    seen: set[int | None] = set()  # object numbers of form XObjects (None: a direct object)
    for page in reader.pages:
        _fonts(page.get("/Resources"), found, seen)
    missing = sorted(name for name, embedded in found.items() if not embedded)
    if missing:
        return Check("fonts", False, f"{len(missing)} of {len(found)} fonts are not embedded: {', '.join(missing)}")
    return Check("fonts", True, f"all {len(found)} fonts are embedded")


def _destination_ok(dest: Any, names: Mapping[str, Any], pages: set[int]) -> str | None:
    """Why a link destination is invalid, or None when it leads to a page of this document."""
    dest = dest.get_object() if hasattr(dest, "get_object") else dest
    if isinstance(dest, (str, bytes)):
        key = dest.decode("latin-1") if isinstance(dest, bytes) else str(dest)
        key = key.lstrip("/")
        return None if key in names or f"/{key}" in names else f"destination {key!r} does not exist"
    if isinstance(dest, list) and dest:
        page = getattr(dest[0], "idnum", None)
        return None if page in pages else "destination is not a page of this document"
    return "destination cannot be read"


def _check_links(reader: Any) -> Check:
    try:
        names = reader.named_destinations
    except Exception:  # a damaged name tree: every named link will be reported
        names = {}
    pages = {page.indirect_reference.idnum for page in reader.pages if page.indirect_reference is not None}
    total = 0
    problems: dict[str, list[int]] = {}  # why a link is invalid -> page numbers
    for number, page in enumerate(reader.pages, start=1):
        for annotation in _array(page.get("/Annots")):
            annotation = annotation.get_object()
            if not isinstance(annotation, dict) or annotation.get("/Subtype") != "/Link":
                continue
            total += 1
            problem = None
            rect = _numbers(annotation.get("/Rect"))
            if rect is None:
                problem = "its clickable area (/Rect) is not four numbers"
            elif len(rect) != 4 or abs(rect[2] - rect[0]) < 0.5 or abs(rect[3] - rect[1]) < 0.5:
                problem = "its clickable area is empty"
            elif annotation.get("/Dest") is not None:
                problem = _destination_ok(annotation["/Dest"], names, pages)
            elif annotation.get("/A") is not None:
                action = annotation["/A"].get_object()
                kind = action.get("/S")
                if kind == "/URI":
                    uri = str(action.get("/URI", ""))
                    if not uri.startswith(_LINK_SCHEMES):
                        problem = f"it opens {uri[:80]!r}, not an http(s) or mailto address"
                elif kind == "/GoTo":
                    problem = _destination_ok(action.get("/D"), names, pages)
                else:
                    problem = f"it runs a {str(kind)[1:]} action"
            else:
                problem = "it has neither a destination nor an action"
            if problem:
                problems.setdefault(problem, []).append(number)
    if problems:
        count = sum(len(pages) for pages in problems.values())
        shown = "; ".join(
            f"{problem} (page{'s' if len(set(pages)) > 1 else ''} {', '.join(map(str, sorted(set(pages))))})"
            for problem, pages in list(problems.items())[:4]
        )
        return Check("links", False, f"{count} of {total} links are invalid: {shown}")
    return Check("links", True, f"all {total} links lead to a page of the document or a web address")


def _array(value: Any) -> list[Any]:
    """A PDF array's items (an indirect one resolved); nothing for a value of another type."""
    value = value.get_object() if value is not None and hasattr(value, "get_object") else value
    return list(value) if isinstance(value, list) else []


def _numbers(value: Any) -> list[float] | None:
    """A PDF array of numbers as floats, or None when it is something else."""
    items = _array(value)
    try:
        return [float(v) for v in items]
    except (TypeError, ValueError):
        return None


def _check_source(archive: Archive) -> tuple[list[Check], dict[str, Any] | None]:
    """The checks of the embedded source: present, associated, unchanged, valid; and its fields."""
    meta = archive.metadata
    name = str(meta.get("rk:sourceFile") or SOURCE_NAME)
    source = archive.files.get(name)
    if source is None:
        return [Check("source", False, f"no embedded source: the PDF holds no {name}: build with --archival")], None
    checks = []
    problems = []
    if source.relationship != "Source":
        problems.append(f"its AFRelationship is {source.relationship or 'missing'}, not Source")
    if source.mime_type != "application/json":
        problems.append(f"its MIME type is {source.mime_type or 'missing'}, not application/json")
    if not source.associated:
        problems.append("the document's /AF array does not list it")
    size = f"{len(source.data):,} bytes"
    checks.append(
        Check("source", not problems, f"{name} embedded ({size}, Source, application/json)" if not problems
              else f"{name} is embedded but " + "; ".join(problems))
    )

    recorded = str(meta.get("rk:sourceSHA256") or "")
    actual = hashlib.sha256(source.data).hexdigest()
    stale = []
    if source.checksum is not None and source.checksum != hashlib.md5(source.data, usedforsecurity=False).hexdigest():
        stale.append("its MD5 no longer matches the checksum stored with it")
    if source.size is not None and source.size != len(source.data):
        stale.append(f"its size is {len(source.data)} bytes, the file records {source.size}")
    if not recorded:
        checks.append(Check("source-hash", False, "the XMP metadata records no SHA-256 of the source (rk:sourceSHA256)"))
    elif recorded != actual:
        checks.append(Check(
            "source-hash", False,
            f"the embedded {name} has SHA-256 {actual[:16]}…, the XMP metadata records {recorded[:16]}…: "
            "the source was changed after the PDF was made" + (f" ({'; '.join(stale)})" if stale else ""),
        ))
    elif stale:
        checks.append(Check("source-hash", False, f"the embedded {name} was altered: {'; '.join(stale)}"))
    else:
        checks.append(Check("source-hash", True, f"SHA-256 {actual[:16]}… matches the XMP metadata"))

    from ..input.text import parse_json

    try:
        data = parse_json(source.data.decode("utf-8"), Path(name))
        if not isinstance(data, dict):
            raise ValueError("it holds no mapping of fields")
    except (UnicodeDecodeError, ValueError) as exc:
        checks.append(Check("source-valid", False, f"{name} is not JSON: {exc}"))
        return checks, None
    except InputError as exc:
        checks.append(Check("source-valid", False, f"{name} is not JSON a fact-check can hold: {exc.message}"))
        return checks, None
    try:
        _check_resolves(data, archive.files)
    except ReportkitError as exc:
        checks.append(Check("source-valid", False, f"{name} is not a valid fact-check: {exc.message}"
                            + (f" ({exc.field})" if exc.field else "")))
        return checks, None
    images = len([f for f in archive.files if f != name])
    checks.append(Check("source-valid", True, "a valid fact-check" + (f", with its {images} image file(s)" if images else "")))
    return checks, data


def _check_resolves(data: Mapping[str, Any], files: Mapping[str, EmbeddedFile]) -> None:
    """Validate the source and resolve it against its embedded images (citations, image files)."""
    from ..limits import Limits
    from ..document.model import validate
    from ..resolve.resolver import resolve

    doc = validate(data, file=SOURCE_NAME)
    # The build already applied its limits; images it refused (placeholders) were never embedded.
    unlimited = Limits(**{name: 10**12 for name in Limits.__dataclass_fields__})
    with tempfile.TemporaryDirectory(prefix="reportkit-verify-") as folder:
        write_images(files, Path(folder))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReportkitWarning)
            resolve(doc, base_dir=Path(folder), file=SOURCE_NAME, limits=unlimited, unsafe_images="placeholder")


def _check_metadata(archive: Archive, data: Mapping[str, Any]) -> Check:
    """The XMP properties and document info that describe the fact-check must say what the source says."""
    from ..document.model import validate

    doc = validate(data, file=SOURCE_NAME)
    meta = archive.metadata
    expected = {
        name: value
        for name, _, value in record_for(
            doc, layout_name="", page_size="", identifier="0" * 32, source=b""
        ).properties()
        if name in DESCRIBED
    }
    problems = []
    for name in DESCRIBED:
        want, have = expected.get(name), meta.get(name)
        if want != have:
            problems.append(f"{name} is {_show(have)}, the source says {_show(want)}")
    info = archive.info
    pairs = [("Title", meta.get("dc:title")), ("Subject", meta.get("dc:description"))]
    pairs.append(("Author", ", ".join(meta["dc:creator"]) if meta.get("dc:creator") else None))
    for key, want in pairs:
        if info.get(key) != want:
            problems.append(f"document info {key} is {_show(info.get(key))}, the XMP metadata says {_show(want)}")
    if problems:
        shown = "; ".join(problems[:4]) + ("; ..." if len(problems) > 4 else "")
        return Check("metadata", False, f"the metadata does not match the embedded source: {shown}")
    return Check("metadata", True, "title, creators, claim, dates, language, keywords and verdict match the source")


def _show(value: Any) -> str:
    if value is None:
        return "missing"
    text = ", ".join(value) if isinstance(value, list) else str(value)
    return repr(text if len(text) <= 60 else text[:59] + "…")


#: What pypdf raises on the objects of a damaged or hostile PDF (it checks little while it reads).
_PDF_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError,
               NotImplementedError, AssertionError, ZeroDivisionError, OverflowError, UnicodeError)


def _unreadable(name: str, exc: BaseException) -> Check:
    return Check(name, False, f"the PDF's objects for this check cannot be read: {type(exc).__name__}: {exc}"[:300])


def _guarded(name: str, check: Any, *args: Any) -> Check:
    """Run one check; a PDF whose objects it needs are damaged fails the check, with the reason."""
    from pypdf.errors import PyPdfError

    try:
        result: Check = check(*args)
    except (PyPdfError, *_PDF_ERRORS) as exc:
        return _unreadable(name, exc)
    return result


# --- structure -----------------------------------------------------------------------------


def revisions(data: bytes) -> list[int]:
    """Where each revision of a PDF file ends (after its ``%%EOF``), oldest first; one entry for a file never updated.

    Follows the cross-reference chain back from the last ``startxref`` through the ``/Prev``
    entries of the trailers (an incremental update appends a revision whose trailer points to
    the one before).
    """
    tail_at = max(0, len(data) - 2048)
    at = data.rfind(b"startxref", tail_at)
    found = re.match(rb"startxref\s+(\d+)", data[at:]) if at >= 0 else None
    if found is None:
        return [len(data)]
    offsets: list[int] = []
    offset = int(found.group(1))
    while 0 <= offset < len(data) and offset not in offsets and len(offsets) < _MAX_DEPTH:
        offsets.append(offset)
        if data.startswith(b"xref", offset):  # a table: its trailer follows it
            start = data.find(b"trailer", offset)
            end = data.find(b"startxref", start) if start >= 0 else -1
        else:  # a cross-reference stream: its dictionary comes before the stream's data
            start, end = offset, data.find(b"stream", offset)
        previous = re.search(rb"/Prev\s+(\d+)", data[start:end]) if start >= 0 and end > start else None
        if previous is None:
            break
        offset = int(previous.group(1))
    ends = []
    for offset in sorted(offsets):
        end = data.find(b"%%EOF", offset)
        if end < 0:
            ends.append(len(data))
            continue
        end += 5
        while end < len(data) and data[end : end + 1] in (b"\r", b"\n"):
            end += 1
        ends.append(end)
    return ends


def _check_encryption(reader: Any) -> Check:
    encrypt = reader.trailer.get("/Encrypt")
    if encrypt is None:
        return Check("encryption", True, "not encrypted")
    encrypt = encrypt.get_object()
    # The file was opened (open_pdf): pypdf reads only the Standard security handler, and only with a /V of 1 to 5.
    version = int(encrypt["/V"])
    method = f"{str(encrypt['/Filter'])[1:]}, version {version}"
    # From version 4 on, the streams' crypt filter names the cipher: /V2 is RC4, /AESV2 and /AESV3 are AES.
    streams = (encrypt.get("/CF") or {}).get(encrypt.get("/StmF")) or {}
    algorithm = "RC4" if version in (1, 2) or streams.get("/CFM") == "/V2" else "AES" if version >= 4 else ""
    return Check(
        "encryption", False,
        f"the file is encrypted ({algorithm + ' ' if algorithm else ''}{method}; /Encrypt in the trailer): "
        "PDF/A forbids encryption, and reportkit never encrypts",
    )


def _annotation_files(reader: Any) -> list[str]:
    """Names of the files attached to pages by file attachment annotations."""
    names = []
    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                spec = annotation.get("/FS")
                spec = spec.get_object() if spec is not None else {}
                names.append(f"{spec.get('/UF') or spec.get('/F') or '(unnamed)'} (on page {number})")
    return names


def recorded_images(meta: Mapping[str, Any]) -> dict[str, str] | None:
    """The SHA-256 of each image the build embedded, by name (``rk:imagesSHA256``); None when not recorded."""
    text = meta.get("rk:imagesSHA256")
    if not isinstance(text, str):
        return None
    try:
        images = json.loads(text)
    except ValueError:
        return None
    return {str(k): str(v) for k, v in images.items()} if isinstance(images, dict) else None


def _check_attachments(archive: Archive) -> Check:
    """Only the files the build embeds: the source and the images it records."""
    images = recorded_images(archive.metadata)
    source = str(archive.metadata.get("rk:sourceFile") or SOURCE_NAME)
    if images is None:
        return Check("attachments", False, "the XMP metadata records no image list (rk:imagesSHA256)")
    expected = {source, *images}
    extra = sorted(set(archive.files) - expected) + _annotation_files(archive.reader)
    if extra:
        shown = ", ".join(repr(name) for name in extra[:5]) + (", ..." if len(extra) > 5 else "")
        return Check("attachments", False, f"{len(extra)} attached file(s) the build did not write: {shown}")
    return Check("attachments", True, f"only the files the build embeds: {source} and {len(images)} image(s)")


def _check_images(archive: Archive) -> Check:
    """Every embedded image has the SHA-256 the XMP records (and the MD5 and size stored with it)."""
    images = recorded_images(archive.metadata)
    if images is None:
        return Check("images", False, "the XMP metadata records no image hashes (rk:imagesSHA256)")
    problems = []
    for name, recorded in images.items():
        embedded = archive.files.get(name)
        if embedded is None:
            problems.append(f"{name} is not embedded")
            continue
        actual = hashlib.sha256(embedded.data).hexdigest()
        if actual != recorded:
            problems.append(f"{name} has SHA-256 {actual[:16]}…, the XMP metadata records {recorded[:16]}…")
        elif embedded.checksum is not None and embedded.checksum != hashlib.md5(embedded.data, usedforsecurity=False).hexdigest():
            problems.append(f"{name} no longer matches the MD5 stored with it")
    if problems:
        return Check("images", False, "embedded images changed after the PDF was made: " + "; ".join(problems[:4]))
    return Check("images", True, f"{len(images)} embedded image(s) match the SHA-256 the XMP metadata records")


def _check_producer(archive: Archive) -> Check:
    """The producer and creator tool name the reportkit and WeasyPrint versions the XMP records, in XMP and info alike."""
    meta, info = archive.metadata, archive.info
    version = meta.get("rk:reportkitVersion")
    if meta.get("rk:pdfEngine") == "typst":
        engine = f"Typst {meta.get('rk:typstVersion')}"
    else:
        engine = f"WeasyPrint {meta.get('rk:weasyprintVersion')}"
    want = {
        "pdf:Producer": f"reportkit {version} ({engine})",
        "xmp:CreatorTool": f"reportkit {version}",
    }
    problems = [f"{name} is {_show(meta.get(name))}, the build writes {_show(value)}"
                for name, value in want.items() if meta.get(name) != value]
    for key, name in (("Producer", "pdf:Producer"), ("Creator", "xmp:CreatorTool")):
        if info.get(key) != want[name]:
            problems.append(f"document info {key} is {_show(info.get(key))}, the build writes {_show(want[name])}")
    if problems:
        return Check("producer", False, "the producer was edited: " + "; ".join(problems[:3]))
    return Check("producer", True, f"made by reportkit {version} with {engine}")


# --- the rebuild ---------------------------------------------------------------------------


def _canon(obj: Any, memo: dict[int, str], busy: set[int], depth: int = 0) -> Any:
    """A comparable form of a PDF object that follows references instead of comparing object numbers."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    if depth > 200:
        return ("deep",)
    if isinstance(obj, IndirectObject):
        number = obj.idnum
        if number in memo:
            return memo[number]
        if number in busy:
            return ("cycle",)
        busy.add(number)
        try:
            value = _canon(obj.get_object(), memo, busy, depth + 1)
        except Exception:  # a damaged object: different from any genuine one
            value = ("unreadable",)
        busy.discard(number)
        memo[number] = hashlib.sha256(repr(value).encode()).hexdigest()
        return memo[number]
    if isinstance(obj, StreamObject):
        try:
            body = hashlib.sha256(obj.get_data()).hexdigest()
        except Exception:
            body = "undecodable"
        items = {k: _canon(v, memo, busy, depth + 1) for k, v in obj.items() if k not in ("/Length", "/Filter", "/DecodeParms")}
        return ("stream", sorted(items.items()), body)
    if isinstance(obj, (DictionaryObject, dict)):
        return ("dict", sorted((k, _canon(v, memo, busy, depth + 1)) for k, v in obj.items() if k not in ("/Parent", "/P")))
    if isinstance(obj, (ArrayObject, list)):
        return ("array", [_canon(v, memo, busy, depth + 1) for v in obj])
    return (type(obj).__name__, repr(obj))


def _parts(reader: Any) -> list[tuple[str, Any]]:
    """The parts of a PDF in reading order, each with a name a person understands."""
    root = reader.trailer["/Root"]
    parts: list[tuple[str, Any]] = []
    for number, page in enumerate(reader.pages, start=1):
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        parts.append((f"the content stream of page {number}", page.get("/Contents")))
        for name, font in sorted((resources.get("/Font") or {}).items()):
            base = font.get_object().get("/BaseFont", name)
            parts.append((f"font {str(base)[1:] if str(base).startswith('/') else base} used on page {number}", font))
        for name, xobject in sorted((resources.get("/XObject") or {}).items()):
            kind = "image" if xobject.get_object().get("/Subtype") == "/Image" else "drawing"
            parts.append((f"{kind} {name[1:]} on page {number}", xobject))
        parts.append((f"the annotations (links) of page {number}", page.get("/Annots")))
        parts.append((f"page {number}", {k: v for k, v in page.items() if k not in ("/Parent", "/Contents", "/Annots")}))
    parts.append(("the XMP metadata", root.get("/Metadata")))
    names = root.get("/Names")
    tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
    for key, value in _name_tree(tree):
        parts.append((f"embedded file {key}", value))
    for key, label in (("/StructTreeRoot", "the structure tree (tags)"), ("/OutputIntents", "the output intent"),
                       ("/AcroForm", "the form fields"), ("/Outlines", "the bookmarks"), ("/Names", "the name trees")):
        parts.append((label, root.get(key)))
    parts.append(("the document catalog", {k: v for k, v in root.items() if k != "/Pages"}))
    parts.append(("the document information dictionary", reader.trailer.get("/Info")))
    parts.append(("the trailer", {k: v for k, v in reader.trailer.items() if k not in ("/Root", "/Info", "/Size", "/Prev")}))
    return parts


def _common_prefix(a: bytes, b: bytes) -> int:
    """How many leading bytes ``a`` and ``b`` share."""
    low, high = 0, min(len(a), len(b))
    while low < high:  # the longest shared prefix, by halving (slices compare in C)
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def first_difference(original: bytes, rebuilt: bytes) -> str:
    """Where ``original`` first differs from ``rebuilt``: a page, a font, an image, the metadata... or a byte offset."""
    from pypdf import PdfReader

    offset = _common_prefix(original, rebuilt)
    with _quiet_pypdf():  # a damaged stream is reported here, not logged
        try:
            a, b = PdfReader(io.BytesIO(original), strict=False), PdfReader(io.BytesIO(rebuilt), strict=False)
            if a.is_encrypted:
                a.decrypt("")
            if len(a.pages) != len(b.pages):
                return f"the file has {len(a.pages)} pages, the rebuild {len(b.pages)}"
            memo_a: dict[int, str] = {}
            memo_b: dict[int, str] = {}
            mine, theirs = _parts(a), _parts(b)
            for (label, value), (other_label, other) in zip(mine, theirs, strict=False):
                if label != other_label:
                    return f"{label} (the rebuild has {other_label} there)"
                if _canon(value, memo_a, set()) != _canon(other, memo_b, set()):
                    number = getattr(value, "idnum", None)
                    return label + (f" (object {number})" if number else "")
            if len(mine) != len(theirs):
                extra = (mine if len(mine) > len(theirs) else theirs)[min(len(mine), len(theirs))][0]
                return f"{extra} is only in {'the file' if len(mine) > len(theirs) else 'the rebuild'}"
        except Exception as exc:  # a file too damaged to read: the byte offset still says where
            return f"byte {offset:,} (the file cannot be read as PDF objects: {type(exc).__name__})"
    return f"byte {offset:,}: every page and object reads the same, the bytes that store them differ"


def _rebuild_needs(meta: Mapping[str, Any], layout: PathLike | None) -> tuple[list[str], Any]:
    """What a rebuild here lacks (versions, the layout), and the layout to rebuild with."""
    from .._version import __version__
    from ..writers.pdf.archival import layout_digest
    from ..writers.pdf.environment import differences, parse
    from ..errors import LayoutError
    from ..render.layouts import find_layout

    needs = []
    recorded = str(meta.get("rk:reportkitVersion") or "")
    if recorded != __version__:
        needs.append(f"reportkit {recorded or '(not recorded)'} (installed: {__version__})")
    needs += differences(parse(str(meta.get("rk:environment") or "")))
    name = str(layout or meta.get("rk:layout") or "")
    chosen = None
    try:
        chosen = find_layout(name)
    except LayoutError:
        needs.append(f"the layout {name!r} (not found here: give --layout FOLDER)")
    else:
        want, have = str(meta.get("rk:layoutSHA256") or ""), layout_digest(chosen)
        if want != have:
            needs.append(f"the layout {name!r} as it was (SHA-256 {want[:16]}…; the one here is {have[:16]}…)")
    return needs, chosen


def _check_rebuild(
    archive: Archive,
    data: Mapping[str, Any],
    raw: bytes,
    end: int,
    layout: PathLike | None,
    font_changes: Sequence[str] = (),
) -> tuple[Check, list[str]]:
    """Rebuild the PDF from its embedded source and images and compare it, byte for byte, with the file's first revision."""
    from dataclasses import replace

    from ..factcheck import FactCheck
    from ..limits import DEFAULT_LIMITS, Limits

    meta = archive.metadata
    if not meta.get("rk:environment") or not meta.get("rk:layoutSHA256"):
        return Check("rebuild", False, "the XMP metadata does not record what a rebuild needs (rk:environment, "
                     "rk:layoutSHA256): the file was made before reportkit recorded them, or they were removed",
                     undecided=True), []
    needs, chosen = _rebuild_needs(meta, layout)
    needs += list(font_changes)  # the font files the file records that this machine lacks or has in another version
    if needs:
        return Check("rebuild", False, "different environment: cannot rebuild the file identically here, it needs "
                     + "; ".join(needs), undecided=True), needs
    try:
        options = json.loads(str(meta.get("rk:buildOptions") or "{}"))
        if not isinstance(options, dict):
            raise ValueError("not a mapping")
    except ValueError as exc:
        return Check("rebuild", False, f"the recorded build options (rk:buildOptions) cannot be read: {exc}"), []
    unlimited = Limits(**{name: 10**12 for name in Limits.__dataclass_fields__})
    limits = replace(unlimited, render_seconds=DEFAULT_LIMITS.render_seconds)
    try:
        with tempfile.TemporaryDirectory(prefix="reportkit-rebuild-") as folder:
            write_images(archive.files, Path(folder))
            check = FactCheck.from_dict(data, base_dir=folder, limits=limits, unsafe_images="placeholder")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ReportkitWarning)
                rebuilt = check.render("pdf", layout=chosen, page_size=str(meta.get("rk:pageSize") or "A4"),
                                       **{**options, "archival": True})
    except ReportkitError as exc:
        return Check("rebuild", False, f"the embedded source does not build: {exc.message}"), []
    digest = hashlib.sha256(rebuilt).hexdigest()
    if raw[:end] == rebuilt:
        after = f"; the {len(raw) - end:,} bytes after it are later revisions" if len(raw) > end else ""
        return Check("rebuild", True, f"rebuilt from the embedded source: the same {len(rebuilt):,} bytes "
                     f"(SHA-256 {digest[:16]}…){after}"), []
    return Check("rebuild", False, f"the file differs from its rebuild: first at {first_difference(raw[:end], rebuilt)}"
                 f" (SHA-256 {hashlib.sha256(raw[:end]).hexdigest()[:16]}… in the file, {digest[:16]}… rebuilt)"), []


def _has_signatures(reader: Any) -> bool:
    """Whether the document has a filled signature field (or a document timestamp)."""
    form = reader.trailer["/Root"].get("/AcroForm")
    fields = (form.get_object().get("/Fields") or []) if form is not None else []
    for field_ in fields[:1000]:
        field_ = field_.get_object()
        if field_.get("/FT") == "/Sig" and field_.get("/V") is not None:
            return True
    return False


def _check_revisions(archive: Archive, ends: list[int], signatures: list[dict[str, Any]] | None) -> Check:
    """No incremental update after the build, except those a signature makes (the signature, its validation data)."""
    if len(ends) == 1:
        return Check("revisions", True, "one revision: nothing was added after the build")
    added = f"{len(ends) - 1} incremental update(s) after the build ({ends[-1] - ends[0]:,} bytes appended)"
    if not _has_signatures(archive.reader):
        return Check("revisions", False, f"the file was changed after the build: {added}, and none is a signature's")
    if signatures is None:
        return Check("revisions", False, f"{added}: the file is signed, and checking what a signature may add "
                     "needs pyHanko (pip install reportkit[sign])", undecided=True)
    problems = [s["problem"] for s in signatures if s.get("problem")]
    first = min((s["revision"] for s in signatures if s.get("revision") is not None), default=None)
    if first is not None and first != 1:  # revision 0 is the build; the first signature must sign the next one
        problems.insert(0, f"{first - 1} update(s) between the build and the first signature are not a signature's")
    if problems:
        return Check("revisions", False, f"{added}: " + "; ".join(problems))
    return Check("revisions", True, f"{added}: each is a signature's (the signature, its timestamp, validation data)")


def verify(
    path: PathLike,
    *,
    structural: bool = False,
    layout: PathLike | None = None,
    trust: PathLike | None = None,
) -> Verification:
    """Check an archival PDF (see the module's docstring); raises :class:`InputError` only if it cannot be read.

    Unless ``structural``, the PDF is rebuilt from its embedded source with the recorded layout
    (or ``layout``), options and versions and compared byte for byte. ``trust`` (a PEM file of
    CA certificates) is what signatures are checked against.
    """
    whole = read_archive(path)
    from ..files import read_regular

    raw = read_regular(whole.path, max_bytes=MAX_PDF_BYTES, what="PDF")
    ends = revisions(raw)
    # What the build wrote is the first revision; a signature's updates after it are checked by the signature.
    archive = whole if len(ends) == 1 else read_archive(path, raw[: ends[0]])
    reader = archive.reader
    meta = archive.metadata
    result = Verification(archive.path, pages=len(reader.pages), structural=structural)
    if meta.get("pdfaid:part"):
        result.pdfa = f"{meta['pdfaid:part']}{str(meta.get('pdfaid:conformance', '')).lower()}"
    result.pdfua = str(meta["pdfuaid:part"]) if meta.get("pdfuaid:part") else None
    checks = result.checks
    checks += [_check_pdfa(meta), _check_pdfua(meta)]
    checks.append(_guarded("output-intent", _check_output_intent, reader))
    checks.append(_guarded("fonts", _check_fonts, reader))
    checks.append(_guarded("encryption", _check_encryption, whole.reader))
    from pypdf.errors import PyPdfError

    try:
        signed = len(ends) > 1 and _has_signatures(whole.reader)
    except (PyPdfError, *_PDF_ERRORS):
        signed = False  # a damaged form: the revisions check then says the updates are not a signature's
    signatures = _signatures(archive.path, trust) if signed else []
    result.signatures = signatures or []
    checks.append(_guarded("revisions", _check_revisions, whole, ends, signatures))

    try:
        source_checks, data = _check_source(archive)
    except (PyPdfError, *_PDF_ERRORS) as exc:
        source_checks, data = [_unreadable("source", exc)], None
    checks += source_checks
    checks += [_guarded("attachments", _check_attachments, archive), _guarded("images", _check_images, archive)]
    if data is not None:
        checks.append(_guarded("metadata", _check_metadata, archive, data))
    checks.append(_guarded("producer", _check_producer, archive))
    checks.append(_guarded("links", _check_links, reader))
    pages = result.pages
    checks.append(Check("pages", pages > 0, f"{pages} page{'s' if pages != 1 else ''}"))
    if meta.get("rk:fonts"):
        from ..render.fonts import recorded_font_changes

        result.font_changes = recorded_font_changes(str(meta["rk:fonts"]))
    if signatures:
        checks += [_signature_check(s) for s in signatures]
    if not structural:
        if data is None:
            checks.append(Check("rebuild", False, "cannot rebuild: the embedded source is missing or invalid"))
        else:
            check, result.needs = _check_rebuild(archive, data, raw, ends[0], layout, result.font_changes)
            checks.append(check)
    return result


def _signatures(path: Path, trust: PathLike | None) -> list[dict[str, Any]] | None:
    """The signatures' reports (:func:`reportkit.tools.sign.check_signatures`), or None without pyHanko."""
    from . import sign

    if not sign.available():
        return None
    return sign.check_signatures(path, trust=trust)


def _signature_check(report: Mapping[str, Any]) -> Check:
    """One signature as a check: intact, covering the file, by whom and when, trusted or not."""
    return Check(f"signature {report['field']}", bool(report["ok"]), str(report["summary"]))


# --- extracting ---------------------------------------------------------------------------


def safe_name(name: str) -> PurePosixPath | None:
    """An embedded image's file, relative to the output folder, or None if it would leave it.

    Images are embedded under the reference the source gives them (``my%20image.svg``,
    ``claim.svg?v=2``, ``sub/../claim.svg``), so the file is where the build found it: the
    reference's path, %-decoded and normalised, without its query or fragment.
    """
    if "\x00" in name or "\\" in name:
        return None
    parts = urlsplit(name)
    if parts.scheme or parts.netloc:
        return None
    text = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    path = PurePosixPath(text)
    if not text or path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        return None
    if any(":" in part or "\x00" in part for part in path.parts):
        return None
    return path


def write_images(files: Mapping[str, EmbeddedFile], folder: Path) -> list[Path]:
    """Write the embedded images (every file but the source) where the source's references find them; return the paths."""
    from ..files import atomic_write
    from ..resolve.resolver import IMAGE_TYPES

    written: dict[Path, None] = {}
    for name, embedded in sorted(files.items()):
        relative = safe_name(name)
        if name == SOURCE_NAME or relative is None or relative.suffix.lower() not in IMAGE_TYPES:
            continue
        target = folder.joinpath(*relative.parts)
        if target in written:  # two references to one file (claim.svg, claim.svg?v=2)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        written[atomic_write(target, embedded.data)] = None
    return list(written)

