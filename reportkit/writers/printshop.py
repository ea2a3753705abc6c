"""What a print shop asks for: crop marks with bleed, and PDF/X-4 files that rebuild byte for byte.

Options (keyword arguments of :meth:`reportkit.FactCheck.render`, ``--print-marks`` and
``--pdf-x`` on the command line):

- ``print_marks=True`` adds crop and registration marks around every page and 3 mm of
  bleed (the PDF's ``TrimBox`` is the page size, its ``BleedBox`` 3 mm larger).
- ``pdf_x=True`` writes PDF/X-4 through WeasyPrint's ``pdf/x-4`` variant, with WeasyPrint's
  sRGB profile as the output intent (no CMYK characterisation ships with it). WeasyPrint
  stamps such files with a random XMP document ID and, without dates in the document,
  with the local time; here the dates come from the fact-check (``updated``, else
  ``published``, else ``SOURCE_DATE_EPOCH``) and the document ID from the file's content,
  so that the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Mapping
from typing import Any

__all__ = ["BLEED", "prepare_document", "print_css", "variant_options"]

#: Bleed added around the trimmed page with ``print_marks``.
BLEED = "3mm"
#: The date stamped on PDF/X files of a fact-check without any date (and no SOURCE_DATE_EPOCH).
FALLBACK_DATE = "2000-01-01T00:00:00+00:00"

_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def print_css(options: Mapping[str, Any]) -> str:
    """A stylesheet adding crop marks and bleed when ``print_marks`` is set ('' otherwise)."""
    if not options.get("print_marks"):
        return ""
    return f"@page {{ marks: crop cross; bleed: {BLEED}; }}"


def variant_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """WeasyPrint ``write_pdf`` options for PDF/X-4 when ``pdf_x`` is set (empty otherwise)."""
    if not options.get("pdf_x"):
        return {}
    # PDF/X needs an output intent. WeasyPrint ships only an sRGB profile; PDF/X-4 accepts an
    # RGB output intent (colours are left for the print shop's RIP to convert).
    return {"pdf_variant": "pdf/x-4", "pdf_version": "1.6", "output_intent": "srgb"}


def _fixed_date(date: str | None) -> str:
    if date:
        return f"{date}T00:00:00+00:00" if len(date) == 10 else date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).isoformat(timespec="seconds")
    return FALLBACK_DATE


def prepare_document(document: Any, options: Mapping[str, Any], date: str | None, seed: bytes) -> None:
    """Make a laid-out document's PDF/X metadata reproducible: fixed dates, a document ID derived from ``seed``.

    WeasyPrint otherwise writes the clock's time and a random XMP document ID (which
    also changes the second half of the PDF's ``/ID``, a hash of the file's objects).
    """
    if not options.get("pdf_x"):
        return
    metadata = document.metadata
    fixed = _fixed_date(date)
    metadata.created = metadata.created or fixed
    metadata.modified = metadata.modified or fixed
    stable = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, 'https://reportkit.invalid/pdf/' + seed.hex())}".encode()

    class StableMetadata(type(metadata)):  # type: ignore[misc]
        """The document's metadata, with the random document ID replaced by a stable one."""

        def generate_rdf_metadata(self, *args: Any, **kwargs: Any) -> bytes:
            return _DOCUMENT_ID.sub(stable, super().generate_rdf_metadata(*args, **kwargs))

    metadata.__class__ = StableMetadata
