"""The builder API checks every argument at the call: a wrong one is an InputError naming the field path.

Never a TypeError, AttributeError or RecursionError from deep inside, and never a mistake
that surfaces only when the fact-check is rendered.
"""

from __future__ import annotations

import pytest

import reportkit as rk


def _self_referencing() -> dict:
    data: dict = {"title": "T", "sections": [{"heading": "H"}]}
    data["extra"] = data
    return data


def _deep() -> dict:
    value: object = "leaf"
    for _ in range(5000):
        value = [value]
    return {"title": "T", "sections": [{"heading": "H"}], "tags": value}


CALLS = {
    "authors=5": (lambda: rk.FactCheck("T", authors=5), "authors"),
    "editors=5": (lambda: rk.FactCheck("T", editors=5), "editors"),
    "tags=[1]": (lambda: rk.FactCheck("T", tags=[1]), "tags[0]"),
    "publisher=5": (lambda: rk.FactCheck("T", publisher=5), "publisher"),
    "title=None": (lambda: rk.FactCheck(None), "title"),  # type: ignore[arg-type]
    "title=bytes": (lambda: rk.FactCheck(b"T"), "title"),  # type: ignore[arg-type]
    "language=5": (lambda: rk.FactCheck("T", language=5), "language"),  # type: ignore[arg-type]
    "slug=bad": (lambda: rk.FactCheck("T", slug="Not A Slug"), "slug"),
    "limits=5": (lambda: rk.FactCheck("T", limits=5), "limits"),  # type: ignore[arg-type]
    "unsafe_images": (lambda: rk.FactCheck("T", unsafe_images="sometimes"), "unsafe_images"),
    "rating_scale(None, None)": (lambda: rk.FactCheck("T").rating_scale(None, None), "rating_scale.ratings"),
    "rating_scale(name, [5])": (lambda: rk.FactCheck("T").rating_scale("s", [5]), "rating_scale.ratings[0]"),
    "summary(5)": (lambda: rk.FactCheck("T").summary(5), "summary"),  # type: ignore[arg-type]
    "section(None)": (lambda: rk.FactCheck("T").section(None), "sections[0].heading"),  # type: ignore[arg-type]
    "source(authors=5)": (lambda: rk.FactCheck("T").source("k", title="t", authors=5), "sources[0].authors"),
    "claim(None)": (lambda: rk.FactCheck("T").claim(None), "claim.text"),  # type: ignore[arg-type]
    "sources_from(5)": (lambda: rk.FactCheck("T").sources_from(5), "sources_from"),  # type: ignore[arg-type]
    "from_dict(None)": (lambda: rk.FactCheck.from_dict(None), None),  # type: ignore[arg-type]
    "from_dict(self-referencing)": (lambda: rk.FactCheck.from_dict(_self_referencing()), "extra.extra"),
    "from_dict(5000 deep)": (lambda: rk.FactCheck.from_dict(_deep()), "tags" + "[0]" * 63),
    "load(5)": (lambda: rk.load(5), "path"),  # type: ignore[arg-type]
    "write(5)": (lambda: rk.FactCheck("T").section("H").write(5), "out_dir"),  # type: ignore[arg-type]
    "write(formats='pdf')": (lambda: rk.FactCheck("T").section("H").write(".", formats="pdf"), "formats"),
    "to_pdf(5)": (lambda: rk.FactCheck("T").section("H").to_pdf(5), "target"),  # type: ignore[arg-type]
    "to_pdf(page_size=5)": (lambda: rk.FactCheck("T").section("H").to_pdf("x.pdf", page_size=5), "page_size"),
    "render(5)": (lambda: rk.FactCheck("T").section("H").render(5), "format"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("name", list(CALLS))
def test_a_wrong_argument_is_an_input_error_naming_its_field(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call, field = CALLS[name]
    with pytest.raises(rk.InputError) as caught:
        call()
    assert caught.value.field == field, str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_the_same_calls_with_right_arguments_build(tmp_path):
    check = (
        rk.FactCheck("T", authors=("A. Writer",), editors=["E"], tags=["t"], publisher="P", language="en")
        .rating_scale("s", [{"key": "a", "label": "A", "order": 1, "colour": "#000000"},
                            {"key": "b", "label": "B", "order": 2, "colour": "#ffffff"}])
        .verdict("a")
        .summary("S")
        .section("H", "Body")
    )
    assert check.document.authors == ["A. Writer"]
    assert rk.FactCheck.from_dict(check.to_dict()) == check
    assert check.to_html(tmp_path / "out.html").exists()
