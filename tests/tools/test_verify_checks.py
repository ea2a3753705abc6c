"""Each check of ``verify`` on small PDFs made here with pikepdf: one property per PDF.

The PDFs are written in the test (their XMP properties, fonts, links, attachments), so every expected
message is read off what the test put in: the names, counts, pages and hashes. They take milliseconds,
so these tests also make the verify checks' part of the mutation run (TESTING.md); the archival-proof
tests (tests/tools/test_archival_proof.py) check the same on real reportkit PDFs. The rebuild is checked
on one Typst archive (built in a fraction of a second) changed in place, and the revisions on files
signed here with pyHanko.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

import reportkit as rk

from conftest import require_module
from reportkit.tools.verify import (
    Check, EmbeddedFile, Verification, first_difference, read_archive, recorded_images, revisions, safe_name, verify,
    write_images,
)

RK = "https://reportkit.invalid/ns/xmp/1.0/"
NAMESPACES = {"dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/",
              "pdf": "http://ns.adobe.com/pdf/1.3/", "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
              "pdfuaid": "http://www.aiim.org/pdfua/ns/id/", "rk": RK, "xmpMM": "http://ns.adobe.com/xap/1.0/mm/"}
SOURCE = {"title": "Is it so?", "sections": [{"heading": "One", "body": "Text."}]}


def xmp(properties: dict[str, str | list[str]]) -> bytes:
    """An XMP packet holding ``properties`` (qualified names) in one description: text as attributes, lists as
    an ``rdf:Seq`` (``dc:creator``) or an ``rdf:Bag`` (the other lists)."""
    names = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    attributes = " ".join(f'{name}="{html.escape(value)}"' for name, value in properties.items()
                          if isinstance(value, str))
    lists = "".join(
        f"<{name}><rdf:{kind}>{''.join(f'<rdf:li>{html.escape(item)}</rdf:li>' for item in value)}</rdf:{kind}></{name}>"
        for name, value in properties.items() if isinstance(value, list)
        for kind in ["Seq" if name == "dc:creator" else "Bag"]
    )
    return (f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" {names} '
            f'{attributes}>{lists}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()


def attach(pdf: pikepdf.Pdf, name: str, data: bytes, *, mime: str | None = "application/json",
           relationship: str | None = "Source", associated: bool = True, checksum: bytes | None = None,
           size: int | None = None) -> None:
    """Embed ``data`` as ``name`` the way the options say."""
    stream = pdf.make_stream(data, Type=Name.EmbeddedFile)
    if mime:
        stream.Subtype = Name("/" + mime)
    params = Dictionary()
    if checksum is not None:
        params.CheckSum = String(checksum)
    if size is not None:
        params.Size = size
    stream.Params = params
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String(name), UF=String(name), EF=Dictionary(F=stream)))
    if relationship:
        spec.AFRelationship = Name("/" + relationship)
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=Array()))
    pdf.Root.Names.EmbeddedFiles.Names.extend([String(name), spec])
    if associated:
        if "/AF" not in pdf.Root:
            pdf.Root.AF = Array()
        pdf.Root.AF.append(spec)


def make(tmp_path: Path, name: str = "t.pdf", *, meta: dict[str, Any] | None = None, pages: int = 1,
         change: Any = None, **save: Any) -> Path:
    """A PDF of ``pages`` blank pages with the XMP ``meta``, changed by ``change(pdf)``."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(200, 200))
    if meta is not None:
        pdf.Root.Metadata = pdf.make_stream(xmp(meta), Type=Name.Metadata, Subtype=Name.XML)
    if change is not None:
        change(pdf)
    path = tmp_path / name
    pdf.save(path, **save)
    return path


def checks(path: Path, **options: Any) -> dict[str, Check]:
    return {c.name: c for c in verify(path, structural=True, **options).checks}


# --- identification, output intent, encryption, pages ------------------------------------------


def test_pdfa_and_pdfua_identification_is_read_from_the_xmp(tmp_path: Path) -> None:
    found = verify(make(tmp_path, meta={"pdfaid:part": "3", "pdfaid:conformance": "A", "pdfuaid:part": "1"}),
                   structural=True)
    by_name = {c.name: c for c in found.checks}
    assert (found.pdfa, found.pdfua) == ("3a", "1")
    assert by_name["pdfa"] == Check("pdfa", True, "PDF/A-3a declared in the XMP metadata")
    assert by_name["pdfua"] == Check("pdfua", True, "PDF/UA-1 declared in the XMP metadata")


def test_missing_identification_fails_naming_what_is_missing(tmp_path: Path) -> None:
    found = verify(make(tmp_path, meta={"pdfaid:part": "2"}), structural=True)
    by_name = {c.name: c for c in found.checks}
    assert (found.pdfa, found.pdfua) == ("2", None)
    assert by_name["pdfa"] == Check("pdfa", False, "PDF/A-2 declared without a conformance level (pdfaid:conformance)")
    assert by_name["pdfua"] == Check("pdfua", False, "no PDF/UA identification (pdfuaid:part) in the XMP metadata")
    none = checks(make(tmp_path, meta={}))
    assert none["pdfa"] == Check("pdfa", False,
                                 "no PDF/A identification (pdfaid:part) in the XMP metadata: build with --archival")


def _intent(**entries: Any):
    def change(pdf: pikepdf.Pdf) -> None:
        intent = Dictionary(Type=Name.OutputIntent, S=Name.GTS_PDFA1, **entries)
        if entries.pop("profile", True):
            intent.DestOutputProfile = pdf.make_stream(b"profile")
        pdf.Root.OutputIntents = Array([Dictionary(S=Name.GTS_PDFX), pdf.make_indirect(intent)])
    return change


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"OutputConditionIdentifier": String("sRGB IEC61966-2.1"), "Info": String("other")},
         "PDF/A output intent with an ICC profile (sRGB IEC61966-2.1)"),
        ({"Info": String("An info")}, "PDF/A output intent with an ICC profile (An info)"),
        ({}, "PDF/A output intent with an ICC profile (unnamed)"),
    ],
)
def test_the_output_intent_is_named_by_its_condition(tmp_path: Path, entries: dict, message: str) -> None:
    assert checks(make(tmp_path, change=_intent(**entries)))["output-intent"] == Check("output-intent", True, message)


def test_an_output_intent_without_profile_or_none_at_all_fails(tmp_path: Path) -> None:
    def no_profile(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OutputIntents = Array([Dictionary(S=Name.GTS_PDFA1)])

    assert checks(make(tmp_path, change=no_profile))["output-intent"] == Check(
        "output-intent", False, "the PDF/A output intent has no ICC profile (DestOutputProfile)")
    assert checks(make(tmp_path))["output-intent"] == Check(
        "output-intent", False, "no PDF/A output intent (GTS_PDFA1) in the document catalog")


@pytest.mark.parametrize(("revision", "aes", "shown"), [
    (6, True, "AES Standard, version 5"), (4, True, "AES Standard, version 4"), (4, False, "RC4 Standard, version 4"),
    (3, False, "RC4 Standard, version 2"), (2, False, "RC4 Standard, version 1"),
])
def test_an_encrypted_file_fails_naming_its_algorithm(tmp_path: Path, revision: int, aes: bool, shown: str) -> None:
    path = make(tmp_path, encryption=pikepdf.Encryption(owner="owner", user="", R=revision, aes=aes, metadata=aes))
    assert checks(path)["encryption"] == Check(
        "encryption", False,
        f"the file is encrypted ({shown}; /Encrypt in the trailer): PDF/A forbids encryption, and reportkit never encrypts")
    assert checks(make(tmp_path))["encryption"] == Check("encryption", True, "not encrypted")


def test_an_encryption_of_the_unpublished_version_3_names_no_algorithm(tmp_path: Path) -> None:
    path = make(tmp_path, encryption=pikepdf.Encryption(owner="owner", user="", R=2, aes=False, metadata=False))
    raw = path.read_bytes()
    assert raw.count(b"/V 1") == 1
    path.write_bytes(raw.replace(b"/V 1", b"/V 3"))  # the same length: the cross-reference table still holds
    assert checks(path)["encryption"] == Check(
        "encryption", False, "the file is encrypted (Standard, version 3; /Encrypt in the trailer): PDF/A forbids "
        "encryption, and reportkit never encrypts")


@pytest.mark.parametrize(("pages", "message"), [(1, "1 page"), (3, "3 pages")])
def test_the_pages_are_counted(tmp_path: Path, pages: int, message: str) -> None:
    found = verify(make(tmp_path, pages=pages), structural=True)
    assert found.pages == pages and {c.name: c for c in found.checks}["pages"] == Check("pages", True, message)


# --- fonts -----------------------------------------------------------------------------------------


def _font(pdf: pikepdf.Pdf, name: str, *, embedded: bool, subtype: str = "/TrueType") -> pikepdf.Dictionary:
    descriptor = Dictionary(Type=Name.FontDescriptor, FontName=Name("/" + name))
    if embedded:
        descriptor.FontFile2 = pdf.make_stream(b"glyphs")
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name(subtype), BaseFont=Name("/" + name),
                                        FontDescriptor=descriptor))


