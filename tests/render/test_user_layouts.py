"""User layouts: override one template block or one stylesheet and inherit the rest; the documented context."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import reportkit as rk
from reportkit.cli import main
from reportkit.render.layouts import find_layout, list_layouts
from reportkit.render.renderer import CONTEXT, Renderer, SectionView, SourceView
from reportkit.writers.epub import EpubWriter
from reportkit.writers.pdf.writer import PdfWriter, _medium

from factories import make_layout, tiny



@pytest.fixture(scope="module")
def house(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user layout that overrides one block of document.html and one stylesheet (extra.css)."""
    return make_layout(
        tmp_path_factory.mktemp("layouts"),
        "house",
        {
            "print/document.html": """\
                {% extends "report/print/document.html" %}
                {% block summary %}<p class="house-note">HOUSE BLOCK for {{ title }}</p>{{ super() }}{% endblock %}
                """,
            "print/extra.css": """\
                .kicker-kind::after { content: " HOUSE CSS"; }
                """,
        },
    )


@pytest.fixture(scope="module")
def house_pdf(house: Path) -> str:
    pdf = tiny().render("pdf", layout=str(house))
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_a_user_layout_overrides_one_block_and_inherits_the_others(house_pdf: str) -> None:
    assert "HOUSE BLOCK for Is the tiny check true?" in house_pdf
    # Inherited blocks: title block, summary (via super()), sections, bibliography.
    assert "Is the tiny check true?" in house_pdf
    assert "A short summary" in house_pdf and "Only section" in house_pdf and "Source B" in house_pdf
    assert house_pdf.count("HOUSE BLOCK") == 1


def test_a_user_layout_overrides_one_stylesheet_and_keeps_the_others(house: Path, house_pdf: str) -> None:
    assert "HOUSE CSS" in house_pdf
    html, _ = PdfWriter().html(tiny().resolve(), find_layout(str(house)))
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert [link.rsplit("/", 2)[-2:] for link in links[:2]] == [["print", "base.css"], ["print", "report.css"]]
    assert "/report/print/" in links[1]
    assert links[-1] == (house / "print/extra.css").resolve().as_uri()


def test_a_user_layout_extends_the_brief(tmp_path: Path) -> None:
    folder = make_layout(
        tmp_path,
        "desk",
        {"print/document.html": '{% extends "brief/print/document.html" %}{% block colophon %}DESK{% endblock %}'},
        parent="brief",
    )
    html, renderer = PdfWriter().html(tiny().resolve(), find_layout(str(folder)))
    assert "DESK" in html and "brief.css" in html
    assert renderer.excerpt  # the brief's options are inherited


def test_the_template_context_is_the_documented_one() -> None:
    for medium in (_medium(find_layout("report")), None):
        if medium is None:
            from reportkit.writers.epub import _medium as epub_medium

            medium = epub_medium(find_layout("report"))
        renderer = Renderer(tiny().resolve(), find_layout("report"), medium)
        assert set(renderer.context) == set(CONTEXT)


@pytest.mark.parametrize("view, key", [(SectionView, "sections"), (SourceView, "sources")])
def test_the_documented_fields_of_views_are_their_fields(view: type, key: str) -> None:
    documented = CONTEXT[key].split(":", 1)[1]
    names = {n.strip() for n in documented.split(",")}
    fields = {f.name for f in dataclasses.fields(view)}
    assert names <= fields | {"source", "short", "backrefs", "number", "id"}
    assert fields - {"cited"} <= names | {"source", "short", "backrefs", "number", "id"}, fields - names


def test_the_cover_context_is_the_documented_one(tmp_path: Path) -> None:
    from reportkit.tools import bundle as bundling

    seen = {}
    original = bundling._Cover.html

    def spy(self, context):  # noqa: ANN001
        seen.update(context)
        return original(self, context)

    pdf = tmp_path / "tiny.pdf"
    tiny().to_pdf(pdf)
    bundling._Cover.html = spy
    try:
        bundling.bundle([pdf], tmp_path / "digest.pdf")
    finally:
        bundling._Cover.html = original
    assert set(seen) == set(bundling.COVER_CONTEXT)


def test_an_undefined_variable_in_a_user_template_names_its_file_and_line(tmp_path: Path) -> None:
    folder = make_layout(
        tmp_path,
        "broken",
        {"print/document.html": '{% extends "report/print/document.html" %}\n{% block summary %}\n{{ no_such_thing }}\n{% endblock %}\n'},
    )
    with pytest.raises(rk.LayoutError) as caught:
        tiny().render("pdf", layout=str(folder))
    error = caught.value
    assert error.file == str(folder.resolve() / "print/document.html")
    assert error.line == 3
    assert "no_such_thing" in str(error) and "CONTEXT" in str(error)


def test_a_syntax_error_in_a_user_template_names_its_file_and_line(tmp_path: Path) -> None:
    folder = make_layout(tmp_path, "syntax", {"epub/section.xhtml": "line one\n{% if %}\n"})
    with pytest.raises(rk.LayoutError) as caught:
        EpubWriter().render(tiny().resolve(), find_layout(str(folder)))
    assert caught.value.file.endswith("syntax/epub/section.xhtml")
    assert caught.value.line == 2


def test_an_error_in_a_user_macro_names_its_file_and_line(tmp_path: Path) -> None:
    folder = make_layout(
        tmp_path,
        "macro",
        {"print/macros.html": "{% macro citation(refs) %}\n{{ refs.nope.deeper }}\n{% endmacro %}\n"
                              "{% macro image(url, alt, caption, credit, figure, number) %}{% endmacro %}\n"},
    )
    with pytest.raises(rk.LayoutError) as caught:
        tiny().render("pdf", layout=str(folder))
    assert caught.value.file.endswith("macro/print/macros.html") and caught.value.line == 2


def test_layouts_lists_builtin_and_found_layouts(house: Path) -> None:
    result = CliRunner().invoke(main, ["layouts", "--dir", str(house.parent)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(l.startswith("report ") for l in lines) and any(l.startswith("brief ") for l in lines)
    assert any(l.startswith("house ") and "A test layout" in l for l in lines)
    assert "extends report" in result.output and "built-in" in result.output
    names = [l.name for l in list_layouts([house.parent])]
    assert {"report", "brief", "house"} <= set(names)


def test_a_broken_layout_is_reported_while_the_others_are_listed(tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "layout.toml").write_text('extends = "nowhere"\n')
    result = CliRunner().invoke(main, ["layouts", "--dir", str(tmp_path)])
    assert result.exit_code == 0
    assert "report" in result.output and "unknown layout 'nowhere'" in result.output


def test_layouts_new_scaffolds_a_layout_that_renders_at_once(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["layouts", "new", "mybrand", "--extends", "brief", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "mybrand"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "layout.toml", "print/document.html", "print/extra.css"
    ]
    layout = find_layout(str(folder))
    assert layout.parent is not None and layout.parent.name == "brief"
    pdf = tiny().render("pdf", layout=layout)
    assert PdfReader(io.BytesIO(pdf)).pages
    epub = tiny().render("epub", layout=layout)
    assert epub[:2] == b"PK"
    again = runner.invoke(main, ["layouts", "new", "mybrand", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.output
