"""Find layouts and build their Jinja2 environments.

A layout is a folder: ``layout.toml``, templates and CSS per medium
(``print/`` for PDF, ``epub/`` for EPUB), optional fonts and images. A layout
that ``extends`` another overrides only the files it has: every template and
stylesheet is looked up first in the layout's own folder, then in its parent's,
as mkdocs themes do. An overriding template reaches the one it replaces by the
parent's name: ``{% extends "report/print/document.html" %}``.
"""

from __future__ import annotations

import bisect
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import LayoutError

if TYPE_CHECKING:
    import jinja2

__all__ = ["FILTERS", "Layout", "builtin_dir", "find_layout", "is_builtin", "list_layouts", "scaffold", "search_path"]

#: Environment variable with extra folders (``os.pathsep``-separated) that hold layouts.
LAYOUTS_ENV = "REPORTKIT_LAYOUTS"
#: Page sizes every built-in layout supports.
PAGE_SIZES = ("A4", "Letter", "A5")


def site(url: str) -> str:
    """The host of a web address without ``www.``: ``https://www.nato.int/x`` -> ``nato.int``."""
    from urllib.parse import urlsplit

    host = urlsplit(str(url)).hostname or str(url)
    return host.removeprefix("www.")


#: Jinja2 filters the layouts' templates can use besides Jinja2's own.
def _filters() -> dict[str, Any]:
    from .breaks import keep_end
    from .links import href
    from ..document.richtext import to_html, to_plain

    return {"site": site, "rich": to_html, "plain": to_plain, "href": href, "keep_end": keep_end}


#: Filters every layout's templates have: ``site`` (a URL's host), ``rich`` (a source field's rich text as
#: HTML), ``plain`` (the same as plain text), ``href`` (a URL percent-encoded for a link), ``keep_end`` (a
#: headline as HTML whose last words are kept together on its last line: :mod:`.breaks`).
FILTERS = _filters()


