"""WeasyPrint 70's pagination in time linear in the pages, and back-references laid out once.

Laying out a document of ``n`` pages, WeasyPrint 70 searches lists that grow with the document
from places that also grow with it, so three steps cost time in ``n²`` (Kozea/WeasyPrint#578,
"Performance issue on long documents", open):

- ``TargetCollector.cache_target_page_counters`` runs for every anchor (every ``id``) as its page
  is made, and walks every box that has a page-based counter in its content (a
  ``target-counter()`` back-reference, a running page number) to find those aiming at that
  anchor. reportkit's bibliography gives each citation an ``id`` and a back-reference: 4,800
  anchors times 1,900 such boxes in the dense 16x dossier, 9 million steps.
- ``make_page`` asks, for every anchor on a page, whether an earlier page had it, with ``in`` on a
  list of every anchor of the pages before.
- ``layout_document``, after the last page, walks every box with a page-based counter again for
  each box that has one, to find its ``string-set`` and ``bookmark-label`` items.

The first and third now walk an index of the same items in the same order (made once WeasyPrint
stops collecting them), the second asks a set. A fourth search of this kind, footnotes looked up
in the list of every footnote for each box of each line, is in ``_linebox_layout``, which
:mod:`.footnotes` patches (its second hunk).

Back-references (``target-counter(attr(href url), page)``, as in the bibliography) cost WeasyPrint
70 three layouts of every page from the bibliography's first on. In ``compute_content_list`` it
files such a box under the anchor ``None`` (it names the anchor from the ``attr()`` token, not
from the attribute's value) and also among the box's own missing page counters (one variable
serves both lists). So the box is found by its own page's counters changing, never by its
target's: it is filled in after its page is laid out (a second layout) and again once the page
count is known (a third). The ``compute_content_list`` hunk files it under its anchor, apart from
its own counters; the ``cache_target_page_counters`` hunk queues it as its target is placed, and
the ``make_page`` hunk fills in the queued boxes before each page is laid out, so a
back-reference whose target is already placed is laid out once, with its number. A box aiming
forward (a table of contents) or showing its own page as well is filled in as before, after its
page is laid out.

Writing a tagged PDF (reportkit's default, PDF/UA-1), WeasyPrint asks pydyf for a page's
reference once per structure element, and pydyf 0.13's ``PDF.page_references`` builds the tuple
of every page's reference at each call: elements times pages. :func:`install` makes it build the
tuple once per page count (:data:`PYDYF_VERSION`, :data:`PAGE_REFERENCES_SHA256`).

The layout ends the same: the pages and the PDF's bytes are those of WeasyPrint alone
(``tests/writers/pdf/test_pagination.py`` compares them, and the page numbers against the
anchors' pages). Each patch is applied when this module is imported (:func:`install`), all or
none, only when WeasyPrint is version :data:`WEASYPRINT_VERSION` and every patched function's
source has the SHA-256 its patch was written against; otherwise WeasyPrint is left as it is
(slower on long documents, no less right). :func:`upstream_diff` prints the change as patches of
WeasyPrint's files; upstream, the ``_reportkit_*`` helpers it calls would become methods of
``TargetCollector``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pydyf
import weasyprint
import weasyprint.document
import weasyprint.layout
from weasyprint.css import targets
from weasyprint.formatting_structure import build
from weasyprint.layout import page
from weasyprint.urls import get_url_tuple

from .pinning import apply_hunks, compile_patched, source_matches
from .pinning import upstream_diff as diff

__all__ = [
    "PAGE_REFERENCES_SHA256",
    "PATCHES",
    "PYDYF_VERSION",
    "WEASYPRINT_VERSION",
    "Patch",
    "applies",
    "install",
    "installed",
    "page_layouts",
    "page_references",
    "page_references_apply",
    "uninstall",
    "upstream_diff",
]

#: The WeasyPrint version the patches were written against.
WEASYPRINT_VERSION = "70.0"


class _ListedSet(set):
    """A set that takes ``append`` and ``extend`` like the list it replaces: membership in constant time."""

    append = set.add
    extend = set.update


def _index(collector: Any, key: Callable[[tuple[Any, str], Any], Iterable[Any]]) -> dict[Any, list[Any]]:
    """``counter_lookup_items`` of ``collector`` grouped by ``key``, in the dictionary's order."""
    index: dict[Any, list[Any]] = {}
    for entry in collector.counter_lookup_items.items():
        for name in key(*entry):
            index.setdefault(name, []).append(entry)
    return index


