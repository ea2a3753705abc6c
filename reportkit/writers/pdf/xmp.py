"""The XMP packet and document info of reportkit's PDFs: what they record, without the model.

:mod:`.archival` makes a :class:`Record` from the fact-check; this module turns a record into
the XMP packet and the document information dictionary. It imports only lxml and the
standard library, so that the parent process of a split Typst build
(:mod:`reportkit.tools.split`) can finish a PDF without loading the model or the resolver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..._version import __version__

if TYPE_CHECKING:  # lxml is imported when a packet is made or read: a record alone needs none of it
    from lxml import etree

__all__ = ["DESCRIBED", "NS", "RK_PROPERTIES", "Record", "document_info", "identification",
           "producer", "weasyprint_version", "xmp_packet"]

#: XML namespaces of the XMP packet, by prefix.
NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfxid": "http://www.npes.org/pdfx/ns/id/",
    "pdfx": "http://ns.adobe.com/pdfx/1.3/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "rk": "https://reportkit.invalid/ns/xmp/1.0/",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Properties of another tool's XMP packet kept when reportkit writes its own (variant identification).
_KEPT = {
    f"{{{NS['pdfaid']}}}part",
    f"{{{NS['pdfaid']}}}conformance",
    f"{{{NS['pdfaid']}}}rev",
    f"{{{NS['pdfuaid']}}}part",
    f"{{{NS['pdfuaid']}}}rev",
    f"{{{NS['pdfxid']}}}GTS_PDFXVersion",
    f"{{{NS['pdfx']}}}GTS_PDFXVersion",
    f"{{{NS['pdfx']}}}GTS_PDFXConformance",
    f"{{{NS['pdf']}}}Trapped",
    f"{{{NS['xmpMM']}}}RenditionClass",
    f"{{{NS['xmpMM']}}}VersionID",
}

#: reportkit's own XMP properties: name -> (value type, description). Declared in the packet's extension schema.
RK_PROPERTIES: dict[str, tuple[str, str]] = {
    "factcheckId": ("Text", "Stable identifier (slug) of the fact-check"),
    "verdictRating": ("Text", "Key of the verdict's rating on the rating scale"),
    "verdictLabel": ("Text", "The verdict's own label"),
    "ratingLabel": ("Text", "Label of the rating on the scale"),
    "ratingOrder": ("Integer", "Position of the rating on the scale, 1 = most accurate"),
    "ratingScale": ("Text", "Name of the rating scale"),
    "ratingScaleSize": ("Integer", "Number of ratings on the scale"),
    "claimant": ("Text", "Who made the claim"),
    "sourceFile": ("Text", "Name of the embedded file holding the fact-check's source data"),
    "sourceSHA256": ("Text", "SHA-256 (hex) of the embedded source data"),
    "layout": ("Text", "Name of the reportkit layout the document was set with"),
    "pageSize": ("Text", "Page size the document was set for"),
    "reportkitVersion": ("Text", "Version of reportkit that made the document"),
    "weasyprintVersion": ("Text", "Version of WeasyPrint that laid the document out"),
    "layoutSHA256": ("Text", "SHA-256 of the files of the layout and of the layouts it extends"),
    "buildOptions": ("Text", "Build options the document was made with, as JSON"),
    "environment": ("Text", "Versions of the libraries the document's bytes depend on (name=version; ...)"),
    "imagesSHA256": ("Text", "SHA-256 (hex) of each embedded image, as JSON by file name"),
    "pdfEngine": ("Text", "The PDF engine that set the document: weasyprint or typst"),
    "typstVersion": ("Text", "Version of the Typst compiler that set the document"),
    "fonts": ("Text", "Font files the document is set with (archival): file or family, then SHA-256, one per line"),
}
_PDFUA_SCHEMA = (
    "PDF/UA Universal Accessibility Schema",
    NS["pdfuaid"],
    "pdfuaid",
    {"part": ("Integer", "Indicates, which part of ISO 14289 standard is followed")},
)
_RK_SCHEMA = ("reportkit fact-check schema", NS["rk"], "rk", RK_PROPERTIES)


@dataclass(frozen=True)
class Record:
    """What a PDF's metadata says about the fact-check and the build, as one flat record."""

    title: str
    authors: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    publisher: str | None = None
    description: str | None = None
    language: str = "en"
    keywords: tuple[str, ...] = ()
    created: str | None = None
    modified: str | None = None
    generator: str = f"reportkit {__version__}"
    producer: str = ""
    document_id: str = ""
    instance_id: str = ""
    #: reportkit's own properties (``rk:`` prefix), in :data:`RK_PROPERTIES` order.
    rk: dict[str, str] = field(default_factory=dict)
    #: PDF/A and PDF/UA identification (``pdfaid:part``...): (qualified name, value).
    claims: tuple[tuple[str, str], ...] = ()

    def properties(self) -> list[tuple[str, str, str | list[str]]]:
        """The XMP properties, in order: (qualified name, kind: text/alt/seq/bag, value)."""
        props: list[tuple[str, str, str | list[str]]] = [(name, "text", value) for name, value in self.claims]
        props += [("dc:format", "text", "application/pdf"), ("dc:title", "alt", self.title)]
        if self.authors:
            props.append(("dc:creator", "seq", list(self.authors)))
        if self.description:
            props.append(("dc:description", "alt", self.description))
        props.append(("dc:language", "bag", [self.language]))
        if self.keywords:
            props.append(("dc:subject", "bag", list(self.keywords)))
        if self.publisher:
            props.append(("dc:publisher", "bag", [self.publisher]))
        if self.editors:
            props.append(("dc:contributor", "bag", list(self.editors)))
        props.append(("dc:identifier", "text", self.rk.get("factcheckId", "")))
        if self.keywords:
            props.append(("pdf:Keywords", "text", ", ".join(self.keywords)))
        props += [("pdf:Producer", "text", self.producer), ("xmp:CreatorTool", "text", self.generator)]
        if self.created:
            props.append(("xmp:CreateDate", "text", self.created))
        if self.modified:
            props += [("xmp:ModifyDate", "text", self.modified), ("xmp:MetadataDate", "text", self.modified)]
        props += [("xmpMM:DocumentID", "text", self.document_id), ("xmpMM:InstanceID", "text", self.instance_id)]
        props += [(f"rk:{name}", "text", value) for name, value in self.rk.items()]
        return props