def builtin_dir() -> Path:
    """The folder of the built-in layouts: inside the installed package, or the source checkout's ``layouts/``."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_layouts"
    return packaged if packaged.is_dir() else package.parent / "layouts"


def search_path(extra: Iterable[str | Path] = ()) -> list[Path]:
    """Folders searched for layouts by name: ``extra``, then ``$REPORTKIT_LAYOUTS``, then the built-ins."""
    folders = [Path(p) for p in extra]
    folders += [Path(p) for p in os.environ.get(LAYOUTS_ENV, "").split(os.pathsep) if p]
    folders.append(builtin_dir())
    return folders


@dataclass(frozen=True, eq=False)
class Layout:
    """A layout folder, with the chain of layouts it extends."""

    name: str
    path: Path
    description: str = ""
    parent: "Layout | None" = None
    page_sizes: tuple[str, ...] = PAGE_SIZES
    fonts: tuple[str, ...] = ()
    #: Families set only for the characters of their ``unicode-range``: family -> ranges.
    fallback_fonts: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    #: The weights the layout's CSS asks for; only those faces of static families are registered.
    font_weights: tuple[int, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def chain(self) -> list["Layout"]:
        """This layout, then the layouts it extends, nearest first."""
        chain: list[Layout] = []
        layout: Layout | None = self
        while layout is not None:
            chain.append(layout)
            layout = layout.parent
        return chain

    @property
    def all_fonts(self) -> tuple[str, ...]:
        """Font families of the whole chain, the layout's own first, then the fallback families."""
        return self._required + tuple(f for f in self._fallbacks if f not in self._required)

    @cached_property
    def _required(self) -> tuple[str, ...]:
        """The ``fonts`` of the whole chain, the layout's own first."""
        return tuple(dict.fromkeys(family for layout in self.chain for family in layout.fonts))

    @property
    def font_folders(self) -> tuple[Path, ...]:
        """The ``fonts/`` folders of the chain that exist, the layout's own first: font files it ships."""
        return tuple(layout.path / "fonts" for layout in self.chain if (layout.path / "fonts").is_dir())

    def local_font_folders(self, font_dirs: Iterable[str | os.PathLike[str]] = ()) -> tuple[Path, ...]:
        """The folders of font files a build reads besides the families' packages: :attr:`font_folders`,
        then ``font_dirs`` (the option), each once. Both PDF engines read them before any system font."""
        return tuple(dict.fromkeys([*self.font_folders, *(Path(folder) for folder in font_dirs)]))

    @property
    def weights(self) -> tuple[int, ...]:
        """The font weights of the whole chain (empty: every face of every family)."""
        return tuple(sorted({w for layout in self.chain for w in layout.font_weights}))

    @cached_property
    def _fallbacks(self) -> dict[str, tuple[tuple[int, int], ...]]:
        """Fallback family -> the ranges of code points it serves (the nearest layout wins)."""
        found: dict[str, tuple[tuple[int, int], ...]] = {}
        for layout in reversed(self.chain):
            found.update(layout.fallback_fonts)
        return found

    def fonts_for(self, *texts: str) -> tuple[str, ...]:
        """The families to register for a document whose text (HTML, drawings) is ``texts``.

        Every family of ``fonts``, and each fallback family whose ``unicode-range`` has a
        character of ``texts``: a family no character needs would change nothing on the page,
        and registering a face costs start-up time and memory. The ranges are compared with the
        distinct characters of ``texts``: compiling them into patterns and searching each text with
        each took 1.6 ms of every build of the sample, 0.2 ms this way.
        """
        points = sorted({ord(char) for text in texts for char in set(text)})
        needed = tuple(
            family
            for family, ranges in self._fallbacks.items()
            if family not in self._required and any(_has_point(points, lo, hi) for lo, hi in ranges)
        )
        return self._required + needed

    def find(self, relative: str) -> Path:
        """The first file named ``relative`` along the chain (templates, CSS, images)."""
        for layout in self.chain:
            candidate = layout.path / relative
            if candidate.is_file():
                return candidate
        raise LayoutError(
            f"layout {self.name!r} has no file {relative!r}",
            file=self.path,
            hint=f"add {relative} to the layout folder or extend a layout that has it",
        )

    @cached_property
    def env(self) -> jinja2.Environment:
        """The Jinja2 environment: autoescaping, strict about undefined variables, searching the chain."""
        import jinja2  # here: a build that renders no template (the Typst engine) never imports Jinja2

        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader([str(l.path) for l in self.chain])]
        loaders.append(jinja2.PrefixLoader({l.name: jinja2.FileSystemLoader(str(l.path)) for l in self.chain}))
        env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=False,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            bytecode_cache=_bytecode_cache(),
        )
        env.filters.update(FILTERS)
        return env

    def files(self) -> list[Path]:
        """Every file of the chain (for content hashes of builds)."""
        return sorted(p for l in self.chain for p in l.path.rglob("*") if p.is_file())


#: Environment variable naming the folder of reportkit's caches ('' turns the template cache off).
CACHE_ENV = "REPORTKIT_CACHE_DIR"


