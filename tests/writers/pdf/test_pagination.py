"""Layout time linear in the pages: WeasyPrint's searches of whole lists made lookups, pinned, same bytes."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import weasyprint
from pypdf import PdfReader
from weasyprint.css import targets
from weasyprint.layout import page

from reportkit.writers.pdf import footnotes, pagination, writer

#: A table of contents aiming forward at n paragraphs, the paragraphs (each an anchor), then n
#: back-references aiming back at them, as reportkit's bibliography does, every seventh also giving
#: its own page; page numbers in the margins, in a named string and in the bookmarks too: every
#: kind of page-based counter WeasyPrint fills in during and after the layout.
BACKREFS = """<style>
  @page { size: 80mm 60mm; margin: 8mm;
          @top-center { content: string(part); } @bottom-center { content: counter(page) " / " counter(pages); } }
  body { font-size: 9pt; }
  a.toc::after, a.back::after { content: " p. " target-counter(attr(href url), page); }
  a.back.here::after { content: " p. " target-counter(attr(href url), page) ", here p. " counter(page); }
  h2 { string-set: part content() " from p. " counter(page); bookmark-label: content() " p. " counter(page); }
</style>
%s
%s
<h2>Back-references</h2>
%s"""


def backrefs_html(n: int, *, contents: bool = True) -> str:
    """The document of :data:`BACKREFS` with ``n`` anchors aimed at from after, and before when ``contents``."""
    toc = "\n".join(f'<p><a class="toc" href="#p{i}">Ahead to {i}</a></p>' for i in range(0, n, 5) if contents)
    paragraphs = "\n".join((f"<h2>Part {i // 10}</h2>" if i % 10 == 0 else "")
                           + f'<p id="p{i}">Paragraph {i} of the text, long enough to fill a line or two.</p>'
                           for i in range(n))
    links = "\n".join(f'<p><a class="back{" here" if i % 7 == 0 else ""}" href="#p{i}">Back to {i}</a></p>'
                      for i in range(n))
    return BACKREFS % (toc, paragraphs, links)


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


def test_the_upstream_diff_changes_the_searches_and_the_target_counters_of_four_files():
    diff = pagination.upstream_diff()
    files = [line for line in diff.splitlines() if line.startswith("+++ ")]
    assert files == ["+++ b/weasyprint/css/targets.py", "+++ b/weasyprint/layout/page.py",
                     "+++ b/weasyprint/formatting_structure/build.py", "+++ b/weasyprint/layout/__init__.py"]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == [
        "-                for (_, css_token), item in self.counter_lookup_items.items():",
        "-    cached_anchors = []",
        "-    cached_lookups = []",
        "-                anchor_name = targets.anchor_name_from_token(anchor_token)",
        "-                missing_counters = missing_target_counters.setdefault(",
        "-                if counter_name not in missing_counters:",
        "-                    missing_counters.append(counter_name)",
        "-                for (box, css_token), item in (",
        "-                        context.target_collector.counter_lookup_items.items()):",
    ]


def test_the_note_search_of_the_line_layout_is_the_footnote_patchs_second_hunk():
    removed = [line for line in footnotes.upstream_diff().splitlines()
               if line.startswith("-") and not line.startswith("---")]
    assert "-                if descendant.footnote in context.footnotes)" in removed


# --- the behaviour ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "contents"), [(12, True), (60, True), (60, False)])
def test_the_patched_pagination_makes_the_same_pdf_as_weasyprint_alone(n, contents):
    html = backrefs_html(n, contents=contents)
    patched = weasyprint.HTML(string=html).write_pdf()
    pagination.uninstall()
    try:
        alone = weasyprint.HTML(string=html).write_pdf()
    finally:
        assert pagination.install()
    assert patched == alone


def test_back_references_and_contents_give_the_page_of_their_target():
    texts = [re.sub(r"\s+", " ", page.extract_text())
             for page in PdfReader(io.BytesIO(weasyprint.HTML(string=backrefs_html(40)).write_pdf())).pages]
    expected = {i: next(n for n, text in enumerate(texts, 1) if f"Paragraph {i} of" in text) for i in range(40)}
    back = {int(m[1]): int(m[2]) for text in texts for m in re.finditer(r"Back to (\d+) p\. (\d+)", text)}
    ahead = {int(m[1]): int(m[2]) for text in texts for m in re.finditer(r"Ahead to (\d+) p\. (\d+)", text)}
    here = {int(m[1]): (int(m[2]), n) for n, text in enumerate(texts, 1)
            for m in re.finditer(r"Back to (\d+) p\. \d+, here p\. (\d+)", text)}
    assert back == expected
    assert ahead == {i: expected[i] for i in range(0, 40, 5)}
    assert here and all(shown == page for shown, page in here.values())
    assert len(set(expected.values())) > 5  # the anchors spread over pages: a wrong page would show


def pages_made(html: str) -> tuple[int, int]:
    """How many pages WeasyPrint makes (layouts of one page) for ``html``, and how many the document has."""
    made = 0
    make_page = page.make_page

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal made
        made += 1
        return make_page(*args, **kwargs)

    page.make_page = counting
    try:
        document = weasyprint.HTML(string=html).render()
    finally:
        page.make_page = make_page
    return made, len(document.pages)


def test_back_references_to_placed_targets_are_laid_out_once():
    made, pages = pages_made(backrefs_html(60, contents=False).replace("back here", "back"))
    assert made == pages


def test_back_references_giving_their_own_page_too_are_laid_out_again():
    # Their own page number is known only once their page is laid out: WeasyPrint's way, unchanged.
    made, pages = pages_made(backrefs_html(60, contents=False))
    assert made > pages


def test_a_table_of_contents_aiming_forward_is_still_laid_out_again():
    # Its targets are not placed when its page is laid out: WeasyPrint lays the pages out again from there.
    made, pages = pages_made(backrefs_html(60))
    assert made > pages


def test_weasyprint_alone_lays_the_back_references_out_twice_more(weasyprint_unpatched):
    # What the patch is for: fails when upstream fills in back-references before their page is laid out.
    html = backrefs_html(60, contents=False).replace("back here", "back")
    made, pages = pages_made(html)
    back_pages = pages - next(n for n, t in enumerate(page_texts(html), 1) if "Back-references" in t) + 1
    assert made >= pages + 2 * back_pages


def page_texts(html: str) -> list[str]:
    """The text of each page of ``html`` laid out by WeasyPrint as it is now."""
    return [p.extract_text() for p in PdfReader(io.BytesIO(weasyprint.HTML(string=html).write_pdf())).pages]


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


# --- pydyf's page references, asked once per structure element of a tagged PDF ------------------


def test_the_page_references_patch_is_pinned_to_the_installed_pydyf():
    # Fails when pydyf is upgraded or PDF.page_references changes: re-read it, re-pin or drop the patch.
    import inspect

    import pydyf

    assert pydyf.VERSION == pagination.PYDYF_VERSION
    source = inspect.getsource(pagination._PAGE_REFERENCES.fget)
    assert hashlib.sha256(source.encode()).hexdigest() == pagination.PAGE_REFERENCES_SHA256
    assert pagination.page_references_apply()


def test_pydyf_alone_builds_the_page_references_at_each_call(weasyprint_unpatched):
    # What the patch is for: fails when pydyf keeps the tuple itself, and the patch can go.
    import pydyf

    pdf = pydyf.PDF()
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references == pdf.page_references
    assert pdf.page_references is not pdf.page_references


def test_the_page_references_are_built_once_per_page_count_and_follow_new_pages():
    import pydyf

    pdf = pydyf.PDF()
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = pdf.page_references
    assert pdf.page_references is first and len(first) == 1
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(pdf.page_references) == 2 and pdf.page_references[0] == first[0]


def test_a_tagged_pdf_is_the_same_with_and_without_the_patches():
    html = '<html lang="en">' + backrefs_html(30)
    patched = weasyprint.HTML(string=html).write_pdf(pdf_tags=True)
    pagination.uninstall()
    try:
        alone = weasyprint.HTML(string=html).write_pdf(pdf_tags=True)
    finally:
        assert pagination.install()
    assert patched == alone
    assert "/StructTreeRoot" in PdfReader(io.BytesIO(patched)).trailer["/Root"]


# --- pages laid out, counted (the writer's collection before drawing) ----------------------------------


def test_page_layouts_counts_every_page_laid_out_again_included():
    once = backrefs_html(60, contents=False).replace(' class="back here"', ' class="back"')
    before = pagination.page_layouts()
    document = weasyprint.HTML(string=once).render()
    assert pagination.page_layouts() - before == len(document.pages)  # back-references only: each page once
    before = pagination.page_layouts()
    document = weasyprint.HTML(string=backrefs_html(60)).render()
    # A table of contents aiming forward and boxes showing their own page: pages laid out again.
    assert pagination.page_layouts() - before > len(document.pages)


def test_without_the_patches_the_page_layouts_are_unknown(weasyprint_unpatched):
    assert pagination.page_layouts() is None


class CountingGc:
    """Stands for the ``gc`` module in the writer: counts its collections."""

    def __init__(self) -> None:
        self.collections = 0

    def collect(self, *args: Any) -> int:
        self.collections += 1
        return 0


@pytest.mark.parametrize("counted", [True, False], ids=["each-page-once", "count-unknown"])
def test_the_writer_collects_before_drawing_only_when_pages_may_have_been_laid_out_again(
    samples, monkeypatch, tmp_path, counted
):
    import reportkit as rk

    counting = CountingGc()
    monkeypatch.setattr(writer, "gc", counting)
    monkeypatch.setattr(writer, "COLLECT_BEFORE_DRAWING", 1)
    if not counted:  # as with another WeasyPrint, whose pages the patches do not count
        monkeypatch.setattr(pagination, "page_layouts", lambda: None)
    check = rk.load(samples / "energy-bills.md")
    check.resolve()
    check.to_pdf(tmp_path / "out.pdf")
    assert counting.collections == (0 if counted else 1)
