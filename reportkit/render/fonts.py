"""Fonts as dependencies: ``@font-face`` rules for families installed by the ``fontpkg-*`` packages.

Layouts name their families in ``layout.toml``; the files come from pip, so every
machine sets the same pages and rebuilds match byte for byte. Scripts no pip package
sets (Chinese, Japanese, Korean, emoji) come from font files a layout ships in its
``fonts/`` folder or the user names with a font directory (:func:`local_faces`), and
last from the system's fonts (fontconfig).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..distributions import metadata_folder
from ..errors import LayoutError

__all__ = [
    "FONT_SUFFIXES",
    "Face",
    "file_digest",
    "font_face_css",
    "font_files",
    "local_face_css",
    "local_faces",
    "package_faces",
    "package_family",
    "recorded_font_changes",
]

#: Font files a layout's ``fonts/`` folder or a font directory may hold.
FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")


#: The entry point group under which a ``fontpkg-*`` package registers its family.
FAMILY_GROUP = "fontpkg.family"


@lru_cache(maxsize=128)
def package_family(name: str) -> Any:
    """The installed ``fontpkg`` family ``name`` (a ``fontpkg.Family``), as ``fontpkg.family(name)`` finds it.

    ``fontpkg.family`` loads every installed family first: it reads the entry points of every
    installed distribution, twice (its own group and the legacy ``fonts_ttf``), 0.02 s of each
    build. A family's package, ``fontpkg-<slug>``, registers it in the group ``fontpkg.family``;
    this reads that entry point from that one distribution, as fontpkg does (the module's
    ``metadata.json``, through ``fontpkg.family_from_metadata``). A family no package of that name
    provides is left to ``fontpkg.family``. fontpkg has no lookup of one family (no issue tracks
    one); tests/render/test_fonts.py fails when this finds another family than fontpkg does.
    Raises ``fontpkg.FontpkgError`` when the family is not installed.
    """
    import json
    from importlib import metadata, resources

    import fontpkg

    slug = fontpkg.slugify(name)
    folder = metadata_folder(f"fontpkg-{slug}")  # one index of the path: 0.001 s less for the report's 12 families
    try:
        dist = metadata.Distribution.at(folder) if folder is not None else metadata.distribution(f"fontpkg-{slug}")
    except metadata.PackageNotFoundError:
        return fontpkg.family(name)
    for entry in dist.entry_points.select(group=FAMILY_GROUP):
        root = resources.files(entry.load())
        family = fontpkg.family_from_metadata(json.loads((root / "metadata.json").read_text(encoding="utf-8")), root)
        if family.slug == slug:
            return family
    return fontpkg.family(name)


@lru_cache(maxsize=16)
def _faces(families: tuple[str, ...], weights: tuple[int, ...] = ()) -> tuple[tuple[str, str, str, Path], ...]:
    """(family, weight, style, file) of every face of ``families``; of static faces only ``weights`` if given."""
    import fontpkg

    faces = []
    for name in families:
        try:
            family = package_family(name)
        except fontpkg.FontpkgError:
            package = "fontpkg-" + name.lower().replace(" ", "-")
            raise LayoutError(
                f"font family {name!r} is not installed",
                hint=f"pip install {package}",
            ) from None
        for file in family.files:
            if weights and not file.variable and (file.weight or 400) not in weights:
                continue
            if file.variable and file.wght_min is not None:
                weight = f"{file.wght_min} {file.wght_max}"
            else:
                weight = str(file.weight or 400)
            faces.append((family.name, weight, file.style, Path(file.path)))
    return tuple(faces)


def font_face_css(families: Iterable[str], weights: Iterable[int] = ()) -> str:
    """CSS ``@font-face`` rules for the files of ``families`` (static ones in ``weights``), ``file://`` sources."""
    rules = []
    for name, weight, style, path in _faces(tuple(families), tuple(weights)):
        rules.append(
            f'@font-face {{ font-family: "{name}"; src: url("{path.as_uri()}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def package_faces(families: Iterable[str], weights: Iterable[int] = ()) -> tuple[Face, ...]:
    """The faces :func:`font_face_css` registers for ``families`` (static ones in ``weights``)."""
    return tuple(
        Face(name, int(weight.split()[0]), style, path, variable=" " in weight)
        for name, weight, style, path in _faces(tuple(families), tuple(weights))
    )


def font_files(families: Iterable[str], weights: Iterable[int] = ()) -> list[Path]:
    """The font files behind ``families`` (static ones in ``weights``): what the renderer may read."""
    return [face[3] for face in _faces(tuple(families), tuple(weights))]


@dataclass(frozen=True)
class Face:
    """One font file and the family, weight and style ``@font-face`` registers it under."""

    family: str
    weight: int
    style: str
    path: Path
    #: A variable font: registered without a weight, its instances serve every weight.
    variable: bool = False


@lru_cache(maxsize=256)
def _local_face(path: Path, stamp: tuple[float, int]) -> Face | None:
    """The face of the font file ``path`` from its name and OS/2 tables; None when it is no font (``stamp``: mtime, size)."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            names = font["name"]
            family = str(names.getDebugName(16) or names.getDebugName(1) or "").strip()
            os2 = font["OS/2"] if "OS/2" in font else None
            weight = int(os2.usWeightClass) if os2 is not None else 400
            italic = bool(os2.fsSelection & 1) if os2 is not None else bool(font["head"].macStyle & 2)
            variable = "fvar" in font
    except (TTLibError, OSError, KeyError, AssertionError, ValueError, EOFError):
        return None
    if not family or '"' in family or "\\" in family:
        return None
    return Face(family, min(max(weight, 1), 1000), "italic" if italic else "normal", path, variable)


def local_faces(folders: Iterable[Path]) -> tuple[Face, ...]:
    """The faces of the font files in ``folders`` and their subfolders, in path order; files that are no font are skipped."""
    faces = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
                stat = path.stat()
                face = _local_face(path.resolve(), (stat.st_mtime, stat.st_size))
                if face is not None:
                    faces.append(face)
    return tuple(faces)


def local_face_css(faces: Iterable[Face]) -> str:
    """``@font-face`` rules for ``faces``, and ``--local-fonts`` naming their families for the print stylesheets."""
    faces = tuple(faces)
    if not faces:
        return ""
    rules = []
    for face in faces:
        weight = "" if face.variable else f" font-weight: {face.weight};"
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("{face.path.as_uri()}");{weight} '
            f"font-style: {face.style}; }}"
        )
    families = ", ".join(f'"{family}"' for family in dict.fromkeys(face.family for face in faces))
    rules.append(f":root {{ --local-fonts: {families}; }}")
    return "\n".join(rules)


@lru_cache(maxsize=256)
def _digest(path: Path, stamp: tuple[float, int]) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 (hex) of a font file, read once per version of the file."""
    stat = path.stat()
    return _digest(path, (stat.st_mtime, stat.st_size))


def _installed_font_files() -> dict[str, list[Path]]:
    """File name -> the font files of that name on this machine: every fontpkg family's, and fontconfig's."""
    import shutil
    import subprocess

    import fontpkg

    found: dict[str, list[Path]] = {}
    for family in fontpkg.families().values():
        for file in family.files:
            found.setdefault(Path(file.path).name, []).append(Path(file.path))
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        try:
            listing = subprocess.run(
                [fc_list, "--format=%{file}\\n"], capture_output=True, text=True, timeout=60, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listing = ""
        for line in dict.fromkeys(listing.splitlines()):
            if line:
                found.setdefault(Path(line).name, []).append(Path(line))
    return found


def recorded_font_changes(recorded: str) -> list[str]:
    """What differs on this machine from the font files an archival PDF records (``rk:fonts``: ``name sha256`` lines).

    Each entry names a file that is missing here or whose every copy here has another SHA-256;
    fonts from a layout's ``fonts/`` folder or a font directory count as missing unless
    fontconfig lists them. Empty: a rebuild can use the same fonts.
    """
    here = _installed_font_files()
    changes = []
    for line in recorded.splitlines():
        name, _, digest = line.strip().rpartition(" ")
        if not name or digest == "unknown":
            continue
        copies = here.get(name, [])
        if not copies:
            changes.append(f"{name} is not installed here")
        elif all(file_digest(path) != digest for path in copies if path.is_file()):
            changes.append(f"{name} differs here (SHA-256 {digest[:12]}… recorded)")
    return changes