@lru_cache(maxsize=1)
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept on disk between runs (a new process need not compile them again).

    Entries are checked against the template's source, so an edited layout is compiled anew;
    the folder is per reportkit and Jinja2 version. None when no cache folder can be written.
    """
    import jinja2

    setting = os.environ.get(CACHE_ENV)
    if setting == "":
        return None
    base = Path(setting) if setting else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "reportkit"
    from .._version import __version__

    folder = base / f"templates-{__version__}-jinja2-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK | os.X_OK) else None


#: The most a layout.toml may weigh.
MAX_TOML_BYTES = 1024 * 1024


def _read_toml(folder: Path) -> dict[str, Any]:
    from ..errors import InputError
    from ..files import read_regular

    path = folder / "layout.toml"
    if not path.exists():
        raise LayoutError(
            f"{folder} is not a layout: it has no layout.toml",
            file=folder,
            hint="create one with 'reportkit layouts new NAME --extends report'",
        )
    try:
        return _check_toml(tomllib.loads(read_regular(path, max_bytes=MAX_TOML_BYTES, what="layout.toml").decode()), path)
    except InputError as exc:
        raise LayoutError(exc.message, file=path, hint=exc.hint) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise LayoutError(f"layout.toml cannot be read: {type(exc).__name__}: {exc}"[:500], file=path) from None


#: The keys of layout.toml and the type each must have (fallback_fonts and font_weights have checks of their own).
_TOML_KEYS: dict[str, tuple[type, str]] = {
    "name": (str, "a string"),
    "description": (str, "a string"),
    "extends": (str, "the name of a layout"),
    "page_sizes": (list, "a list of page sizes, e.g. [\"A4\", \"Letter\"]"),
    "fonts": (list, "a list of font family names"),
    "options": (dict, "a table of options ([options])"),
}


def _check_toml(meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """``meta`` when every key of layout.toml has the type it must have; else a :class:`LayoutError` naming the key."""
    for key, (kind, shape) in _TOML_KEYS.items():
        if key not in meta:
            continue
        value = meta[key]
        wrong_items = isinstance(value, list) and not all(isinstance(v, str) for v in value)
        if not isinstance(value, kind) or wrong_items:
            raise LayoutError(f"must be {shape}, not {type(value).__name__} {str(value)[:60]!r}", file=path,
                              field=key, hint="see the layout.toml of the built-in 'report' layout")
    return meta


def _load(folder: Path, search: Sequence[Path], seen: tuple[Path, ...]) -> Layout:
    folder = folder.resolve()
    if folder in seen:
        raise LayoutError("layouts extend each other in a loop", file=folder / "layout.toml")
    meta = _read_toml(folder)
    parent = None
    if meta.get("extends"):
        parent_name = str(meta["extends"])
        parent_dir = _locate(parent_name, search, exclude=folder)
        if parent_dir is None:
            raise LayoutError(
                f"extends unknown layout {parent_name!r}",
                file=folder / "layout.toml",
                hint="available: " + ", ".join(sorted(_names(search))),
            )
        parent = _load(parent_dir, search, (*seen, folder))
    sizes = tuple(meta.get("page_sizes", parent.page_sizes if parent else PAGE_SIZES))
    return Layout(
        name=str(meta.get("name", folder.name)),
        path=folder,
        description=str(meta.get("description", "")),
        parent=parent,
        page_sizes=sizes,
        fonts=tuple(meta.get("fonts", ())),
        fallback_fonts=_fallback_fonts(meta.get("fallback_fonts", {}), folder),
        font_weights=_font_weights(meta.get("font_weights", []), folder),
        options={**(parent.options if parent else {}), **meta.get("options", {})},
    )


def _has_point(points: list[int], lo: int, hi: int) -> bool:
    """Whether the sorted code points ``points`` have one from ``lo`` to ``hi``."""
    at = bisect.bisect_left(points, lo)
    return at < len(points) and points[at] <= hi


def _unicode_range(text: object) -> tuple[tuple[int, int], ...]:
    """Parse a CSS ``unicode-range`` list ("U+0400-04FF, U+0500-052F, U+2116"); ValueError when it is not one."""
    ranges = []
    for part in str(text).split(","):
        match = re.fullmatch(r"\s*[Uu]\+([0-9A-Fa-f]{1,6})(?:-([0-9A-Fa-f]{1,6}))?\s*", part)
        if not match:
            raise ValueError(part.strip())
        lo = int(match[1], 16)
        hi = int(match[2] or match[1], 16)
        if not lo <= hi <= 0x10FFFF:
            raise ValueError(part.strip())
        ranges.append((lo, hi))
    return tuple(ranges)


def _fallback_fonts(table: object, folder: Path) -> dict[str, tuple[tuple[int, int], ...]]:
    where = folder / "layout.toml"
    if not isinstance(table, dict):
        raise LayoutError("fallback_fonts must be a table: family = \"U+0600-06FF, ...\"", file=where)
    try:
        return {str(family): _unicode_range(ranges) for family, ranges in table.items()}
    except ValueError as exc:
        raise LayoutError(
            f"fallback_fonts: {str(exc)!r} is not a unicode-range",
            file=where,
            hint='write ranges as in CSS: "U+0400-052F, U+2116"',
        ) from None


def _font_weights(weights: object, folder: Path) -> tuple[int, ...]:
    if not isinstance(weights, list) or not all(isinstance(w, int) and 1 <= w <= 1000 for w in weights):
        raise LayoutError(
            "font_weights must be a list of weights from 1 to 1000",
            file=folder / "layout.toml",
            hint="e.g. font_weights = [400, 600, 700]",
        )
    return tuple(weights)


def _locate(name: str, search: Sequence[Path], exclude: Path | None = None) -> Path | None:
    for folder in search:
        candidate = (folder / name).resolve()
        if candidate != exclude and (candidate / "layout.toml").is_file():
            return candidate
    return None


def _names(search: Sequence[Path]) -> set[str]:
    return {p.parent.name for folder in search if folder.is_dir() for p in folder.glob("*/layout.toml")}


def find_layout(name_or_path: str | os.PathLike[str], extra: Iterable[str | Path] = ()) -> Layout:
    """Find a layout by name on the search path, or load it from a folder path."""
    return _find_cached(str(name_or_path), tuple(str(p) for p in extra), os.environ.get(LAYOUTS_ENV, ""))


@lru_cache(maxsize=32)
def _find_cached(name: str, extra: tuple[str, ...], _env: str) -> Layout:
    search = search_path(extra)
    as_path = Path(name)
    if os.sep in name or "/" in name or name.startswith(".") or (as_path / "layout.toml").is_file():
        if not as_path.is_dir():
            raise LayoutError(f"layout folder {name!r} does not exist", hint="check the path given to --layout")
        return _load(as_path, search, ())
    folder = _locate(name, search)
    if folder is None:
        raise LayoutError(
            f"unknown layout {name!r}",
            hint="available: " + ", ".join(sorted(_names(search))) + "; or give the path of a layout folder",
        )
    return _load(folder, search, ())


def list_layouts(extra: Iterable[str | Path] = (), errors: list[LayoutError] | None = None) -> list[Layout]:
    """Every layout found on the search path, first occurrence of each name.

    A broken layout (unreadable ``layout.toml``, unknown parent) raises, unless
    ``errors`` is given: then its error is appended there and the others are listed.
    """
    found: dict[str, Layout] = {}
    search = search_path(extra)
    for folder in search:
        if not folder.is_dir():
            continue
        for toml in sorted(folder.glob("*/layout.toml")):
            if toml.parent.name in found:
                continue
            try:
                found[toml.parent.name] = _load(toml.parent, search, ())
            except LayoutError as exc:
                if errors is None:
                    raise
                errors.append(exc)
    return list(found.values())


def is_builtin(layout: Layout) -> bool:
    """Whether ``layout`` is one of reportkit's own."""
    return layout.path.parent.resolve() == builtin_dir().resolve()