def _cached_index(collector: Any, attribute: str, key: Callable[[tuple[Any, str], Any], Iterable[Any]]) -> dict[Any, list[Any]]:
    """The index kept on ``collector``; made again should items have been added since (WeasyPrint adds none once paginating)."""
    size = len(collector.counter_lookup_items)
    cached = collector.__dict__.get(attribute)
    if cached is None or cached[0] != size:
        cached = (size, _index(collector, key))
        setattr(collector, attribute, cached)
    return cached[1]


def counter_lookups_targeting(collector: Any, anchor_name: str) -> list[Any]:
    """The ``((box, css_token), item)`` pairs of ``collector`` whose target counters aim at ``anchor_name``."""
    index = _cached_index(collector, "_reportkit_by_anchor", lambda key, item: item.missing_target_counters)
    return index.get(anchor_name, [])


def counter_lookups_of_box(collector: Any, box: Any) -> list[Any]:
    """The ``((box, css_token), item)`` pairs of ``collector`` made for ``box`` (compared by identity, as WeasyPrint does)."""
    index = _cached_index(collector, "_reportkit_by_box", lambda key, item: (id(key[0]),))
    return index.get(id(box), [])


def anchor_name(anchor_token: Any, box: Any) -> str | None:
    """The anchor a ``target-counter()`` aims at, ``attr()`` read from ``box``'s element as ``lookup_target`` reads it."""
    if anchor_token[0] == "attr()":
        name, kind, fallback = anchor_token[1]
        value = box.element.get(name, fallback)
        if kind == "string":
            anchor_token = ("string", value)
        elif kind == "url":
            anchor_token = ("url", get_url_tuple(value, box.style.base_url))
    return targets.anchor_name_from_token(anchor_token)


def queue_pending(collector: Any, item: Any) -> None:
    """Remember ``item``, marked pending because its target has just been placed, for :func:`resolve_pending`."""
    collector.__dict__.setdefault("_reportkit_pending", []).append(item)


#: Pages laid out by WeasyPrint in this process (each call of the patched ``make_page``), for :func:`page_layouts`.
_page_layouts = 0


def page_layouts() -> int | None:
    """How many pages WeasyPrint has laid out in this process, laid out again included; None without the patches.

    The PDF writer compares the count before and after a layout with the document's pages: when
    each page was laid out once, the layout left no discarded pages for the collector to find.
    """
    return _page_layouts if installed() else None


def resolve_pending(collector: Any) -> None:
    """Give the boxes whose targets are placed their page numbers now, before the page that holds them is laid out.

    Only boxes without page-based counters of their own: theirs depend on the page they land on.
    WeasyPrint would otherwise fill them in after laying their page out, and lay it out again.
    Called once per page laid out, it also counts them (:func:`page_layouts`).
    """
    global _page_layouts
    _page_layouts += 1
    queue = collector.__dict__.get("_reportkit_pending")
    if not queue:
        return
    for item in queue:
        if item.pending and not item.missing_counters:
            item.parse_again({})
            item.pending = False
    queue.clear()


