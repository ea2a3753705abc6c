"""The text of a bibliography entry and of a footnote, by one set of rules for every layout and medium.

- One punctuation rule: a piece that already ends in a period, question or
  exclamation mark gets no second one ("J. Organomet. Chem. 2006", "Bennett Jr.").
- The author comes first; the publisher only when there is no author.
- Every field taken from a source is isolated for direction (``<bdi>``; the
  print stylesheets give it ``unicode-bidi: isolate``), so an Arabic title does
  not pull the year or the punctuation of an English page into its run.
- Titles and containers keep their rich text (:mod:`reportkit.document.richtext`).
- Links are percent-encoded (:func:`href`): a DOI with ``<`` or ``>`` is a valid link.
- Dates are EDTF (:mod:`reportkit.document.edtf`), formatted for the document's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from ..document.edtf import EdtfDate, parse_edtf
from ..document.model import Source
from ..document.richtext import to_html, to_plain
from .i18n import long_date
from .links import href

__all__ = ["entry_html", "format_edtf", "short_html", "short_reference"]

Translate = Callable[..., str]
_END = re.compile(r"[.?!…。？！]\s*$")


def _english(message: str, **values: str) -> str:
    return message.format(**values)


def _bdi(html: Markup | str, cls: str | None = None) -> Markup:
    """One source field, isolated for direction."""
    attribute = Markup(' class="{}"').format(cls) if cls else Markup("")
    return Markup("<bdi{}>{}</bdi>").format(attribute, html)


def _year_text(date: EdtfDate, t: Translate) -> str:
    if "X" in date.year:
        decade = date.year.lstrip("-").replace("X", "0")
        return t("{decade}s", decade=decade.lstrip("0") or "0")
    number = int(date.year)
    return str(number) if number > 0 else t("{year} BC", year=str(1 - number))


def _season_names(t: Translate) -> dict[int, str]:
    """The EDTF seasons' names in the language (the codes of :data:`reportkit.document.edtf.SEASONS`)."""
    return {21: t("Spring"), 22: t("Summer"), 23: t("Autumn"), 24: t("Winter")}


def _one_date(date: EdtfDate, locale: str, t: Translate) -> str:
    year = _year_text(date, t)
    if date.season:
        text = f"{_season_names(t)[date.season]} {year}"
    elif date.month and "X" not in date.year:
        number = int(date.year)
        iso = f"{number if 1 <= number <= 9999 else 2000:04d}-{date.month:02d}" + (f"-{date.day:02d}" if date.day else "")
        text = long_date(iso, locale)
        if not 1 <= number <= 9999:  # Babel knows no year 0 or BC: the day and month, then the year as words
            text = text.replace("2000", year)
    else:
        text = year
    if date.approximate:
        text = t("c. {date}", date=text)
    if date.uncertain:
        text += "?"
    return text


def format_edtf(value: str, locale: str = "en", t: Translate = _english) -> str:
    """An EDTF date (see :mod:`reportkit.document.edtf`) as words of the language: ``44 BC``, ``Spring 2017``, ``c. 1985``."""
    try:
        interval = parse_edtf(value)
    except ValueError:
        return value
    if not interval.is_range:
        return _one_date(interval.start, locale, t) if interval.start else value
    start = _one_date(interval.start, locale, t) if interval.start else ("…" if interval.open_start else "?")
    end = _one_date(interval.end, locale, t) if interval.end else ("…" if interval.open_end else "?")
    return f"{start} – {end}"


def source_year(source: Source, t: Translate = _english) -> str:
    """The year of a source's publication as shown in a footnote (``2004``, ``44 BC``, ``1990s``), or ''."""
    if source.published:
        try:
            interval = parse_edtf(source.published)
        except ValueError:
            return ""
        dates = [d for d in (interval.start, interval.end) if d is not None]
        years = []
        for date in dates:
            text = _year_text(date, t)
            if text not in years:
                years.append(text)
        return "–".join(years)
    return source.published_text or ""


def _names(names: Sequence[str]) -> str:
    return ", ".join(str(n) for n in names)


def _add(pieces: list[tuple[Markup, str]], html: Markup, plain: str) -> None:
    if plain.strip():
        pieces.append((html, plain))


def _join(pieces: Sequence[tuple[Markup, str]]) -> Markup:
    """Pieces as sentences: a period after each, unless the piece already ends in one."""
    return Markup(" ").join(html if _END.search(plain) else html + Markup(".") for html, plain in pieces)


