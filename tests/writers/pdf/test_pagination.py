"""Layout time linear in the pages: WeasyPrint's searches of whole lists made lookups, pinned, same bytes."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import weasyprint
from weasyprint.css import targets

from reportkit.writers.pdf import footnotes, pagination, writer

#: n paragraphs with an anchor each, then n back-references giving each anchor's page with
#: target-counter(), as reportkit's bibliography does; page numbers in the margins, in a named
#: string and in the bookmarks too (the page-based counters WeasyPrint fills in after the layout).
BACKREFS = """<style>
  @page { size: 80mm 60mm; margin: 8mm;
          @top-center { content: string(part); } @bottom-center { content: counter(page) " / " counter(pages); } }
  body { font-size: 9pt; }
  a.back::after { content: " p. " target-counter(attr(href url), page); }
  h2 { string-set: part content() " from p. " counter(page); bookmark-label: content() " p. " counter(page); }
</style>
%s
<h2>Back-references</h2>
%s"""


def backrefs_html(n: int) -> str:
    """The document of :data:`BACKREFS` with ``n`` anchors and ``n`` back-references."""
    paragraphs = "\n".join((f"<h2>Part {i // 10}</h2>" if i % 10 == 0 else "")
                           + f'<p id="p{i}">Paragraph {i} of the text, long enough to fill a line or two.</p>'
                           for i in range(n))
    links = "\n".join(f'<p><a class="back" href="#p{i}">Back to {i}</a></p>' for i in range(n))
    return BACKREFS % (paragraphs, links)


@pytest.fixture
def weasyprint_unpatched() -> Iterator[None]:
    """WeasyPrint's own pagination for the test, the patched one again after it."""
    pagination.uninstall()
    try:
        yield
    finally:
        assert pagination.install()


class CountingItems(dict):  # type: ignore[type-arg]
    """``counter_lookup_items`` that count how often they are walked whole."""

    walks = 0

    def items(self) -> Any:
        CountingItems.walks += 1
        return super().items()


@pytest.fixture
def counted_walks(monkeypatch: pytest.MonkeyPatch) -> type[CountingItems]:
    """Make every TargetCollector keep its items in a :class:`CountingItems`; the class counts the walks."""
    init = targets.TargetCollector.__init__

    def counting_init(self: Any) -> None:
        init(self)
        self.counter_lookup_items = CountingItems()

    monkeypatch.setattr(targets.TargetCollector, "__init__", counting_init)
    CountingItems.walks = 0
    return CountingItems


# --- the patches and what they are written against ----------------------------------------------


def test_the_patches_are_pinned_to_the_installed_weasyprint_version_and_sources():
    # Fails when WeasyPrint is upgraded or one of the patched functions changes: re-read the new
    # code, then re-pin the digest (or drop the patch if upstream made the search a lookup).
    assert weasyprint.__version__ == pagination.WEASYPRINT_VERSION
    for patch in pagination.PATCHES:
        assert hashlib.sha256(patch.source().encode()).hexdigest() == patch.sha256, patch.name
    assert pagination.applies()


def test_the_pdf_writer_lays_out_with_the_patches():
    assert writer.pagination.installed()
    assert weasyprint.document.layout_document is weasyprint.layout.layout_document  # the name imported too


def test_a_changed_weasyprint_is_left_alone(monkeypatch):
    first, *others = pagination.PATCHES
    changed = first.source().replace("page_maker_index", "page_index", 1)
    written_for = dataclasses.replace(first, sha256=hashlib.sha256(changed.encode()).hexdigest())
    monkeypatch.setattr(pagination, "PATCHES", (written_for, *others))
    assert not pagination.applies()  # one function is not the one its patch was written for
    monkeypatch.undo()
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert not pagination.applies()


def test_a_changed_weasyprint_is_not_patched(weasyprint_unpatched, monkeypatch):
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert not pagination.install()
    assert not any(patch.current() is not patch.original for patch in pagination.PATCHES)


def test_a_patch_whose_context_is_gone_does_not_apply():
    with pytest.raises(ValueError, match="does not apply"):
        pagination.PATCHES[1].patched("def make_page(context):\n    pass\n")


def test_the_upstream_diff_changes_the_three_searches():
    diff = pagination.upstream_diff()
    files = [line for line in diff.splitlines() if line.startswith("+++ ")]
    assert files == ["+++ b/weasyprint/css/targets.py", "+++ b/weasyprint/layout/page.py",
                     "+++ b/weasyprint/layout/__init__.py"]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == [
        "-                for (_, css_token), item in self.counter_lookup_items.items():",
        "-    cached_anchors = []",
        "-    cached_lookups = []",
        "-                for (box, css_token), item in (",
        "-                        context.target_collector.counter_lookup_items.items()):",
    ]


def test_the_note_search_of_the_line_layout_is_the_footnote_patchs_second_hunk():
    removed = [line for line in footnotes.upstream_diff().splitlines()
               if line.startswith("-") and not line.startswith("---")]
    assert "-                if descendant.footnote in context.footnotes)" in removed


# --- the behaviour ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [12, 60])
def test_the_patched_pagination_makes_the_same_pdf_as_weasyprint_alone(n):
    html = backrefs_html(n)
    patched = weasyprint.HTML(string=html).write_pdf()
    pagination.uninstall()
    try:
        alone = weasyprint.HTML(string=html).write_pdf()
    finally:
        assert pagination.install()
    assert patched == alone


def test_back_references_give_the_page_of_their_target(tmp_path):
    import io
    import re

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(weasyprint.HTML(string=backrefs_html(40)).write_pdf()))
    texts = [page.extract_text() for page in reader.pages]
    expected = {i: next(n for n, text in enumerate(texts, 1) if re.search(rf"Paragraph {i} of", text))
                for i in range(40)}
    shown = {int(m[1]): int(m[2]) for text in texts for m in re.finditer(r"Back to (\d+) p\. (\d+)", text)}
    assert shown == expected
    assert len(set(expected.values())) > 5  # the anchors spread over pages: a wrong page would show


def test_weasyprint_alone_walks_every_page_counter_item_for_each_anchor(counted_walks, weasyprint_unpatched):
    # What the patch is for: fails when upstream makes the walk a lookup (#578), and the patch can go.
    small, large = backrefs_html(20), backrefs_html(80)
    weasyprint.HTML(string=small).render()
    few = counted_walks.walks
    counted_walks.walks = 0
    weasyprint.HTML(string=large).render()
    assert counted_walks.walks > 3 * few > 0


def test_the_patched_pagination_walks_the_items_a_fixed_number_of_times(counted_walks):
    small, large = backrefs_html(20), backrefs_html(80)
    weasyprint.HTML(string=small).render()
    few = counted_walks.walks
    counted_walks.walks = 0
    weasyprint.HTML(string=large).render()
    assert counted_walks.walks == few <= 4


def test_the_index_follows_items_added_after_it_was_made():
    collector = targets.TargetCollector()
    first = targets.CounterLookupItem(None, [], {"a": ["page"]})
    collector.counter_lookup_items[("box1", "content")] = first
    assert pagination.counter_lookups_targeting(collector, "a") == [(("box1", "content"), first)]
    second = targets.CounterLookupItem(None, [], {"a": ["page"], "b": ["page"]})
    collector.counter_lookup_items[("box2", "content")] = second
    assert [item for _, item in pagination.counter_lookups_targeting(collector, "a")] == [first, second]
    assert [item for _, item in pagination.counter_lookups_targeting(collector, "b")] == [second]
    assert pagination.counter_lookups_targeting(collector, "c") == []
