"""The resolved document as data for Typst templates: the template context as JSON, Markdown as a tree.

Nothing here is Typst markup: every string from the input stays a JSON string, and the
layout's templates turn it into text with Typst's ``text``/``str`` values, so ``#``,
``[``, ``$`` or ``<label>`` in a fact-check are characters, never code. No address from the
input can use the scheme of the templates' internal links (:func:`user_url`), so no input can
make a link that finishing would turn into one to a place in the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from markdown_it.token import Token

from ....errors import RenderError
from ....render.breaks import leads_in
from .finish import ANCHOR_SCHEME

Node = dict[str, Any]

#: Token types that open an inline container, and the node they make.
_INLINE_CONTAINERS = {"em_open": "em", "strong_open": "strong", "s_open": "strike", "link_open": "link"}


def user_url(url: str) -> str:
    """``url`` from the input, refused if it uses the scheme of the templates' internal links.

    The resolver keeps only http(s) and mailto links and the model only http(s) addresses, so
    this never fires for a resolved document; it guards the boundary that finishing trusts.
    """
    if url.strip().lower().startswith(ANCHOR_SCHEME):
        raise RenderError(
            f"the address {url[:80]!r} uses the scheme reserved for links inside the document",
            hint="link to a web address (http:// or https://)",
        )
    return url


def inline_tree(tokens: Sequence[Token], cite: Callable[[Any], Node], image: Callable[[Token, bool], Node]) -> list[Node]:
    """markdown-it inline children as nested nodes: text, em, strong, strike, link, code, cite, image, breaks."""
    root: list[Node] = []
    stack: list[list[Node]] = [root]
    alone = sum(1 for t in tokens if not (t.type == "text" and not t.content.strip())) == 1
    for index, token in enumerate(tokens):
        out = stack[-1]
        kind = token.type
        if kind == "text":
            content = token.content
            if index + 1 < len(tokens) and tokens[index + 1].type == "citation":
                content = content.rstrip(" ")  # a note call sits against its word, as in print
            if content:
                out.append({"t": "text", "v": content})
        elif kind in _INLINE_CONTAINERS:
            node: Node = {"t": _INLINE_CONTAINERS[kind], "c": []}
            if kind == "link_open":
                node["url"] = user_url(str(token.attrs.get("href", "")))
            out.append(node)
            stack.append(node["c"])
        elif kind.endswith("_close") and len(stack) > 1:
            stack.pop()
        elif kind == "code_inline":
            out.append({"t": "code", "v": token.content})
        elif kind == "softbreak":
            out.append({"t": "space"})
        elif kind == "hardbreak":
            out.append({"t": "linebreak"})
        elif kind == "citation":
            out.append({"t": "cite", "refs": [cite(ref) for ref in token.meta["refs"]]})
        elif kind == "image":
            out.append(image(token, alone))
        elif token.content:
            out.append({"t": "text", "v": token.content})
    return root


def block_tree(
    tokens: Sequence[Token], cite: Callable[[Any], Node], image: Callable[[Token, bool], Node], base: int = 2
) -> list[Node]:
    """markdown-it block tokens as nodes: par, heading, list, quote, table, code, rule, figure.

    Headings sit under the heading the part is shown with (``base``), never skipping a level.
    """
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    top, last = min(levels, default=1), base
    root: list[Node] = []
    stack: list[Node | list[Node]] = []
    in_head = False

    def children() -> list[Node]:
        holder = stack[-1] if stack else root
        return holder if isinstance(holder, list) else holder["c"]

    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "inline":
            continue
        if kind in ("paragraph_open", "heading_open"):
            inline = tokens[index + 1]
            content = inline_tree(inline.children or [], cite, image)
            if kind == "heading_open":
                wanted = base + 1 + int(token.tag[1]) - top
                last = max(base + 1, min(wanted, last + 1, 6))
                children().append({"t": "heading", "level": last, "c": content})
            elif len(content) == 1 and content[0]["t"] == "figure":
                children().append(content[0])
            else:
                notes = [r["n"] for c in content if c["t"] == "cite" for r in c["refs"] if r["first"]]
                paragraph: Node = {"t": "par", "c": content, "notes": notes}
                if leads_in(tokens, index):
                    paragraph["lead"] = True  # kept on the page of what it introduces (render.breaks)
                children().append(paragraph)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            node: Node = {"t": "list", "ordered": kind == "ordered_list_open", "items": []}
            if kind == "ordered_list_open":
                node["start"] = int(token.attrs.get("start", 1) or 1)
            children().append(node)
            stack.append(node)
        elif kind == "list_item_open":
            item: list[Node] = []
            holder = stack[-1]
            assert isinstance(holder, dict)
            holder["items"].append(item)
            stack.append(item)
        elif kind == "blockquote_open":
            node = {"t": "quote", "c": []}
            children().append(node)
            stack.append(node)
        elif kind in ("bullet_list_close", "ordered_list_close", "list_item_close", "blockquote_close"):
            stack.pop()
        elif kind == "table_open":
            node = {"t": "table", "head": [], "rows": [], "align": []}
            children().append(node)
            stack.append(node)
        elif kind == "table_close":
            stack.pop()
        elif kind in ("thead_open", "thead_close"):
            in_head = kind == "thead_open"
        elif kind == "tr_open":
            holder = stack[-1]
            assert isinstance(holder, dict)
            holder["head" if in_head else "rows"].append([])
        elif kind in ("th_open", "td_open"):
            holder = stack[-1]
            assert isinstance(holder, dict)
            row = holder["head" if in_head else "rows"][-1]
            if in_head:
                match = re.search(r"text-align:(\w+)", str(token.attrs.get("style", "")))
                holder["align"].append(match.group(1) if match else "start")
            row.append(inline_tree(tokens[index + 1].children or [], cite, image))
        elif kind in ("fence", "code_block"):
            children().append({"t": "code", "v": token.content})
        elif kind == "hr":
            children().append({"t": "rule"})
    return root

