"""The package type-checks cleanly with mypy (configured in pyproject.toml, [tool.mypy])."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install -e '.[test]')")
def test_mypy_reports_no_errors() -> None:
    # Run from the project root so that mypy reads pyproject.toml and keeps its cache in .mypy_cache.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "reportkit"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, f"mypy found problems (exit {result.returncode}):\n{output}"
