"""Fonts as dependencies: ``@font-face`` rules for families installed by the ``fontpkg-*`` packages.

Layouts name their families in ``layout.toml``; the files come from pip, so every
machine sets the same pages and rebuilds match byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..errors import LayoutError

__all__ = ["font_face_css", "font_files"]


@lru_cache(maxsize=16)
def _faces(families: tuple[str, ...], weights: tuple[int, ...] = ()) -> tuple[tuple[str, str, str, Path], ...]:
    """(family, weight, style, file) of every face of ``families``; of static faces only ``weights`` if given."""
    import fontpkg

    faces = []
    for name in families:
        try:
            family = fontpkg.family(name)
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


def font_files(families: Iterable[str], weights: Iterable[int] = ()) -> list[Path]:
    """The font files behind ``families`` (static ones in ``weights``): what the renderer may read."""
    return [face[3] for face in _faces(tuple(families), tuple(weights))]
