"""Number sources in order of first citation and link every citation to its note and back.

Pure: it reads parsed Markdown tokens and the source list, and returns a
:class:`Citations` table. Every citation token gets ``meta["refs"]``, the
:class:`Ref` values the renderers draw; nothing is rendered here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from ..errors import CitationError
from ..input.markdown import CITATION_HINT, CiteItem
from ..document.model import Source

__all__ = ["Citations", "Part", "Ref", "number_citations"]


@dataclass(frozen=True)
class Part:
    """A Markdown text of the document, parsed: ``name`` is its field path, ``title`` what readers call it."""

    name: str
    title: str
    tokens: list[Token]
    line: int | None = None


@dataclass(frozen=True)
class Ref:
    """One source cited at one place.

    ``id`` is unique in the document and stands on the citation itself, so page
    references (``target-counter``) and back-links find the call, not the note.
    ``first`` is true for the source's first citation, which carries its footnote.
    """

    number: int
    key: str
    locator: str | None
    id: str
    first: bool
    part: str


@dataclass
class Citations:
    """The numbering of a document's sources and every place each is cited."""

    #: Cited sources, in order of first citation; a source's number is its index + 1.
    cited: list[Source] = field(default_factory=list)
    #: Sources that are never cited, in input order.
    uncited: list[Source] = field(default_factory=list)
    #: Every citation of each source key, in document order.
    refs: dict[str, list[Ref]] = field(default_factory=dict)


def iter_citations(tokens: Sequence[Token]) -> Iterator[tuple[Token, Token]]:
    """Yield ``(block, citation)`` pairs: each citation token and the inline block holding it."""
    for block in tokens:
        for child in block.children or ():
            if child.type == "citation":
                yield block, child


def number_citations(parts: Sequence[Part], sources: Sequence[Source]) -> Citations:
    """Number the sources by first citation across ``parts`` (in reading order).

    Raises :class:`CitationError` for a malformed citation or an unknown key, naming
    the part, its line and the closest known keys.
    """
    by_key = {source.key: source for source in sources}
    table = Citations()
    counts: dict[str, int] = {}
    for part in parts:
        for block, token in iter_citations(part.tokens):
            line = _line(part, block)
            if token.meta.get("error"):
                raise CitationError(
                    f"{token.meta['error']} in {part.title}", field=part.name, line=line, hint=CITATION_HINT
                )
            refs = []
            for item in token.meta["items"]:
                refs.append(_cite(table, by_key, counts, item, part, line))
            token.meta["refs"] = refs
    table.uncited = [source for source in sources if source.key not in table.refs]
    return table


def _cite(
    table: Citations,
    by_key: dict[str, Source],
    counts: dict[str, int],
    item: CiteItem,
    part: Part,
    line: int | None,
) -> Ref:
    source = by_key.get(item.key)
    if source is None:
        close = difflib.get_close_matches(item.key, list(by_key), n=3, cutoff=0.5)
        if close:
            hint = "did you mean " + " or ".join(repr(k) for k in close) + "?"
        elif by_key:
            hint = "known keys: " + ", ".join(sorted(by_key)[:8])
        else:
            hint = "add the source under 'sources:'"
        raise CitationError(
            f"unknown source key {item.key!r} cited in {part.title}", field=part.name, line=line, hint=hint
        )
    first = item.key not in table.refs
    if first:
        table.cited.append(source)
        table.refs[item.key] = []
    number = len(table.cited) if first else table.refs[item.key][0].number
    counts[item.key] = counts.get(item.key, 0) + 1
    ref = Ref(
        number=number,
        key=item.key,
        locator=item.locator,
        id=f"cite-{number}-{counts[item.key]}",
        first=first,
        part=part.name,
    )
    table.refs[item.key].append(ref)
    return ref


def _line(part: Part, block: Token) -> int | None:
    if part.line is None or not block.map:
        return None
    return part.line + block.map[0]
