"""Every verdict badge is legible: WCAG AA contrast (4.5:1) in every layout, format and rating.

The colours are read from the rendered pages in headless Chromium (``getComputedStyle``), so
the layout's stylesheets, inline styles and inheritance all count. The contrast is computed
here from WCAG 2.1's formulas, not with reportkit's own colour code.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

import reportkit as rk
from reportkit.writers.pdf.writer import PdfWriter

from conftest import SAMPLES

RATINGS = ["true", "mostly-true", "mixed", "mostly-false", "false", "unsupported"]
LAYOUTS = ["report", "brief"]
AA = 4.5

#: For each .badge: its text colour and the first opaque background behind it (itself or an ancestor).
COLOURS_JS = """() => [...document.querySelectorAll('.badge')].map(badge => {
  let node = badge, background = 'rgba(0, 0, 0, 0)';
  while (node && node.nodeType === 1) {
    const value = getComputedStyle(node).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(value) && value !== 'transparent') { background = value; break; }
    node = node.parentElement;
  }
  return {text: badge.textContent.trim(), color: getComputedStyle(badge).color, background: background === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : background};
})"""


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour with channels 0..255."""
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def parse_rgb(value: str) -> tuple[float, float, float]:
    """``rgb(r, g, b)`` or ``rgba(r, g, b, 1)`` as three numbers."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", value)]
    assert len(numbers) == 3 or numbers[3] == 1, f"a translucent colour cannot be judged: {value}"
    return numbers[0], numbers[1], numbers[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(parse_rgb(first)), luminance(parse_rgb(second))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_wcag_reference_values() -> None:
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21.0)
    assert contrast("rgb(119, 119, 119)", "rgb(255, 255, 255)") == pytest.approx(4.48, abs=0.01)
    assert contrast("rgb(255, 255, 255)", "rgb(255, 255, 255)") == pytest.approx(1.0)


def check_with(rating: str) -> rk.FactCheck:
    data = rk.load(SAMPLES / "energy-bills.md").to_dict()
    data["verdict"] = {**data["verdict"], "rating": rating}
    return rk.FactCheck.from_dict(data, base_dir=SAMPLES)


def pages(layout: str, rating: str, folder: Path) -> dict[str, Path]:
    """The page that shows the badge, per format: print (the PDF's HTML), EPUB (its title page) and web."""
    check = check_with(rating)
    chosen = rk.find_layout(layout)
    html, _ = PdfWriter().html(check.resolve(), chosen, page_size="A4", options=dict(chosen.options))
    (folder / "print.html").write_text(html, encoding="utf-8")
    with zipfile.ZipFile(check.to_epub(folder / "check.epub", layout=layout)) as epub:
        epub.extractall(folder / "epub")
    found = {"print": folder / "print.html", "epub": next((folder / "epub").rglob("title.xhtml"))}
    if layout == "report":
        found["web"] = check.to_html(folder / "web.html", layout=layout)
    return found


@pytest.fixture(scope="module")
def badges(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], list[dict[str, str]]]:
    """{(layout, format, rating): the badges' colours} for every combination."""
    found = {}
    page = browser.new_page()
    for layout in LAYOUTS:
        for rating in RATINGS:
            folder = tmp_path_factory.mktemp(f"{layout}-{rating}")
            for fmt, path in pages(layout, rating, folder).items():
                if fmt == "print":
                    page.emulate_media(media="print")
                else:
                    page.emulate_media(media="screen")
                page.goto(path.as_uri())
                found[(layout, fmt, rating)] = page.evaluate(COLOURS_JS)
    page.close()
    return found


@pytest.mark.slow
def test_every_badge_in_every_layout_format_and_rating_passes_wcag_aa(badges) -> None:
    failing = [
        f"{layout} {fmt} {rating}: {badge['text']!r} {badge['color']} on {badge['background']}"
        f" = {contrast(badge['color'], badge['background']):.2f}:1"
        for (layout, fmt, rating), found in sorted(badges.items())
        for badge in found
        if contrast(badge["color"], badge["background"]) < AA
    ]
    assert not failing, "\n".join(failing)


@pytest.mark.slow
def test_every_format_shows_a_badge(badges) -> None:
    assert all(found for found in badges.values()), [key for key, found in badges.items() if not found]
