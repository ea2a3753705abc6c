"""Type checkers see the real types: the package type-checks cleanly, and a user's script is checked against it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, require_module


def mypy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run mypy with the project's configuration (pyproject.toml, [tool.mypy])."""
    require_module("mypy")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.slow
def test_mypy_reports_no_errors() -> None:
    # Run from the project root so that mypy reads pyproject.toml and keeps its cache in .mypy_cache.
    result = mypy("reportkit")
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, f"mypy found problems (exit {result.returncode}):\n{output}"


USER_SCRIPT = """
    from pathlib import Path

    import reportkit as rk
    from reportkit import BuildOptions, FactCheck, Layout, find_layout, load

    check: rk.FactCheck = rk.load("samples/russia-nato.md")
    imported: FactCheck = load("samples/russia-nato.md")
    brief: Layout = find_layout("brief")
    letter: BuildOptions = BuildOptions.parse({"page_size": "Letter"})
    options: rk.BuildOptions = rk.BuildOptions.parse({"page_size": "Letter"})
    layout: rk.Layout = rk.find_layout("brief")
    pdf: Path = check.to_pdf("out.pdf", layout=layout, page_size=options.page_size)
    report: rk.BatchReport = rk.build_many(["samples"], "out", jobs=1)
    result: rk.Verification = rk.verify(pdf)
    checks: list[rk.Check] = result.checks
    extracted: rk.FactCheck = rk.extract(pdf)
    error: type[rk.ReportkitError] = rk.InputError
    """


def write_script(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "publish_script.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return script


@pytest.mark.slow
def test_a_users_script_type_checks_against_the_public_names(tmp_path: Path) -> None:
    result = mypy("--strict", str(write_script(tmp_path, USER_SCRIPT)))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_lazily_loaded_names_carry_real_types_not_any(tmp_path: Path) -> None:
    # If rk.verify were typed Any (the module-level __getattr__ alone), this would pass unnoticed.
    wrong = USER_SCRIPT.rstrip(' ') + (
        "    count: str = rk.verify(pdf).pages\n    built: int = rk.build_many([], 'o')\n"
        "    loaded: int = load('x.md')\n"
    )
    result = mypy(str(write_script(tmp_path, wrong)))
    assert result.returncode == 1
    assert 'Incompatible types in assignment (expression has type "int", variable has type "str")' in result.stdout
    assert '"BatchReport", variable has type "int"' in result.stdout
    assert '"FactCheck", variable has type "int"' in result.stdout  # from reportkit import load: typed too
