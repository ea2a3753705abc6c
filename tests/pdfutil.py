"""Reading PDFs back: text per page, links, footnote placement (pypdf)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

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
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (it puts right-to-left runs in reading order, honours /ActualText)."""
    from conftest import missing

    tool = shutil.which("pdftotext")
    if tool is None:
        missing("pdftotext", "apt-get install poppler-utils")
    return subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode("utf-8")
