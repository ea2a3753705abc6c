"""The narrowed user-agent stylesheet: the same pages, fewer styles, and the full one whenever in doubt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import weasyprint

import reportkit as rk
import reportkit.writers.pdf.writer as pdf_writer
from reportkit.render.layouts import find_layout
from reportkit.writers.pdf.writer import PdfWriter, SafeFetcher
from reportkit.writers.pdf.stylesheets import _author_css, _LeanHTML, lean_html, pseudo_element_selectors

from factories import make_layout, tiny
from conftest import SAMPLES

#: Renders many documents or runs outside validators: not part of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow




def _full_ua(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the PDF writer lay out with WeasyPrint's own, full user-agent stylesheet."""
    monkeypatch.setattr(
        pdf_writer, "lean_html", lambda html, *, url_fetcher, allows: weasyprint.HTML(string=html, url_fetcher=url_fetcher)
    )


@pytest.mark.parametrize(
    ("sample", "layout", "options"),
    [
        ("russia-nato.md", "report", {}),
        ("russia-nato.md", "brief", {"page_size": "Letter"}),
        ("energy-bills.md", "report", {"print_marks": True}),
    ],
    ids=["report", "brief", "report-print-marks"],
)
def test_pages_are_byte_identical_to_the_full_user_agent_stylesheet(
    monkeypatch: pytest.MonkeyPatch, sample: str, layout: str, options: dict[str, Any]
) -> None:
    check = rk.load(SAMPLES / sample)
    lean = check.render("pdf", layout=layout, **options)
    _full_ua(monkeypatch)
    assert check.render("pdf", layout=layout, **options) == lean


def test_a_user_layout_making_other_footnotes_and_list_items_keeps_its_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the narrowed rules these would break: a footnote-call with no style, and markers in
    # capitals (the heading's text-transform reaches a marker the UA rule does not reset).
    house = make_layout(tmp_path, "house", {"print/extra.css": """
        @media print { .claimant { float: footnote } }
        .summary-heading, .claim-label { display: list-item; list-style: lower-alpha inside }
    """})
    check = tiny()
    lean = check.render("pdf", layout=house)
    _full_ua(monkeypatch)
    full = check.render("pdf", layout=house)
    assert full == lean


def test_the_report_is_laid_out_with_the_narrowed_stylesheet(monkeypatch: pytest.MonkeyPatch) -> None:
    layout = find_layout("report")
    html, _ = PdfWriter().html(rk.load(SAMPLES / "russia-nato.md").resolve(), layout)
    fetcher = SafeFetcher(folders=[l.path for l in layout.chain])
    document = lean_html(html, url_fetcher=fetcher, allows=fetcher.allows)
    assert isinstance(document, _LeanHTML)
    used: list[int] = []
    real = _LeanHTML._ua_stylesheets

    def spy(self: _LeanHTML, forms: bool = False) -> list[Any]:
        sheets = real(self, forms)
        used.append(len(sheets))
        return sheets

    monkeypatch.setattr(_LeanHTML, "_ua_stylesheets", spy)
    document.render()
    assert used == [2], "WeasyPrint no longer asks HTML._ua_stylesheets(): the narrowing does nothing"


def test_selectors_are_found_in_nested_at_rules_and_selector_lists() -> None:
    found = pseudo_element_selectors([
        "@media print { @supports (display: grid) { .a > b, c:is(.x, .y) { float: FOOTNOTE } } }",
        "ul.k li, .z { display: block list-item } .n { position: note(side) } .x { color: red }",
        "!!bad selector { float: footnote }",
    ])
    assert found == {"marker": ["li", "ul.k li", ".z"], "footnote": [".a > b", "c:is(.x, .y)"], "note": [".n"]}


@pytest.mark.parametrize(
    "css",
    [
        ".a { float: var(--where) }",
        "@import url(more.css);",
        ".a { .b { float: footnote } }",
        "p::before { display: list-item }",
    ],
    ids=["custom-property", "import", "nested-rule", "pseudo-element"],
)
def test_selectors_that_cannot_be_known_give_the_full_stylesheet(css: str) -> None:
    assert pseudo_element_selectors([css]) is None


def test_a_style_attribute_or_a_stylesheet_not_on_disk_gives_the_full_stylesheet(tmp_path: Path) -> None:
    sheet = tmp_path / "a&b.css"
    sheet.write_text(".f { float: footnote }", encoding="utf-8")
    link = f'<link rel="stylesheet" href="{sheet.as_uri().replace("&", "&amp;")}">'
    assert _author_css(f"<head>{link}<style>p {{ color: red }}</style></head>", lambda p: True) == [
        "p { color: red }", ".f { float: footnote }"
    ]
    assert _author_css(f"<head>{link}</head>", lambda p: False) == []  # refused by the fetcher: never applies
    assert _author_css('<p style="float: footnote">x</p>', lambda p: True) is None
    assert _author_css('<link rel="stylesheet" href="data:text/css,p{}">', lambda p: True) is None
    assert _author_css('<p style="color: red">x</p>', lambda p: True) == []


def test_the_writer_s_own_stylesheets_make_no_list_items_footnotes_or_notes() -> None:
    from reportkit.render.fonts import font_face_css
    from reportkit.writers.pdf.writer import _fix_css
    from reportkit.writers.pdf.printmarks import print_css

    layout = find_layout("report")
    sections = [type("S", (), {"id": "s1", "lead_notes": [1]})()]
    texts = [print_css({"print_marks": True}), _fix_css(sections, [1, 2]), font_face_css(layout.all_fonts, layout.weights)]
    assert pseudo_element_selectors(texts) == {"marker": ["li"], "footnote": [], "note": []}


@pytest.mark.parametrize("layout", ["report", "brief"])
def test_right_to_left_pages_are_byte_identical_too(monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    from factories import in_language

    check = in_language("ar")
    lean = check.render("pdf", layout=layout)
    _full_ua(monkeypatch)
    assert check.render("pdf", layout=layout) == lean