#: Properties that describe the fact-check itself (not the build): they must agree with the embedded source.
DESCRIBED = (
    "dc:title", "dc:creator", "dc:description", "dc:language", "dc:subject", "dc:publisher", "dc:contributor",
    "dc:identifier", "pdf:Keywords", "xmp:CreateDate", "xmp:ModifyDate", "xmpMM:DocumentID",
    "rk:factcheckId", "rk:verdictRating", "rk:verdictLabel", "rk:ratingLabel", "rk:ratingOrder", "rk:ratingScale",
    "rk:ratingScaleSize", "rk:claimant",
)


def weasyprint_version() -> str:
    """WeasyPrint's version, read without importing it (verifying a PDF needs no layout engine)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover - a dependency
        return "unknown"


def producer(engine: str = "weasyprint", engine_version: str = "") -> str:
    if engine == "typst":
        return f"reportkit {__version__} (Typst {engine_version})"
    return f"reportkit {__version__} (WeasyPrint {weasyprint_version()})"




def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    from lxml import etree

    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = text
    return element


def _schema(bag: etree._Element, schema: tuple[str, str, str, Mapping[str, tuple[str, str]]]) -> None:
    title, uri, prefix, properties = schema
    li = _add(bag, "rdf:li")
    li.set(_q("rdf:parseType"), "Resource")
    _add(li, "pdfaSchema:schema", title)
    _add(li, "pdfaSchema:namespaceURI", uri)
    _add(li, "pdfaSchema:prefix", prefix)
    seq = _add(_add(li, "pdfaSchema:property"), "rdf:Seq")
    for name, (value_type, description) in properties.items():
        prop = _add(seq, "rdf:li")
        prop.set(_q("rdf:parseType"), "Resource")
        _add(prop, "pdfaProperty:name", name)
        _add(prop, "pdfaProperty:valueType", value_type)
        _add(prop, "pdfaProperty:category", "internal" if prefix == "pdfuaid" else "external")
        _add(prop, "pdfaProperty:description", description)


def xmp_packet(record: Record, kept: Sequence[etree._Element] = ()) -> bytes:
    """The XMP packet (one ``rdf:RDF``) describing ``record``; ``kept`` are properties of another packet to carry over."""
    from lxml import etree

    props = record.properties()
    used = ["x", "rdf", "dc", "xmp", "xmpMM", "pdf", "pdfaExtension", "pdfaSchema", "pdfaProperty", "rk"]
    named = {name.partition(":")[0] for name, _, _ in props}
    named |= {p for p, uri in NS.items() for e in kept if e.tag.startswith(f"{{{uri}}}")}
    used += sorted(named - set(used))
    meta = etree.Element(_q("x:xmpmeta"), nsmap={"x": NS["x"]})
    meta.set(_q("x:xmptk"), f"reportkit {__version__}")
    rdf = etree.SubElement(meta, _q("rdf:RDF"), nsmap={"rdf": NS["rdf"]})
    desc = etree.SubElement(rdf, _q("rdf:Description"), nsmap={p: NS[p] for p in used if p not in ("x", "rdf")})
    desc.set(_q("rdf:about"), "")

    seen = {_q(name) for name, _, _ in props}
    for element in kept:  # another tool's variant identification, unless reportkit states it too
        if element.tag not in seen:
            desc.append(element)
            seen.add(element.tag)
    for name, kind, value in props:
        if kind == "text":
            _add(desc, name, str(value))
            continue
        holder = _add(_add(desc, name), {"alt": "rdf:Alt", "seq": "rdf:Seq", "bag": "rdf:Bag"}[kind])
        for item in [value] if isinstance(value, str) else value:
            li = _add(holder, "rdf:li", item)
            if kind == "alt":
                li.set(_XML_LANG, "x-default")

    bag = _add(_add(desc, "pdfaExtension:schemas"), "rdf:Bag")
    if _q("pdfuaid:part") in seen:
        _schema(bag, _PDFUA_SCHEMA)
    _schema(bag, _RK_SCHEMA)

    body = etree.tostring(meta, encoding="utf-8")
    return (
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        + body
        + b'\n<?xpacket end="r"?>'
    )


def identification(packet: bytes) -> list[etree._Element]:
    """The variant identification properties (``pdfaid:part``...) of an XMP packet a PDF engine wrote."""
    from lxml import etree

    start, end = packet.find(b"<x:xmpmeta"), packet.rfind(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(packet[start : end + len(b"</x:xmpmeta>")], parser)
    kept = []
    for desc in root.iter(_q("rdf:Description")):
        for name, value in desc.attrib.items():
            if name in _KEPT:
                element = etree.Element(name)
                element.text = value
                kept.append(element)
        for child in desc:
            if child.tag in _KEPT:
                kept.append(child)
    return kept


def _pdf_date(value: str) -> str:
    """An ISO date (``YYYY-MM-DD``) as a PDF date string."""
    return "D:" + value.replace("-", "")


def document_info(record: Record) -> dict[str, str]:
    """The document information dictionary that agrees with ``record``'s XMP (PDF/A asks both to agree)."""
    info = {"Title": record.title}
    if record.authors:
        info["Author"] = ", ".join(record.authors)
    if record.description:
        info["Subject"] = record.description
    if record.keywords:
        info["Keywords"] = ", ".join(record.keywords)
    info["Creator"] = record.generator
    info["Producer"] = record.producer
    if record.created:
        info["CreationDate"] = _pdf_date(record.created)
    if record.modified:
        info["ModDate"] = _pdf_date(record.modified)
    return info
