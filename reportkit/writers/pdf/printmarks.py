"""What a print shop asks for: crop marks with bleed, and PDF/X-4 files that rebuild byte for byte.

Options (keyword arguments of :meth:`reportkit.FactCheck.render`, ``--print-marks`` and
``--pdf-x`` on the command line):

- ``print_marks=True`` adds crop and registration marks around every page and 3 mm of
  bleed (the PDF's ``TrimBox`` is the page size, its ``BleedBox`` 3 mm larger).
- ``pdf_x=True`` writes PDF/X-4 through WeasyPrint's ``pdf/x-4`` variant, with WeasyPrint's
  sRGB profile as the output intent (no CMYK characterisation ships with it). WeasyPrint
  stamps such files with a random XMP document ID and the local time; reportkit's metadata
  finisher (:mod:`reportkit.writers.pdf.archival`) replaces both, for every PDF: dates come from the
  fact-check (``updated``, else ``published``, else ``SOURCE_DATE_EPOCH``) and identifiers
  from its content, so that the same input gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["BLEED", "print_css", "variant_options"]

#: Bleed added around the trimmed page with ``print_marks``.
BLEED = "3mm"


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
