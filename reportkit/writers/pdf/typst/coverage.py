"""What the Typst engine's font files hold: the characters they map, and the names they are embedded under.

Archival PDFs record the font files they were set with (``rk:fonts``): :func:`used_font_files`
finds the files behind the fonts Typst embedded, by their PostScript names.

Characters of a document that none of the engine's fonts has are found, so that none becomes a silent box.

Typst draws a character that no font of its font book has as an empty box (``.notdef``) and
says nothing, unless a PDF standard forbids it: PDF/UA-1 and PDF/A then stop the compile with
"the text ... could not be displayed with font ...", naming one character and one font, which
reads like a fault of the layout's templates. The engine reads only the layout's font folders
and the ``font_dirs`` the user gives, never the system's fonts (rebuilds must match byte for
byte), so a script the layout's fonts lack (Chinese, Japanese, Korean, emoji) meets this.
:func:`uncovered` finds every such character of the template context, from the fonts' own
character maps (fontTools), so that the engine can name them all with the text around them and
say how to add a font (:func:`reportkit.writers.pdf.glyphs.missing_glyph_warning`).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["FONT_FILES", "PLAIN", "document_texts", "needs_check", "uncovered", "used_font_files"]

#: The font files Typst's font search reads in a folder (and its subfolders).
FONT_FILES = (".ttf", ".otf", ".ttc", ".otc")

#: Characters every font a layout may name is taken to have (ASCII): a document with no other
#: character needs no look at the fonts when no PDF standard checks them (an untagged build).
PLAIN = frozenset(chr(code) for code in range(0x20, 0x7F))

#: General categories drawn without a glyph of their own: controls, format characters (joiners,
#: direction marks, the soft hyphen) and separators.
_NO_GLYPH = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, its keys excepted."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def document_texts(context: str) -> list[str]:
    """The strings of a template context (JSON text): everything the templates may set."""
    return list(_strings(json.loads(context)))


def needs_check(texts: Iterable[str]) -> bool:
    """Whether ``texts`` hold a character beyond :data:`PLAIN` (a look at the fonts' character maps is needed)."""
    return any(not PLAIN.issuperset(text) for text in texts)


def _drawn(char: str) -> bool:
    """Whether ``char`` needs a glyph (not a control, format character, separator or variation selector)."""
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return False
    return unicodedata.category(char) not in _NO_GLYPH


def _each_face(path: Path, read: Callable[[Any], Any]) -> list[Any]:
    """``read(face)`` for each face of the font file ``path`` (a collection has several); [] for a file that is no font
    (Typst cannot read it either)."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            with TTCollection(path, lazy=True) as collection:
                return [read(font) for font in collection]
        with TTFont(path, lazy=True, fontNumber=0) as font:
            return [read(font)]
    except (TTLibError, OSError, KeyError, AssertionError, ValueError, EOFError):
        return []


@lru_cache(maxsize=256)
def _character_map(path: Path, stamp: tuple[int, int]) -> frozenset[int]:
    """The code points the font file ``path`` maps (every face of a collection); ``stamp``: its mtime and size."""
    return frozenset(code for cmap in _each_face(path, lambda font: font.getBestCmap() or {}) for code in cmap)


@lru_cache(maxsize=256)
def _postscript_names(path: Path, stamp: tuple[int, int]) -> frozenset[str]:
    """The PostScript names (name ID 6) of the faces of the font file ``path``; ``stamp``: its mtime and size."""
    return frozenset(name for name in _each_face(path, lambda font: font["name"].getDebugName(6)) if name)


def _font_files(folders: Sequence[str]) -> Iterator[tuple[Path, tuple[int, int]]]:
    """The font files Typst reads in ``folders``, in a stable order, each with its mtime and size (the caches' key)."""
    for folder in folders:
        root = Path(folder)
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in FONT_FILES and p.is_file()):
                stat = path.stat()
                yield path, (stat.st_mtime_ns, stat.st_size)


def uncovered(texts: Iterable[str], folders: Sequence[str]) -> list[int]:
    """The code points of ``texts`` (in order of first use) that no font file in ``folders`` maps."""
    wanted = list(dict.fromkeys(char for text in texts for char in text if char not in PLAIN and _drawn(char)))
    if not wanted:
        return []
    left = {ord(char) for char in wanted}
    for path, stamp in _font_files(folders):
        left -= _character_map(path, stamp)
        if not left:
            return []
    return [ord(char) for char in wanted if ord(char) in left]


def used_font_files(embedded: Iterable[str], folders: Sequence[str]) -> list[str]:
    """``file-name sha256`` of the font file in ``folders`` behind each font name Typst embedded, sorted.

    ``embedded``: the PDF's ``/BaseFont`` names (a CID font's, for a Type 0 font), their subset tag (``ABCDEF+``)
    removed: the faces' PostScript names. A name no
    file of the folders carries is recorded as ``name unknown``, as the WeasyPrint engine records
    a font it cannot trace to a file.
    """
    from ....render.fonts import file_digest

    wanted = set(embedded)
    found: set[str] = set()
    for path, stamp in _font_files(folders):
        if not wanted:
            break
        names = _postscript_names(path, stamp) & wanted
        if names:
            found.add(f"{path.name} {file_digest(path)}")
            wanted -= names
    found.update(f"{name} unknown" for name in wanted)
    return sorted(found)