def test_fonts_not_embedded_are_named_and_counted_wherever_they_are_used(tmp_path: Path) -> None:
    def fonts(pdf: pikepdf.Pdf) -> None:
        type0 = Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/Composite"),
                           DescendantFonts=Array([_font(pdf, "Composite", embedded=True, subtype="/CIDFontType2")]))
        type3 = Dictionary(Type=Name.Font, Subtype=Name.Type3, BaseFont=Name("/Drawn"))
        form = pdf.make_stream(b"", Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 1, 1]),
                               Resources=Dictionary(Font=Dictionary(F9=_font(pdf, "InForm", embedded=False))))
        image = pdf.make_stream(b"\x00", Type=Name.XObject, Subtype=Name.Image, Width=1, Height=1, BitsPerComponent=8,
                                ColorSpace=Name.DeviceGray)
        pdf.pages[0].Resources = Dictionary(
            Font=Dictionary(F1=_font(pdf, "Embedded", embedded=True), F2=_font(pdf, "Plain", embedded=False),
                            F3=type0, F4=type3),
            XObject=Dictionary(X1=form, X2=form, Im=image),
        )
        pdf.pages[1].Resources = Dictionary(Font=Dictionary(F1=_font(pdf, "Plain", embedded=True)))

    assert checks(make(tmp_path, pages=2, change=fonts))["fonts"] == Check(
        "fonts", False, "2 of 5 fonts are not embedded: /InForm, /Plain")


def test_a_document_whose_fonts_are_all_embedded_passes(tmp_path: Path) -> None:
    def fonts(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].Resources = Dictionary(Font=Dictionary(F1=_font(pdf, "A", embedded=True),
                                                            F2=_font(pdf, "B", embedded=True)))

    assert checks(make(tmp_path, change=fonts))["fonts"] == Check("fonts", True, "all 2 fonts are embedded")


def test_a_type0_font_without_descendants_is_not_embedded(tmp_path: Path) -> None:
    def fonts(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].Resources = Dictionary(Font=Dictionary(F1=Dictionary(Type=Name.Font, Subtype=Name.Type0,
                                                                          BaseFont=Name("/Hollow"))))

    assert checks(make(tmp_path, change=fonts))["fonts"].message == "1 of 1 fonts are not embedded: /Hollow"


# --- links ---------------------------------------------------------------------------------------


def _link(rect: Any = (10, 10, 50, 30), **entries: Any) -> pikepdf.Dictionary:
    return Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array(list(rect)), **entries)


def test_links_to_pages_names_and_web_addresses_pass(tmp_path: Path) -> None:
    def links(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Names = Dictionary(Dests=Dictionary(Names=Array([String("sec-1"), Array([pdf.pages[1].obj, Name.Fit])])))
        pdf.pages[0].Annots = Array([
            Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=Array([0, 0, 9, 9])),  # not a link: passed over
            _link(A=Dictionary(S=Name.URI, URI=String("https://example.org"))),
            _link(rect=(20, 10, 20.5, 10.5), A=Dictionary(S=Name.URI, URI=String("https://example.org/half"))),
            _link(A=Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit]))),
            _link(A=Dictionary(S=Name.URI, URI=String("mailto:desk@example.org"))),
            _link(A=Dictionary(S=Name.URI, URI=String("http://example.org"))),
            _link(Dest=Array([pdf.pages[1].obj, Name.Fit])),
            _link(Dest=String("sec-1")),
            _link(A=Dictionary(S=Name.GoTo, D=String("sec-1"))),
            Dictionary(Type=Name.Annot, Subtype=Name.Text, Rect=Array([0, 0, 0, 0])),
        ])

    assert checks(make(tmp_path, pages=2, change=links))["links"] == Check(
        "links", True, "all 8 links lead to a page of the document or a web address")


def test_each_kind_of_broken_link_is_named_with_its_pages(tmp_path: Path) -> None:
    def links(pdf: pikepdf.Pdf) -> None:
        other = pikepdf.new()
        other.add_blank_page()
        foreign = pdf.copy_foreign(other.pages[0].obj)
        for page in pdf.pages:
            page.Annots = Array([
                _link(A=Dictionary(S=Name.URI, URI=String("javascript:alert(1)"))),
                _link(rect=(20, 10, 20.2, 30), A=Dictionary(S=Name.URI, URI=String("https://e.org"))),
            ])
        pdf.pages[0].Annots.extend([
            _link(rect=(String("x"), 1, 2, 3)),
            _link(Dest=String("nowhere")),
            _link(A=Dictionary(S=Name.Launch, F=String("calc.exe"))),
            _link(),
            _link(Dest=Array([foreign, Name.Fit])),
        ])

    assert checks(make(tmp_path, pages=2, change=links))["links"] == Check("links", False, (
        "9 of 9 links are invalid: it opens 'javascript:alert(1)', not an http(s) or mailto address (pages 1, 2); "
        "its clickable area is empty (pages 1, 2); its clickable area (/Rect) is not four numbers (page 1); "
        "destination 'nowhere' does not exist (page 1)"
    ))


