"""The independent validators the archival tests use: veraPDF (PDF/A, PDF/UA) and Ace by DAISY (EPUB accessibility).

Both are fetched by the repo's own scripts (``.ci/fetch-verapdf``, ``.ci/fetch-ace``), which
cache them outside the repo and print a launcher path. Outside CI a machine without Java and
Maven, or without Node and Chromium, skips these tests with the reason; under CI (``CI=true``)
they must run, so a missing tool fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    """Give up on a validator through the suite's one helper for missing tools (a failure under CI)."""
    from conftest import missing

    missing(reason, "bash .ci/run installs it")


def fetch(script: str, needs: Iterable[str]) -> str:
    """Run ``.ci/<script>`` and return the launcher path it prints; skip (fail in CI) when it cannot."""
    missing = [tool for tool in needs if shutil.which(tool) is None]
    if missing:
        _unavailable(f"{script} needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not installed")
    proc = subprocess.run([str(ROOT / ".ci" / script)], capture_output=True, text=True, timeout=900)
    launcher = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0 or not Path(launcher).is_file():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        _unavailable(f".ci/{script} could not install the tool: {last}")
    return launcher


@dataclass(frozen=True)
class ProfileResult:
    """One validation profile's verdict on one file."""

    profile: str
    compliant: bool
    failed_rules: int
    failures: list[str]


class VeraPDF:
    """veraPDF's greenfield CLI: one JVM for a whole batch of files, every profile the files declare."""

    def __init__(self) -> None:
        self.launcher = fetch("fetch-verapdf", ["java", "mvn"])

    def validate(self, paths: Iterable[Path]) -> dict[Path, list[ProfileResult]]:
        """Validate ``paths`` against the PDF/A and PDF/UA profiles their XMP declares (``--flavour 0``)."""
        paths = [Path(p) for p in paths]
        proc = subprocess.run(
            [self.launcher, "--flavour", "0", "--format", "json", "--maxfailuresdisplayed", "3", *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode in (0, 1), f"veraPDF failed ({proc.returncode}): {proc.stderr[-2000:]}"
        report = json.loads(proc.stdout)["report"]
        results: dict[Path, list[ProfileResult]] = {}
        for job in report["jobs"]:
            name = Path(job["itemDetails"]["name"])
            assert "taskException" not in job, f"veraPDF could not parse {name}: {job['taskException']}"
            profiles = []
            for result in job["validationResult"]:
                failures = [
                    f"{rule['specification']} {rule['clause']}-{rule['testNumber']}: {rule['description']} "
                    f"({rule['failedChecks']} checks; "
                    + "; ".join(c.get("errorMessage") or c.get("context", "") for c in rule.get("checks", [])[:2])
                    + ")"
                    for rule in result["details"].get("ruleSummaries", [])
                ]
                profiles.append(
                    ProfileResult(result["profileName"], result["compliant"], result["details"]["failedRules"], failures)
                )
            results[name] = profiles
        return results


class Ace:
    """Ace by DAISY on Debian's Chromium: runs several EPUBs side by side and keeps their reports."""

    def __init__(self) -> None:
        if shutil.which("chromium") is None:
            _unavailable("Ace needs Chromium (Debian package 'chromium'), which is not installed")
        self.launcher = fetch("fetch-ace", ["node", "npm"])

    def check(self, paths: Iterable[Path]) -> dict[Path, dict]:
        """The Ace report (``report.json``) of each EPUB."""
        paths = [Path(p) for p in paths]
        with ThreadPoolExecutor(max_workers=2) as pool:
            return dict(zip(paths, pool.map(self._run, paths)))

    def _run(self, path: Path) -> dict:
        with tempfile.TemporaryDirectory(prefix="ace-") as out:
            proc = subprocess.run(
                [self.launcher, "-s", "-f", "-o", out, str(path)], capture_output=True, text=True, timeout=300
            )
            report = Path(out) / "report.json"
            assert proc.returncode == 0 and report.is_file(), f"Ace failed on {path}: {proc.stderr[-2000:]}"
            return json.loads(report.read_text(encoding="utf-8"))


def ace_violations(report: dict) -> list[str]:
    """Every violation Ace found, as 'file: rule (impact): description'."""
    found = []
    for assertion in report.get("assertions", []):
        subject = assertion.get("earl:testSubject", {}).get("url", "?")
        for item in assertion.get("assertions", []):
            if item.get("earl:result", {}).get("earl:outcome") == "fail":
                test = item.get("earl:test", {})
                found.append(
                    f"{subject}: {test.get('dct:title')} ({test.get('earl:impact')}): "
                    f"{item['earl:result'].get('dct:description')}"
                )
    return found


class Axe:
    """axe-core (Deque) run inside a page in headless Chromium: the WCAG 2.2 A and AA rules."""

    TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

    def __init__(self) -> None:
        self.script = fetch("fetch-axe", ["node", "npm"])

    def audit(self, browser: object, url: str, viewport: dict[str, int]) -> list[dict]:
        """The violations axe-core finds on ``url`` at ``viewport`` (the page's CSP is bypassed to inject it)."""
        context = browser.new_context(viewport=viewport, bypass_csp=True)  # type: ignore[attr-defined]
        try:
            page = context.new_page()
            page.goto(url)
            page.add_script_tag(path=self.script)
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", self.TAGS
            )
            return list(result["violations"])
        finally:
            context.close()


def axe_violations(violations: list[dict]) -> list[str]:
    """axe-core's violations as 'rule (impact): target: what to fix'."""
    return [
        f"{v['id']} ({v['impact']}): {node['target']}: {node.get('failureSummary', '')[:300]}"
        for v in violations
        for node in v["nodes"]
    ]
