"""The installed package, not the source tree: the wheel carries the layouts and renders the samples."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

#: Builds and installs a wheel: not part of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    (found,) = out.glob("reportkit-*.whl")
    return found


def test_the_wheel_carries_the_layouts_the_types_marker_and_the_catalogues(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "reportkit/_layouts/report/layout.toml" in names
    assert "reportkit/_layouts/report/print/report.css" in names
    assert "reportkit/_layouts/report/epub/epub.css" in names
    assert "reportkit/_layouts/report/typst/report.typ" in names and "reportkit/_layouts/brief/typst/document.typ" in names
    assert "reportkit/writers/pdf/typst/main.typ" in names  # the Typst engine's own main file
    assert "reportkit/py.typed" in names
    assert not any(n.startswith(("tests/", "samples/")) for n in names)


def test_the_wheel_carries_the_editors_page(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("index.html", "editor.js", "editor.css"):
        assert f"reportkit/tools/serve/static/{name}" in names


def test_the_installed_wheel_renders_the_sample_from_another_folder(wheel, tmp_path, samples):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = ("import reportkit, reportkit.render.layouts as l; print(reportkit.__file__); print(l.builtin_dir())")
    where = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    assert where[0].startswith(str(target)) and where[1].startswith(str(target))
    result = subprocess.run([sys.executable, "-m", "reportkit", "build", str(samples / "russia-nato.md"), "-o", "out"],
                            cwd=elsewhere, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "out" / "russia-nato.pdf").stat().st_size > 10_000
    assert (elsewhere / "out" / "russia-nato.epub").stat().st_size > 10_000
