"""Untrusted SVG drawings: one sanitiser, used for every format; what may not stay is removed with a warning.

The drawing keeps its shapes; scripts, event handlers, foreign objects (HTML), references to
other files or addresses (href, url(), @import), entities and the document type are removed,
and the EPUB built from it passes epubcheck (no RSC-006/007/008, no OPF-014).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from lxml import etree

import reportkit as rk
from reportkit.resolve.svg import SVGError, sanitise_svg

SVG = "http://www.w3.org/2000/svg"

HOSTILE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret "an entity's text">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="80"
     onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(http://evil.example/x.css); .a { fill: url(#grad); stroke: url(file:///etc/passwd) }</style>
  <text x="5" y="15">&secret;</text>
  <foreignObject width="50" height="50"><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
  <image href="http://evil.example/pixel.png" width="10" height="10"/>
  <image xlink:href="file:///etc/passwd" width="10" height="10"/>
  <use xlink:href="#box"/>
  <rect id="box" class="a" width="50" height="30" fill="#123456" style="fill: url(https://evil.example/)"
        onclick="steal()"/>
  <set attributeName="href" to="javascript:alert(3)"/>
  <a href="javascript:alert(4)"><circle cx="60" cy="40" r="5"/></a>
  <a href="#box"><circle cx="80" cy="40" r="5"/></a>
</svg>
"""


def _all_attributes(root: etree._Element) -> list[tuple[str, str]]:
    return [(etree.QName(name).localname, value) for node in root.iter() for name, value in node.attrib.items()]


def test_every_kind_of_active_or_outside_content_is_removed_and_reported():
    result = sanitise_svg(HOSTILE)
    root = etree.fromstring(result.data)
    tags = {etree.QName(node).localname for node in root.iter() if isinstance(node.tag, str)}
    assert not tags & {"script", "foreignObject", "div", "set"}
    attributes = _all_attributes(root)
    assert not [a for a in attributes if a[0].lower().startswith("on")]
    assert [a for a in attributes if a[0] == "href"] == [("href", "#box"), ("href", "#box")]
    text = result.data.decode()
    for gone in ("evil.example", "file:", "javascript:", "@import", "ENTITY", "entity's text", "alert"):
        assert gone not in text
    assert "url(#grad)" in text  # a fragment of the same file stays
    assert {"<script>", "<foreignObject>", "event handler attributes (on...)", "an entity reference",
            "a stylesheet @import"} <= set(result.removed)


def test_the_drawing_itself_is_kept():
    result = sanitise_svg(HOSTILE)
    root = etree.fromstring(result.data)
    rect = root.find(f"{{{SVG}}}rect")
    assert rect is not None and rect.get("fill") == "#123456" and rect.get("width") == "50"
    assert len(root.findall(f".//{{{SVG}}}circle")) == 2


def test_a_clean_drawing_comes_back_unchanged_in_meaning_and_reports_nothing(samples):
    for drawing in sorted(Path(samples).glob("*.svg")):
        result = sanitise_svg(drawing.read_bytes())
        assert result.removed == [], drawing.name
        before = etree.fromstring(drawing.read_bytes())
        after = etree.fromstring(result.data)
        assert [n.tag for n in before.iter() if isinstance(n.tag, str)] == [n.tag for n in after.iter() if isinstance(n.tag, str)]


def test_sanitising_twice_changes_nothing_more():
    once = sanitise_svg(HOSTILE)
    twice = sanitise_svg(once.data)
    assert twice.removed == [] and twice.data == once.data


def test_editor_metadata_is_dropped_silently():
    data = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
            b'inkscape:version="1.0"><inkscape:grid/><rect width="1" height="1"/></svg>')
    result = sanitise_svg(data)
    assert result.removed == [] and b"inkscape" not in result.data and b"<rect" in result.data


@pytest.mark.parametrize("data", [b"not xml <", b'<html xmlns="http://www.w3.org/1999/xhtml"/>',
                                  b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 400 + b"</g>" * 400 + b"</svg>"])
def test_what_is_not_an_svg_drawing_is_refused(data):
    with pytest.raises(SVGError):
        sanitise_svg(data)


def _check_with_drawing(tmp_path: Path) -> Path:
    (tmp_path / "drawing.svg").write_bytes(HOSTILE)
    path = tmp_path / "check.md"
    path.write_text("---\ntitle: A hostile drawing\n---\n\n## One\n\nText.\n\n![A drawing](drawing.svg)\n",
                    encoding="utf-8")
    return path


def test_an_external_entity_is_an_input_error_naming_the_image(tmp_path):
    (tmp_path / "drawing.svg").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>'
    )
    path = tmp_path / "check.md"
    path.write_text("---\ntitle: T\n---\n\n## One\n\nText.\n\n![A drawing](drawing.svg)\n", encoding="utf-8")
    with pytest.raises(rk.InputError) as caught:
        rk.load(path).resolve()
    assert "drawing.svg" in caught.value.message and caught.value.line == 9
    assert "root:" not in str(caught.value)


def test_the_build_warns_with_what_was_removed_naming_the_image(tmp_path):
    with pytest.warns(rk.ReportkitWarning, match=r"drawing\.svg.*removed.*<script>"):
        rk.load(_check_with_drawing(tmp_path)).resolve()


def test_the_epub_carries_the_sanitised_drawing_and_passes_epubcheck(tmp_path, epubcheck):
    from conftest import messages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.ReportkitWarning)
        epub = rk.load(_check_with_drawing(tmp_path)).to_epub(tmp_path / "out.epub")
    import zipfile

    with zipfile.ZipFile(epub) as archive:
        drawings = [archive.read(n) for n in archive.namelist() if n.endswith(".svg")]
    assert drawings and all(b"script" not in d and b"evil.example" not in d and b"onload" not in d for d in drawings)
    report = epubcheck.run(epub)[epub]
    found = messages(report)
    assert not [m for m in found if m.startswith(("ERROR", "FATAL", "WARNING"))], found


def test_the_web_page_and_the_pdf_use_the_sanitised_drawing(tmp_path):
    import base64
    import re

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.ReportkitWarning)
        check = rk.load(_check_with_drawing(tmp_path))
        html = check.to_html(tmp_path / "out.html").read_text(encoding="utf-8")
        resolved = check.resolve()
    images = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
    assert images
    for data in images:
        decoded = base64.b64decode(data)
        assert b"script" not in decoded and b"evil.example" not in decoded
    (asset,) = resolved.assets.values()
    assert asset.data == sanitise_svg(HOSTILE).data  # the bytes every writer (the PDF's fetcher too) is given


def test_a_stylesheet_processing_instruction_is_removed_and_reported():
    data = (b'<?xml version="1.0"?>\n<?xml-stylesheet href="http://evil.example/x.css"?>\n'
            b'<svg xmlns="http://www.w3.org/2000/svg"><?pi inside?><!-- a note --><rect width="1" height="1"/></svg>')
    result = sanitise_svg(data)
    assert result.removed == ["processing instructions (<?...?>)"]
    assert b"evil.example" not in result.data and b"<?pi" not in result.data and b"a note" in result.data


def test_a_drawing_with_nothing_to_remove_keeps_its_own_bytes(samples):
    for drawing in sorted(Path(samples).glob("*.svg")):
        assert sanitise_svg(drawing.read_bytes()).data == drawing.read_bytes(), drawing.name