def test_a_web_link_without_address_a_long_address_and_a_damaged_name_tree_are_named(tmp_path: Path) -> None:
    long = "javascript:" + "void(0);" * 12

    def links(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Names = Dictionary(Dests=Dictionary(Kids=Array([5])))  # pypdf cannot read this tree of names
        pdf.pages[0].Annots = Array([_link(A=Dictionary(S=Name.URI)), _link(A=Dictionary(S=Name.URI, URI=String(long))),
                                     _link(Dest=String("sec-1"))])

    assert len(long) > 80
    assert checks(make(tmp_path, change=links))["links"] == Check("links", False, (
        f"3 of 3 links are invalid: it opens '', not an http(s) or mailto address (page 1); it opens {long[:80]!r}, "
        "not an http(s) or mailto address (page 1); destination 'sec-1' does not exist (page 1)"))


def test_links_beyond_the_fourth_kind_are_counted(tmp_path: Path) -> None:
    def links(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].Annots = Array([_link(A=Dictionary(S=Name.Launch)), _link(), _link(rect=(0, 10, 5, 10.2)),
                                     _link(A=Dictionary(S=Name.GoTo, D=String("gone")))])

    assert checks(make(tmp_path, change=links))["links"].message == (
        "4 of 4 links are invalid: it runs a Launch action (page 1); it has neither a destination nor an action "
        "(page 1); its clickable area is empty (page 1); destination 'gone' does not exist (page 1)")


# --- source, attachments, images ------------------------------------------------------------------


def _archive(tmp_path: Path, *, source: bytes | None = None, images: dict[str, bytes] | None = None,
             recorded: dict[str, str] | None = None, extra_meta: dict[str, Any] | None = None,
             change: Any = None, **attach_options: Any) -> Path:
    """A PDF with an embedded source (SOURCE by default) and images, and the XMP records of their hashes."""
    data = json.dumps(SOURCE).encode() if source is None else source
    images = images or {}
    meta = {"rk:sourceSHA256": hashlib.sha256(data).hexdigest(),
            "rk:imagesSHA256": json.dumps(recorded if recorded is not None else
                                          {n: hashlib.sha256(d).hexdigest() for n, d in images.items()})}
    meta.update(extra_meta or {})

    def build(pdf: pikepdf.Pdf) -> None:
        attach(pdf, "factcheck.json", data, **attach_options)
        for name, image in images.items():
            attach(pdf, name, image, mime="image/png", relationship="Supplement")
        if change is not None:
            change(pdf)

    return make(tmp_path, meta=meta, change=build)


def test_a_valid_source_and_its_hash_pass(tmp_path: Path) -> None:
    data = json.dumps(SOURCE).encode()
    found = checks(_archive(tmp_path, source=data, checksum=hashlib.md5(data).digest(), size=len(data)))
    assert found["source"] == Check("source", True, f"factcheck.json embedded ({len(data):,} bytes, Source, application/json)")
    assert found["source-hash"] == Check("source-hash", True,
                                         f"SHA-256 {hashlib.sha256(data).hexdigest()[:16]}… matches the XMP metadata")
    assert found["source-valid"] == Check("source-valid", True, "a valid fact-check")


def test_a_source_embedded_the_wrong_way_names_each_fault(tmp_path: Path) -> None:
    found = checks(_archive(tmp_path, mime=None, relationship=None, associated=False))
    assert found["source"].message == (
        "factcheck.json is embedded but its AFRelationship is missing, not Source; its MIME type is missing, "
        "not application/json; the document's /AF array does not list it")
    found = checks(_archive(tmp_path, mime="text/plain", relationship="Data"))
    assert found["source"].message == ("factcheck.json is embedded but its AFRelationship is Data, not Source; "
                                       "its MIME type is text/plain, not application/json")


def test_no_source_fails_and_so_does_the_rebuild(tmp_path: Path) -> None:
    found = {c.name: c for c in verify(make(tmp_path, meta={"rk:sourceFile": "other.json"})).checks}
    assert found["source"] == Check("source", False,
                                    "no embedded source: the PDF holds no other.json: build with --archival")
    assert found["rebuild"] == Check("rebuild", False, "cannot rebuild: the embedded source is missing or invalid")
    assert "metadata" not in found


def test_a_changed_source_names_both_hashes_and_what_else_is_stale(tmp_path: Path) -> None:
    data = json.dumps(SOURCE).encode()
    recorded = "ab" * 32

    def record(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Metadata = pdf.make_stream(xmp({"rk:sourceSHA256": recorded, "rk:imagesSHA256": "{}"}))

    found = checks(_archive(tmp_path, source=data, checksum=b"\x00" * 16, size=3, change=record))
    assert found["source-hash"] == Check("source-hash", False, (
        f"the embedded factcheck.json has SHA-256 {hashlib.sha256(data).hexdigest()[:16]}…, the XMP metadata records "
        f"{recorded[:16]}…: the source was changed after the PDF was made (its MD5 no longer matches the checksum "
        f"stored with it; its size is {len(data)} bytes, the file records 3)"))
    # with its MD5 and size stored again, only the two hashes are named
    found = checks(_archive(tmp_path, source=data, checksum=hashlib.md5(data).digest(), size=len(data), change=record))
    assert found["source-hash"] == Check("source-hash", False, (
        f"the embedded factcheck.json has SHA-256 {hashlib.sha256(data).hexdigest()[:16]}…, the XMP metadata records "
        f"{recorded[:16]}…: the source was changed after the PDF was made"))


def test_a_source_altered_with_its_hash_recorded_again_names_its_md5_and_size(tmp_path: Path) -> None:
    data = json.dumps(SOURCE).encode()
    found = checks(_archive(tmp_path, source=data, checksum=b"\x00" * 16, size=2))
    assert found["source-hash"] == Check("source-hash", False, (
        "the embedded factcheck.json was altered: its MD5 no longer matches the checksum stored with it; its size is "
        f"{len(data)} bytes, the file records 2"))


def test_a_source_altered_with_its_hash_recorded_again_is_caught_by_its_size(tmp_path: Path) -> None:
    data = json.dumps(SOURCE).encode()
    found = checks(_archive(tmp_path, source=data, size=len(data) + 1))
    assert found["source-hash"] == Check("source-hash", False, f"the embedded factcheck.json was altered: its size is "
                                         f"{len(data)} bytes, the file records {len(data) + 1}")


def test_a_source_without_recorded_hash_fails(tmp_path: Path) -> None:
    def forget(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Metadata = pdf.make_stream(xmp({"rk:imagesSHA256": "{}"}))

    assert checks(_archive(tmp_path, change=forget))["source-hash"] == Check(
        "source-hash", False, "the XMP metadata records no SHA-256 of the source (rk:sourceSHA256)")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "factcheck.json is not JSON: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
        (b"[1, 2]", "factcheck.json is not JSON: it holds no mapping of fields"),
        (b"{\"a\": NaN}", "factcheck.json is not JSON a fact-check can hold: NaN is not a value a fact-check can hold"),
        (json.dumps({"title": "Q?", "sections": [{"heading": "S", "body": "[@nobody]"}]}).encode(), None),
        (json.dumps({"title": "Q?", "titel": "x", "sections": [{"heading": "S", "body": "T"}]}).encode(), "(titel)"),
    ],
)
def test_a_source_that_is_no_fact_check_says_why(tmp_path: Path, data: bytes, message: str | None) -> None:
    found = checks(_archive(tmp_path, source=data))
    assert found["source-valid"].ok is False
    assert found["source-valid"].message.startswith("factcheck.json is not")
    if message is not None:
        assert found["source-valid"].message == message or found["source-valid"].message.endswith(message)
    if data.startswith(b"{\"title\": \"Q?\", \"sections\""):
        assert found["source-valid"].message.startswith("factcheck.json is not a valid fact-check: ")
        assert "'nobody'" in found["source-valid"].message


#: An SVG drawing of 200 bytes and more (larger than a limit of 10*12 bytes, say).
SQUARE = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10"><desc>'
          + b"a square " * 16 + b'</desc><rect width="10" height="10" fill="#333"/></svg>')


@pytest.mark.parametrize(
    ("source", "images"),
    [
        # resolving warns (a source never cited): a warning is no failure of the embedded source
        ({"title": "Q?", "sections": [{"heading": "S", "body": "T"}],
          "sources": [{"key": "uncited", "title": "Never cited"}]}, {}),
        # an image on the web: the build drew a placeholder for it (and embedded nothing), so verify accepts it too
        ({"title": "Q?", "sections": [{"heading": "S", "body": "![A chart](https://example.org/chart.png)"}]}, {}),
        # an image the source shows, read from its embedded copy
        ({"title": "Q?", "sections": [{"heading": "S", "body": "![A square](square.svg)"}]}, {"square.svg": SQUARE}),
        # the build applied its limits (raised, maybe): verify applies none, to text, words, sections or images
        ({"title": "Q?", "sections": [{"heading": f"S{n}", "body": "word " * 30 + "x" * 200 + " ![A square](square.svg)"}
                                      for n in range(130)]
          + [{"heading": "Long", "body": "y" * (rk.Limits().max_word_chars + 1)}]}, {"square.svg": SQUARE}),
    ],
    ids=["warning", "placeholder", "image", "no-limits"],
)
def test_a_source_the_build_accepted_is_valid(tmp_path: Path, source: dict, images: dict[str, bytes]) -> None:
    found = checks(_archive(tmp_path, source=json.dumps(source).encode(), images=images))
    assert found["source-valid"] == Check(
        "source-valid", True, "a valid fact-check" + (f", with its {len(images)} image file(s)" if images else ""))


