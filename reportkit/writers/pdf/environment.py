"""What a PDF's bytes depend on besides its input: the versions of the libraries that lay it out, subset and compress.

A build is byte-identical on another machine when these versions are the same there
(and the input, layout and options are). Python distributions are pinned by pip; the
native libraries WeasyPrint loads through Pango (Pango, HarfBuzz, FriBidi, Fontconfig,
FreeType) and the zlib Python compresses with come from the system, so they are read
from the loaded libraries and recorded in every archival PDF (``rk:environment``), in
the batch cache's key, and compared by ``reportkit verify``.

Reading them loads the libraries with :mod:`ctypes` but never imports WeasyPrint.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata
from typing import TYPE_CHECKING

from ...distributions import header_block, metadata_folder, metadata_folders

if TYPE_CHECKING:
    import ctypes

__all__ = ["DISTRIBUTIONS", "NATIVE", "describe", "differences", "environment", "font_packages", "installed_version",
           "parse"]

#: Python distributions whose version changes a PDF's bytes: the layout engine and what it draws, shapes
#: hyphenates, subsets and writes with, and what makes the HTML it lays out. Installed font packages
#: (``fontpkg-*``) are added by :func:`environment`.
DISTRIBUTIONS = (
    "weasyprint", "pydyf", "fonttools", "uharfbuzz", "pillow", "tinycss2", "cssselect2", "tinyhtml5", "pyphen",
    "jinja2", "markdown-it-py", "mdit-py-plugins", "babel",
)
#: Native libraries: name -> (file names tried, in order; version function; how it answers).
NATIVE: dict[str, tuple[tuple[str, ...], str, str]] = {
    "pango": (("libpango-1.0.so.0", "libpango-1.0.0.dylib", "pango-1.0"), "pango_version_string", "string"),
    "harfbuzz": (("libharfbuzz.so.0", "libharfbuzz.0.dylib", "harfbuzz"), "hb_version_string", "string"),
    "fribidi": (("libfribidi.so.0", "libfribidi.0.dylib", "fribidi"), "fribidi_version_info", "fribidi"),
    "fontconfig": (("libfontconfig.so.1", "libfontconfig.1.dylib", "fontconfig"), "FcGetVersion", "fontconfig"),
    "freetype": (("libfreetype.so.6", "libfreetype.6.dylib", "freetype"), "FT_Library_Version", "freetype"),
}
_FONT_PREFIX = "fontpkg"
#: The ``Name:`` header of a distribution's metadata file (in its header block).
_NAME = re.compile(r"^name:[ \t]*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)


def _load(names: tuple[str, ...]) -> ctypes.CDLL | None:
    import ctypes  # here: a Typst build asks no native library (ctypes.util would load subprocess)
    import ctypes.util

    for name in names:
        path = name if "." in name else ctypes.util.find_library(name)
        if not path:
            continue
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _native(names: tuple[str, ...], symbol: str, kind: str) -> str:
    """The version of one native library, or ``-`` when it cannot be loaded or asked."""
    import ctypes

    lib = _load(names)
    if lib is None:
        return "-"
    try:
        if kind == "string":
            function = getattr(lib, symbol)
            function.restype = ctypes.c_char_p
            return function().decode("ascii", "replace")
        if kind == "fribidi":  # "(GNU FriBidi) 1.0.8\ninterface version 4, ..."
            info = ctypes.c_char_p.in_dll(lib, symbol).value or b""
            return info.split(b"\n")[0].rsplit(b" ", 1)[-1].decode("ascii", "replace")
        if kind == "fontconfig":  # 21401 = 2.14.1
            number = int(getattr(lib, symbol)())
            return f"{number // 10000}.{number // 100 % 100}.{number % 100}"
        if kind == "freetype":
            handle = ctypes.c_void_p()
            if lib.FT_Init_FreeType(ctypes.byref(handle)):
                return "-"
            parts = [ctypes.c_int() for _ in range(3)]
            lib.FT_Library_Version(handle, *(ctypes.byref(p) for p in parts))
            lib.FT_Done_FreeType(handle)
            return ".".join(str(p.value) for p in parts)
    except (AttributeError, ValueError, OSError):
        return "-"
    return "-"


#: A ``Version:`` header (in the header block of a distribution's metadata file).
_VERSION = re.compile(r"^version:[ \t]*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)
#: The empty line that ends the header block (the long description follows).
_END_OF_HEADERS = re.compile(r"\r?\n\r?\n")


@lru_cache(maxsize=None)
def installed_version(name: str) -> str:
    """The version of the installed distribution ``name`` (as ``importlib.metadata.version``), or ``-``.

    Read from the header block of its metadata file: ``importlib.metadata.version`` parses the
    whole file as an e-mail message, long description included, and a build asks for about 40
    versions (the batch cache's key, the PDF environment): 0.01 s of CPU. Cached for the process,
    as :func:`environment` is. The metadata folder is found by :func:`reportkit.distributions.metadata_folder`, else
    (a distribution in a zip file) by ``importlib.metadata``.
    """
    folder = metadata_folder(name)
    match = _VERSION.search(header_block(folder)) if folder is not None else None
    if match:
        return match.group(1)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return "-"
    match = _VERSION.search(_headers(dist))
    return match.group(1) if match else str(dist.version)


def _headers(dist: metadata.Distribution) -> str:
    """The header block of a distribution's metadata file (its long description left out)."""
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    return _END_OF_HEADERS.split(text, maxsplit=1)[0]


@lru_cache(maxsize=2)
def environment(native: bool = True) -> dict[str, str]:
    """The versions a PDF's bytes depend on, by name: Python distributions, font packages, native libraries, zlib.

    ``native=False`` leaves out the native libraries WeasyPrint loads (Pango, HarfBuzz, FriBidi,
    Fontconfig, FreeType): they shape none of the Typst engine's bytes, and loading them to ask
    their versions maps about 3.4 MB into the process.
    """
    result = {name: installed_version(name) for name in DISTRIBUTIONS}
    result.update((name, installed_version(name)) for name in font_packages())
    if native:
        result.update((name, _native(*spec)) for name, spec in NATIVE.items())
    result["zlib"] = zlib.ZLIB_RUNTIME_VERSION
    return result


def font_packages() -> list[str]:
    """The lowercased names of the installed distributions named ``fontpkg...`` (the font packages and fontpkg), sorted.

    Only the metadata folders named so are read: a distribution's folder is named after it
    (``fontpkg_ibm_plex_sans-3.201.dist-info``, the name normalised, as pip and setuptools write
    it), so the others cannot be font packages. Reading the header block of every installed
    distribution (``importlib.metadata.distributions()``, about 140 here) cost 0.006 s of every
    build, parsing each font package's metadata as an e-mail message 0.003 s more. The folders
    are those :mod:`importlib.metadata` searches (``sys.path``); distributions inside a zip file
    on it are not looked at (a font package's files must be on disk to be used). The folders come
    from :func:`reportkit.distributions.metadata_folders`, the one listing of the path a build makes.
    """
    names = set()
    for name, folder in metadata_folders().items():
        if name.startswith(_FONT_PREFIX):
            match = _NAME.search(header_block(folder))
            if match and match.group(1).lower().startswith(_FONT_PREFIX):
                names.add(match.group(1).lower())
    return sorted(names)


def describe(versions: Mapping[str, str]) -> str:
    """``versions`` as one line, ``name=version; ...`` (the text of the ``rk:environment`` property)."""
    return "; ".join(f"{name}={value}" for name, value in versions.items())


def parse(text: str) -> dict[str, str]:
    """The versions :func:`describe` wrote (unreadable items are left out)."""
    result = {}
    for item in text.split(";"):
        name, sep, value = item.strip().partition("=")
        if sep and name:
            result[name] = value
    return result


def differences(recorded: Mapping[str, str], current: Mapping[str, str] | None = None) -> list[str]:
    """What a rebuild here lacks: ``name version (installed: other)`` for each recorded version not installed."""
    current = environment() if current is None else current
    return [
        f"{name} {want} (installed: {'none' if current.get(name, '-') == '-' else current[name]})"
        for name, want in recorded.items()
        if current.get(name, "-") != want
    ]
