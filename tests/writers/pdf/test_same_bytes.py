"""The same bytes on every machine: fonts subset by the HarfBuzz pip pins, the versions the bytes depend on recorded.

The builds run in fresh interpreters (tests/samebytes.py): one where WeasyPrint loads the
system's libharfbuzz-subset, one where it cannot, and one per other Python version the
machine has (``REPORTKIT_TEST_PYTHONS``: interpreters with reportkit's dependencies, which
``.ci/run`` makes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import reportkit as rk
from reportkit.tools.verify import read_archive
from reportkit.writers.pdf import environment as env_module

from conftest import ROOT, missing

SCRIPT = ROOT / "tests" / "samebytes.py"
#: Size of the dossier built from the samples (benchmarks/corpus.py), as the issue asks.
FACTOR = 16


def build_elsewhere(out: Path, *, python: str = sys.executable, hide: bool = False) -> dict:
    """Build the samples and the dossier in a new ``python`` process; what tests/samebytes.py reports."""
    command = [python, str(SCRIPT), str(out), "--factor", str(FACTOR)] + (["--hide-harfbuzz-subset"] if hide else [])
    environ = {**os.environ, "PYTHONPATH": str(ROOT)}
    environ.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, env=environ)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def with_harfbuzz_subset(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The samples and the dossier built by this Python, where WeasyPrint loads libharfbuzz-subset."""
    report = build_elsewhere(tmp_path_factory.mktemp("visible"))
    if not report["harfbuzz_subset"]:
        missing("libharfbuzz-subset (WeasyPrint's other font subsetter)", "apt-get install libharfbuzz-subset0")
    return report


@pytest.mark.slow
def test_samples_and_a_16x_dossier_give_the_same_bytes_with_libharfbuzz_subset_visible_and_hidden(
    with_harfbuzz_subset, tmp_path
):
    hidden = build_elsewhere(tmp_path / "hidden", hide=True)
    assert hidden["harfbuzz_subset"] is False  # WeasyPrint could not load it there
    assert len(with_harfbuzz_subset["files"]) == 9  # two samples and the dossier: PDF, archival PDF, EPUB
    assert hidden["files"] == with_harfbuzz_subset["files"]


def other_pythons() -> list[str]:
    """Interpreters of other Python versions with reportkit's dependencies (``REPORTKIT_TEST_PYTHONS``)."""
    listed = [p for p in os.environ.get("REPORTKIT_TEST_PYTHONS", "").split(os.pathsep) if p]
    return [p for p in listed if Path(p).is_file()]


@pytest.mark.slow
def test_every_python_version_on_the_machine_gives_the_same_bytes(with_harfbuzz_subset, tmp_path):
    pythons = other_pythons()
    if not pythons:
        missing("other Python versions (REPORTKIT_TEST_PYTHONS)", ".ci/run makes a venv per interpreter it finds")
    versions = {with_harfbuzz_subset["python"]}
    for number, python in enumerate(pythons):
        report = build_elsewhere(tmp_path / str(number), python=python, hide=number % 2 == 1)
        versions.add(report["python"])
        assert report["environment"] == with_harfbuzz_subset["environment"], (
            f"{python} has other library versions installed: the bytes may differ for that reason alone"
        )
        assert report["files"] == with_harfbuzz_subset["files"], f"Python {report['python']} wrote other bytes"
    assert len(versions) > 1


def test_archival_pdfs_record_the_versions_the_bytes_depend_on_native_libraries_included(archival):
    import fontTools
    import uharfbuzz
    import weasyprint
    from weasyprint.text import ffi

    recorded = env_module.parse(read_archive(archival["russia-nato"]).metadata["rk:environment"])
    # Each read back from another source than the one the record was made from.
    pango = ffi.pango.pango_version()  # 15012 for 1.50.12
    assert recorded["pango"] == f"{pango // 10000}.{pango // 100 % 100}.{pango % 100}"
    major, minor, micro = map(int, recorded["harfbuzz"].split("."))
    assert ffi.harfbuzz.hb_version_atleast(major, minor, micro)
    assert not ffi.harfbuzz.hb_version_atleast(major, minor, micro + 1)
    assert recorded["zlib"] == zlib.ZLIB_RUNTIME_VERSION
    assert recorded["fonttools"] == fontTools.version and recorded["weasyprint"] == weasyprint.__version__
    assert recorded["uharfbuzz"] == uharfbuzz.__version__  # the subsetter's HarfBuzz (writers/pdf/subsetting.py)
    assert {"fribidi", "fontconfig", "freetype", "fontpkg-ibm-plex-serif", "pydyf", "pillow"} <= set(recorded)
    assert all(value != "-" for value in recorded.values()), recorded


def test_plain_pdfs_record_no_environment(built):
    assert "rk:environment" not in read_archive(built["energy-bills"]["pdf"]).metadata


def test_differences_name_each_version_a_rebuild_needs():
    recorded = {"pango": "1.50.12", "harfbuzz": "6.0.0", "zlib": "1.2.13"}
    current = {"pango": "1.54.0", "harfbuzz": "6.0.0"}
    assert env_module.differences(recorded, current) == ["pango 1.50.12 (installed: 1.54.0)", "zlib 1.2.13 (installed: none)"]
    assert env_module.differences(recorded, {**recorded, "extra": "1"}) == []
    assert env_module.parse(env_module.describe(recorded)) == recorded


def test_the_batch_cache_key_changes_with_a_native_library_version(monkeypatch):
    from reportkit.tools.cache import context_key

    before = context_key("report", {})
    assert context_key("report", {}) == before
    changed = {**env_module.environment(), "harfbuzz": "99.0.0"}
    monkeypatch.setattr(env_module, "environment", lambda **_: changed)
    assert context_key("report", {}) != before


def test_the_same_input_in_two_folders_gives_the_same_bytes_though_weasyprint_names_images_by_url(tmp_path):
    import hashlib
    import io

    from pypdf import PdfReader
    from weasyprint import HTML

    from archivalutil import edge_check

    folders = [tmp_path / "a", tmp_path / "deeper" / "b"]
    builds = []
    for folder in folders:
        folder.mkdir(parents=True)
        builds.append(edge_check(folder).render("pdf", archival=True))  # it shows a PNG figure
    assert builds[0] == builds[1]
    # The WeasyPrint behaviour asset_url() avoids: a raster image is named after the MD5 of its URL.
    url = (folders[0] / "chart.png").as_uri()
    page = PdfReader(io.BytesIO(HTML(string=f'<img src="{url}">').write_pdf())).pages[0]
    names = list(page["/Resources"]["/XObject"])
    assert [name[2:-1] for name in names] == [hashlib.md5(url.encode()).hexdigest()], names
