"""Untrusted content: raw HTML stays text, no active content, no local file outside the input's folder, no network."""

from __future__ import annotations

import http.server
import re
import sys
import threading
import zipfile
from pathlib import Path

import pytest

import reportkit as rk
from reportkit.writers.pdf.writer import SafeFetcher

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

ATTACKS = (
    "Raw <script>alert('x')</script> and <img src=x onerror=\"alert(1)\"> and "
    "<a href=\"javascript:alert(2)\">raw link</a>. Markdown links: [js](javascript:alert(3)), "
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==), [vb](vbscript:msgbox), "
    "[file](file:///etc/passwd), <javascript:alert(5)> and a fine [web link](https://example.org/ok) [@a]."
)


def hostile(base: Path, body: str = ATTACKS, **kwargs) -> rk.FactCheck:
    return (
        rk.FactCheck("Is <b>this</b> & that {{ 7*7 }} safe?", base_dir=base, **kwargs)
        .claim("<script>alert('claim')</script> {% raw %}")
        .verdict("mixed", label="<i>label</i>", explanation="Explanation <style>body{display:none}</style>")
        .section("Heading <h1>big</h1>", body)
        .source("a", title="<script>t</script> title", url="https://example.org/a", note="<b>note</b>")
    )


@pytest.fixture(scope="module")
def hostile_outputs(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    folder = tmp_path_factory.mktemp("hostile")
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check = hostile(folder)
        pdf, epub = check.write(folder)
    return pdf, epub, [str(w.message) for w in caught]


def test_raw_html_and_template_syntax_are_shown_as_text_in_the_pdf(hostile_outputs):
    from pdfutil import page_texts

    text = "".join(page_texts(hostile_outputs[0]))
    for visible in ("<script>alert(", "</script>", "<b>this</b>", "{{ 7*7 }}", "<h1>big</h1>", "<i>label</i>"):
        assert visible in text.replace("\n", " ")


def test_no_active_content_reaches_the_pdf(hostile_outputs):
    from pdfutil import external_links

    raw = hostile_outputs[0].read_bytes()
    assert b"/JavaScript" not in raw and b"/JS" not in raw and b"/Launch" not in raw
    uris = {uri for _, uri, _ in external_links(hostile_outputs[0])}
    assert "https://example.org/ok" in uris
    assert all(uri.startswith("https://") for uri in uris), uris


def test_no_active_content_reaches_the_epub(hostile_outputs):
    with zipfile.ZipFile(hostile_outputs[1]) as archive:
        documents = {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml")}
    everything = "\n".join(documents.values())
    # The only script is the ClaimReview data block: JSON-LD, inert, with "<" escaped inside it.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", everything, re.S)
    assert [attrs for attrs, _ in scripts] == [' type="application/ld+json"']
    assert "<" not in scripts[0][1]
    everything = re.sub(r"<script[^>]*>.*?</script>", "", everything, flags=re.S)
    assert "<script" not in everything and "<style" not in everything
    from lxml import etree

    for name, text in documents.items():
        for element in etree.fromstring(text.encode()).iter():
            assert not [a for a in element.attrib if a.lower().startswith("on")], (name, element.tag)
            name = etree.QName(element).localname
            assert name not in ("style", "iframe", "object", "embed")
            assert name != "script" or element.get("type") == "application/ld+json"
    hrefs = re.findall(r'href="([^"]*)"', everything)
    assert not [h for h in hrefs if re.match(r"(?i)\s*(javascript|data|vbscript|file):", h)]
    assert "&lt;script&gt;alert(" in everything


def test_dropped_links_are_reported(hostile_outputs):
    warnings = hostile_outputs[2]
    dropped = [w for w in warnings if "was removed" in w]
    assert len(dropped) == 5  # javascript:, data:, vbscript:, file: and the autolink


def test_the_epub_holds_only_files_reportkit_put_there(hostile_outputs):
    with zipfile.ZipFile(hostile_outputs[1]) as archive:
        names = archive.namelist()
    allowed = re.compile(r"^(mimetype|META-INF/container\.xml|EPUB/(content\.opf|nav\.xhtml|toc\.ncx|styles/report\.css|"
                         r"title\.xhtml|section-\d+\.xhtml|sources\.xhtml|corrections\.xhtml|images/(claim|figure-\d+)\.\w+))$")
    assert all(allowed.match(n) for n in names), names


@pytest.mark.parametrize(
    ("src", "words"),
    [
        ("file:///etc/passwd", "is a URL (file:)"),
        ("../secret.png", "outside the input's folder"),
        ("sub/../../secret.png", "outside the input's folder"),
        ("/etc/hosts.png", "absolute path"),
        ("data:image/png;base64,iVBORw0KGgo=", "is a URL (data:)"),
        ("https://example.org/x.png", "never fetches images"),
    ],
)
def test_images_outside_the_input_folder_are_refused(tmp_path, src, words):
    folder = tmp_path / "input"
    folder.mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    check = hostile(folder, body=f"![alt]({src}) [@a]")
    with pytest.raises(rk.UnsafeResourceError if "folder" in words or "URL" in words or "absolute" in words
                       or "never" in words else rk.InputError, match=re.escape(words)):
        check.resolve()


def test_a_missing_image_is_an_input_error_naming_the_file(tmp_path):
    with pytest.raises(rk.InputError, match="'missing.png' does not exist"):
        hostile(tmp_path, body="![alt](missing.png) [@a]").resolve()


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    _CountingHandler.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _CountingHandler.requests
    server.shutdown()


def test_no_request_reaches_a_local_server_and_no_outside_file_is_read(tmp_path, local_server):
    url, requests = local_server
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG secret")
    folder = tmp_path / "input"
    folder.mkdir()
    body = f"![remote]({url}/x.png) ![local](../secret.png) ![file](file://{secret}) [@a]"
    with pytest.raises(rk.UnsafeResourceError):
        hostile(folder, body=body).resolve()

    opened: list[str] = []
    active = [True]

    def audit(event: str, args: tuple) -> None:
        if active[0] and event == "open" and isinstance(args[0], (str, bytes, Path)):
            opened.append(str(args[0]))
        if active[0] and event == "socket.connect":
            opened.append(f"connect {args[1]!r}")

    sys.addaudithook(audit)
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check = hostile(folder, body=body, unsafe_images="placeholder")
            check.write(folder)
    finally:
        active[0] = False
    assert requests == []
    assert not [p for p in opened if "secret" in p or p.startswith("connect")], opened
    warned = check.resolve().warnings
    assert sum("is not shown" in w for w in warned) == 3


def test_the_renderer_fetches_only_listed_files_and_folders(tmp_path):
    allowed = tmp_path / "layout"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p{}")
    (tmp_path / "other.css").write_text("p{}")
    fetcher = SafeFetcher(folders=[allowed])
    assert fetcher.fetch((allowed / "ok.css").as_uri()).read() == b"p{}"
    for url in [(tmp_path / "other.css").as_uri(), (allowed / ".." / "other.css").as_uri(),
                "http://127.0.0.1:9/x.css", "https://example.org/x.css", "ftp://127.0.0.1/x.css"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5
    # In-memory data: URLs (the layout's own drawings) read nothing from disk or network.
    assert fetcher.fetch("data:text/css,p%7B%7D").read() == b"p{}"
    with pytest.raises(ValueError):
        SafeFetcher(allow_data=False).fetch("data:text/css,p{}")


def test_a_layout_that_asks_for_the_network_gets_nothing(tmp_path, samples, local_server):
    url, requests = local_server
    layout = tmp_path / "netlayout"
    (layout / "print").mkdir(parents=True)
    (layout / "layout.toml").write_text('name = "netlayout"\nextends = "report"\n')
    (layout / "print" / "report.css").write_text(
        f'@import url("{url}/remote.css");\nbody {{ background: url("{url}/bg.png"); }}\n'
        '@font-face { font-family: X; src: url("file:///etc/passwd"); }\n'
    )
    check = rk.load(samples / "energy-bills.md")
    with pytest.warns(rk.ReportkitWarning, match="does not allow"):
        check.to_pdf(tmp_path / "out.pdf", layout=str(layout))
    assert requests == []


# --- images that cannot be read ------------------------------------------------------------------


def _png() -> bytes:
    from archivalutil import png

    return png(8, 8)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("chart.svg", b"this is not XML <", "is not a readable SVG file (its XML, line 1, column 1: syntax error)"),
        ("chart.svg", b'<svg xmlns="http://www.w3.org/2000/svg">\n<g><rect></svg>',
         "line 2, column 12: mismatched tag"),
        ("chart.svg", b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "its root element is <{http://www.w3.org/1999/xhtml}html>"),
        ("chart.png", b"GIF89a not a png at all", "is not a PNG file"),
        ("chart.jpg", None, "is not a JPEG file"),  # a PNG named .jpg
        ("chart.png", "truncated", "is a damaged PNG file"),
    ],
    ids=["svg-not-xml", "svg-broken-xml", "svg-not-svg", "png-not-png", "png-named-jpg", "png-truncated"],
)
def test_an_image_that_cannot_be_read_is_an_input_error_naming_file_and_line(tmp_path, name, content, words):
    data = {None: _png(), "truncated": _png()[:40]}.get(content, content)  # type: ignore[arg-type]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "check.md").write_text(
        "---\ntitle: Is the chart readable?\nverdict: {rating: true}\n"
        "sources:\n  - {key: a, title: A, url: 'https://example.org/a'}\n---\n\n"
        f"## One\n\nText [@a].\n\n![A chart]({name})\n",
        encoding="utf-8",
    )
    with pytest.raises(rk.InputError) as caught:
        rk.load(tmp_path / "check.md").resolve()
    message = str(caught.value)
    assert words in message and f"'{name}'" in message
    assert "check.md:12: sections[0].body" in message, message  # the line of the image


def test_an_image_weasyprint_cannot_draw_is_reported_not_dropped_silently(tmp_path, monkeypatch):
    from weasyprint.svg import SVG

    def broken(self, *args, **kwargs):
        raise ValueError("a drawing WeasyPrint cannot make")

    monkeypatch.setattr(SVG, "draw", broken)
    check = rk.load(SAMPLES / "russia-nato.md")
    with pytest.warns(rk.ReportkitWarning, match=r"could not load or draw .*enlargement-timeline\.svg"):
        check.to_pdf(tmp_path / "out.pdf")


def test_a_layout_image_weasyprint_cannot_load_is_reported_by_name(tmp_path):
    from factories import make_layout, tiny

    house = make_layout(tmp_path, "house", {"print/extra.css": ".verdict { background: url(texture.png) }"})
    (house / "print" / "texture.png").write_bytes(b"\x89PNG\r\n\x1a\n but nothing after")
    with pytest.warns(rk.ReportkitWarning, match=r"could not load or draw texture\.png"):
        tiny().render("pdf", layout=house)