def test_only_the_source_and_recorded_images_may_be_attached(tmp_path: Path) -> None:
    images = {"chart.png": b"png one", "photo.png": b"png two"}
    found = checks(_archive(tmp_path, images=images))
    assert found["attachments"] == Check("attachments", True,
                                         "only the files the build embeds: factcheck.json and 2 image(s)")
    assert found["images"] == Check("images", True, "2 embedded image(s) match the SHA-256 the XMP metadata records")
    assert found["source-valid"] == Check("source-valid", True, "a valid fact-check, with its 2 image file(s)")

    def smuggle(pdf: pikepdf.Pdf) -> None:
        for n in range(6):
            attach(pdf, f"extra{n}.exe", b"MZ", mime="application/octet-stream", relationship="Data")
        pdf.pages[0].Annots = Array([Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=Array([0, 0, 9, 9]),
                                                FS=Dictionary(Type=Name.Filespec, F=String("note.txt")))])

    found = checks(_archive(tmp_path, images=images, change=smuggle))
    assert found["attachments"] == Check(
        "attachments", False, "7 attached file(s) the build did not write: 'extra0.exe', 'extra1.exe', 'extra2.exe', "
        "'extra3.exe', 'extra4.exe', ...")


def test_a_file_attachment_annotation_is_named_with_its_page(tmp_path: Path) -> None:
    def annotate(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].Annots = Array([
            Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=Array([0, 0, 9, 9]),
                       FS=Dictionary(Type=Name.Filespec, UF=String("note.txt"), F=String("n.txt"))),
            Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=Array([0, 0, 9, 9])),
        ])

    assert checks(_archive(tmp_path, change=annotate))["attachments"].message == (
        "2 attached file(s) the build did not write: 'note.txt (on page 1)', '(unnamed) (on page 1)'")


def test_images_that_changed_or_are_missing_are_named(tmp_path: Path) -> None:
    recorded = {"chart.png": "cd" * 32, "gone.png": "ef" * 32}
    images = {"chart.png": b"png one"}
    found = checks(_archive(tmp_path, images=images, recorded=recorded))
    assert found["images"] == Check(
        "images", False, "embedded images changed after the PDF was made: chart.png has SHA-256 "
        f"{hashlib.sha256(b'png one').hexdigest()[:16]}…, the XMP metadata records {'cd' * 8}…; gone.png is not embedded")

    def stale_md5(pdf: pikepdf.Pdf) -> None:
        attach(pdf, "md5.png", b"data", mime="image/png", relationship="Supplement", checksum=b"\x01" * 16)

    found = checks(_archive(tmp_path, recorded={"md5.png": hashlib.sha256(b"data").hexdigest()}, change=stale_md5))
    assert found["images"] == Check(
        "images", False, "embedded images changed after the PDF was made: md5.png no longer matches the MD5 stored with it")


def test_images_with_their_md5_stored_pass_and_four_problems_are_shown(tmp_path: Path) -> None:
    def stored(pdf: pikepdf.Pdf) -> None:
        attach(pdf, "ok.png", b"data", mime="image/png", relationship="Supplement", checksum=hashlib.md5(b"data").digest())

    found = checks(_archive(tmp_path, recorded={"ok.png": hashlib.sha256(b"data").hexdigest()}, change=stored))
    assert found["images"] == Check("images", True, "1 embedded image(s) match the SHA-256 the XMP metadata records")
    # the missing images come first: each is named, and the check goes on to the next
    recorded = {f"gone{n}.png": "ab" * 32 for n in range(4)} | {"ok.png": hashlib.sha256(b"data").hexdigest()}
    found = checks(_archive(tmp_path, recorded=recorded | {"last.png": "cd" * 32}, change=stored))
    assert found["images"] == Check("images", False, "embedded images changed after the PDF was made: gone0.png is not "
                                    "embedded; gone1.png is not embedded; gone2.png is not embedded; gone3.png is not embedded")
    found = checks(_archive(tmp_path, recorded={"gone.png": "ab" * 32, "ok.png": "cd" * 32}, change=stored))
    assert found["images"] == Check("images", False, "embedded images changed after the PDF was made: gone.png is not "
                                    f"embedded; ok.png has SHA-256 {hashlib.sha256(b'data').hexdigest()[:16]}…, the XMP "
                                    f"metadata records {'cd' * 8}…")


@pytest.mark.parametrize(("value", "images"), [(None, None), ("not json", None), ("[1]", None),
                                               ('{"a.png": "ab", "b": 1}', {"a.png": "ab", "b": "1"})])
def test_the_recorded_images_are_a_mapping_of_names_to_hashes(value: str | None, images: dict | None) -> None:
    assert recorded_images({} if value is None else {"rk:imagesSHA256": value}) == images


def test_without_an_image_record_attachments_and_images_fail(tmp_path: Path) -> None:
    def forget(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Metadata = pdf.make_stream(xmp({}))

    found = checks(_archive(tmp_path, change=forget))
    assert found["attachments"] == Check("attachments", False, "the XMP metadata records no image list (rk:imagesSHA256)")
    assert found["images"] == Check("images", False, "the XMP metadata records no image hashes (rk:imagesSHA256)")


@pytest.mark.parametrize(("extra", "shown"), [
    (5, "5 attached file(s) the build did not write: 'extra0.exe', 'extra1.exe', 'extra2.exe', 'extra3.exe', 'extra4.exe'"),
    (6, "6 attached file(s) the build did not write: 'extra0.exe', 'extra1.exe', 'extra2.exe', 'extra3.exe', 'extra4.exe', "
        "..."),
])
def test_five_extra_attachments_are_shown_and_a_sixth_is_only_announced(tmp_path: Path, extra: int, shown: str) -> None:
    def smuggle(pdf: pikepdf.Pdf) -> None:
        for n in range(extra):
            attach(pdf, f"extra{n}.exe", b"MZ", mime="application/octet-stream", relationship="Data")

    assert checks(_archive(tmp_path, change=smuggle))["attachments"] == Check("attachments", False, shown)


def test_a_source_under_another_name_is_the_one_the_xmp_names(tmp_path: Path) -> None:
    data = json.dumps(SOURCE).encode()
    meta = {"rk:sourceFile": "my-check.json", "rk:sourceSHA256": hashlib.sha256(data).hexdigest(),
            "rk:imagesSHA256": "{}"}
    found = checks(make(tmp_path, meta=meta, change=lambda pdf: attach(pdf, "my-check.json", data)))
    assert found["attachments"] == Check("attachments", True, "only the files the build embeds: my-check.json and 0 image(s)")
    assert found["source"].ok and found["source-valid"].ok


# --- metadata and producer ------------------------------------------------------------------------


def test_metadata_that_does_not_say_what_the_source_says_is_named(tmp_path: Path) -> None:
    found = checks(_archive(tmp_path, extra_meta={"dc:title": "Another question?"}))
    assert found["metadata"].ok is False
    assert found["metadata"].message.startswith(
        "the metadata does not match the embedded source: dc:title is 'Another question?', the source says 'Is it so?'")
    assert found["metadata"].message.endswith("; ...")


#: A fact-check with every field the metadata describes, on a scale of its own (so every rating property is
#: read off this input, not off reportkit's default scale).
FULL = {
    "title": "Did the river rise?", "slug": "river-rise", "language": "de", "authors": ["Ana Lima", "Bo Chen"],
    "editors": ["Cy Dorn"], "publisher": {"name": "Desk"}, "published": "2024-03-01", "updated": "2024-03-05",
    "tags": ["water", "climate"], "claim": {"text": "The river rose 3 m.", "claimant": "Mayor"},
    "verdict": {"rating": "no", "label": "Not so"},
    "rating_scale": {"name": "Two steps", "ratings": [{"key": "yes", "label": "Yes", "order": 1, "colour": "#1a7f37"},
                                                      {"key": "no", "label": "No", "order": 2, "colour": "#a3161b"}]},
    "sections": [{"heading": "One", "body": "Text."}],
}
#: What the XMP metadata of FULL says, written out from FULL (the property names of the archival metadata).
FULL_XMP: dict[str, Any] = {
    "dc:title": "Did the river rise?", "dc:creator": ["Ana Lima", "Bo Chen"], "dc:description": "The river rose 3 m.",
    "dc:language": ["de"], "dc:subject": ["water", "climate"], "dc:publisher": ["Desk"], "dc:contributor": ["Cy Dorn"],
    "dc:identifier": "river-rise", "pdf:Keywords": "water, climate", "xmp:CreateDate": "2024-03-01",
    "xmp:ModifyDate": "2024-03-05",
    # A fact-check keeps its DocumentID from version to version: the name-based UUID of its slug's address.
    "xmpMM:DocumentID": f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'https://reportkit.invalid/factcheck/river-rise')}",
    "rk:factcheckId": "river-rise", "rk:verdictRating": "no", "rk:verdictLabel": "Not so", "rk:ratingLabel": "No",
    "rk:ratingOrder": "2", "rk:ratingScale": "Two steps", "rk:ratingScaleSize": "2", "rk:claimant": "Mayor",
}
FULL_INFO = {"Title": "Did the river rise?", "Subject": "The river rose 3 m.", "Author": "Ana Lima, Bo Chen"}
#: The document info entry that repeats each XMP property.
INFO_OF = {"dc:title": "Title", "dc:description": "Subject", "dc:creator": "Author"}


