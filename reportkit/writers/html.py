"""The web writer: one self-contained, responsive HTML page from the layout's ``web/`` templates.

The page needs nothing else: its stylesheet is inlined, its images are ``data:``
URIs, and a Content-Security-Policy forbids it to fetch anything or run scripts.
Citations open their notes as pop-ups (the HTML ``popover`` attribute, no script);
the sources list links back to every citation. The verdict is in the page's head as
schema.org ``ClaimReview`` JSON-LD, for search engines and fact-check databases.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from ..errors import LayoutError
from ..render.layouts import Layout
from ..render.renderer import Medium, Renderer
from ..resolve.resolver import Asset, Resolved

__all__ = ["HtmlWriter", "data_uri"]


def data_uri(data: bytes, media_type: str) -> str:
    """A ``data:`` URI holding ``data``."""
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _medium(layout: Layout) -> Medium:
    def asset_url(asset: Asset) -> str:
        return data_uri(asset.data, asset.media_type)

    def layout_url(name: str) -> str:
        path = layout.find(f"web/{name}")
        return data_uri(path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream")

    return Medium(name="web", asset_url=asset_url, layout_url=layout_url)


class HtmlWriter:
    """Writes one self-contained HTML page."""

    suffix = ".html"

    def render(
        self,
        resolved: Resolved,
        layout: Layout,
        *,
        page_size: str = "A4",
        options: Mapping[str, Any] | None = None,
    ) -> bytes:
        """Render the page and return its UTF-8 bytes."""
        from ..render.claimreview import script_json

        renderer = Renderer(resolved, layout, _medium(layout), page_size=page_size, options=options)
        css_file = layout.find("web/web.css")
        css = css_file.read_text(encoding="utf-8")
        if "</style" in css.lower():
            raise LayoutError("a stylesheet must not contain '</style'", file=css_file)
        review = script_json(resolved.doc) if resolved.doc.verdict is not None else ""
        html = renderer.render("page.html", stylesheet=Markup(css), claimreview_json=Markup(review))
        return html.encode("utf-8")