def entry_html(
    source: Source,
    *,
    locale: str = "en",
    t: Translate = _english,
    format_date: Callable[[str], str] | None = None,
) -> Markup:
    """A bibliography entry in the layouts' own form, as HTML: authors, title, container, credits, publisher, date, link."""
    date_text = (lambda value: format_edtf(value, locale, t)) if format_date is None else format_date
    pieces: list[tuple[Markup, str]] = []
    if source.authors:
        names = _names(source.authors)
        _add(pieces, _bdi(escape(names), "source-authors"), names)
    elif source.editors:
        names = t("Edited by {names}", names=_names(source.editors))
        _add(pieces, _bdi(escape(names), "source-editors"), names)
    title = to_html(source.title)
    if source.url:
        title = Markup('<a href="{}">{}</a>').format(href(source.url), title)
    _add(pieces, Markup('<cite class="source-title">{}</cite>').format(_bdi(title)), to_plain(source.title))
    if source.container:
        container = _bdi(to_html(source.container), "source-container")
        if source.container_authors:
            names = _names(source.container_authors)
            container = _bdi(escape(names), "source-container-authors") + Markup(", ") + container
        _add(pieces, container, to_plain(source.container))
    if source.editors and source.authors:
        names = t("Edited by {names}", names=_names(source.editors))
        _add(pieces, _bdi(escape(names), "source-editors"), names)
    if source.translators:
        names = t("Translated by {names}", names=_names(source.translators))
        _add(pieces, _bdi(escape(names), "source-translators"), names)
    date = date_text(source.published) if source.published else (source.published_text or "")
    publisher = source.publisher
    if publisher and source.authors and to_plain(publisher) == _names(source.authors):
        publisher = None  # an organisation that wrote and published the source is named once
    date_html = _bdi(escape(date), "source-date") if date else Markup("")
    if publisher and date:
        separator = Markup(" ") if re.search(r"[,;:]\s*$", to_plain(publisher)) else Markup(", ")
        _add(pieces, _bdi(to_html(publisher), "source-publisher") + separator + date_html,
             f"{to_plain(publisher)} {date}")
    elif publisher:
        _add(pieces, _bdi(to_html(publisher), "source-publisher"), to_plain(publisher))
    elif date:
        _add(pieces, date_html, date)
    text = _join(pieces)
    if source.url:  # a URL gets no period of its own: it would read as part of the address
        text += Markup(' <a class="url" href="{}">{}</a>').format(href(source.url), source.url)
    if source.accessed:
        accessed = t("Accessed {date}", date=date_text(source.accessed))
        text += Markup(' <span class="source-accessed">{}</span>').format(_join([(escape(accessed), accessed)]))
    return text


def short_reference(source: Source, locator: str | None = None, limit: int = 160, t: Translate = _english) -> str:
    """The footnote form of a source as plain text: author (or publisher), “title”, year, locator."""
    return "".join(p for _, p in _short_pieces(source, locator, limit, t))


def short_html(source: Source, locator: str | None = None, limit: int = 160, t: Translate = _english) -> Markup:
    """The footnote form of a source as HTML, each field isolated for direction."""
    return Markup("").join(h for h, _ in _short_pieces(source, locator, limit, t))


def _short_pieces(source: Source, locator: str | None, limit: int, t: Translate) -> list[tuple[Markup, str]]:
    plain_title = to_plain(source.title)
    cut = len(plain_title) > limit
    title = plain_title[: limit - 1].rsplit(" ", 1)[0] + "…" if cut else plain_title
    title_html = escape(title) if cut else to_html(source.title)
    people = source.authors or source.editors
    who = str(people[0]) if people else (to_plain(source.publisher) if source.publisher else "")
    bits: list[tuple[Markup, str]] = []
    if who:
        bits.append((_bdi(escape(who)), who))
    bits.append((Markup("“{}”").format(_bdi(title_html)), f"“{title}”"))
    year = source_year(source, t)
    if year:
        bits.append((_bdi(escape(year)), year))
    if locator:
        bits.append((_bdi(escape(locator)), locator))
    out: list[tuple[Markup, str]] = []
    for index, (html, plain) in enumerate(bits):
        if index:
            out.append((Markup(", "), ", "))
        out.append((html, plain))
    if not _END.search(bits[-1][1].rstrip("”")):
        out.append((Markup("."), "."))
    return out
