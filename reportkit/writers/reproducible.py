"""Byte-identical rebuilds: build dates that never come from the clock, content-derived identifiers.

Every output of a build depends only on its inputs: the fact-check, its images, the
layout, the options and the versions of reportkit, WeasyPrint and the fonts. Dates
come from the fact-check (``updated``, else ``published``), else from the
``SOURCE_DATE_EPOCH`` environment variable (https://reproducible-builds.org/specs/source-date-epoch/),
else a fixed placeholder. The one clock reading left in the PDF toolchain, fontTools'
font timestamps, is pinned by :func:`reportkit.writers.pdf.fonttools.fixed_font_time`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: importing this module loads neither the model nor the resolver
    from ..document.model import Document
    from ..render.layouts import Layout
    from ..resolve.resolver import Resolved



__all__ = [
    "FALLBACK_DATE",
    "build_datetime",
    "content_digest",
    "input_files",
    "source_date_epoch",
]

#: The date of a build whose fact-check has no date and whose environment sets no ``SOURCE_DATE_EPOCH``.
FALLBACK_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)



def source_date_epoch() -> dt.datetime | None:
    """The time ``SOURCE_DATE_EPOCH`` sets (UTC), or ``None`` when it is unset or not a number."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.timezone.utc)


def build_datetime(doc: Document) -> dt.datetime:
    """The date a build of ``doc`` stands for (UTC): its own date, else ``SOURCE_DATE_EPOCH``, else a fixed one."""
    if doc.date:
        day = dt.date.fromisoformat(doc.date)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    return source_date_epoch() or FALLBACK_DATE


def content_digest(*parts: Any) -> str:
    """A SHA-256 hex digest of JSON-able ``parts`` (bytes are hashed first), the same on every machine."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            part = hashlib.sha256(part).hexdigest()
        digest.update(json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def input_files(resolved: Resolved, layout: Layout) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """What a build reads besides the text, as digests: (layout, file, SHA-256) of the chain, (name, SHA-256) of images."""
    layout_files = [
        (l.name, p.relative_to(l.path).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
        for l in layout.chain
        for p in sorted(l.path.rglob("*"))
        if p.is_file()
    ]
    assets = [(a.name, hashlib.sha256(a.data).hexdigest()) for a in resolved.assets.values()]
    return layout_files, assets


def options_key(options: Mapping[str, Any]) -> dict[str, Any]:
    """Build options as plain, sortable data (for identifiers and digests)."""
    return {str(k): v if isinstance(v, (str, int, float, bool, type(None))) else repr(v) for k, v in options.items()}
