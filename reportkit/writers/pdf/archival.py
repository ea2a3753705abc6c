"""Archival PDF: PDF/A-3 and PDF/UA-1 in one tagged file that holds its own source, and the XMP metadata of every PDF.

``to_pdf(path, archival=True)`` (``reportkit build --archival``) asks WeasyPrint for
its ``pdf/a-3a`` variant (output intent, tagged structure) and then, in a finisher that
runs before the file is written:

- replaces WeasyPrint's XMP packet with one ``rdf:RDF`` that declares PDF/A-3a *and*
  PDF/UA-1 (``pdfuaid:part``, with the PDF/A extension schemas the standard asks for)
  and records the fact-check: title, creators, the claim as description, dates,
  language, keywords, the verdict and rating, the layout, reportkit's version as
  producer, and the SHA-256 of the embedded source;
- makes the document information dictionary agree with the XMP;
- turns off image interpolation (PDF/A forbids it).

The fact-check's canonical JSON (``factcheck.json``, ``AFRelationship /Source``,
``application/json``) and the images it shows are embedded as associated files, so
the archive can be rebuilt from itself (:func:`reportkit.extract`).

Plain PDFs get the same XMP description (without the PDF/A and PDF/UA claims and
without attachments), so every PDF carries its verdict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any


from . import environment
from .xmp import (
    DESCRIBED,
    NS,
    RK_PROPERTIES,
    Record,
    document_info,
    identification,
    producer,
    weasyprint_version,
    xmp_packet,
)
from ..._version import __version__
from ...render.fonts import Face, file_digest
from ...render.layouts import Layout
from ...document.model import Document
from ..reproducible import build_datetime
from ...resolve.resolver import Resolved

__all__ = [
    "ARCHIVAL_VARIANT",
    "DESCRIBED",
    "NS",
    "PDFA_CONFORMANCE",
    "PDFA_PART",
    "PDFUA_PART",
    "Record",
    "SOURCE_NAME",
    "build_record",
    "canonical_json",
    "layout_digest",
    "rebuild_options",
    "check_archivable",
    "document_info",
    "identification",
    "is_archival",
    "is_tagged",
    "record_for",
    "write_options",
    "xmp_packet",
]

#: WeasyPrint's PDF variant for archival builds, and what the XMP then declares.
ARCHIVAL_VARIANT = "pdf/a-3a"
PDFA_PART = 3
PDFA_CONFORMANCE = "A"
PDFUA_PART = 1
#: File name of the embedded source data.
SOURCE_NAME = "factcheck.json"



def is_archival(options: Mapping[str, Any]) -> bool:
    """Whether the build options ask for an archival (PDF/A-3 + PDF/UA-1) PDF."""
    return bool(options.get("archival"))


def is_tagged(options: Mapping[str, Any]) -> bool:
    """Whether the PDF is tagged and claims PDF/UA-1: always, unless ``untagged`` asks for the last bit of speed."""
    return is_archival(options) or not options.get("untagged")


def canonical_json(doc: Document) -> bytes:
    """The fact-check as canonical JSON bytes: sorted keys, UTF-8, two-space indent (as ``FactCheck.to_json``)."""
    text = json.dumps(doc.to_dict(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    return text.encode("utf-8")


def record_for(
    doc: Document,
    *,
    layout_name: str,
    page_size: str,
    identifier: str,
    source: bytes | None = None,
    build: Mapping[str, str] | None = None,
    tagged: bool = False,
    engine: str = "weasyprint",
    engine_version: str = "",
) -> Record:
    """The metadata record of one PDF build of ``doc``; ``source`` (the embedded JSON) makes it archival.

    ``build`` holds what a rebuild needs besides the source (archival PDFs): ``layoutSHA256``,
    ``buildOptions``, ``environment`` and ``imagesSHA256`` (see :data:`RK_PROPERTIES`).
    ``tagged`` claims PDF/UA-1 for a PDF that is not archival (an archival one always claims it).
    ``engine`` is the PDF engine that set it (``weasyprint`` or ``typst``, whose version is ``engine_version``).
    """
    rk: dict[str, str] = {"factcheckId": doc.id}
    if doc.verdict is not None and doc.rating is not None:
        rk["verdictRating"] = doc.rating.key
        rk["verdictLabel"] = doc.verdict.label or doc.rating.label
        rk["ratingLabel"] = doc.rating.label
        rk["ratingOrder"] = str(doc.rating.order)
        rk["ratingScale"] = doc.scale.name
        rk["ratingScaleSize"] = str(len(doc.scale.ratings))
    if doc.claim and doc.claim.claimant:
        rk["claimant"] = doc.claim.claimant
    claims: tuple[tuple[str, str], ...] = ()
    if source is not None:
        rk["sourceFile"] = SOURCE_NAME
        rk["sourceSHA256"] = hashlib.sha256(source).hexdigest()
        claims = (
            ("pdfaid:part", str(PDFA_PART)),
            ("pdfaid:conformance", PDFA_CONFORMANCE),
            ("pdfuaid:part", str(PDFUA_PART)),
        )
    elif tagged:
        claims = (("pdfuaid:part", str(PDFUA_PART)),)
    rk["layout"] = layout_name
    rk["pageSize"] = page_size
    rk["reportkitVersion"] = __version__
    if engine == "typst":
        rk["pdfEngine"] = "typst"
        rk["typstVersion"] = engine_version
    else:
        rk["weasyprintVersion"] = weasyprint_version()
    if source is not None:
        rk.update(build or {})
    return Record(
        title=doc.title,
        authors=tuple(doc.authors),
        editors=tuple(doc.editors),
        publisher=doc.publisher.name if doc.publisher else None,
        description=doc.claim.text if doc.claim else None,
        language=doc.language,
        keywords=tuple(doc.tags),
        created=doc.published,
        modified=doc.date,
        producer=producer(engine, engine_version),
        document_id=f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'https://reportkit.invalid/factcheck/' + doc.id)}",
        instance_id=f"uuid:{uuid.UUID(identifier[:32])}",
        rk=rk,
        claims=claims,
    )


# --- the WeasyPrint side ----------------------------------------------------------------


class Finisher:
    """WeasyPrint finisher: writes reportkit's XMP and matching document info; for archival files, no interpolation."""

    def __init__(self, record: Record, *, archival: bool, fallback_date: str | None = None) -> None:
        self.record = record
        self.archival = archival
        #: The date PDF/X files get when the fact-check has none (PDF/X-4 requires dates).
        self.fallback_date = fallback_date
        #: The faces registered for the document: an archival record names the files of those it uses.
        self.faces: Sequence[Face] = ()

    def __call__(self, document: Any, pdf: Any) -> None:
        import pydyf

        record = self.record
        if self.archival:
            record = replace(record, rk={**record.rk, "fonts": "\n".join(used_fonts(document, self.faces))})
        reference = pdf.catalog.get("Metadata")
        if reference is not None:  # WeasyPrint's packet for the variant: keep its identification, replace the rest
            metadata = pdf.objects[int(_bytes(reference).split()[0])]
            kept = identification(b"".join(_bytes(part) for part in metadata.stream))
        else:
            metadata = pydyf.Stream()
            pdf.add_object(metadata)
            pdf.catalog["Metadata"] = metadata.reference
            kept = []
        if self.fallback_date and not record.created and any("PDFX" in str(element.tag) for element in kept):
            record = replace(record, created=self.fallback_date, modified=self.fallback_date)
        metadata.stream = [xmp_packet(record, kept)]
        metadata.extra = pydyf.Dictionary({"Type": "/Metadata", "Subtype": "/XML"})
        metadata.compress = False  # readable by tools that scan files for XMP packets

        info = pdf.info
        for key in ("Title", "Author", "Subject", "Keywords", "Creator", "Producer", "CreationDate", "ModDate"):
            info.pop(key, None)
        for key, value in document_info(record).items():
            info[key] = pydyf.String(value)

        if "StructTreeRoot" in pdf.catalog:  # every tagged PDF, archival or not
            _link_annotations_in_links(pdf)
        if self.archival:
            for obj in pdf.objects:
                if isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/Image":
                    obj.extra["Interpolate"] = "false"
            if "AF" in pdf.catalog:  # WeasyPrint lists each associated file twice
                pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


