"""The template context as JSON data for a layout's Typst templates.

The same :class:`~reportkit.render.renderer.Renderer` context feeds both PDF engines;
this module turns it into plain data: strings, numbers and the Markdown trees of
:mod:`.tree`. Messages are passed untranslated-and-translated (``messages``: English
message -> the document's language) so that templates fill their fields themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markdown_it.token import Token

from ....render.renderer import Renderer, short_reference
from ....resolve.citations import Ref
from .tree import Node, block_tree


def context_data(renderer: Renderer, image_paths: Mapping[str, str]) -> dict[str, Any]:
    """The renderer's context as plain data, what a Typst template reads: images by their path in the compile root."""
    ctx = renderer.context
    resolved = renderer.resolved
    doc = resolved.doc
    by_key = {source.key: source for source in doc.sources}
    figures: dict[str, int] = {}
    claim_image = next(
        (path for ref, path in image_paths.items() if resolved.assets[ref] == resolved.claim_image), None
    )

    def cite(ref: Ref) -> Node:
        short = short_reference(by_key[ref.key], ref.locator)
        return {"n": ref.number, "id": ref.id, "first": ref.first, "loc": ref.locator, "short": short}

    def image(token: Token, alone: bool) -> Node:
        src = str(token.attrs.get("src", ""))
        alt = "".join(c.content for c in token.children or ())
        node: Node = {
            "t": "figure" if alone else "image",
            "path": image_paths.get(src),
            "alt": alt,
            "caption": str(token.attrs.get("title") or ""),
            "credit": str(token.attrs.get("credit") or ""),
        }
        if alone:
            node["number"] = figures.setdefault(src, len(figures) + 1)
        return node

    def part(name: str, base: int = 2) -> list[Node]:
        found = resolved.part(name)
        return block_tree(found.tokens, cite, image, base) if found is not None else []

    rating = doc.rating
    translator = renderer.translator
    messages = {k: v for k, v in (translator.catalogue or {}).items() if isinstance(v, str)}
    data: dict[str, Any] = {
        "lang": ctx["lang"],
        "dir": ctx["dir"],
        "title": ctx["title"],
        "short_title": ctx["short_title"],
        "subtitle": doc.subtitle or "",
        "publisher": doc.publisher.name if doc.publisher else "",
        "authors": list(doc.authors),
        "editors": list(doc.editors),
        "tags": list(doc.tags),
        "published": ctx["published"],
        "updated": ctx["updated"],
        "date": ctx["date"],
        "page_size": ctx["page_size"],
        "excerpt": ctx["excerpt"],
        "options": _plain(ctx["options"]),
        "generator": ctx["generator"],
        "verdict": None,
        "claim": None,
        "summary": part("summary"),
        "sections": [],
        "corrections": [{"date": ctx["format_date"](c.date), "text": c.text} for c in ctx["corrections"]],
        "sources": [],
        "messages": messages,
    }
    if doc.verdict is not None:
        data["verdict"] = {
            "label": ctx["verdict_label"],
            "rating": None
            if rating is None
            else {
                "key": rating.key,
                "label": renderer.rating_label(rating),
                "colour": rating.colour,
                "text_colour": rating.text_colour,
                "shape": ctx["rating_shape"](rating),
            },
            "explanation": part("verdict.explanation", 1),
        }
    if doc.claim is not None:
        claim = doc.claim
        data["claim"] = {
            "text": claim.text,
            "claimant": claim.claimant or "",
            "date": ctx["format_date"](claim.date) if claim.date else "",
            "url": claim.url or "",
            "archived": claim.archived or "",
            "image": claim_image,
        }
    for view in ctx["sections"]:
        data["sections"].append(
            {
                "number": view.number,
                "heading": view.heading,
                "id": view.id,
                "blocks": part(f"sections[{view.number - 1}].body"),
                "notes": view.notes,
                "lead_notes": view.lead_notes,
                "has_more": view.has_more,
            }
        )
    for entry in ctx["sources"]:
        s = entry.source
        data["sources"].append(
            {
                "number": entry.number,
                "id": entry.id,
                "cited": entry.cited,
                "short": entry.short,
                "authors": list(s.authors),
                "title": s.title,
                "url": s.url or "",
                "container": s.container or "",
                "publisher": s.publisher or "",
                "published": s.published or "",
                "published_text": ctx["format_date"](s.published) if s.published else "",
                "accessed": ctx["format_date"](s.accessed) if s.accessed else "",
                "archived": s.archived or "",
                "note": s.note or "",
                "formatted": _text_of(entry.formatted) if entry.formatted else "",
                "backrefs": [{"label": b.label, "id": b.id} for b in entry.backrefs],
            }
        )
    return data


def _plain(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options as JSON values (anything else as its text)."""
    return {str(k): v if isinstance(v, (str, int, float, bool, type(None))) else str(v) for k, v in options.items()}


def _text_of(markup: str) -> str:
    """The text of a CSL-formatted entry's HTML."""
    from lxml import html

    return str(html.fromstring(f"<span>{markup}</span>").text_content())
