"""Byte-identical rebuilds: separate processes, other clocks, other folders, with and without libharfbuzz-subset."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import reportkit as rk

#: Renders many documents or runs outside validators: not part of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow
from reportkit.writers.pdf.fonttools import fixed_font_time
from reportkit.writers.reproducible import FALLBACK_DATE, build_datetime

#: Builds the inputs given in a fresh process whose clock (time and datetime) runs ``offset`` seconds ahead;
#: prints the font subsetters that ran (WeasyPrint's two, reportkit's pinned HarfBuzz).
RUNNER = r"""
import datetime, json, sys, time
offset, subsetter, out, *inputs = sys.argv[1:]
real_time = time.time
time.time = lambda: real_time() + float(offset)
class ShiftedDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.fromtimestamp(time.time(), tz)
datetime.datetime = ShiftedDatetime  # before anything imports it
import weasyprint.pdf.fonts as fonts
if subsetter == "hidden":
    fonts.harfbuzz_subset = None  # what WeasyPrint does on machines without libharfbuzz-subset
used = set()
for name in ("_harfbuzz_subset", "_fonttools_subset"):
    def spy(self, *args, _original=getattr(fonts.Font, name), _name=name, **kwargs):
        used.add(_name)
        return _original(self, *args, **kwargs)
    setattr(fonts.Font, name, spy)
import reportkit as rk
from reportkit.writers.pdf import subsetting
def pinned(*args, _original=subsetting.subset_font, **kwargs):
    used.add("subset_font")
    return _original(*args, **kwargs)
subsetting.subset_font = pinned

for path in inputs:
    check = rk.load(path)
    check.to_pdf(f"{out}/{check.id}.archival.pdf", archival=True)
    if subsetter == "visible":  # the other process makes the archival PDF only, enough to compare the machines
        check.to_pdf(f"{out}/{check.id}.pdf")
        check.to_epub(f"{out}/{check.id}.epub")
print(json.dumps(sorted(used)))
"""
TEN_YEARS = 10 * 365 * 24 * 3600


def build_elsewhere(inputs: list[Path], out: Path, *, offset: int, subsetter: str) -> subprocess.Popen[str]:
    """Start building ``inputs`` into ``out`` in a new process (no SOURCE_DATE_EPOCH, its clock shifted)."""
    out.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(offset), subsetter, str(out), *map(str, inputs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def finish(proc: subprocess.Popen[str]) -> list[str]:
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_build_in_another_process_folder_and_year_is_byte_identical(built, archival, tmp_path, samples):
    copy = tmp_path / "elsewhere"
    shutil.copytree(samples, copy)
    inputs = [p for p in sorted(copy.glob("*.md")) if p.name != "README.md"]
    used = finish(build_elsewhere(inputs, tmp_path / "out", offset=TEN_YEARS, subsetter="visible"))
    # Even where WeasyPrint could load libharfbuzz-subset, reportkit subsets with its pinned HarfBuzz
    # (writers/pdf/subsetting.py), never WeasyPrint's own paths.
    assert used == ["subset_font"]
    for slug, files in built.items():
        assert sha256(tmp_path / "out" / f"{slug}.pdf") == sha256(files["pdf"]), f"{slug}.pdf differs"
        assert sha256(tmp_path / "out" / f"{slug}.epub") == sha256(files["epub"]), f"{slug}.epub differs"
        assert sha256(tmp_path / "out" / f"{slug}.archival.pdf") == sha256(archival[slug]), f"{slug} archival differs"


def test_a_machine_without_libharfbuzz_subset_gives_the_same_bytes_across_processes_and_years(tmp_path, samples, archival):
    inputs = [samples / "energy-bills.md"]
    first = build_elsewhere(inputs, tmp_path / "now", offset=0, subsetter="hidden")
    second = build_elsewhere(inputs, tmp_path / "later", offset=TEN_YEARS, subsetter="hidden")
    assert finish(first) == finish(second) == ["subset_font"]
    name = "energy-bills.archival.pdf"
    assert sha256(tmp_path / "now" / name) == sha256(tmp_path / "later" / name) == sha256(archival["energy-bills"])


def test_pinning_the_font_time_touches_neither_the_environment_nor_other_threads():
    from fontTools.ttLib.tables import _h_e_a_d
    from fontTools.misc.timeTools import epoch_diff

    before = dict(os.environ)
    when = dt.datetime(2001, 2, 3, tzinfo=dt.timezone.utc)
    seen: dict[str, int] = {}
    with fixed_font_time(when):
        pinned = _h_e_a_d.timestampNow()
        other = threading.Thread(target=lambda: seen.update(other=_h_e_a_d.timestampNow()))
        other.start()
        other.join()
        assert dict(os.environ) == before
    assert pinned == int(when.timestamp()) - epoch_diff
    now = int(dt.datetime.now(dt.timezone.utc).timestamp()) - epoch_diff
    assert abs(seen["other"] - now) < 60 and abs(_h_e_a_d.timestampNow() - now) < 60


def epub_modified(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    return opf.findtext(".//{*}meta[@property='dcterms:modified']")


def test_undated_fact_checks_take_their_date_from_source_date_epoch_never_the_clock(monkeypatch):
    check = rk.FactCheck("An undated fact-check about nothing").section("Body", "Text.")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_datetime(check.document) == FALLBACK_DATE
    assert epub_modified(check.render("epub")) == "2000-01-01T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert epub_modified(check.render("epub")) == "2023-11-14T22:13:20Z"
    dated = rk.FactCheck("A dated one", published="2024-05-06").section("Body", "Text.")
    assert epub_modified(dated.render("epub")) == "2024-05-06T00:00:00Z"  # the fact-check's own date wins