@dataclass(frozen=True)
class Patch:
    """One function of WeasyPrint, the digest of its source, and the change made to it."""

    #: The module the function is defined in, and where its upstream file lies.
    module: ModuleType
    #: The object holding the function (the module, or a class of it) and the function's name.
    owner: Any
    name: str
    #: SHA-256 of the function's source in WeasyPrint :data:`WEASYPRINT_VERSION`.
    sha256: str
    #: (original text, replacement) pairs; each original occurs once in the function.
    hunks: tuple[tuple[str, str], ...]
    #: Other modules that imported the function by name, and so hold it too.
    also_in: tuple[ModuleType, ...] = ()

    @property
    def original(self) -> Callable[..., Any]:
        """WeasyPrint's own function (kept when the patch is installed)."""
        return _ORIGINALS[self.name]

    def source(self) -> str:
        """The source of WeasyPrint's own function."""
        return inspect.getsource(self.original)

    def patched(self, source: str) -> str:
        """``source`` with the hunks applied; ValueError when a hunk's text is not found exactly once."""
        return apply_hunks(source, self.hunks)

    def applies(self) -> bool:
        """Whether the installed function is the one the patch was written for."""
        return source_matches(self.source, self.sha256)

    def compiled(self) -> Callable[..., Any]:
        """The patched function, compiled in a copy of its module's namespace with the lookups above."""
        return compile_patched(self.original, self.hunks, self.module, {
            "_reportkit_lookups_targeting": counter_lookups_targeting,
            "_reportkit_lookups_of_box": counter_lookups_of_box,
            "_ReportkitListedSet": _ListedSet,
            "_reportkit_anchor_name": anchor_name,
            "_reportkit_queue_pending": queue_pending,
            "_reportkit_resolve_pending": resolve_pending,
        })

    def set(self, function: Callable[..., Any]) -> None:
        """Make ``function`` the one WeasyPrint calls."""
        setattr(self.owner, self.name, function)
        for module in self.also_in:
            setattr(module, self.name, function)

    def current(self) -> Callable[..., Any]:
        """The function WeasyPrint calls now."""
        return getattr(self.owner, self.name)


_ORIGINALS: dict[str, Callable[..., Any]] = {
    "cache_target_page_counters": targets.TargetCollector.cache_target_page_counters,
    "make_page": page.make_page,
    "layout_document": weasyprint.layout.layout_document,
    "compute_content_list": build.compute_content_list,
}

#: The changes (see the module's docstring).
PATCHES: tuple[Patch, ...] = (
    Patch(
        module=targets,
        owner=targets.TargetCollector,
        name="cache_target_page_counters",
        sha256="545eb30bb50f0e4921f6405ed31cfcc20bb92f32c85b549fe81507cbf27d6dee",
        hunks=(
            (
                "                for (_, css_token), item in self.counter_lookup_items.items():\n",
                "                # Only the items aiming at this anchor (#578).\n"
                "                for (_, css_token), item in _reportkit_lookups_targeting(\n"
                "                        self, anchor_name):\n",
            ),
            (
                "                        item.pending = True\n",
                "                        item.pending = True\n"
                "                        _reportkit_queue_pending(self, item)\n",
            ),
        ),
    ),
    Patch(
        module=page,
        owner=page,
        name="make_page",
        sha256="656f183328e8b1b56311a342621442056c067422958dcaf6730acdfb6c7b8971",
        hunks=(
            (
                "    cached_anchors = []\n    cached_lookups = []\n",
                "    # Sets: \"not in\" takes constant time (#578).\n"
                "    cached_anchors = _ReportkitListedSet()\n"
                "    cached_lookups = _ReportkitListedSet()\n",
            ),
            (
                "    reported_footnotes = context.reported_footnotes\n",
                "    # Targets placed on earlier pages give their page numbers to the boxes\n"
                "    # aiming at them before this page is laid out, not after.\n"
                "    _reportkit_resolve_pending(context.target_collector)\n"
                "    reported_footnotes = context.reported_footnotes\n",
            ),
        ),
    ),
    Patch(
        module=build,
        owner=build,
        name="compute_content_list",
        sha256="3a5674cabd84f48ae9247650a73ad3c0fe690c10a3b7fb0ff6209f8b4b0bf671",
        hunks=(
            (
                "                anchor_name = targets.anchor_name_from_token(anchor_token)\n"
                "                missing_counters = missing_target_counters.setdefault(\n"
                "                    anchor_name, [])\n"
                "                if counter_name not in missing_counters:\n"
                "                    missing_counters.append(counter_name)\n",
                "                # The anchor attr() gives, as lookup_target() reads it; and the\n"
                "                # target's list apart from the box's own missing counters.\n"
                "                anchor_name = _reportkit_anchor_name(anchor_token, parent_box)\n"
                "                missing_for_target = missing_target_counters.setdefault(\n"
                "                    anchor_name, [])\n"
                "                if counter_name not in missing_for_target:\n"
                "                    missing_for_target.append(counter_name)\n",
            ),
        ),
    ),
    Patch(
        module=weasyprint.layout,
        owner=weasyprint.layout,
        name="layout_document",
        sha256="a5cbf437e99caf7293e7ed2289278048bca734f7ead2e947b4e24e4a3a536dbc",
        hunks=(
            (
                "                for (box, css_token), item in (\n"
                "                        context.target_collector.counter_lookup_items.items()):\n",
                "                # Only the items of this box (#578).\n"
                "                for (box, css_token), item in _reportkit_lookups_of_box(\n"
                "                        context.target_collector, child.missing_link):\n",
            ),
        ),
        also_in=(weasyprint.document,),
    ),
)