def _metadata_check(tmp_path: Path, meta: dict[str, Any], info: dict[str, str], source: dict = FULL) -> Check:
    """The metadata check of a PDF that embeds ``source`` and says ``meta`` (XMP) and ``info`` (document info)."""
    def set_info(pdf: pikepdf.Pdf) -> None:
        pdf.trailer.Info = pdf.make_indirect(Dictionary({f"/{k}": String(v) for k, v in info.items()}))

    return checks(_archive(tmp_path, source=json.dumps(source).encode(), extra_meta=meta, change=set_info))["metadata"]


def _quoted(value: str | list[str] | None) -> str:
    return "missing" if value is None else repr(", ".join(value) if isinstance(value, list) else value)


def test_metadata_that_says_what_the_source_says_passes(tmp_path: Path) -> None:
    assert _metadata_check(tmp_path, FULL_XMP, FULL_INFO) == Check(
        "metadata", True, "title, creators, claim, dates, language, keywords and verdict match the source")


def test_a_fact_check_with_only_a_title_needs_only_its_title_language_and_identifiers(tmp_path: Path) -> None:
    meta = {"dc:title": "Is it so?", "dc:language": ["en"], "dc:identifier": "is-it-so", "rk:factcheckId": "is-it-so",
            "xmpMM:DocumentID": f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'https://reportkit.invalid/factcheck/is-it-so')}"}
    assert _metadata_check(tmp_path, meta, {"Title": "Is it so?"}, SOURCE).ok
    assert _metadata_check(tmp_path, {**meta, "dc:publisher": ["Desk"]}, {"Title": "Is it so?", "Author": "Ann"},
                           SOURCE).message == (
        "the metadata does not match the embedded source: dc:publisher is 'Desk', the source says missing; "
        "document info Author is 'Ann', the XMP metadata says missing")


@pytest.mark.parametrize("name", list(FULL_XMP))
@pytest.mark.parametrize("edit", ["changed", "removed"])
def test_each_property_that_differs_from_the_source_is_named(tmp_path: Path, name: str, edit: str) -> None:
    want = FULL_XMP[name]
    have = None if edit == "removed" else (["Other"] if isinstance(want, list) else "Other")
    meta = {k: v for k, v in FULL_XMP.items() if k != name} | ({} if have is None else {name: have})
    problems = [f"{name} is {_quoted(have)}, the source says {_quoted(want)}"]
    if name in INFO_OF:  # the document info repeats the property: it now differs from the XMP metadata
        key = INFO_OF[name]
        problems.append(f"document info {key} is {_quoted(FULL_INFO[key])}, the XMP metadata says {_quoted(have)}")
    assert _metadata_check(tmp_path, meta, FULL_INFO) == Check(
        "metadata", False, "the metadata does not match the embedded source: " + "; ".join(problems))


@pytest.mark.parametrize("key", list(FULL_INFO))
def test_document_info_that_differs_from_the_xmp_metadata_is_named(tmp_path: Path, key: str) -> None:
    info = {**FULL_INFO, key: "Other"}
    assert _metadata_check(tmp_path, FULL_XMP, info).message == (
        f"the metadata does not match the embedded source: document info {key} is 'Other', the XMP metadata says "
        f"{_quoted(FULL_INFO[key])}")
    info.pop(key)
    assert _metadata_check(tmp_path, FULL_XMP, info).message == (
        f"the metadata does not match the embedded source: document info {key} is missing, the XMP metadata says "
        f"{_quoted(FULL_INFO[key])}")


def test_four_problems_are_shown_and_a_fifth_is_only_announced(tmp_path: Path) -> None:
    four = {**FULL_XMP, "rk:ratingOrder": "1", "rk:ratingScale": "S", "rk:ratingScaleSize": "3", "rk:claimant": "C"}
    shown = ("rk:ratingOrder is '1', the source says '2'; rk:ratingScale is 'S', the source says 'Two steps'; "
             "rk:ratingScaleSize is '3', the source says '2'; rk:claimant is 'C', the source says 'Mayor'")
    assert _metadata_check(tmp_path, four, FULL_INFO).message == (
        f"the metadata does not match the embedded source: {shown}")
    assert _metadata_check(tmp_path, four, {**FULL_INFO, "Title": "T"}).message == (
        f"the metadata does not match the embedded source: {shown}; ...")


@pytest.mark.parametrize("engine", ["weasyprint", "typst"])
def test_the_producer_names_the_recorded_versions(tmp_path: Path, engine: str) -> None:
    shown = "Typst 0.12.0" if engine == "typst" else "WeasyPrint 62.3"
    meta = {"rk:reportkitVersion": "9.9", "rk:pdfEngine": engine, "rk:typstVersion": "0.12.0",
            "rk:weasyprintVersion": "62.3", "pdf:Producer": f"reportkit 9.9 ({shown})", "xmp:CreatorTool": "reportkit 9.9"}

    def info(pdf: pikepdf.Pdf) -> None:
        pdf.trailer.Info = pdf.make_indirect(Dictionary(Producer=String(f"reportkit 9.9 ({shown})"),
                                                        Creator=String("reportkit 9.9")))

    assert checks(make(tmp_path, meta=meta, change=info))["producer"] == Check(
        "producer", True, f"made by reportkit 9.9 with {shown}")


def test_an_edited_producer_names_each_field_that_differs(tmp_path: Path) -> None:
    meta = {"rk:reportkitVersion": "9.9", "rk:weasyprintVersion": "62.3", "pdf:Producer": "Acrobat",
            "xmp:CreatorTool": "reportkit 9.9"}

    def info(pdf: pikepdf.Pdf) -> None:
        pdf.trailer.Info = pdf.make_indirect(Dictionary(Producer=String("reportkit 9.9 (WeasyPrint 62.3)")))

    assert checks(make(tmp_path, meta=meta, change=info))["producer"] == Check(
        "producer", False, "the producer was edited: pdf:Producer is 'Acrobat', the build writes "
        "'reportkit 9.9 (WeasyPrint 62.3)'; document info Creator is missing, the build writes 'reportkit 9.9'")


