"""The web page (--format html): self-contained, safe, responsive; checked statically and in headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

import reportkit as rk

from conftest import SAMPLES, run_cli

#: Viewport widths checked for horizontal overflow: a small phone and a desktop.
WIDTHS = {"phone": (360, 780), "desktop": (1280, 900)}


@pytest.fixture(scope="session")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every sample rendered once as a web page: {slug: path}."""
    out = tmp_path_factory.mktemp("html")
    result = {}
    for source in sorted(SAMPLES.glob("*.md")):
        if source.name != "README.md":
            check = rk.load(source)
            result[check.id] = check.to_html(out / f"{check.id}.html")
    return result


def _tree(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def test_page_is_self_contained(pages: dict[str, Path]) -> None:
    for path in pages.values():
        tree = _tree(path)
        assert not tree.xpath("//link[@rel='stylesheet']") and tree.xpath("//head/style")
        assert all(src.startswith("data:") for src in tree.xpath("//img/@src"))
        assert [s.get("type") for s in tree.xpath("//script")] == ["application/ld+json"]
        assert not tree.xpath("//*[@srcset or @poster or @background]") and not tree.xpath("//iframe|//object|//embed")
        csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
        assert "default-src 'none'" in csp and "img-src data:" in csp
        assert "url(" not in "".join(tree.xpath("//style/text()"))


def test_images_are_inlined_as_data_uris(pages: dict[str, Path]) -> None:
    tree = _tree(pages["russia-nato"])
    sources = tree.xpath("//img/@src")
    assert len(sources) == 2 and all(s.startswith("data:image/svg+xml;base64,") for s in sources)
    assert tree.xpath("//figure[@id='figure-1']/figcaption")


def test_head_carries_the_claimreview(pages: dict[str, Path]) -> None:
    for slug, path in pages.items():
        script = _tree(path).xpath("//head/script[@type='application/ld+json']/text()")[0]
        assert json.loads(script) == rk.load(SAMPLES / f"{slug}.md").to_claimreview()


def test_every_citation_opens_a_note_linked_to_its_entry(pages: dict[str, Path]) -> None:
    tree = _tree(pages["russia-nato"])
    calls = tree.xpath("//button[@class='cite-ref']")
    assert len(calls) > 20
    entries = {li.get("id") for li in tree.xpath("//ol[@class='sources']/li")}
    for call in calls:
        note = tree.get_element_by_id(call.get("popovertarget"))
        assert note.get("popover") == "auto" and note.get("role") == "note"
        assert note.xpath(".//a/@href")[0].lstrip("#") in entries
        assert call.get("aria-label") == f"Note {call.text}"
    backrefs = tree.xpath("//a[@class='backref']/@href")
    assert backrefs and all(tree.get_element_by_id(h.lstrip("#")) is not None for h in backrefs)


def test_verdict_claim_and_sources_are_on_the_page(pages: dict[str, Path]) -> None:
    tree = _tree(pages["russia-nato"])
    assert tree.xpath("string(//span[@class='verdict-label'])") == "No formal application"
    assert "False" in tree.xpath("string(//span[@class='badge'])")
    assert tree.xpath("string(//blockquote[@class='claim-text'])").strip() == "Russia once applied to join NATO and was turned down."
    assert len(tree.xpath("//ol[@class='sources']/li")) == 9
    assert tree.get("lang") == "en" and tree.xpath("//meta[@name='viewport']")


def test_untrusted_text_is_escaped() -> None:
    check = (
        rk.FactCheck('Is <script>alert("x")</script> safe?', url="https://x.example.org/a")
        .claim("<img src=x onerror=alert(1)>", claimant="A", date="2025-01-01")
        .verdict("false", label='"><script>1</script>')
        .section("S <b>", 'Text <iframe src="https://evil.example"></iframe> [@a]')
        .source("a", title="</style><script>alert(2)</script>", url="https://a.example.org")
    )
    tree = lxml.html.fromstring(check.render("html"))
    assert [s.get("type") for s in tree.xpath("//script")] == ["application/ld+json"]
    assert not tree.xpath("//iframe|//body//img|//b")
    assert "<script>alert(2)</script>" in tree.xpath("string(//cite[@class='source-title'])")


def test_build_format_html_writes_slug_html(tmp_path: Path) -> None:
    proc = run_cli("build", str(SAMPLES / "energy-bills.md"), "-o", str(tmp_path), "--format", "html")
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name != ".reportkit-cache.json"] == ["energy-bills.html"]