#: The pydyf version :func:`page_references` was written against, and the SHA-256 of the source of
#: its ``PDF.page_references`` there.
PYDYF_VERSION = "0.13.0"
PAGE_REFERENCES_SHA256 = "060bf90aad55931bc24c3575a52af9478a89916aa307e5323142663841cb7798"

_PAGE_REFERENCES: property = pydyf.PDF.page_references


def page_references(pdf: Any) -> tuple[bytes, ...]:
    """pydyf's ``pdf.page_references``, built again only when the document's page list has changed length."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_reportkit_page_references")
    if cached is None or cached[0] is not kids or cached[1] != len(kids):
        cached = (kids, len(kids), _PAGE_REFERENCES.fget(pdf))  # type: ignore[misc]
        pdf.__dict__["_reportkit_page_references"] = cached
    return cached[2]


def page_references_apply() -> bool:
    """Whether the installed pydyf is the one :func:`page_references` was written for (version and source)."""
    return pydyf.VERSION == PYDYF_VERSION and source_matches(
        lambda: inspect.getsource(_PAGE_REFERENCES.fget), PAGE_REFERENCES_SHA256  # type: ignore[arg-type]
    )


def applies() -> bool:
    """Whether the installed WeasyPrint and pydyf are those every patch was written for (versions and sources)."""
    return (
        weasyprint.__version__ == WEASYPRINT_VERSION
        and all(patch.applies() for patch in PATCHES)
        and page_references_apply()
    )


def installed() -> bool:
    """Whether WeasyPrint calls the patched functions."""
    return all(patch.current() is not patch.original for patch in PATCHES) and (
        pydyf.PDF.page_references is not _PAGE_REFERENCES
    )


def install() -> bool:
    """Put the patched functions in place when :func:`applies` (all or none); True when they are in place."""
    if installed():
        return True
    if not applies():
        return False
    compiled = [(patch, patch.compiled()) for patch in PATCHES]
    for patch, function in compiled:
        patch.set(function)
    pydyf.PDF.page_references = property(page_references)
    return True


def uninstall() -> None:
    """Put WeasyPrint's and pydyf's own functions back (for comparisons; the writer keeps the patches)."""
    for patch in PATCHES:
        patch.set(patch.original)
    pydyf.PDF.page_references = _PAGE_REFERENCES


def upstream_diff() -> str:
    """The patches as unified diffs of WeasyPrint's files, ready to be offered upstream."""
    return "".join(diff(patch.module, patch.source(), patch.hunks) for patch in PATCHES)
