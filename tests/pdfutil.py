"""Reading PDFs back: text per page, links, footnote placement (pypdf)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from pypdf import PdfReader


def squash(text: str) -> str:
    """Letters and digits only, lowercased: compares text across line breaks and hyphenation."""
    return re.sub(r"[\W_]+", "", text).lower()


@lru_cache(maxsize=64)
def reader(path: Path) -> PdfReader:
    return PdfReader(path)


@lru_cache(maxsize=64)
def page_texts(path: Path) -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in reader(path).pages)


def internal_links(path: Path) -> list[tuple[int, str]]:
    """(page index, destination name) of every internal link, in page order."""
    found = []
    for index, page in enumerate(reader(path).pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if annot.get("/Subtype") == "/Link" and dest is not None:
                found.append((index, str(dest)))
    return found


def external_links(path: Path) -> list[tuple[int, str, list[float]]]:
    """(page index, URI, rectangle) of every web link."""
    found = []
    for index, page in enumerate(reader(path).pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            action = annot.get("/A") or {}
            if action.get("/S") == "/URI":
                found.append((index, str(action["/URI"]), [float(v) for v in annot["/Rect"]]))
    return found


def first_call_pages(path: Path) -> dict[int, int]:
    """Source number -> page index of its first citation (the first link to ``src-N``)."""
    pages: dict[int, int] = {}
    for index, dest in internal_links(path):
        match = re.fullmatch(r"src-(\d+)", dest)
        if match:
            pages.setdefault(int(match.group(1)), index)
    return pages


def pages_containing(path: Path, text: str) -> list[int]:
    """Indexes of the pages whose text contains ``text`` (compared with :func:`squash`)."""
    needle = squash(text)
    return [i for i, t in enumerate(page_texts(path)) if needle in squash(t)]


def font_names(pdf: bytes) -> set[str]:
    """Base names of the fonts a PDF embeds, without subset prefixes."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            if "/BaseFont" in font:  # a Type 3 font (colour emoji drawn as images) has none
                names.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return names


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (it puts right-to-left runs in reading order, honours /ActualText)."""
    from conftest import missing

    tool = shutil.which("pdftotext")
    if tool is None:
        missing("pdftotext", "apt-get install poppler-utils")
    return subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode("utf-8")


def _unicode_cids(to_unicode: bytes, char: str) -> set[int]:
    """The CIDs a ToUnicode CMap maps to ``char`` (its ``bfchar`` entries and ``bfrange`` starts)."""
    wanted = char.encode("utf-16-be").hex().upper()
    found = set()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", to_unicode, re.S):
        for cid, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            if text.decode().upper() == wanted:
                found.add(int(cid, 16))
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", to_unicode, re.S):
        for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            offset = int(wanted, 16) - int(start, 16)
            if 0 <= offset <= int(high, 16) - int(low, 16):
                found.add(int(low, 16) + offset)
    return found


def ink_centres(pdf: bytes, char: str) -> list[float]:
    """Where the ink of each glyph drawn for ``char`` lies across the glyph's advance (0: left edge, 1: right edge).

    Read from the CID fonts the PDF embeds (their ToUnicode maps, their CFF outlines, their
    widths): tells a full-width comma set at the foot of its em (Simplified Chinese, Japanese)
    from one set in its centre (Traditional Chinese).
    """
    import pikepdf
    from fontTools.cffLib import CFFFontSet
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    centres = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        fonts = {}
        for page in document.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                fonts[font.objgen] = font
        for font in fonts.values():
            if font.get("/Subtype") != "/Type0" or "/ToUnicode" not in font:
                continue
            cids = _unicode_cids(font.ToUnicode.read_bytes(), char)
            if not cids:
                continue
            cid_font = font.DescendantFonts[0]
            program = cid_font.FontDescriptor.get("/FontFile3")
            if program is None:
                continue
            data = program.read_bytes()
            if program.get("/Subtype") == "/OpenType":
                cff = TTFont(io.BytesIO(data))["CFF "].cff
            else:
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(data), None)
            top = cff[cff.fontNames[0]]
            charset = top.charset
            widths = _cid_widths(cid_font)
            for cid in cids:
                name = f"cid{cid:05d}" if f"cid{cid:05d}" in top.CharStrings else charset[cid]
                pen = BoundsPen(top.CharStrings)
                top.CharStrings[name].draw(pen)
                if pen.bounds is not None:
                    advance = widths.get(cid, float(cid_font.get("/DW", 1000)))
                    centres.append((pen.bounds[0] + pen.bounds[2]) / 2 / advance)
    return centres


def _cid_widths(cid_font: Any) -> dict[int, float]:
    """The widths of a CID font's ``/W`` array (a pikepdf dictionary), by CID (1/1000 of the text size)."""
    import pikepdf

    widths: dict[int, float] = {}
    items = list(cid_font.get("/W", []))
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):  # first [w1 w2 ...]
            widths.update({first + offset: float(width) for offset, width in enumerate(items[i + 1])})
            i += 2
        else:  # first last w
            widths.update({cid: float(items[i + 2]) for cid in range(first, int(items[i + 1]) + 1)})
            i += 3
    return widths


def page_lines(pdf: bytes, page: int = 1) -> list[str]:
    """The text lines of page ``page`` (from 1) in reading order, as poppler's ``pdftotext -bbox-layout`` finds
    them (words of a line joined by spaces)."""
    from xml.etree import ElementTree

    from conftest import require_tool

    tool = require_tool("pdftotext")
    done = subprocess.run([tool, "-f", str(page), "-l", str(page), "-bbox-layout", "-", "-"], input=pdf,
                          capture_output=True, check=True)
    root = ElementTree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", done.stdout))
    return [" ".join(word.text or "" for word in line.iter() if word.tag.endswith("word"))
            for line in root.iter() if line.tag.endswith("line")]


def lines_of(lines: list[str], text: str) -> list[str]:
    """The consecutive ``lines`` that together hold exactly ``text`` (compared :func:`squash`-ed); [] if none do."""
    wanted = squash(text)
    for start in range(len(lines)):
        joined = ""
        for end in range(start, len(lines)):
            joined += squash(lines[end])
            if joined == wanted:
                return lines[start : end + 1]
            if not wanted.startswith(joined):
                break
    return []
