"""The ClaimReview writer: the fact-check's schema.org ``ClaimReview`` as a JSON-LD file.

A web page publishes it in a ``<script type="application/ld+json">`` element; fact-check
databases read it as it is. Fields Google's markup documentation requires but the
fact-check does not give (its ``url``, a claimant) are reported as warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..render.claimreview import claimreview, claimreview_json, warn_missing
from ..render.layouts import Layout
from ..resolve.resolver import Resolved

__all__ = ["ClaimReviewWriter"]


class ClaimReviewWriter:
    """Writes ``<slug>.claimreview.json``."""

    suffix = ".claimreview.json"

    def render(
        self,
        resolved: Resolved,
        layout: Layout,
        *,
        page_size: str = "A4",
        options: Mapping[str, Any] | None = None,
    ) -> bytes:
        """The ClaimReview JSON-LD (UTF-8); the layout and page size play no part."""
        warn_missing(claimreview(resolved.doc), file=resolved.file)
        return claimreview_json(resolved.doc).encode("utf-8")
