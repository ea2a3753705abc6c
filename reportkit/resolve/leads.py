"""Leads of sections: the first paragraph of each, and a document cut down to them.

A brief shows every section's heading with its first paragraph (its *lead*).
:func:`blocks` splits a parsed Markdown text into its top-level blocks,
:func:`lead` picks the lead among them, and :func:`excerpt` makes a
:class:`~reportkit.resolve.resolver.Resolved` whose sections hold only their leads, with
the sources numbered again in the order the excerpt cites them, so that
footnotes, back-references and the source list stay consistent.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence

from markdown_it.token import Token

from .citations import Part, number_citations
from .resolver import Resolved

__all__ = ["blocks", "excerpt", "has_more", "lead"]


def blocks(tokens: Sequence[Token]) -> list[list[Token]]:
    """The top-level blocks of a parsed text (a paragraph, a list, a table...), each as its tokens."""
    found: list[list[Token]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.nesting == 1:
            depth, end = 0, index
            for end in range(index, len(tokens)):
                depth += tokens[end].nesting
                if depth == 0:
                    break
            found.append(list(tokens[index : end + 1]))
            index = end + 1
        else:
            found.append([token])
            index += 1
    return found


def _is_text_paragraph(block: list[Token]) -> bool:
    if block[0].type != "paragraph_open" or len(block) < 2:
        return False
    children = [c for c in block[1].children or () if not (c.type == "text" and not c.content.strip())]
    return not (len(children) == 1 and children[0].type == "image")


def _ends_with_colon(block: list[Token]) -> bool:
    return block[0].type == "paragraph_open" and block[1].content.rstrip().endswith(":")


def _lead_blocks(tokens: Sequence[Token]) -> tuple[list[list[Token]], int]:
    found = blocks(tokens)
    for index, block in enumerate(found):
        if _is_text_paragraph(block):
            chosen = [block]
            # A paragraph that announces what follows ("Article 10 reads:") keeps it.
            if _ends_with_colon(block) and index + 1 < len(found):
                chosen.append(found[index + 1])
            return chosen, len(found)
    return found[:1], len(found)


def lead(tokens: Sequence[Token]) -> list[Token]:
    """The lead of a section: its first paragraph of text (not a figure), else its first block.

    A lead that ends with a colon announces what follows, so the next block (a
    quotation, a list) comes with it.
    """
    chosen, _ = _lead_blocks(tokens)
    return [token for block in chosen for token in block]


def has_more(tokens: Sequence[Token]) -> bool:
    """Whether a section has more than its lead."""
    chosen, total = _lead_blocks(tokens)
    return total > len(chosen)


def _is_section(name: str) -> bool:
    return name.startswith("sections[")


def excerpt(resolved: Resolved) -> Resolved:
    """``resolved`` with each section cut to its lead and the sources numbered again for what remains."""
    parts = []
    for part in resolved.parts:
        tokens = copy.deepcopy(part.tokens)
        if _is_section(part.name):
            tokens = lead(tokens)
        parts.append(Part(name=part.name, title=part.title, tokens=tokens, line=part.line))
    citations = number_citations(parts, resolved.doc.sources)
    return dataclasses.replace(resolved, parts=parts, citations=citations)
