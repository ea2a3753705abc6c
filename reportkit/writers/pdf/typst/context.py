"""The template context as JSON data for a layout's Typst templates.

The same :class:`~reportkit.render.renderer.Renderer` context feeds both PDF engines;
this module turns it into plain data: strings, numbers and the Markdown trees of
:mod:`.tree`. Messages travel as the document language's catalogue (``messages``: English
message -> translation, with fields such as ``{date}`` left for the template to fill).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markdown_it.token import Token

from ....render.renderer import Renderer, short_reference
from ....resolve.citations import Ref
from .tree import Node, block_tree, user_url


#: Every key of the data a Typst template reads (``data`` in report.typ), with what it holds: the
#: template context (:data:`reportkit.render.renderer.CONTEXT`) as plain data. Markdown parts are
#: lists of block nodes: ``{"t": "par", "c": inline, "notes": [n...]}``, ``heading`` (``level``, ``c``),
#: ``list`` (``ordered``, ``start``, ``items``: lists of blocks), ``quote`` (``c``), ``table`` (``head``,
#: ``rows``: rows of cells of inline nodes, ``align``), ``figure`` (``path``, ``alt``, ``caption``,
#: ``credit``, ``number``), ``code`` (``v``), ``rule``; inline nodes: ``text``/``code`` (``v``), ``space``,
#: ``linebreak``, ``em``/``strong``/``strike`` (``c``), ``link`` (``url``, ``c``), ``image`` (as a figure,
#: no number), ``cite`` (``refs``: ``n``, ``id``, ``first``, ``loc``, ``short``).
DATA: dict[str, str] = {
    "lang": "the document's BCP 47 language tag",
    "dir": "text direction: 'ltr' or 'rtl'",
    "title": "the question or title",
    "short_title": "the title cut to about 60 characters, for running heads",
    "subtitle": "the subtitle, or ''",
    "publisher": "the publisher's name, or ''",
    "authors": "the authors' names",
    "editors": "the editors' names",
    "tags": "the tags",
    "published": "publication date formatted for the language, or ''",
    "updated": "update date formatted for the language, or ''",
    "date": "the date that stands for this version, ISO 8601, or ''",
    "page_size": "'A4', 'Letter' or 'A5'",
    "excerpt": "true when sections hold only their leads (the brief)",
    "options": "the layout's options merged with the build's (fit: the copyfitting step being tried)",
    "generator": "'reportkit' and its version",
    "verdict": "label, rating (key, label, colour, text_colour, shape) or none, explanation (blocks); or none",
    "claim": "text, claimant, date, url, archived, image (its path in the compile root, or none), image_alt; or none",
    "summary": "the summary (blocks)",
    "sections": "number, heading, id, blocks, notes, lead_notes, has_more",
    "corrections": "date (formatted), text; oldest first",
    "sources": "number, id, cited, short, authors, title, url, container, publisher, published, published_text, "
    "accessed, archived, note, formatted (a CSL style's entry as text), backrefs (label, id)",
    "messages": "the layouts' messages in the document's language (English message -> translation)",
    "breaks": "numbers of footnotes that drifted off their call's page: the blocks calling them start a page",
}


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

    shorts: dict[tuple[str, str | None], str] = {}  # a source is cited with the same locator many times

    def cite(ref: Ref) -> Node:
        short = shorts.get((ref.key, ref.locator))
        if short is None:
            short = shorts[ref.key, ref.locator] = short_reference(by_key[ref.key], ref.locator)
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

    explanation = part("verdict.explanation", 1)  # figures are numbered in the order the renderer renders
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
        "breaks": [],
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
            "explanation": explanation,
        }
    if doc.claim is not None:
        claim = doc.claim
        data["claim"] = {
            "text": claim.text,
            "claimant": claim.claimant or "",
            "date": ctx["format_date"](claim.date) if claim.date else "",
            "url": user_url(claim.url or ""),
            "archived": user_url(claim.archived or ""),
            "image": claim_image,
            "image_alt": ctx["claim_image_alt"],
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
                "url": user_url(s.url or ""),
                "container": s.container or "",
                "publisher": s.publisher or "",
                "published": s.published or "",
                "published_text": ctx["format_date"](s.published) if s.published else "",
                "accessed": ctx["format_date"](s.accessed) if s.accessed else "",
                "archived": user_url(s.archived or ""),
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
