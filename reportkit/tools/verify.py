"""Check archival PDFs: :func:`verify` and :func:`read_archive` (:mod:`reportkit.tools.extract` gets the fact-check back out).

:func:`verify` answers what an archivist must know about a PDF reportkit made with
``archival=True``: is PDF/A (and PDF/UA) declared, is the output intent there, is every
font embedded, is the source data embedded, valid, and unchanged since the file was made
(its SHA-256 against the one the XMP metadata records, and the metadata against the
source), do the links lead somewhere, how many pages. :func:`extract` gives the
fact-check back from the embedded source (and its images), so it can be rebuilt.

PDFs are untrusted input: they are read with pypdf, XML without entities or network,
and embedded file names are never used as paths outside the chosen folder.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..writers.pdf.archival import DESCRIBED, NS, SOURCE_NAME, record_for
from ..errors import InputError, ReportkitError, ReportkitWarning

if TYPE_CHECKING:
    pass

__all__ = ["Archive", "Check", "EmbeddedFile", "Verification", "read_archive", "safe_name", "verify", "write_images"]

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


@dataclass
class Verification:
    """The result of verifying one PDF."""

    path: Path
    checks: list[Check] = field(default_factory=list)
    pages: int = 0
    pdfa: str | None = None
    pdfua: str | None = None
    #: Font files the PDF records (``rk:fonts``) that are missing or different on this machine:
    #: no failure of the PDF, but a rebuild here would not give the same bytes.
    font_changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        """The checks that failed."""
        return [c for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: file, ok, pages, pdfa, pdfua and every check."""
        return {
            "file": str(self.path),
            "ok": self.ok,
            "pages": self.pages,
            "pdfa": self.pdfa,
            "pdfua": self.pdfua,
            "checks": [asdict(c) for c in self.checks],
            "font_changes": list(self.font_changes),
        }


# --- reading ------------------------------------------------------------------------------


#: The largest PDF read.
MAX_PDF_BYTES = 2 * 1024**3


def open_pdf(path: PathLike) -> Any:
    """A pypdf reader of the PDF at ``path``, decrypted when only an owner password protects it.

    Raises :class:`InputError` for anything that is not a readable PDF: a missing or special
    file, another kind of file, a damaged one, or one that needs a password to be opened.
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    from ..files import read_regular

    file = Path(path)
    data = read_regular(file, max_bytes=MAX_PDF_BYTES, what="PDF")
    if not data.startswith(b"%PDF-"):
        raise InputError("is not a PDF file", file=file, hint="give a PDF made by reportkit")
    try:
        import io

        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
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


def _open(path: Path) -> Any:
    return open_pdf(path)


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


def read_archive(path: PathLike) -> Archive:
    """Read a PDF's XMP metadata, document info and embedded files (raises :class:`InputError` if unreadable)."""
    file = Path(path)
    reader = _open(file)
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


def verify(path: PathLike) -> Verification:
    """Check an archival PDF (see the module's docstring); raises :class:`InputError` only if it cannot be read."""
    archive = read_archive(path)
    reader = archive.reader
    meta = archive.metadata
    result = Verification(archive.path, pages=len(reader.pages))
    if meta.get("pdfaid:part"):
        result.pdfa = f"{meta['pdfaid:part']}{str(meta.get('pdfaid:conformance', '')).lower()}"
    result.pdfua = str(meta["pdfuaid:part"]) if meta.get("pdfuaid:part") else None
    checks = result.checks
    checks += [_check_pdfa(meta), _check_pdfua(meta)]
    checks.append(_guarded("output-intent", _check_output_intent, reader))
    checks.append(_guarded("fonts", _check_fonts, reader))
    from pypdf.errors import PyPdfError

    try:
        source_checks, data = _check_source(archive)
    except (PyPdfError, *_PDF_ERRORS) as exc:
        source_checks, data = [_unreadable("source", exc)], None
    checks += source_checks
    if data is not None:
        checks.append(_guarded("metadata", _check_metadata, archive, data))
    checks.append(_guarded("links", _check_links, reader))
    pages = result.pages
    checks.append(Check("pages", pages > 0, f"{pages} page{'s' if pages != 1 else ''}"))
    if meta.get("rk:fonts"):
        from ..render.fonts import recorded_font_changes

        result.font_changes = recorded_font_changes(str(meta["rk:fonts"]))
    return result


def safe_name(name: str) -> PurePosixPath | None:
    """An embedded file name as a relative path inside the output folder, or None if it would leave it."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        return None
    if any(":" in part or "\x00" in part for part in path.parts):
        return None
    return path


def write_images(files: Mapping[str, EmbeddedFile], folder: Path) -> list[Path]:
    """Write the embedded images (every file but the source) into ``folder``; return their paths."""
    from ..files import atomic_write
    from ..resolve.resolver import IMAGE_TYPES

    written = []
    for name, embedded in sorted(files.items()):
        relative = safe_name(name)
        if name == SOURCE_NAME or relative is None or relative.suffix.lower() not in IMAGE_TYPES:
            continue
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        written.append(atomic_write(target, embedded.data))
    return written