def test_an_edited_producer_shows_three_problems_with_the_values_found(tmp_path: Path) -> None:
    meta = {"rk:reportkitVersion": "9.9", "rk:weasyprintVersion": "62.3", "pdf:Producer": "Acrobat",
            "xmp:CreatorTool": "Word"}

    def info(pdf: pikepdf.Pdf) -> None:
        pdf.trailer.Info = pdf.make_indirect(Dictionary(Producer=String("Distiller"), Creator=String("Writer")))

    assert checks(make(tmp_path, meta=meta, change=info))["producer"] == Check(
        "producer", False, "the producer was edited: pdf:Producer is 'Acrobat', the build writes "
        "'reportkit 9.9 (WeasyPrint 62.3)'; xmp:CreatorTool is 'Word', the build writes 'reportkit 9.9'; document info "
        "Producer is 'Distiller', the build writes 'reportkit 9.9 (WeasyPrint 62.3)'")


# --- revisions -----------------------------------------------------------------------------------


def _update(path: Path) -> tuple[int, int]:
    """Append an empty incremental update to the PDF at ``path``; return where each revision ends."""
    data = path.read_bytes()
    first_end = len(data)
    previous = int(data[data.rindex(b"startxref") + 9:].split()[0])
    with pikepdf.open(path) as pdf:
        root = pdf.Root.objgen[0]
        size = len(pdf.objects) + 1
    update = (f"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size {size} /Root {root} 0 R /Prev {previous} >>\n"
              f"startxref\n").encode()
    xref_at = first_end
    path.write_bytes(data + update + f"{xref_at}\n%%EOF\n".encode())
    return first_end, path.stat().st_size


def test_revisions_are_found_through_the_prev_chain(tmp_path: Path) -> None:
    path = make(tmp_path)
    assert revisions(path.read_bytes()) == [path.stat().st_size]
    first, last = _update(path)
    assert revisions(path.read_bytes()) == [first, last]
    assert revisions(b"%PDF-1.7\nno cross-reference at all") == [len(b"%PDF-1.7\nno cross-reference at all")]


def test_an_update_after_the_build_that_is_no_signature_fails(tmp_path: Path) -> None:
    path = make(tmp_path)
    first, last = _update(path)
    assert checks(path)["revisions"] == Check(
        "revisions", False, f"the file was changed after the build: 1 incremental update(s) after the build "
        f"({last - first:,} bytes appended), and none is a signature's")
    assert checks(make(tmp_path, "one.pdf"))["revisions"] == Check(
        "revisions", True, "one revision: nothing was added after the build")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A throwaway CA and signer (tests/signutil.py), for signatures made here with pyHanko."""
    require_module("pyhanko")
    from signutil import make_pki

    return make_pki(tmp_path_factory.mktemp("pki"))


def _signed(pki: Any, data: bytes) -> bytes:
    """``data`` with a PAdES signature appended as an incremental update (no timestamp, no validation data)."""
    from reportkit.tools.sign import sign_bytes

    return sign_bytes(data, key=pki.path("key.pem"), cert=pki.path("cert.pem"), chain=[pki.path("ca.pem")])


def _revisions_check(tmp_path: Path, data: bytes) -> Check:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return checks(path)["revisions"]


def test_an_update_that_is_a_signature_passes(tmp_path: Path, pki: Any) -> None:
    built = make(tmp_path).read_bytes()
    signed = _signed(pki, built)
    assert _revisions_check(tmp_path, signed) == Check(
        "revisions", True, f"1 incremental update(s) after the build ({len(signed) - len(built):,} bytes appended): "
        "each is a signature's (the signature, its timestamp, validation data)")


def test_an_update_between_the_build_and_the_first_signature_is_named(tmp_path: Path, pki: Any) -> None:
    path = make(tmp_path)
    built, _ = _update(path)
    signed = _signed(pki, path.read_bytes())
    assert _revisions_check(tmp_path, signed) == Check(
        "revisions", False, f"2 incremental update(s) after the build ({len(signed) - built:,} bytes appended): "
        "1 update(s) between the build and the first signature are not a signature's")


def test_what_a_signature_finds_wrong_fails_the_revisions(tmp_path: Path, pki: Any) -> None:
    built = make(tmp_path).read_bytes()
    signed = _signed(pki, built)
    at = signed.index(b"\n%") + 2  # the binary comment after the header: signed, read by nothing
    changed = signed[:at] + bytes([signed[at] ^ 1]) + signed[at + 1:]
    assert _revisions_check(tmp_path, changed) == Check(
        "revisions", False, f"1 incremental update(s) after the build ({len(signed) - len(built):,} bytes appended): "
        "signature Signature1 does not match the bytes it signs: they were changed after signing")
    twice = _signed(pki, signed)
    assert _revisions_check(tmp_path, twice) == Check(
        "revisions", False, f"2 incremental update(s) after the build ({len(twice) - len(built):,} bytes appended): "
        "signature Signature1 does not cover the whole file: what was added after it is not validation data "
        "(form filling)")


def test_an_update_before_the_signature_is_named_before_what_the_signature_finds(tmp_path: Path, pki: Any) -> None:
    path = make(tmp_path)
    built, _ = _update(path)
    signed = _signed(pki, path.read_bytes())
    at = signed.index(b"\n%") + 2
    changed = signed[:at] + bytes([signed[at] ^ 1]) + signed[at + 1:]
    assert _revisions_check(tmp_path, changed).message == (
        f"2 incremental update(s) after the build ({len(signed) - built:,} bytes appended): 1 update(s) between the "
        "build and the first signature are not a signature's; signature Signature1 does not match the bytes it "
        "signs: they were changed after signing")


def test_a_signature_whose_data_cannot_be_read_fails_without_a_revision(tmp_path: Path, pki: Any) -> None:
    built = make(tmp_path).read_bytes()
    signed = _signed(pki, built)
    at = signed.index(b"/Contents <") + len(b"/Contents <")
    assert signed[at:at + 4] == b"3082"  # the DER sequence that holds the signature (CMS)
    damaged = signed[:at] + b"0000" + signed[at + 4:]
    path = tmp_path / "damaged.pdf"
    path.write_bytes(damaged)
    found = checks(path)
    assert found["revisions"] == Check(
        "revisions", False, f"1 incremental update(s) after the build ({len(signed) - len(built):,} bytes appended): "
        "signature Signature1 cannot be checked")
    assert found["signature Signature1"].ok is False
    assert found["signature Signature1"].message.startswith("the signature cannot be checked: ValueError: ")


def test_a_signed_file_without_pyhanko_is_undecided(tmp_path: Path, pki: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportkit.tools import sign

    built = make(tmp_path).read_bytes()
    signed = _signed(pki, built)
    monkeypatch.setattr(sign, "available", lambda: False)
    assert _revisions_check(tmp_path, signed) == Check(
        "revisions", False, f"1 incremental update(s) after the build ({len(signed) - len(built):,} bytes appended): "
        "the file is signed, and checking what a signature may add needs pyHanko (pip install reportkit[sign])",
        undecided=True)


# --- the result ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("found", "structural", "verdict", "ok"),
    [
        ([], False, "failed", False),
        ([Check("a", True, "")], False, "verified", True),
        ([Check("a", True, "")], True, "structural", True),
        ([Check("a", True, ""), Check("b", False, "", undecided=True)], False, "different environment", False),
        ([Check("a", False, ""), Check("b", False, "", undecided=True)], False, "failed", False),
    ],
)
def test_the_verdict_follows_from_the_checks(found: list[Check], structural: bool, verdict: str, ok: bool) -> None:
    result = Verification(Path("x.pdf"), checks=found, structural=structural)
    assert (result.verdict, result.ok) == (verdict, ok)
    assert result.failures == [c for c in found if not c.ok and not c.undecided]


def test_a_verification_as_json_holds_every_field() -> None:
    result = Verification(Path("x.pdf"), checks=[Check("a", True, "fine")], pages=2, pdfa="3a", pdfua="1",
                          needs=["weasyprint 1"], signatures=[{"field": "S"}], font_changes=["f.ttf"])
    assert result.to_dict() == {
        "file": "x.pdf", "ok": True, "verdict": "verified", "pages": 2, "pdfa": "3a", "pdfua": "1",
        "checks": [{"name": "a", "ok": True, "message": "fine", "undecided": False}], "needs": ["weasyprint 1"],
        "signatures": [{"field": "S"}], "font_changes": ["f.ttf"],
    }


# --- reading and writing what is embedded ---------------------------------------------------------


def test_read_archive_returns_metadata_info_and_files(tmp_path: Path) -> None:
    data = json.dumps(SOURCE).encode()
    archive = read_archive(_archive(tmp_path, source=data, checksum=hashlib.md5(data).digest(), size=len(data)))
    assert archive.metadata["rk:sourceSHA256"] == hashlib.sha256(data).hexdigest()
    source = archive.source
    assert source is not None and source.data == data
    assert (source.mime_type, source.relationship, source.associated) == ("application/json", "Source", True)
    assert (source.checksum, source.size) == (hashlib.md5(data).hexdigest(), len(data))


def test_something_that_is_no_pdf_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(b"GIF89a")
    with pytest.raises(rk.InputError) as caught:
        verify(path)
    assert caught.value.message == "is not a PDF file" and caught.value.file == str(path)


@pytest.mark.parametrize(
    ("name", "path"),
    [("claim.svg", "claim.svg"), ("my%20image.svg", "my image.svg"), ("claim.svg?v=2", "claim.svg"),
     ("sub/../claim.svg", "claim.svg"), ("img/a.png#x", "img/a.png"), ("../up.png", None), ("/etc/passwd", None),
     ("https://e.org/a.png", None), ("//host/a.png", None), ("a\\b.png", None), ("a\x00.png", None), ("", None),
     (".", None), ("c:a.png", None), ("a/c:b.png", None), ("%2e%2e/x.png", None), ("?only", None)],
)
def test_an_embedded_name_is_a_file_inside_the_folder_or_nothing(name: str, path: str | None) -> None:
    assert safe_name(name) == (PurePosixPath(path) if path else None)


def test_write_images_writes_each_image_once_where_its_reference_points(tmp_path: Path) -> None:
    def file(name: str, data: bytes) -> EmbeddedFile:
        return EmbeddedFile(name, data, "image/png", "Supplement", False, None, None)

    files = {"factcheck.json": file("factcheck.json", b"{}"), "img/a.png?v=1": file("img/a.png?v=1", b"one"),
             "img/a.png": file("img/a.png", b"two"), "../evil.png": file("../evil.png", b"x"),
             "notes.txt": file("notes.txt", b"t"), "B.SVG": file("B.SVG", b"<svg/>")}
    written = write_images(files, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == ["B.SVG", "img/a.png"]
    assert (tmp_path / "img" / "a.png").read_bytes() == b"two"  # sorted: 'img/a.png' comes before 'img/a.png?v=1'
    assert not (tmp_path.parent / "evil.png").exists()


# --- where a rebuild differs ---------------------------------------------------------------------------


def test_first_difference_names_the_pages_part_or_byte(tmp_path: Path) -> None:
    one = make(tmp_path, "one.pdf").read_bytes()
    two = make(tmp_path, "two.pdf", pages=2).read_bytes()
    assert first_difference(one, two) == "the file has 1 pages, the rebuild 2"
    assert first_difference(one, one) == f"byte {len(one):,}: every page and object reads the same, the bytes that store them differ"
    assert first_difference(b"%PDF-1.7 broken", b"%PDF-1.7 other").startswith(
        "byte 9 (the file cannot be read as PDF objects: ")

    def content(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].Contents = pdf.make_stream(b"0 0 m 10 10 l S")

    changed = make(tmp_path, "content.pdf", change=content).read_bytes()
    assert first_difference(one, changed).startswith("the content stream of page 1")

    def font(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].Resources = Dictionary(Font=Dictionary(F1=_font(pdf, "Serif", embedded=True)))

    assert first_difference(one, make(tmp_path, "font.pdf", change=font).read_bytes()) == (
        "the annotations (links) of page 1 (the rebuild has font Serif used on page 1 there)")


# --- the rebuild ---------------------------------------------------------------------------------------
# A Typst archival build takes a fraction of a second, so the rebuild is checked here on a real archive. Each
# change below keeps every byte offset (the XMP packet is stored uncompressed and keeps its length), so the
# cross-reference table still holds and only the property changed differs.

#: A source beyond a limit of 10*12 (text, words, image bytes) and beyond the default limit of a word's length (the
#: build raised it), with an embedded drawing and a web image (which the build draws as a placeholder).
REBUILT = {"title": "Is it so?", "sections": [
    {"heading": "One", "body": "word " * 30 + "x" * (rk.Limits().max_word_chars + 100) + "\n\n![A square](square.svg)"},
    {"heading": "Two", "body": "![A chart](https://example.org/chart.png)"},
]}
#: Not the default layout: a rebuild must use the one the archive records.
REBUILT_LAYOUT = "brief"


@pytest.fixture(scope="module")
def typst_archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An archival PDF of REBUILT set by Typst, as bytes."""
    require_module("typst")
    folder = tmp_path_factory.mktemp("rebuilt")
    (folder / "square.svg").write_bytes(SQUARE)
    limits = rk.Limits(max_word_chars=rk.Limits().max_word_chars * 2)
    check = rk.FactCheck.from_dict(REBUILT, base_dir=folder, unsafe_images="placeholder", limits=limits)
    with pytest.warns(rk.ReportkitWarning, match="chart.png"):
        return check.render("pdf", engine="typst", archival=True, layout=REBUILT_LAYOUT)


