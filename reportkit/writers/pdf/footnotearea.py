"""The footnote area laid out in time linear in its notes: WeasyPrint 70 lays every note out again for each one added.

Each time a line carrying a footnote call is placed, WeasyPrint 70 adds the note to the page's
footnote area and lays the whole area out again (``LayoutContext._update_footnote_area``, also
run when a note is moved to the next page or taken back), to learn its new height: a page with
``n`` notes lays out ``n (n + 1) / 2`` notes where ``n`` would do (and ``n`` more for the area
drawn). On the dense dossiers that was the part of the layout whose cost per page grew most with
the document (the 16x carries 6.0 notes a page, the 1x 4.3): 2.5x per page from 1x to 16x, nearly
a third of the render at 16x (Kozea/WeasyPrint#578, "Performance issue on long documents", open;
WeasyPrint #2432 describes the footnote algorithm).

Notes are added at the end of the area, so the notes already there are laid out at the same place,
in the same containing block, after the same siblings as the time before: the same layout. The
patch remembers, for the footnote area of the page being laid out, each note's laid-out box with
everything its layout was given (position, collapsed margins, containing block's width and height,
whether the page is empty, the page number, forced break, columns, and the page's floats, which
could push a note's lines aside: their places, sizes and sides), and gives back a copy when all of
it is the same again. Only the area's trial layouts (to measure its height) use it; the area that
goes on the page is laid out as WeasyPrint does. A note is not remembered when its layout changed
anything outside its own box (out-of-flow boxes, floats, footnotes, a break inside).

Two hunks, in ``LayoutContext._update_footnote_area`` (mark the area's notes) and in
``weasyprint.layout.block._in_flow_layout`` (lay a marked note out through :func:`note_layout`).
Applied by :func:`install`, all or none, only when WeasyPrint is :data:`WEASYPRINT_VERSION` and both
functions' sources have the SHA-256 the hunks were written against; otherwise WeasyPrint is left
as it is (slower, no less right). :func:`upstream_diff` prints the change as patches of
WeasyPrint's files; upstream, the memo would be an attribute of the footnote area box.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import Any

import weasyprint
from weasyprint import layout as weasyprint_layout
from weasyprint.layout import block

from .pinning import compile_patched, source_matches
from .pinning import upstream_diff as diff

__all__ = [
    "PATCHES",
    "WEASYPRINT_VERSION",
    "applies",
    "install",
    "installed",
    "mark_notes",
    "note_layout",
    "original_source",
    "uninstall",
    "upstream_diff",
]

#: The WeasyPrint version the patch was written against.
WEASYPRINT_VERSION = "70.0"

#: Attribute of the layout context holding the page's footnote area and its memo, and of a note's copy naming the note.
_MEMO = "_reportkit_note_layouts"
_MARK = "_reportkit_note"


def mark_notes(context: Any, area: Any) -> None:
    """Mark the children of ``area`` (a copy of the page's footnote area) with the notes they copy.

    The memo is the context's, for the page's footnote area alone: a new page's area starts a new
    one, and the old one goes (the pages drawn keep none of it).
    """
    notes = context.current_page_footnotes
    if len(area.children) != len(notes):
        return  # anonymous boxes were made around them: leave them unmarked
    kept = context.__dict__.get(_MEMO)
    if kept is None or kept[0] is not context.current_footnote_area:
        context.__dict__[_MEMO] = (context.current_footnote_area, {})
    for child, note in zip(area.children, notes):
        if type(child) is type(note) and child.style is note.style:
            child.__dict__[_MARK] = note


def _outside(context: Any, absolute_boxes: list[Any], fixed_boxes: list[Any]) -> tuple[int, ...]:
    """What a note's layout could change outside its own box: the lengths of the context's lists it would grow."""
    return (
        len(absolute_boxes), len(fixed_boxes), len(context.excluded_shapes), len(context.broken_out_of_flow),
        len(context.footnotes), len(context.current_page_footnotes), len(context.reported_footnotes),
    )


def _floats(context: Any) -> tuple[Any, ...]:
    """The floats a note's lines could be pushed aside by or cleared under: each one's place, size and side."""
    return (
        tuple(
            (id(shape), shape.position_x, shape.position_y, shape.width, shape.height, shape.margin_width(),
             shape.margin_height(), shape.style["float"])
            for shape in context.excluded_shapes
        ),
        tuple(map(id, context.broken_out_of_flow)),
    )


def note_layout(
    layout: Callable[..., Any], context: Any, box: Any, bottom_space: float, skip_stack: Any, containing_block: Any,
    page_is_empty: bool, absolute_boxes: list[Any], fixed_boxes: list[Any], adjoining_margins: list[float],
    first_letter_style: Any, first_line_style: Any, discard: bool, max_lines: int | None,
) -> tuple[Any, ...]:
    """``layout`` (``block_level_layout``) of ``box``, or a copy of the same note's layout given the same arguments."""
    arguments = (
        context, box, bottom_space, skip_stack, containing_block, page_is_empty, absolute_boxes, fixed_boxes,
        adjoining_margins, first_letter_style, first_line_style, discard, max_lines,
    )
    note = box.__dict__.get(_MARK)
    kept = context.__dict__.get(_MEMO)
    if (
        note is None or kept is None or kept[0] is not context.current_footnote_area
        or bottom_space != -math.inf or skip_stack is not None
        or first_letter_style is not None or first_line_style is not None
    ):
        return layout(*arguments)
    memo = kept[1]
    key = (
        id(note), box.position_x, box.position_y, containing_block.width, containing_block.height, page_is_empty,
        tuple(adjoining_margins), discard, max_lines, context.current_page, context.forced_break, context.in_column,
        _floats(context),
    )
    entry = memo.get(key)
    if entry is not None:
        new_box, resume_at, next_page, margins, collapsing_through, lines, _ = entry
        return new_box.deepcopy(), resume_at, dict(next_page), list(margins), collapsing_through, lines
    before = _outside(context, absolute_boxes, fixed_boxes)
    result = layout(*arguments)
    new_box, resume_at, next_page, margins, collapsing_through, lines = result
    if new_box is not None and resume_at is None and isinstance(next_page, dict) and (
        _outside(context, absolute_boxes, fixed_boxes) == before
    ):
        # Copied now: the caller moves the box it gets and appends to the margins.
        memo[key] = (new_box.deepcopy(), None, dict(next_page), list(margins), collapsing_through, lines, note)
    return result


_ORIGINALS: dict[str, Callable[..., Any]] = {
    "_update_footnote_area": weasyprint_layout.LayoutContext._update_footnote_area,
    "_in_flow_layout": block._in_flow_layout,
}

#: (owner, name, module, SHA-256 of the source in WeasyPrint 70.0, hunks).
PATCHES: tuple[tuple[Any, str, Any, str, tuple[tuple[str, str], ...]], ...] = (
    (
        weasyprint_layout.LayoutContext, "_update_footnote_area", weasyprint_layout,
        "2e317e4b066fb80cb369a41cd6f054a127722f9961c18ef4d6e1eef93673c4c1",
        ((
            "            footnote_area = build.create_anonymous_boxes(\n"
            "                self.current_footnote_area.deepcopy())\n",
            "            footnote_area = build.create_anonymous_boxes(\n"
            "                self.current_footnote_area.deepcopy())\n"
            "            # Notes laid out before, at the same place, are not laid out again (#578).\n"
            "            _reportkit_mark_notes(self, footnote_area)\n",
        ),),
    ),
    (
        block, "_in_flow_layout", block,
        "c2537262836dd9812b584633bee887846dba6de921b3b31bff299c5ba29e6dca",
        ((
            "    child_position = child.position_x, child.position_y\n"
            "    (new_child, resume_at, next_page, next_adjoining_margins,\n"
            "     collapsing_through, max_lines) = block_level_layout(\n"
            "         context, child,",
            "    child_position = child.position_x, child.position_y\n"
            "    (new_child, resume_at, next_page, next_adjoining_margins,\n"
            "     collapsing_through, max_lines) = _reportkit_note_layout(\n"
            "         block_level_layout, context, child,",
        ),),
    ),
)


def original_source(name: str) -> str:
    """The source of WeasyPrint's own function ``name`` (one of :data:`PATCHES`' names)."""
    return inspect.getsource(_ORIGINALS[name])


def applies() -> bool:
    """Whether the installed WeasyPrint is the one the patch was written for (version and both sources)."""
    return weasyprint.__version__ == WEASYPRINT_VERSION and all(
        source_matches(functools.partial(original_source, name), sha256) for _, name, _, sha256, _ in PATCHES
    )


def installed() -> bool:
    """Whether WeasyPrint calls the patched functions."""
    return all(getattr(owner, name) is not _ORIGINALS[name] for owner, name, _, _, _ in PATCHES)


def install() -> bool:
    """Put the patched functions in place when :func:`applies` (both or none); True when they are in place."""
    if installed():
        return True
    if not applies():
        return False
    helpers = {"_reportkit_mark_notes": mark_notes, "_reportkit_note_layout": note_layout}
    compiled = [(owner, name, compile_patched(_ORIGINALS[name], hunks, module, helpers))
                for owner, name, module, _, hunks in PATCHES]
    for owner, name, function in compiled:
        setattr(owner, name, function)
    return True


def uninstall() -> None:
    """Put WeasyPrint's own functions back (for comparisons; the writer keeps the patch)."""
    for owner, name, _, _, _ in PATCHES:
        setattr(owner, name, _ORIGINALS[name])


def upstream_diff() -> str:
    """The patch as unified diffs of WeasyPrint's files, ready to be offered upstream."""
    return "".join(diff(module, original_source(name), hunks) for _, name, module, _, hunks in PATCHES)
