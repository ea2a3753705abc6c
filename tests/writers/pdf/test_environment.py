"""The versions a PDF's bytes depend on: every installed font package is among them, and nothing else by its name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

#: Lists the names of environment() in a process whose path has the folder given first.
PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from reportkit.writers.pdf.environment import environment
print(" ".join(environment()))
"""


def _dist(site: Path, folder: str, name: str, version: str, body: str = "") -> None:
    info = site / f"{folder}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n{body}\n")


@pytest.fixture
def names(tmp_path: Path) -> set[str]:
    site = tmp_path / "site"
    _dist(site, "fontpkg_test_serif", "fontpkg-test-serif", "1.5")
    _dist(site, "FontPkg_Test_Caps", "FontPkg-Test-Caps", "2.0")
    # Mentions a font package's header in its description, but is not one.
    _dist(site, "lookalike", "lookalike", "0.1", body="Name: fontpkg-fake\nInstall it with pip.")
    _dist(site, "not_fontpkg_x", "not-fontpkg-x", "0.3")
    # Named like a font package's folder, but its metadata names another distribution.
    _dist(site, "fontpkg_renamed", "renamed-dist", "1.0")
    # setuptools' older layout: a folder ``NAME.egg-info`` holding PKG-INFO.
    legacy = site / "fontpkg_legacy_sans.egg-info"
    legacy.mkdir()
    (legacy / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: fontpkg-legacy-sans\nVersion: 0.9\n")
    out = subprocess.run([sys.executable, "-c", PROBE, str(site)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def test_every_installed_font_package_is_recorded_by_its_lowercased_name(names):
    assert {"fontpkg-test-serif", "fontpkg-test-caps", "fontpkg-legacy-sans"} <= names


def test_other_distributions_are_not_recorded_even_when_their_text_or_folder_names_a_font_package(names):
    assert not {"lookalike", "fontpkg-fake", "not-fontpkg-x", "renamed-dist", "fontpkg-renamed"} & names


def test_the_font_packages_are_those_importlib_metadata_finds_reading_every_distribution() -> None:
    # Only the folders named like a font package's are read; reading every installed distribution's
    # metadata, as importlib.metadata does, finds the same ones.
    from importlib import metadata

    from reportkit.writers.pdf.environment import font_packages

    every = {(dist.metadata["Name"] or "").lower() for dist in metadata.distributions()}
    expected = sorted(name for name in every if name.startswith("fontpkg"))
    assert len(expected) > 2  # fontpkg and the layouts' font packages are installed
    assert font_packages() == expected


def test_a_version_read_from_the_metadata_headers_is_importlib_metadatas() -> None:
    # Every installed distribution: the header block alone gives the version the whole file does.
    from importlib import metadata

    from reportkit.writers.pdf.environment import installed_version

    names = {dist.metadata["Name"] for dist in metadata.distributions()} - {None}
    assert len(names) > 20
    for name in names:
        assert installed_version(name) == metadata.version(name), name
    assert installed_version("no-such-distribution-here") == "-"


#: Prints installed_version(NAME) in a process whose path has the folder given first.
VERSION_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from reportkit.writers.pdf.environment import installed_version
print(installed_version(sys.argv[2]))
"""


@pytest.mark.parametrize(
    ("metadata_text", "expected"),
    [
        ("Metadata-Version: 2.1\r\nName: crlf-dist\r\nVersion: 3.1.4\r\n\r\nText.\r\n", "3.1.4"),
        ("Metadata-Version: 2.1\nName: crlf-dist\nVERSION:   2.0  \nSummary: s\n\nVersion: 9.9\n", "2.0"),
    ],
)
def test_the_version_is_the_header_whatever_the_line_ends_and_the_description_say(tmp_path, metadata_text, expected):
    info = tmp_path / "crlf_dist-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_bytes(metadata_text.encode())
    out = subprocess.run([sys.executable, "-c", VERSION_PROBE, str(tmp_path), "crlf-dist"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected


#: Prints installed_version(NAME) and importlib.metadata's version of NAME, the folder given first on the path.
BOTH_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from importlib import metadata
from reportkit.writers.pdf.environment import installed_version
print(installed_version(sys.argv[2]), metadata.version(sys.argv[2]))
"""


@pytest.mark.parametrize(
    ("folder", "name", "expected"),
    [
        ("babel-0.0.1.dist-info", "babel", "0.0.1"),  # installed too, later on the path: the first folder's
        ("Babel-0.0.2.dist-info", "BABEL", "0.0.2"),  # names matched whatever their case
        ("my.odd_dist-1.0-py3.11.egg-info", "My-Odd.Dist", "1.0"),  # runs of - _ . are one separator
        ("plain_egg.egg-info", "plain-egg", "4.5"),  # an egg's folder without a version in its name
    ],
)
def test_the_metadata_folder_of_a_name_is_the_one_importlib_metadata_finds_first(tmp_path, folder, name, expected):
    info = tmp_path / folder
    info.mkdir()
    (info / ("PKG-INFO" if folder.endswith(".egg-info") else "METADATA")).write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {expected}\n\nVersion: 9.9\n", "utf-8")
    out = subprocess.run([sys.executable, "-c", BOTH_PROBE, str(tmp_path), name], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [expected, expected]


def test_a_distribution_not_on_the_folders_of_the_path_is_still_found(tmp_path):
    # Negative of the above: with the folder left off the path, the installed Babel's own version is read.
    from importlib import metadata

    out = subprocess.run([sys.executable, "-c", BOTH_PROBE, str(tmp_path / "missing"), "babel"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [metadata.version("babel")] * 2