def xmp_edit(raw: bytes, old: bytes, new: bytes) -> bytes:
    """``raw`` with ``old`` (once, in the XMP packet) replaced by ``new``; the packet keeps its length: spaces are
    added before ``</x:xmpmeta>``, or taken from the indentation of the lines that follow."""
    assert raw.count(old) == 1, old
    start = raw.index(old)
    end = raw.index(b"</x:xmpmeta>", start)
    middle = raw[start:end].replace(old, new)
    grow = len(new) - len(old)
    middle = middle + b" " * -grow if grow < 0 else middle[: len(new)] + middle[len(new):].replace(b"\n ", b"\n", grow)
    assert len(middle) == end - start
    return raw[:start] + middle + raw[end:]


def recorded(raw: bytes, name: str) -> str:
    """The text of the simple XMP property ``name`` (``rk:layout``) as the build wrote it."""
    found = re.search(rb"<%s>([^<]*)</%s>" % (name.encode(), name.encode()), raw)
    assert found, name
    return found.group(1).decode()


def rebuilt(tmp_path: Path, data: bytes, **options: Any) -> tuple[Check, Verification]:
    path = tmp_path / "archive.pdf"
    path.write_bytes(data)
    result = verify(path, **options)
    return next(c for c in result.checks if c.name == "rebuild"), result


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def test_a_genuine_archive_rebuilds_to_the_same_bytes(tmp_path: Path, typst_archive: bytes) -> None:
    check, result = rebuilt(tmp_path, typst_archive)
    assert check == Check("rebuild", True, f"rebuilt from the embedded source: the same {len(typst_archive):,} bytes "
                                           f"(SHA-256 {_sha(typst_archive)}…)")
    assert (result.verdict, result.needs) == ("verified", [])


def test_the_rebuild_compares_the_first_revision_and_counts_the_bytes_after_it(tmp_path: Path,
                                                                             typst_archive: bytes) -> None:
    path = tmp_path / "archive.pdf"
    path.write_bytes(typst_archive)
    first, last = _update(path)
    check, _ = rebuilt(tmp_path, path.read_bytes())
    assert check == Check("rebuild", True, f"rebuilt from the embedded source: the same {first:,} bytes "
                                           f"(SHA-256 {_sha(typst_archive)}…); the {last - first:,} bytes after it "
                                           "are later revisions")