# --- in a real browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def visits(browser, pages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict]:
    """Each sample page loaded at each width: requests, console messages, overflow, a note opened, screenshots."""
    shots = tmp_path_factory.mktemp("screenshots")
    results = {}
    for slug, path in pages.items():
        for width_name, (width, height) in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            requests: list[str] = []
            console: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            url = path.as_uri()
            page.goto(url, wait_until="load")
            overflow = page.evaluate(
                "() => ({doc: document.documentElement.scrollWidth, view: window.innerWidth,"
                " wide: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1"
                " && !e.closest('table') && getComputedStyle(e).position !== 'fixed').map(e => e.tagName + '.' + e.className).slice(0, 5)})"
            )
            page.screenshot(path=str(shots / f"{slug}-{width_name}.png"), full_page=True)
            call = page.locator("button.cite-ref").nth(2)
            note_id = call.get_attribute("popovertarget")
            call.click()
            note = page.locator(f"#{note_id}")
            opened = {
                "open": note.evaluate("e => e.matches(':popover-open')"),
                "visible": note.is_visible(),
                "inside": note.evaluate("e => { const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight; }"),
                "text": note.inner_text(),
                "expanded": call.get_attribute("aria-expanded"),
            }
            page.screenshot(path=str(shots / f"{slug}-{width_name}-note.png"))
            page.keyboard.press("Escape")
            opened["closed_by_escape"] = not note.evaluate("e => e.matches(':popover-open')")
            results[(slug, width_name)] = {
                "requests": [r for r in requests if r != url], "console": console, "overflow": overflow, "note": opened,
                "screenshot": shots / f"{slug}-{width_name}.png",
            }
            page.close()
    return results


CASES = [(slug, width) for slug in ("russia-nato", "energy-bills") for width in WIDTHS]


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "width"), CASES)
def test_no_request_leaves_the_page_and_no_console_error(visits, slug: str, width: str) -> None:
    visit = visits[(slug, width)]
    assert visit["requests"] == []
    assert visit["console"] == []


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "width"), CASES)
def test_no_horizontal_overflow(visits, slug: str, width: str) -> None:
    overflow = visits[(slug, width)]["overflow"]
    assert overflow["doc"] <= overflow["view"], overflow
    assert overflow["wide"] == []
    assert visits[(slug, width)]["screenshot"].stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "width"), CASES)
def test_a_note_opens_from_its_call(visits, slug: str, width: str) -> None:
    note = visits[(slug, width)]["note"]
    assert note["open"] and note["visible"] and note["inside"], note
    assert re.match(r"^3\s", note["text"])
    assert note["closed_by_escape"]


@pytest.mark.slow
@pytest.mark.parametrize("width_name", sorted(WIDTHS))
def test_axe_core_finds_no_wcag_2_2_a_or_aa_violation(browser, pages: dict[str, Path], width_name: str) -> None:
    from validators import Axe, axe_violations

    axe = Axe()
    width, height = WIDTHS[width_name]
    for slug, path in pages.items():
        found = axe_violations(axe.audit(browser, path.as_uri(), {"width": width, "height": height}))
        assert not found, f"{slug} at {width_name} width:\n" + "\n".join(found)


@pytest.mark.slow
def test_axe_check_reports_a_page_that_breaks_wcag(browser, tmp_path: Path) -> None:
    from validators import Axe, axe_violations

    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><img src="a.png">'
                   '<p style="color:#aaa;background:#fff">faint</p></body></html>', encoding="utf-8")
    found = " ".join(axe_violations(Axe().audit(browser, bad.as_uri(), {"width": 360, "height": 780})))
    assert "image-alt" in found and "html-has-lang" in found and "color-contrast" in found
