"""``reportkit serve``: a real uvicorn server on 127.0.0.1, a real HTTP client (httpx), the editor's page in Chromium."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("starlette")
httpx = pytest.importorskip("httpx")

import reportkit as rk  # noqa: E402

from conftest import IN_CI, SAMPLES, run_cli  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TOKEN = "test-token-" + "x" * 24

#: A small fact-check: two sections, one source.
SMALL = (Path(__file__).resolve().parents[1] / "data" / "serve" / "bicycles.md").read_text(encoding="utf-8")


def small(title: str = "Did the town council ban bicycles on Main Street?", extra_body: str = "") -> str:
    """The small check, with another title or more text."""
    return SMALL.replace("Did the town council ban bicycles on Main Street?", title) + extra_body


@dataclass
class Running:
    """A server started for a test: its address, folder and process."""

    url: str
    folder: Path
    process: subprocess.Popen[str]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(folder: Path, log: Path, *args: str, env: dict[str, str] | None = None) -> Running:
    """Start ``reportkit serve`` as a user does and wait until it answers."""
    for _attempt in range(3):
        port = _free_port()
        out = log.open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "reportkit", "serve", str(folder), "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})},
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            try:
                httpx.get(url + "/api/schema", timeout=2, headers={"Authorization": f"Bearer {TOKEN}"})
                return Running(url, folder, process, log)
            except httpx.TransportError:
                time.sleep(0.2)
        process.kill()
        process.wait()
    pytest.fail(f"the server did not start:\n{log.read_text()}")


def _stop(running: Running) -> None:
    running.process.send_signal(signal.SIGINT)
    try:
        running.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A server without tokens on 127.0.0.1: 2 workers, room for 2 waiting jobs, 1 MB uploads."""
    folder = tmp_path_factory.mktemp("checks")
    (folder / "bicycles.md").write_text(small(), encoding="utf-8")
    shutil.copy(SAMPLES / "energy-bills.md", folder)
    (folder / "secret.txt").write_text("the server's own secret\n", encoding="utf-8")
    running = _start(folder, tmp_path_factory.mktemp("log") / "server.log",
                     "--workers", "2", "--queue", "2", "--max-upload-mb", "1", "--timeout", "60")
    yield running
    _stop(running)
    assert running.process.returncode == 0, running.log.read_text()


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A server whose token comes from $REPORTKIT_TOKENS."""
    folder = tmp_path_factory.mktemp("secured")
    (folder / "bicycles.md").write_text(small(), encoding="utf-8")
    running = _start(folder, tmp_path_factory.mktemp("log") / "secured.log", env={"REPORTKIT_TOKENS": TOKEN})
    yield running
    _stop(running)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages)


def _clean(answer: httpx.Response, *secrets: str) -> None:
    """An error answer: short JSON naming the problem, no traceback, no server path, no file content."""
    body = answer.text
    assert answer.headers["content-type"].startswith("application/json"), body[:200]
    assert json.loads(body)["message"]
    for leak in ("Traceback", "File \"", "/tmp/reportkit-", "site-packages", *secrets):
        assert leak not in body, (leak, body)


# --- the API ----------------------------------------------------------------------------------


def test_api_builds_a_pdf_from_json_fields(server: Running) -> None:
    check = rk.load(SAMPLES / "energy-bills.md")
    answer = httpx.post(server.url + "/api/build", json=check.to_dict(), timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    text = _pdf_text(answer.content)
    assert "Doubled at the peak, not now" in text and "Priya Natarajan" in text


def test_api_builds_an_epub_from_markdown(server: Running) -> None:
    answer = httpx.post(server.url + "/api/build?format=epub", content=small().encode(),
                        headers={"Content-Type": "text/markdown"}, timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/epub+zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as epub:
        assert epub.read("mimetype") == b"application/epub+zip"
        text = b" ".join(epub.read(n) for n in epub.namelist() if n.endswith(".xhtml")).decode()
    assert "No ban was voted" in text and "Council minutes, February 2025" in text


def test_api_takes_images_in_a_multipart_form(server: Running) -> None:
    svg = (SAMPLES / "claim.svg").read_bytes()
    text = small(extra_body="\n![A screenshot of the post](figures/post.svg)\n")
    answer = httpx.post(server.url + "/api/build", params={"format": "html"}, timeout=120, files=[
        ("check", ("bicycles.md", text.encode(), "text/markdown")),
        ("images", ("figures/post.svg", svg, "image/svg+xml")),
    ])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert base64.b64encode(svg).decode() in answer.text
    assert "A screenshot of the post" in answer.text


def test_api_answers_claimreview(server: Running) -> None:
    answer = httpx.post(server.url + "/api/build?format=claimreview", content=small().encode(),
                        headers={"Content-Type": "text/markdown"}, timeout=120)
    assert answer.status_code == 200, answer.text
    review = answer.json()
    assert review["claimReviewed"] == "The council banned bicycles on Main Street."
    assert review["reviewRating"]["alternateName"] == "No ban was voted"


def test_api_builds_an_archival_pdf(server: Running) -> None:
    answer = httpx.post(server.url + "/api/build?archival=true", content=small().encode(),
                        headers={"Content-Type": "text/markdown"}, timeout=120)
    assert answer.status_code == 200, answer.text
    import pikepdf

    with pikepdf.open(io.BytesIO(answer.content)) as pdf:
        assert pdf.open_metadata().pdfa_status.startswith("3")
        assert len(pdf.attachments) >= 1


def test_api_schema_is_what_reportkit_schema_prints(server: Running) -> None:
    printed = run_cli("schema")
    assert printed.returncode == 0
    answer = httpx.get(server.url + "/api/schema")
    assert answer.status_code == 200
    assert answer.json() == json.loads(printed.stdout)


def test_openapi_describes_the_fields_of_the_schema_and_every_reference_resolves(server: Running) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    document = httpx.get(server.url + "/api/openapi.json").json()
    schema = json.loads(run_cli("schema").stdout)
    assert document["openapi"].startswith("3.1")
    validate(document)
    broken = json.loads(json.dumps(document))
    del broken["paths"]["/api/build"]["post"]["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken)
    fields = document["components"]["schemas"]["Document"]["properties"]
    assert set(fields) == set(schema["properties"])
    body = document["paths"]["/api/build"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/Document"}
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert len(refs) > 10
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"], ref
    assert {p["name"] for p in document["paths"]["/api/build"]["post"]["parameters"]} == {
        "format", "layout", "page_size", "archival", "engine"}


def test_a_bad_fact_check_gives_400_naming_line_and_field(server: Running) -> None:
    broken = small().replace("  rating: false", "  rating: maybe-ish")
    answer = httpx.post(server.url + "/api/build", content=broken.encode(), headers={"Content-Type": "text/markdown"},
                        timeout=60)
    assert answer.status_code == 400
    _clean(answer)
    error = answer.json()
    assert error["file"] == "check.md" and error["field"].startswith("verdict.rating")
    assert error["line"] == broken.splitlines().index("  rating: maybe-ish") + 1


def test_unknown_options_and_content_types_are_refused(server: Running) -> None:
    for params in ({"format": "docx"}, {"layout": "/etc"}, {"page_size": "B0"}, {"engine": "latex"}, {"colour": "red"}):
        answer = httpx.post(server.url + "/api/build", params=params, content=small().encode(),
                            headers={"Content-Type": "text/markdown"}, timeout=60)
        assert answer.status_code == 400, (params, answer.text)
        _clean(answer)
    answer = httpx.post(server.url + "/api/build", content=b"x", headers={"Content-Type": "application/msword"})
    assert answer.status_code == 415
    _clean(answer)


# --- authentication and binding ---------------------------------------------------------------


def test_no_token_or_a_wrong_one_gives_401(secured: Running) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong-token-of-some-length"}, {"Authorization": f"Basic {TOKEN}"}):
        for method, path in (("POST", "/api/build"), ("GET", "/api/schema"), ("GET", "/"), ("GET", "/checks"),
                             ("GET", "/events?file=bicycles.md")):
            answer = httpx.request(method, secured.url + path, headers=headers, content=small().encode(), timeout=30)
            assert answer.status_code == 401, (headers, path)
            assert answer.headers["www-authenticate"].startswith("Bearer")
            _clean(answer, TOKEN)
    answer = httpx.post(secured.url + "/api/build?format=html", content=small().encode(), timeout=120,
                        headers={"Content-Type": "text/markdown", "Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and "No ban was voted" in answer.text


def test_the_editor_page_logs_in_once_with_the_token_in_the_address(secured: Running) -> None:
    with httpx.Client(base_url=secured.url, follow_redirects=False) as client:
        assert client.get("/?token=wrong-token-of-some-length").status_code == 401
        login = client.get(f"/?token={TOKEN}")
        assert login.status_code == 303 and login.headers["location"] == "/"
        assert "httponly" in login.headers["set-cookie"].lower()
        assert client.get("/").status_code == 200
        assert client.get("/checks").json()["checks"][0]["file"] == "bicycles.md"


def test_refuses_to_listen_beyond_loopback_without_tokens(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REPORTKIT_TOKENS"}
    proc = subprocess.run([sys.executable, "-m", "reportkit", "serve", str(tmp_path), "--host", "0.0.0.0"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2
    assert "refusing to listen on 0.0.0.0" in proc.stderr and "Traceback" not in proc.stderr


def test_short_tokens_are_refused(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("# the newsroom's CMS\nshort\n", encoding="utf-8")
    proc = run_cli("serve", str(tmp_path), "--token-file", str(tokens), timeout=60)
    assert proc.returncode == 2 and "shorter than 16 characters" in proc.stderr


# --- what no request may do ------------------------------------------------------------------


def test_no_request_reads_a_file_outside_the_folder_or_beside_the_checks(server: Running) -> None:
    names = ["../../../../etc/passwd", "/etc/passwd", "secret.txt", "..%2Fsecret.txt", "energy-bills.md/..", ""]
    for name in names:
        for path in ("/preview", "/download", "/events"):
            answer = httpx.get(server.url + path, params={"file": name}, timeout=30)
            assert answer.status_code == 400, (path, name, answer.text)
            _clean(answer, "root:x:0", "the server's own secret")
    for path in ("/static/../secret.txt", "/static/%2e%2e/%2e%2e/app.py", "/preview/x/1/..%2f..%2fsecret.txt"):
        answer = httpx.get(server.url + path)
        assert answer.status_code == 404, path
        assert "secret" not in answer.text


def test_uploads_cannot_climb_out_of_their_folder(server: Running, tmp_path: Path) -> None:
    svg = (SAMPLES / "claim.svg").read_bytes()
    for filename in ("../escaped.svg", "/tmp/escaped.svg", "a/../../escaped.svg", ".hidden.svg", "a\\..\\b.svg"):
        answer = httpx.post(server.url + "/api/build", timeout=60, files=[
            ("check", ("c.md", small().encode(), "text/markdown")), ("images", (filename, svg, "image/svg+xml"))])
        assert answer.status_code == 400, (filename, answer.text)
        _clean(answer)
    assert not Path("/tmp/escaped.svg").exists()


HOSTILE = {
    "an image outside the folder": small(extra_body="\n![x](../../../../etc/passwd)\n"),
    "an absolute image path": small(extra_body="\n![x](/etc/passwd)\n"),
    "an image from a file URL": small(extra_body="\n![x](file:///etc/passwd)\n"),
    "an image from the network": small(extra_body="\n![x](http://127.0.0.1:{port}/x.png)\n"),
    "a sources file outside the folder": small().replace("sources:\n  - key: minutes", "sources: ../../etc/passwd\nx:\n  - key: minutes"),
    "a claim image outside": small().replace("  claimant: A local post", "  claimant: A local post\n  image: ../secret.txt"),
    "YAML aliases multiplying": "---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
                                "title: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n---\nText.\n",
    "a Python object tag": "---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\nText.\n",
    "too many sections": small(extra_body="".join(f"\n## Part {n}\n\nText.\n" for n in range(600))),
    "not UTF-8": "---\ntitle: caf\xe9\n---\n",
    "empty": "",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_fact_checks_give_400_or_413_without_a_leak_or_a_fetch(server: Running, case: str) -> None:
    hits: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                hits.append(connection.recv(1024))
                connection.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        text = HOSTILE[case].replace("{port}", str(listener.getsockname()[1]))
        data = text.encode("latin-1") if case == "not UTF-8" else text.encode("utf-8")
        answer = httpx.post(server.url + "/api/build", content=data, headers={"Content-Type": "text/markdown"},
                            timeout=120)
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert answer.status_code in (400, 413), answer.text
    _clean(answer, "root:x:0", "the server's own secret", "pwned")
    assert hits == []


def test_hostile_json_gives_400(server: Running) -> None:
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"title": "x", "sections": 5}', b"[1, 2]", b"{not json"):
        answer = httpx.post(server.url + "/api/build", content=body, headers={"Content-Type": "application/json"},
                            timeout=60)
        assert answer.status_code == 400, answer.text
        _clean(answer)


def test_oversized_uploads_give_413(server: Running) -> None:
    big = small().encode() + b"\n" + b"x" * (2 * 1024 * 1024)
    answer = httpx.post(server.url + "/api/build", content=big, headers={"Content-Type": "text/markdown"}, timeout=60)
    assert answer.status_code == 413
    _clean(answer)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts what arrives
        yield small().encode()
        for _ in range(40):
            yield b"x" * 65536

    answer = httpx.post(server.url + "/api/build", content=chunks(), headers={"Content-Type": "text/markdown"},
                        timeout=60)
    assert answer.status_code == 413
    _clean(answer)
    answer = httpx.post(server.url + "/api/build", timeout=60, files=[
        ("check", ("c.md", small().encode(), "text/markdown")), ("images", ("big.png", b"\x89PNG" + b"0" * 1_200_000))])
    assert answer.status_code == 413
    _clean(answer)


# --- under load -------------------------------------------------------------------------------


def test_200_requests_at_concurrency_8_each_succeed_or_get_429(server: Running) -> None:
    body = small().encode()

    async def main() -> list[httpx.Response | BaseException]:
        gate = asyncio.Semaphore(8)
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
            async def one() -> httpx.Response:
                async with gate:
                    return await client.post("/api/build", content=body, headers={"Content-Type": "text/markdown"})

            return await asyncio.gather(*(one() for _ in range(200)), return_exceptions=True)

    answers = asyncio.run(main())
    lost = [a for a in answers if not isinstance(a, httpx.Response)]
    assert lost == []
    statuses = [a.status_code for a in answers if isinstance(a, httpx.Response)]
    assert len(statuses) == 200 and set(statuses) <= {200, 429}, sorted(set(statuses))
    ok = [a for a in answers if isinstance(a, httpx.Response) and a.status_code == 200]
    busy = [a for a in answers if isinstance(a, httpx.Response) and a.status_code == 429]
    assert ok and busy  # 8 at once against 2 workers and 2 places in the queue
    assert all(a.content.startswith(b"%PDF-") for a in ok)
    assert all(int(a.headers["retry-after"]) >= 1 and a.json()["error"] == "Busy" for a in busy)


# --- the editor's page in Chromium ------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's), driven by Playwright; skipped outside CI when missing."""
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which("chromium")):
        if IN_CI:
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            raise
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def test_editor_page_lists_checks_and_follows_saves_without_console_errors(server: Running, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    source = server.folder / "bicycles.md"
    try:
        page.goto(server.url + "/#bicycles.md", wait_until="load")
        page.wait_for_selector("body[data-version='1']", timeout=60_000)
        listed = page.locator("#checks li").all_inner_texts()
        assert any("Did the town council ban bicycles" in t and "No ban was voted" in t for t in listed), listed
        assert any("Have household energy bills doubled" in t and "Doubled at the peak" in t for t in listed), listed
        frame = page.frame_locator("#web")
        assert "Did the town council ban bicycles" in frame.locator("h1").inner_text()
        assert page.locator("#pages img").count() >= 1
        assert page.locator("#pages img").first.evaluate("i => i.complete && i.naturalWidth > 100")

        source.write_text(small("Did the city ban scooters on Main Street?"), encoding="utf-8")
        page.wait_for_selector("body[data-version='2']", timeout=30_000)
        assert "Did the city ban scooters" in frame.locator("h1").inner_text()
        page.wait_for_function("() => document.querySelector('#checks').innerText.includes('Did the city ban scooters')",
                               timeout=30_000)

        broken = small().replace("  rating: false", "  rating: [unclosed")
        source.write_text(broken, encoding="utf-8")
        page.wait_for_selector("body[data-error='yes']", timeout=30_000)
        problem = page.locator("#problems").inner_text()
        assert "bicycles.md:" in problem and "YAML" in problem, problem
        assert page.locator("#pages img").count() >= 1  # the last good preview stays
        assert "Did the city ban scooters" in frame.locator("h1").inner_text()
        assert page.get_attribute("body", "data-version") == "2"
    finally:
        source.write_text(small(), encoding="utf-8")
        page.close()
    assert console == []
    assert all(url.startswith(server.url) or url.startswith("data:") for url in requests), requests


def test_editor_downloads(server: Running) -> None:
    params = {"file": "bicycles.md", "layout": "report", "page_size": "A5"}
    archival = httpx.get(server.url + "/download", params={**params, "as": "archival"}, timeout=120)
    assert archival.status_code == 200 and 'filename="bicycles-archival.pdf"' in archival.headers["content-disposition"]
    import pikepdf

    with pikepdf.open(io.BytesIO(archival.content)) as document:
        assert document.open_metadata().pdfa_status.startswith("3")
    pdf = httpx.get(server.url + "/download", params={**params, "as": "pdf"}, timeout=120)
    assert pdf.status_code == 200 and "attachment" in pdf.headers["content-disposition"]
    from pypdf import PdfReader

    box = PdfReader(io.BytesIO(pdf.content)).pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 148  # A5
    epub = httpx.get(server.url + "/download", params={**params, "as": "epub"}, timeout=120)
    assert epub.status_code == 200 and epub.content[:2] == b"PK"
    bundle = httpx.get(server.url + "/download/bundle", timeout=240,
                       params=[("file", "bicycles.md"), ("file", "energy-bills.md"), ("layout", "report")])
    assert bundle.status_code == 200, bundle.text
    text = _pdf_text(bundle.content)
    assert "No ban was voted" in text and "Doubled at the peak, not now" in text


def test_a_foreign_host_name_is_refused_without_tokens(server: Running) -> None:
    # A web page under another name that resolves to 127.0.0.1 (DNS rebinding) must not read the folder.
    answer = httpx.get(server.url + "/checks", headers={"Host": "attacker.example"})
    assert answer.status_code == 400
    assert "bicycles" not in answer.text


# --- configuration, without a server --------------------------------------------------------


def test_tokens_come_from_a_file_and_the_environment(tmp_path: Path) -> None:
    from reportkit.tools.serve import ServeConfig
    from reportkit.tools.serve.config import read_tokens

    file = tmp_path / "tokens"
    file.write_text("# the CMS\nfile-token-0123456789  # rotated in May\n\n", encoding="utf-8")
    digests = read_tokens(file, environ={"REPORTKIT_TOKENS": "env-token-0123456789, env-token-abcdefghij"})
    config = ServeConfig(root=tmp_path, token_digests=digests)
    for token in ("file-token-0123456789", "env-token-0123456789", "env-token-abcdefghij"):
        assert config.accepts(token)
    for token in ("# the CMS", "file-token-012345678", "", None, "env-token-0123456789,"):
        assert not config.accepts(token)
    assert read_tokens(None, environ={}) == frozenset() and not ServeConfig(root=tmp_path).needs_token


def test_only_loopback_hosts_are_allowed_without_tokens() -> None:
    from reportkit.errors import InputError
    from reportkit.tools.serve.config import check_host

    for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        check_host(host, frozenset())
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.org"):
        with pytest.raises(InputError, match="refusing to listen"):
            check_host(host, frozenset())
        check_host(host, frozenset({"digest"}))


def test_engines_are_those_the_pdf_writer_reports_that_are_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from reportkit.errors import InputError
    from reportkit.tools.serve import ServeConfig
    from reportkit.tools.serve.server import Server, pdf_engines
    from reportkit.writers import pdf

    monkeypatch.delattr(pdf, "ENGINES", raising=False)
    assert pdf_engines() == ("weasyprint",)
    assert Server(ServeConfig(root=tmp_path)).preview_engine == "weasyprint"
    # "json" stands for an engine whose package is installed, the other for one whose package is not.
    monkeypatch.setattr(pdf, "ENGINES", ("weasyprint", "no_such_engine_package", "json"), raising=False)
    server = Server(ServeConfig(root=tmp_path))
    assert server.engines == ("weasyprint", "json")
    assert server.engine(None) == "weasyprint" and server.engine("json") == "json"
    with pytest.raises(InputError, match="no PDF engine 'no_such_engine_package'"):
        server.engine("no_such_engine_package")
    server.engines = ("weasyprint", "typst")
    assert server.preview_engine == "typst"  # previews use Typst when it is installed



def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def test_a_worker_killed_mid_build_fails_that_request_and_the_next_one_is_built(secured: Running) -> None:
    headers = {"Content-Type": "text/markdown", "Authorization": f"Bearer {TOKEN}"}
    sample = (SAMPLES / "russia-nato.md").read_text(encoding="utf-8")
    body = sample.split("\n---\n", 1)[1].split("\n## ", 1)[1]
    big = sample + ("\n## " + body) * 3  # several seconds of layout
    before = set(_descendants(secured.process.pid))
    result: dict[str, httpx.Response] = {}

    def build() -> None:
        images = [("images", (p.name, p.read_bytes(), "image/svg+xml")) for p in sorted(SAMPLES.glob("*.svg"))]
        result["answer"] = httpx.post(secured.url + "/api/build", headers={"Authorization": headers["Authorization"]},
                                      files=[("check", ("big.md", big.encode(), "text/markdown")), *images],
                                      timeout=120)

    thread = threading.Thread(target=build)
    thread.start()
    time.sleep(2.0)  # the worker is laying the document out (it takes several seconds)
    workers = [pid for pid in before if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
    assert workers, before
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    thread.join(timeout=120)
    answer = result["answer"]
    assert answer.status_code == 500, answer.text
    _clean(answer)
    assert "worker process" in answer.json()["message"]
    again = httpx.post(secured.url + "/api/build", content=small().encode(), headers=headers, timeout=120)
    assert again.status_code == 200 and again.content.startswith(b"%PDF-")


def test_a_preview_no_page_shows_is_built_again_when_asked_for_after_a_change(server: Running) -> None:
    source = server.folder / "energy-bills.md"
    text = source.read_text(encoding="utf-8")
    first = httpx.get(server.url + "/preview", params={"file": "energy-bills.md", "page_size": "Letter"}, timeout=120)
    assert first.status_code == 200 and first.json()["title"] == "Have household energy bills doubled since 2021?"
    try:
        source.write_text(text.replace("Have household energy bills doubled", "Have household water bills doubled"),
                          encoding="utf-8")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = httpx.get(server.url + "/preview", params={"file": "energy-bills.md", "page_size": "Letter"},
                              timeout=120).json()
            if state["version"] > first.json()["version"]:
                break
            time.sleep(0.2)
        assert state["title"] == "Have household water bills doubled since 2021?"
        page = httpx.get(server.url + state["pages"][0])
        assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    finally:
        source.write_text(text, encoding="utf-8")


def test_a_build_past_the_time_limit_is_stopped_with_413_and_the_server_goes_on(tmp_path: Path) -> None:
    running = _start(tmp_path, tmp_path / "server.log", "--timeout", "2")
    try:
        sample = (SAMPLES / "russia-nato.md").read_text(encoding="utf-8")
        big = sample + ("\n## " + sample.split("\n---\n", 1)[1].split("\n## ", 1)[1]) * 3
        images = [("images", (p.name, p.read_bytes(), "image/svg+xml")) for p in sorted(SAMPLES.glob("*.svg"))]
        started = time.monotonic()
        answer = httpx.post(running.url + "/api/build", timeout=120,
                            files=[("check", ("big.md", big.encode(), "text/markdown")), *images])
        assert answer.status_code == 413, answer.text
        assert "longer than 2 s" in answer.json()["message"]
        assert time.monotonic() - started < 30
        _clean(answer)
        again = httpx.post(running.url + "/api/build?format=html", content=small().encode(),
                           headers={"Content-Type": "text/markdown"}, timeout=120)
        assert again.status_code == 200
    finally:
        _stop(running)


def test_serve_names_a_missing_folder_and_exits_2(tmp_path: Path) -> None:
    proc = run_cli("serve", str(tmp_path / "nowhere"), timeout=60)
    assert proc.returncode == 2
    assert "nowhere: no such folder" in proc.stderr and "Traceback" not in proc.stderr


def test_the_answer_names_the_file_by_the_checks_slug(server: Running) -> None:
    answer = httpx.post(server.url + "/api/build?format=html", content=small().encode(),
                        headers={"Content-Type": "text/markdown"}, timeout=120)
    assert answer.headers["content-disposition"] == 'inline; filename="bicycles.html"'  # slug: bicycles


def test_editor_page_switches_page_size_and_layout(server: Running, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    try:
        page.goto(server.url + "/#bicycles.md", wait_until="load")
        page.wait_for_selector("#pages img", timeout=60_000)
        first = page.locator("#pages img").first

        def ratio() -> float:
            page.wait_for_function("() => { const i = document.querySelector('#pages img');"
                                   " return i && i.complete && i.naturalWidth > 0; }", timeout=60_000)
            return first.evaluate("i => i.naturalHeight / i.naturalWidth")

        assert ratio() == pytest.approx(297 / 210, abs=0.01)  # A4
        before = first.get_attribute("src")
        page.select_option("#page_size", "Letter")
        page.wait_for_function(f"() => document.querySelector('#pages img').getAttribute('src') !== {json.dumps(before)}",
                               timeout=60_000)
        first = page.locator("#pages img").first
        assert ratio() == pytest.approx(11 / 8.5, abs=0.01)  # Letter
        assert "page_size=Letter" in page.get_attribute("#dl-pdf", "href")
        before = first.get_attribute("src")
        page.select_option("#layout", "brief")
        page.wait_for_function(f"() => document.querySelector('#pages img').getAttribute('src') !== {json.dumps(before)}",
                               timeout=60_000)
        assert "layout=brief" in page.get_attribute("#dl-epub", "href")
    finally:
        page.close()
    assert console == []