def test_a_changed_byte_that_no_object_holds_is_named_by_its_offset(tmp_path: Path, typst_archive: bytes) -> None:
    at = typst_archive.index(b"\n%") + 2  # the binary comment after the header
    changed = typst_archive[:at] + bytes([typst_archive[at] ^ 1]) + typst_archive[at + 1:]
    check, result = rebuilt(tmp_path, changed)
    assert check == Check("rebuild", False, f"the file differs from its rebuild: first at byte {at:,}: every page and "
                          "object reads the same, the bytes that store them differ (SHA-256 "
                          f"{_sha(changed)}… in the file, {_sha(typst_archive)}… rebuilt)")
    assert result.verdict == "failed"


def test_a_changed_page_size_is_named_by_its_page(tmp_path: Path, typst_archive: bytes) -> None:
    # The page dictionaries lie in compressed object streams: the page is changed through pikepdf, which writes
    # the whole file again (every other object reads as before).
    with pikepdf.open(io.BytesIO(typst_archive)) as pdf:
        assert "/ObjStm" in {str(o.get("/Type")) for o in pdf.objects if isinstance(o, pikepdf.Stream)}
        box = [float(value) for value in pdf.pages[0].MediaBox]
        pdf.pages[0].MediaBox = Array([box[0], box[1], box[2] + 1, box[3]])
        written = io.BytesIO()
        pdf.save(written)
    changed = written.getvalue()
    check, _ = rebuilt(tmp_path, changed)
    assert check.message == (f"the file differs from its rebuild: first at page 1 (SHA-256 {_sha(changed)}… in the "
                             f"file, {_sha(typst_archive)}… rebuilt)")


def test_without_a_recorded_page_size_the_rebuild_is_set_on_a4(tmp_path: Path, typst_archive: bytes) -> None:
    assert recorded(typst_archive, "rk:pageSize") == "A4"
    changed = xmp_edit(typst_archive, b"<rk:pageSize>A4</rk:pageSize>", b"")
    check, _ = rebuilt(tmp_path, changed)
    with pikepdf.open(tmp_path / "archive.pdf") as pdf:
        number = pdf.Root.Metadata.objgen[0]
    # A4 rebuilds every page: the XMP packet, with its property removed, is the first part that differs
    assert check.message == (f"the file differs from its rebuild: first at the XMP metadata (object {number}) "
                             f"(SHA-256 {_sha(changed)}… in the file, {_sha(typst_archive)}… rebuilt)")


@pytest.mark.parametrize("options", ["recorded", "not recorded (the defaults)"])
def test_a_source_that_does_not_build_says_why(tmp_path: Path, typst_archive: bytes, options: str) -> None:
    changed = xmp_edit(typst_archive, b"<rk:pageSize>A4<", b"<rk:pageSize>Z9<")
    if options != "recorded":
        written = recorded(typst_archive, "rk:buildOptions")
        changed = xmp_edit(changed, f"<rk:buildOptions>{written}</rk:buildOptions>".encode(), b"")
    check, _ = rebuilt(tmp_path, changed)
    assert check.ok is False and check.undecided is False
    assert check.message.startswith(f"the embedded source does not build: layout {REBUILT_LAYOUT!r} ")
    assert "'Z9'" in check.message


@pytest.mark.parametrize(("options", "reason"), [(b"[1, 2]", "not a mapping"),
                                                 (b"{nope", "Expecting property name enclosed in double quotes: line 1 "
                                                            "column 2 (char 1)")])
def test_build_options_that_cannot_be_read_fail_the_rebuild(tmp_path: Path, typst_archive: bytes, options: bytes,
                                                            reason: str) -> None:
    written = recorded(typst_archive, "rk:buildOptions").encode()
    check, _ = rebuilt(tmp_path, xmp_edit(typst_archive, b">" + written + b"<", b">" + options + b"<"))
    assert check == Check("rebuild", False, f"the recorded build options (rk:buildOptions) cannot be read: {reason}")


@pytest.mark.parametrize("name", ["rk:environment", "rk:layoutSHA256"])
def test_an_archive_that_does_not_record_what_a_rebuild_needs_is_undecided(tmp_path: Path, typst_archive: bytes,
                                                                           name: str) -> None:
    element = f"<{name}>{recorded(typst_archive, name)}</{name}>".encode()
    check, result = rebuilt(tmp_path, xmp_edit(typst_archive, element, b""))
    assert check == Check("rebuild", False, "the XMP metadata does not record what a rebuild needs (rk:environment, "
                          "rk:layoutSHA256): the file was made before reportkit recorded them, or they were removed",
                          undecided=True)
    assert result.needs == []


def _needs(tmp_path: Path, data: bytes, needs: list[str], **options: Any) -> Verification:
    check, result = rebuilt(tmp_path, data, **options)
    assert check == Check("rebuild", False, "different environment: cannot rebuild the file identically here, it "
                          "needs " + "; ".join(needs), undecided=True)
    assert result.needs == needs
    return result


def test_other_versions_are_what_a_rebuild_needs(tmp_path: Path, typst_archive: bytes) -> None:
    version = recorded(typst_archive, "rk:reportkitVersion")
    environment = recorded(typst_archive, "rk:environment")
    assert version == rk.__version__
    library, installed = environment.split(";")[0].split("=")
    other = installed + ".1"
    changed = xmp_edit(typst_archive, f"{library}={installed};".encode(), f"{library}={other};".encode())
    changed = xmp_edit(changed, f">{version}<".encode(), b">0.0.0-old<")
    _needs(tmp_path, changed, [f"reportkit 0.0.0-old (installed: {version})", f"{library} {other} (installed: {installed})"])
    element = f"<rk:reportkitVersion>{version}</rk:reportkitVersion>".encode()
    _needs(tmp_path, xmp_edit(typst_archive, element, b""), [f"reportkit (not recorded) (installed: {version})"])


def test_a_layout_that_is_missing_or_changed_is_what_a_rebuild_needs(tmp_path: Path, typst_archive: bytes) -> None:
    layout, digest = recorded(typst_archive, "rk:layout"), recorded(typst_archive, "rk:layoutSHA256")
    missing = "n" * len(layout)
    _needs(tmp_path, xmp_edit(typst_archive, f"<rk:layout>{layout}<".encode(), f"<rk:layout>{missing}<".encode()),
           [f"the layout {missing!r} (not found here: give --layout FOLDER)"])
    other = ("0" if digest[0] != "0" else "1") + digest[1:]
    _needs(tmp_path, xmp_edit(typst_archive, digest.encode(), other.encode()),
           [f"the layout {layout!r} as it was (SHA-256 {other[:16]}…; the one here is {digest[:16]}…)"])


def test_a_layout_given_for_the_rebuild_is_used_instead_of_the_recorded_one(tmp_path: Path,
                                                                           typst_archive: bytes) -> None:
    layout = recorded(typst_archive, "rk:layout")
    missing = "n" * len(layout)
    changed = xmp_edit(typst_archive, f"<rk:layout>{layout}<".encode(), f"<rk:layout>{missing}<".encode())
    check, _ = rebuilt(tmp_path, changed, layout=layout)
    assert check.ok is False and check.undecided is False
    assert check.message.startswith("the file differs from its rebuild: first at the XMP metadata")
    result = _needs(tmp_path, typst_archive, ["the layout 'nowhere' (not found here: give --layout FOLDER)"],
                    layout="nowhere")
    assert result.verdict == "different environment"


def test_font_files_missing_here_are_what_a_rebuild_needs(tmp_path: Path, typst_archive: bytes) -> None:
    fonts = b"<rk:fonts>Gone-Regular.ttf 00ff</rk:fonts>"
    changed = xmp_edit(typst_archive, b"<rk:imagesSHA256>", fonts + b"<rk:imagesSHA256>")
    _needs(tmp_path, changed, ["Gone-Regular.ttf is not installed here"])