#: The files ``reportkit layouts new`` writes, by path; ``{name}`` and ``{parent}`` are filled in.
SCAFFOLD: dict[str, str] = {
    "layout.toml": """name = "{name}"
description = "{name}: the {parent} layout with a few changes."
extends = "{parent}"
# Page sizes this layout supports (inherited from {parent} when left out).
# page_sizes = ["A4", "Letter", "A5"]
# Font families installed with pip (fontpkg-*), added to those of {parent}.
# fonts = []
# Weights your CSS asks for, added to those of {parent} (only these faces are registered).
# font_weights = [300]

[options]
# Options of {parent} can be changed here, e.g.:
# claim_image = false
""",
    "print/document.html": """{{% extends "{parent}/print/document.html" %}}
{{#- Override only the blocks you change; the others come from {parent}.
    Blocks: meta, styles, page_style, title_block, summary, sections, corrections, bibliography.
    Every variable a template can use is listed in reportkit.render.renderer.CONTEXT. -#}}

{{% block title_block %}}
{{{{ super() }}}}
{{% endblock %}}
""",
    "print/extra.css": """/* Rules added to {parent}'s stylesheets (this file replaces its empty extra.css).
   Fonts are set through variables, e.g.:
   :root {{ --serif: "IBM Plex Serif", serif; --sans: "IBM Plex Sans Condensed", sans-serif; }} */
h1 {{ letter-spacing: -0.01em; }}
""",
}


def scaffold(name: str, parent: str = "report", folder: str | Path = ".") -> Path:
    """Create a minimal layout ``folder/name`` that extends ``parent`` and renders as it is; return its path."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise LayoutError(
            f"{name!r} is not a usable layout name",
            hint="use letters, digits, '-', '_' or '.', starting with a letter or digit",
        )
    find_layout(parent)  # the parent must exist
    target = Path(folder) / name
    if target.exists():
        raise LayoutError(f"{target} already exists", file=target, hint="choose another name or folder")
    for relative, text in SCAFFOLD.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name, parent=parent), encoding="utf-8")
    return target
