"""Fixed texts of the layouts ("Sources", "page 3 of 7") and dates, in the document's language.

Catalogues are JSON files in ``reportkit/locales/``, one per language, mapping the
English message to its translation. A message missing from a catalogue falls back
to English with a :class:`~reportkit.errors.ReportkitWarning`, never an error.
Dates are formatted by Babel's CLDR data (English's from a copy of it, :func:`long_date`);
:func:`release_locale_data` lets Babel's copy of that data go once a document's dates are formatted.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ReportkitWarning

__all__ = ["Translator", "find_catalogue", "languages", "release_locale_data"]

_LOCALES = Path(__file__).parent / "locales"


@lru_cache(maxsize=32)
def _catalogue(language: str) -> dict[str, str] | None:
    if language not in languages():  # a language is a name looked up, never a path
        return None
    path = _LOCALES / f"{language}.json"
    if not path.is_file():
        return None
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _prefixes(tag: str) -> list[str]:
    """``tag`` and its shorter prefixes, longest first: ``zh-Hant-TW``, ``zh-Hant``, ``zh``."""
    parts = tag.split("-")
    return ["-".join(parts[:end]) for end in range(len(parts), 0, -1)]


def _likely(language: str) -> str | None:
    """``language`` with the script CLDR says it is written in (Babel's likely subtags), or None.

    ``zh-TW`` is written in Traditional characters (``zh-Hant-TW``), ``zh`` and ``zh-CN`` in
    Simplified ones (``zh-Hans-CN``): the catalogues are per script, as the tags' writers mean.
    """
    from babel.core import get_global

    parts = language.replace("_", "-").split("-")
    lang = parts[0].lower()
    singleton = next((i for i, part in enumerate(parts) if i and len(part) == 1), len(parts))  # u-, x-: extensions
    regions = [part.upper() for part in parts[1:singleton] if len(part) == 2 or (len(part) == 3 and part.isdigit())]
    likely: Mapping[str, str] = get_global("likely_subtags")
    for key in [f"{lang}_{region}" for region in regions[:1]] + [lang]:
        if key in likely:
            return likely[key].replace("_", "-")
    return None


def find_catalogue(language: str) -> dict[str, str] | None:
    """The catalogue for the BCP 47 tag ``language``, or None (English).

    The tag is matched without regard to case, then its shorter prefixes (``pt-BR``: ``pt``;
    ``zh-Hant-TW``: ``zh-Hant``), then those of the tag with its likely script (``zh-TW``:
    ``zh-Hant``; ``zh``, ``zh-CN``: ``zh-Hans``).
    """
    names = {name.lower(): name for name in languages()}
    for candidate in _candidates(language):
        name = names.get(candidate.lower())
        if name is not None:
            return _catalogue(name)
    return None


def _candidates(language: str) -> Iterator[str]:
    """The tags :func:`find_catalogue` tries, in order (Babel's likely subtags are loaded only when needed)."""
    yield from _prefixes(language)
    yield from _prefixes(_likely(language) or "")


def languages() -> list[str]:
    """Languages with a catalogue of their own (English needs none)."""
    return sorted({"en", *(p.stem for p in _LOCALES.glob("*.json"))})


class Translator:
    """Translates layout messages and formats dates for one BCP 47 language tag."""

    def __init__(self, language: str) -> None:
        self.language = language
        base = language.split("-")[0].lower()
        self.catalogue = find_catalogue(language) if base != "en" else None
        self.base = base
        self._missing: set[str] = set()
        if self.catalogue is None and base != "en":
            warnings.warn(
                f"no translation of the layouts' texts for language {language!r}: they stay in English "
                f"(available: {', '.join(languages())})",
                ReportkitWarning,
                stacklevel=3,
            )
            self.catalogue = {}

    def gettext(self, message: str, **values: Any) -> str:
        """``message`` in the document's language, with ``{name}`` fields filled from ``values``.

        A message the catalogue lacks, or whose translation names fields that
        ``values`` does not fill, falls back to English with a warning.
        """
        text = message
        if self.catalogue:
            text = self.catalogue.get(message, "")
            if not text:
                self._warn(message, f"no {self.language!r} translation of {message!r}: using English")
                text = message
        if not values:
            return text
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            self._warn(
                message + "\0format",
                f"the {self.language!r} translation of {message!r} has fields that do not fit: using English",
            )
            return message.format(**values)

    def _warn(self, key: str, text: str) -> None:
        if key not in self._missing:
            self._missing.add(key)
            warnings.warn(text, ReportkitWarning, stacklevel=3)

    def format_date(self, iso: str) -> str:
        """Format ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as a long date of the language."""
        return long_date(iso, self._locale())

    def _locale(self) -> str:
        return self.language.replace("-", "_")


#: CLDR's English month names (Babel's ``Locale("en").months["format"]["wide"]``, the same stand-alone), for
#: English dates set without Babel: see :func:`long_date`.
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@lru_cache(maxsize=4096)
def long_date(iso: str, locale: str) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as a long date in ``locale`` (the ISO text when Babel cannot).

    English, the language of most documents, is set without Babel: CLDR's English long date
    (``MMMM d, y``) and month with year (skeleton ``yMMMM``: ``MMMM y``) from
    :data:`ENGLISH_MONTHS`. Babel's import and its CLDR data cost a build about 0.02 s of CPU (a
    Typst build of the sample: 5 %); tests/render/test_i18n.py compares every day of several
    years with Babel's text and fails when CLDR's English changes.
    """
    import datetime as dt

    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    date = dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    if locale == "en":
        month = ENGLISH_MONTHS[date.month - 1]
        return f"{month} {date.year}" if len(parts) == 2 else f"{month} {date.day}, {date.year}"
    from babel.core import Locale, UnknownLocaleError
    from babel.dates import format_date, format_skeleton

    try:
        babel_locale = Locale.parse(locale)
        if len(parts) == 2:
            return format_skeleton("yMMMM", date, locale=babel_locale)
        return format_date(date, format="long", locale=babel_locale)
    except (UnknownLocaleError, ValueError):
        return iso


def release_locale_data() -> None:
    """Let Babel's loaded CLDR data go (about 4 MB for English); the next date formatted loads it again (7 ms).

    Babel keeps every locale it has loaded (``babel.localedata``, 1.8 MB for English merged with
    its root) and its global data (``babel.core``: likely subtags, parent locales, time zones; 2.2
    MB, loaded by the first locale) for the life of the process. A document formats its dates
    while its HTML is made; the PDF writer calls this before the layout starts, so that the
    layout reuses that memory instead of growing the process's peak past it (issue 16,
    BENCHMARKS.md). The locale caches are dropped through Babel's public ``clear_caches``; the
    global data only through its module attribute ``_global_data``, which ``get_global`` loads
    again when it is ``None``. No Babel issue tracks a way to drop it; should Babel rename the
    attribute, the global data stays (no error) and ``tests/render/test_i18n.py`` fails.
    ``get_global`` reads that attribute without a lock (a check for ``None``, then a use), so the
    global data is dropped only when no other Python thread runs: one could be between the two.
    Formatted dates stay cached (:func:`long_date`).
    """
    import sys
    import threading

    babel_localedata = sys.modules.get("babel.localedata")
    if babel_localedata is None:  # Babel was never asked for a date: nothing to drop
        return
    babel_localedata.clear_caches()
    babel_core = sys.modules.get("babel.core")
    alone = threading.active_count() == 1
    if alone and babel_core is not None and getattr(babel_core, "_global_data", None) is not None:
        setattr(babel_core, "_global_data", None)  # see the docstring: Babel has no public way


#: A message a Typst template translates: ``t("Sources")``, ``t("By {names}", names: ...)``.
_TYP_MESSAGE = re.compile(r"""\bt\(\s*"((?:[^"\\]|\\.)*[A-Za-z](?:[^"\\]|\\.)*)"\s*[,)]""")


def template_messages(folders: "list[Path] | None" = None) -> set[str]:
    """Every message the templates under ``folders`` pass to ``t()`` (the built-in layouts by default)."""
    import jinja2
    from jinja2.ext import extract_from_ast

    from .layouts import FILTERS, builtin_dir

    env = jinja2.Environment()
    env.filters.update(FILTERS)
    found: set[str] = set()
    for folder in folders or [builtin_dir()]:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix == ".typ" and path.is_file():  # Typst templates call t("...") too
                found.update(_TYP_MESSAGE.findall(path.read_text(encoding="utf-8")))
                continue
            if path.suffix not in (".html", ".xhtml", ".svg") or not path.is_file():
                continue
            ast = env.parse(path.read_text(encoding="utf-8"))
            for _, _, message in extract_from_ast(ast, gettext_functions=("t",)):
                first = message[0] if isinstance(message, tuple) else message
                if isinstance(first, str):
                    found.add(first)
    return found


def code_messages() -> set[str]:
    """Messages reportkit's own code translates: ``gettext("...")``/``t("...")`` calls and the default scale's labels."""
    import re

    from ..document.model import DEFAULT_SCALE

    pattern = re.compile(r"""\b(?:t|gettext)\(\s*"([^"]*[A-Za-z][^"]*)"\s*[,)]""")
    found = {rating.label for rating in DEFAULT_SCALE.ratings}
    for path in Path(__file__).resolve().parents[1].rglob("*.py"):
        found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def messages() -> set[str]:
    """Every message a catalogue should translate."""
    return template_messages() | code_messages()
