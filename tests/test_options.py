"""Build options are one typed table: unknown names and wrong types are input errors, and the README lists them all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import reportkit as rk
from reportkit.options import BuildOptions

from conftest import ROOT, SAMPLES

SAMPLE = SAMPLES / "energy-bills.md"


def readme_options(text: str | None = None) -> dict[str, str]:
    """{option: description} from the README's "Build options" table."""
    text = text if text is not None else (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Build options", 1)[1].split("\n## ", 1)[0]
    return {
        match.group(1): match.group(2).strip()
        for match in re.finditer(r"^\| `([a-z_]+)` \|[^|]*\|[^|]*\| (.*) \|$", section, re.M)
    }


def documented() -> dict[str, str | None]:
    return {name: field.description for name, field in BuildOptions.model_fields.items() if name != "layout_options"}


def test_readme_table_lists_every_option_with_its_documentation() -> None:
    assert readme_options() == documented()


def test_readme_table_check_notices_a_missing_row_and_a_stale_line() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `page_size` |"))
    assert readme_options(text.replace(row + "\n", "")) != documented()
    assert readme_options(text.replace(row, row.replace("The page size", "The paper"))) != documented()


@pytest.mark.parametrize("call", ["render", "to_pdf", "to_epub", "to_html"])
def test_a_misspelt_option_is_an_input_error_naming_the_closest_option(call: str, tmp_path: Path) -> None:
    check = rk.load(SAMPLE)
    args = ("pdf",) if call == "render" else (tmp_path / "out",)
    with pytest.raises(rk.InputError) as caught:
        getattr(check, call)(*args, backref_page=False)
    assert caught.value.field == "backref_page"
    assert "unknown option 'backref_page'" in str(caught.value)
    assert "did you mean 'backref_pages'?" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_an_option_far_from_every_name_lists_the_known_ones() -> None:
    with pytest.raises(rk.InputError) as caught:
        rk.load(SAMPLE).render("epub", zzzz=1)
    assert "known options:" in str(caught.value) and "page_size" in str(caught.value)


def test_build_many_refuses_an_unknown_option_before_building(tmp_path: Path) -> None:
    with pytest.raises(rk.InputError, match="unknown option 'pagesize'"):
        rk.build_many([SAMPLE], tmp_path, formats=["epub"], pagesize="A4")
    assert not list(tmp_path.glob("*.epub"))


@pytest.mark.parametrize(
    ("options", "field"),
    [({"page_size": 5}, "page_size"), ({"archival": "yes"}, "archival"), ({"sections": "some"}, "sections"),
     ({"fit_pages": -1}, "fit_pages"), ({"layout": 5}, "layout")],
)
def test_a_wrong_type_is_an_input_error_naming_the_option(options: dict, field: str) -> None:
    with pytest.raises(rk.InputError) as caught:
        rk.load(SAMPLE).render("epub", **options)
    assert caught.value.field == field


def test_writer_options_carry_only_what_differs_from_the_defaults() -> None:
    options = BuildOptions.parse({"page_size": "Letter", "archival": False, "explanation": True, "print_marks": True})
    assert options.writer_options() == {"explanation": True, "print_marks": True}


def test_a_layout_may_declare_options_of_its_own(tmp_path: Path) -> None:
    house = tmp_path / "house"
    (house / "epub").mkdir(parents=True)
    (house / "layout.toml").write_text(
        'name = "house"\nextends = "report"\n[options]\nshow_mark = false\n', encoding="utf-8"
    )
    (house / "epub" / "title.xhtml").write_text(
        '{% extends "report/epub/title.xhtml" %}{% block kicker %}'
        '{% if options.show_mark %}<p class="mark">MARK</p>{% endif %}{{ super() }}{% endblock %}',
        encoding="utf-8",
    )
    check = rk.load(SAMPLE)
    assert b"MARK" not in check.render("epub", layout=house)
    assert b"MARK" in _title_page(check.render("epub", layout=house, show_mark=True))
    with pytest.raises(rk.InputError, match="did you mean 'show_mark'"):
        check.render("epub", layout=house, show_marks=True)
    with pytest.raises(rk.InputError, match="unknown option 'show_mark'"):
        check.render("epub", layout="report", show_mark=True)  # only the layout that declares it takes it


def _title_page(epub: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        return next(archive.read(n) for n in archive.namelist() if n.endswith("title.xhtml"))
