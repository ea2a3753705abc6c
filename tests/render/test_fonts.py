"""Font registration: a layout registers the weights it uses, and fallback families only for text that needs them."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import pytest
from pypdf import PdfReader

import reportkit as rk
from reportkit.errors import LayoutError
from reportkit.render.fonts import font_face_css
from reportkit.render.layouts import find_layout

REQUIRED = ("IBM Plex Serif", "IBM Plex Sans Condensed", "IBM Plex Mono")


def tiny(text: str = "Plain English text.", source_title: str = "Source A") -> rk.FactCheck:
    return (
        rk.FactCheck("Which fonts does it need?", published="2025-01-02")
        .claim("Fonts are registered on demand.")
        .verdict("true")
        .summary(f"{text} [@a]")
        .section("Only section", "Registered on demand [@a].")
        .source("a", title=source_title, url="https://example.org/a")
    )


def embedded_families(pdf: bytes) -> set[str]:
    """Base font names embedded in a PDF, without their subset prefix (``ABCDEF+``)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.get_object()["/BaseFont"]).lstrip("/")))
    return names


def test_the_report_registers_four_weights_of_its_static_families() -> None:
    layout = find_layout("report")
    assert layout.weights == (400, 500, 600, 700)
    css = font_face_css(layout.fonts_for("text"), layout.weights)
    weights = set(re.findall(r"font-weight: (\d+)", css))
    assert weights == {"400", "500", "600", "700"}
    assert css.count("@font-face") == len(REQUIRED) * 4 * 2  # four weights, upright and italic


def test_without_declared_weights_every_face_is_registered() -> None:
    css = font_face_css(["IBM Plex Serif"])
    assert {"100", "200", "300", "400", "500", "600", "700"} == set(re.findall(r"font-weight: (\d+)", css))


@pytest.mark.parametrize(
    ("text", "extra"),
    [
        ("Plain English, with dashes – and “quotes”.", ()),
        ("Россия подавала заявку?", ("IBM Plex Sans",)),
        ("Ελληνικά", ("IBM Plex Sans",)),
        ("word\u200bjoiner", ("IBM Plex Sans",)),  # a zero-width space: none of the three has it
        ("هل تقدمت روسيا بطلب؟", ("IBM Plex Sans Arabic",)),
    ],
)
def test_a_fallback_family_is_registered_only_for_characters_of_its_range(text: str, extra: tuple[str, ...]) -> None:
    assert find_layout("report").fonts_for(text) == REQUIRED + extra


def _outside(ranges: tuple[tuple[int, int], ...], point: int) -> bool:
    return not any(lo <= point <= hi for lo, hi in ranges)


def test_a_fallback_family_is_registered_for_the_first_and_last_character_of_each_range_and_not_beside_them() -> None:
    # The ranges of the layout's fallback_fonts: each end of each range needs the family; the characters
    # just outside a range (when no other range of the family has them) do not.
    layout = find_layout("report")
    assert len(layout.fallback_fonts) >= 5
    for family, ranges in layout.fallback_fonts.items():
        for lo, hi in ranges:
            for point in (lo, hi):
                assert family in layout.fonts_for("English " + chr(point)), (family, hex(point))
            for point in (lo - 1, hi + 1):
                if 0 <= point <= 0x10FFFF and _outside(ranges, point) and chr(point) not in "English ":
                    assert family not in layout.fonts_for("English " + chr(point)), (family, hex(point))


def test_a_fallback_family_is_registered_for_a_drawing_that_needs_it() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>Привет</text></svg>'
    assert "IBM Plex Sans" in find_layout("report").fonts_for("<p>English</p>", svg)


def test_an_english_pdf_embeds_only_the_required_families() -> None:
    families = embedded_families(tiny().render("pdf"))
    assert families
    assert all(name.startswith(("IBM-Plex-Serif", "IBM-Plex-Sans-Condensed", "IBM-Plex-Mono")) for name in families)


def test_a_cyrillic_title_in_an_english_check_is_set_in_ibm_plex_sans() -> None:
    # The footnotes are set in the sans family, which has no Cyrillic: IBM Plex Sans stands in.
    families = embedded_families(tiny(source_title="Мир и безопасность").render("pdf"))
    assert "IBM-Plex-Sans" in families or any(n.startswith("IBM-Plex-Sans-") and "Cond" not in n for n in families)
    assert not any("DejaVu" in name for name in families), families


def make_layout(root: Path, toml: str) -> Path:
    folder = root / "house"
    (folder / "print").mkdir(parents=True)
    (folder / "layout.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    return folder


def test_a_user_layout_adds_weights_to_those_it_extends(tmp_path: Path) -> None:
    folder = make_layout(tmp_path, 'name = "house"\nextends = "report"\nfont_weights = [300]\n')
    assert find_layout(folder).weights == (300, 400, 500, 600, 700)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('font_weights = ["bold"]\n', "font_weights must be a list of weights"),
        ('[fallback_fonts]\n"IBM Plex Sans" = "U+0400-XYZ"\n', "'U+0400-XYZ' is not a unicode-range"),
        ('[fallback_fonts]\n"IBM Plex Sans" = "U+0500-0400"\n', "is not a unicode-range"),
        ('fallback_fonts = ["IBM Plex Sans"]\n', "fallback_fonts must be a table"),
    ],
)
def test_a_bad_font_setting_names_the_layout_file(tmp_path: Path, toml: str, message: str) -> None:
    folder = make_layout(tmp_path, f'name = "house"\nextends = "report"\n{toml}')
    with pytest.raises(LayoutError, match=re.escape(message)) as caught:
        find_layout(folder)
    assert "layout.toml" in str(caught.value)


def test_a_family_is_read_from_its_own_package_as_fontpkg_finds_it() -> None:
    # Compared with fontpkg's own lookup for every installed family: fails if fontpkg changes how
    # a package registers its family (its entry point, metadata.json).
    import fontpkg

    from reportkit.render.fonts import package_family

    installed = fontpkg.families()
    assert len(installed) >= 3
    for family in installed.values():
        assert package_family(family.name) == family, family.name


def test_a_family_from_its_own_package_needs_no_scan_of_every_package(monkeypatch) -> None:
    import fontpkg

    from reportkit.render import fonts

    fonts.package_family.cache_clear()
    asked: list[str] = []
    monkeypatch.setattr(fontpkg, "family", lambda name: asked.append(name))  # fontpkg's lookup loads every family
    try:
        family = fonts.package_family("IBM Plex Serif")
        assert family.name == "IBM Plex Serif" and family.files and asked == []
        # The negative: a family no package is named after is left to fontpkg's lookup.
        fonts.package_family("No Such Family")
        assert asked == ["No Such Family"]
    finally:
        fonts.package_family.cache_clear()


def test_a_family_that_is_not_installed_is_a_layout_error_naming_its_package() -> None:
    from reportkit.render.fonts import font_files

    with pytest.raises(LayoutError, match="not installed") as caught:
        font_files(("No Such Family",))
    assert caught.value.hint == "pip install fontpkg-no-such-family"