#: CSS weights as fontconfig's (FC_WEIGHT_*), for asking it which system file a font came from.
_FC_WEIGHTS = {100: 0, 200: 40, 300: 50, 400: 80, 500: 100, 600: 180, 700: 200, 800: 205, 900: 210}


def _system_font_file(family: str, weight: int, italic: bool) -> Path | None:
    """The file fontconfig gives for a family, weight and style (the system font WeasyPrint fell back to)."""
    import shutil
    import subprocess

    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    fc_weight = _FC_WEIGHTS.get(round(weight / 100) * 100, 80)
    pattern = f"{family}:weight={fc_weight}:slant={100 if italic else 0}"
    try:
        found = subprocess.run(
            [fc_match, "--format=%{file}", pattern], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(found) if found and Path(found).is_file() else None


def used_fonts(document: Any, faces: Sequence[Face] = ()) -> list[str]:
    """``file-name sha256`` of each font file the drawn ``document`` uses, sorted.

    WeasyPrint's fonts (``document.fonts``) know their family, weight and style but not their
    file, and their data is subset by the time a finisher runs: the file is the registered face
    of that family (a pip font, a layout's or a font directory's file), else the system font
    fontconfig gives for it.
    """
    found: set[str] = set()
    for font in getattr(document, "fonts", {}).values():
        family = font.family.decode("utf-8", "replace") if isinstance(font.family, bytes) else str(font.family)
        weight, italic = int(font.weight or 400), bool(font.style)
        style = "italic" if italic else "normal"
        # A style or weight the family lacks is drawn from one of its files (synthetic italic or bold).
        same = sorted(
            (face for face in faces if face.family == family),
            key=lambda face: (face.style != style, not (face.variable or face.weight == weight), abs(face.weight - weight)),
        )
        face = same[0] if same else None
        path = face.path if face is not None else _system_font_file(family, weight, italic)
        if path is None:
            found.add(f"{family.replace(' ', '-')} unknown")
        else:
            found.add(f"{path.name} {file_digest(path)}")
    return sorted(found)


def _bytes(part: Any) -> bytes:
    return part if isinstance(part, bytes) else str(part).encode()


def _number(reference: Any) -> int:
    return int(_bytes(reference).split()[0])


def _link_annotations_in_links(pdf: Any) -> None:
    """Move link annotations tagged under a link's child element (``<a><em>..</em></a>``) up to the Link element.

    WeasyPrint gives every inline box inside ``<a>`` its own link annotation and tags it
    under that box's element (Span, NonStruct); PDF/UA-1 (7.18.5) wants every link
    annotation inside a Link element. The annotation and its click area stay as they are.
    """
    import pydyf

    objects = pdf.objects
    holder: dict[int, Any] = {}  # OBJR object number -> structure element that lists it
    for obj in objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem":
            for kid in obj.get("K", ()):
                if isinstance(kid, bytes):
                    holder[_number(kid)] = obj
    root = objects[_number(pdf.catalog["StructTreeRoot"])]
    nums = objects[_number(root["ParentTree"])]["Nums"]
    for number, element in holder.items():
        objr = objects[number]
        if not isinstance(objr, pydyf.Dictionary) or objr.get("Type") != "/OBJR" or element.get("S") == "/Link":
            continue
        annotation = objects[_number(objr["Obj"])]
        if annotation.get("Subtype") != "/Link":
            continue
        link = element
        while isinstance(link, pydyf.Dictionary) and link.get("Type") == "/StructElem" and link.get("S") != "/Link":
            link = objects[_number(link["P"])]
        if not isinstance(link, pydyf.Dictionary) or link.get("S") != "/Link":
            continue
        element["K"] = type(element["K"])(kid for kid in element["K"] if kid != objr.reference)
        link["K"].append(objr.reference)
        key = annotation.get("StructParent")
        for index in range(0, len(nums) - 1, 2):
            if nums[index] == key:
                nums[index + 1] = link.reference


def _attachments(resolved: Resolved, source: bytes, when: dt.datetime) -> list[Any]:
    """The source JSON and the images it shows, as WeasyPrint attachments sorted by name (a PDF name tree's order)."""
    from weasyprint import Attachment

    naive = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    files = {SOURCE_NAME: (source, "The fact-check's source data (reportkit canonical JSON)")}
    for ref, asset in resolved.assets.items():
        files[ref] = (asset.data, f"Image {ref} of the fact-check's source")
    return [
        Attachment(
            file_obj=io.BytesIO(data),
            name=name,
            description=description,
            created=naive,
            modified=naive,
            relationship="Source",
        )
        for name, (data, description) in sorted(files.items(), key=lambda item: item[0].encode())
    ]


def layout_digest(layout: Layout) -> str:
    """SHA-256 (hex) of the files of ``layout`` and of the layouts it extends: names and contents, in order."""
    digest = hashlib.sha256()
    for index, member in enumerate(layout.chain):
        for path in sorted(p for p in member.path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            relative = path.relative_to(member.path).as_posix()
            digest.update(f"{index}\0{relative}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def rebuild_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The build options a rebuild passes again (all but ``archival``), as JSON-able values.

    A sequence of plain values (``font_dirs``) is a JSON array, which the rebuild reads back as
    the option it was: its ``str()`` (``"('/fonts',)"``) named no folder, and the rebuild failed.
    """
    return {str(k): _json_value(v) for k, v in sorted(options.items()) if k != "archival"}


def _json_value(value: Any) -> Any:
    """An option's value as JSON holds it: plain values as they are, paths and sequences of them as strings."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)) and all(isinstance(item, (str, int, float, bool, os.PathLike)) for item in value):
        return [os.fspath(item) if isinstance(item, os.PathLike) else item for item in value]
    return str(value)


def build_record(resolved: Resolved, layout: Layout, options: Mapping[str, Any]) -> dict[str, str]:
    """What a rebuild of an archival PDF needs besides its source: layout digest, options, versions, image hashes."""
    images = {ref: hashlib.sha256(asset.data).hexdigest() for ref, asset in resolved.assets.items()}
    return {
        "layoutSHA256": layout_digest(layout),
        "buildOptions": json.dumps(rebuild_options(options), sort_keys=True, ensure_ascii=False),
        "environment": environment.describe(environment.environment()),
        "imagesSHA256": json.dumps(images, sort_keys=True, ensure_ascii=False),
    }


def check_archivable(resolved: Resolved, variant: Mapping[str, Any]) -> None:
    """Refuse, before any layout, what would make an archival PDF's claims false.

    ``variant`` holds the WeasyPrint options of another PDF variant asked for (PDF/X...):
    one file cannot be both. An image without a text alternative would break PDF/UA-1.
    """
    from ...errors import InputError, ReportkitError

    if variant.get("pdf_variant"):
        raise ReportkitError(
            f"an archival PDF (PDF/A-3a + PDF/UA-1) cannot also be {variant['pdf_variant'].upper()}",
            file=resolved.file,
            hint="build the two variants separately",
        )
    for part in resolved.parts:
        for block in part.tokens:
            for child in block.children or ():
                if child.type == "image" and not child.content.strip():
                    src = str(child.attrs.get("src", ""))
                    line = part.line + block.map[0] if part.line is not None and block.map else None
                    raise InputError(
                        f"image {src!r} in {part.title} has no alt text, and PDF/UA-1 (archival PDFs) needs "
                        "a text alternative for every image",
                        file=resolved.file,
                        line=line,
                        field=part.name,
                        hint="describe the image in ![...], or build without --archival",
                    )


def write_options(
    resolved: Resolved,
    layout: Layout,
    *,
    page_size: str,
    options: Mapping[str, Any],
    identifier: str,
) -> dict[str, Any]:
    """WeasyPrint ``write_pdf`` options: the metadata finisher always; variant, tags and attachments when archival."""
    archival, tagged = is_archival(options), is_tagged(options)
    source = canonical_json(resolved.doc) if archival else None
    build = build_record(resolved, layout, options) if archival else None
    record = record_for(
        resolved.doc, layout_name=layout.name, page_size=page_size, identifier=identifier, source=source,
        build=build, tagged=tagged,
    )
    fallback = build_datetime(resolved.doc).date().isoformat()
    result: dict[str, Any] = {"finisher": Finisher(record, archival=archival, fallback_date=fallback)}
    if tagged and not archival:
        # Tagged PDF/UA-1 by default: WeasyPrint's structure tree (headings, lists, tables, figures with
        # alt text, notes, links), the document language and title; with PDF/X, the tags join that variant.
        result["pdf_tags"] = True
    if archival:
        assert source is not None
        result.update(
            pdf_variant=ARCHIVAL_VARIANT,
            pdf_tags=True,
            attachments=_attachments(resolved, source, build_datetime(resolved.doc)),
        )
    return result
