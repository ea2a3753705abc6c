"""A medium without HTML (the Typst engine's): the template context without its HTML fields, and no Jinja2 template loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

import reportkit as rk
from reportkit.errors import LayoutError
from reportkit.render.layouts import find_layout
from reportkit.render.renderer import CONTEXT, Medium, Renderer
from conftest import SAMPLES


def medium(html: bool) -> Medium:
    return Medium(name="print", asset_url=lambda asset: asset.path.as_uri(), layout_url=lambda name: name, html=html)


@pytest.fixture(scope="module")
def resolved():
    return rk.load(SAMPLES / "russia-nato.md").resolve()


def test_a_medium_without_html_has_every_context_name_and_empty_html_fields(resolved) -> None:
    renderer = Renderer(resolved, find_layout("report"), medium(html=False))
    ctx = renderer.context
    assert set(ctx) == set(CONTEXT)
    assert ctx["summary_html"] == "" and ctx["explanation_html"] == ""
    assert ctx["sections"] and all(view.html == "" and view.lead_html == "" for view in ctx["sections"])
    assert ctx["sources"] and all(view.text == "" for view in ctx["sources"])
    assert renderer.markdown("summary") == ""


def test_the_html_fields_are_made_for_a_medium_with_html(resolved) -> None:
    # The negative of the test above: the same document in an HTML medium.
    ctx = Renderer(resolved, find_layout("report"), medium(html=True)).context
    assert "<p" in ctx["summary_html"] and all("<p" in view.html for view in ctx["sections"])
    assert all(view.text for view in ctx["sources"])


def test_the_fields_besides_html_are_those_of_the_html_medium(resolved) -> None:
    layout = find_layout("report")
    plain, html = Renderer(resolved, layout, medium(html=False)).context, Renderer(resolved, layout, medium(html=True)).context
    for name in ("title", "short_title", "verdict_label", "claim_image_alt", "published", "updated", "date", "report_meta"):
        assert plain[name] == html[name], name
    section_fields = ("number", "heading", "id", "notes", "lead_notes", "has_more")
    assert [[getattr(v, f) for f in section_fields] for v in plain["sections"]] == \
        [[getattr(v, f) for f in section_fields] for v in html["sections"]]
    source_fields = ("number", "id", "short", "cited", "backrefs")
    assert [[getattr(v, f) for f in source_fields] for v in plain["sources"]] == \
        [[getattr(v, f) for f in source_fields] for v in html["sources"]]


def test_a_medium_without_html_loads_no_template(resolved, tmp_path: Path) -> None:
    # A layout whose print macros do not parse: an HTML medium fails on them, one without HTML never reads them.
    folder = tmp_path / "broken-macros"
    (folder / "print").mkdir(parents=True)
    (folder / "layout.toml").write_text('name = "broken-macros"\nextends = "report"\n', encoding="utf-8")
    (folder / "print" / "macros.html").write_text("{% macro citation(refs) %}\n{{ refs[ }}\n", encoding="utf-8")
    layout = find_layout(str(folder))
    with pytest.raises(LayoutError, match="syntax"):
        Renderer(resolved, layout, medium(html=True))
    assert Renderer(resolved, layout, medium(html=False)).context["sections"]
