"""Sources from reference managers and back: CSL-JSON (Zotero, Mendeley, Pandoc) and BibLaTeX/BibTeX.

``sources: refs.bib`` (or ``refs.json``) in a fact-check's front matter names a
library of references next to the input. Like Pandoc, reportkit takes from it
only the entries the fact-check cites (``nocite: "@*"`` takes them all):
:func:`read_references` turns those into reportkit's source fields and leaves
the rest of the library unread beyond its syntax, so an entry that nobody cites
can never stop a build. A cited entry that cannot be used (no title) is an
:class:`~reportkit.errors.InputError` naming the entry and the field; a cited
entry with one odd field (a date or DOI reportkit cannot read) loses that field
with a :class:`~reportkit.errors.ReportkitWarning` saying so.

CSL-JSON is read in full: dates with negative years, seasons, ranges, circa,
``literal`` and ``raw`` (EDTF where it is EDTF); names with particles, suffixes,
given or family name only, and literal names; the rich-text subset of titles
(kept as it is: :mod:`reportkit.document.richtext` renders it). BibLaTeX is read with its
``@string``\\s, ``#`` concatenation, ``crossref`` and ``xdata`` inheritance,
``@set`` entries, EDTF dates, ``subtitle`` and ``titleaddon``, editors and
translators, and LaTeX decoded to Unicode (:mod:`reportkit.input.latex`). Citation
keys are the CSL ``id`` or the BibTeX key. :func:`to_csl` turns sources back into
CSL-JSON items.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..document.edtf import parse_edtf
from ..document.model import Name, Source, validate_part
from ..errors import InputError, ReportkitWarning
from .latex import latex_to_text
from .text import check_braces, parse_json, read_text

__all__ = ["REFERENCE_SUFFIXES", "doi_url", "from_bibtex", "from_csl", "read_references", "to_csl"]

#: Reference files reportkit reads, by suffix.
REFERENCE_SUFFIXES = {".json": "CSL-JSON", ".bib": "BibTeX"}
#: The largest reference file read.
MAX_REFERENCE_BYTES = 16 * 1024 * 1024
#: Source fields a cited entry may lose, with a warning, when reportkit cannot read them.
_DROPPABLE = ("published", "accessed", "doi", "url", "archived", "type", "note", "container", "publisher",
              "authors", "editors", "translators", "container_authors", "published_text")


@dataclass
class _Entry:
    """One entry of a library: its key, where it is, and how to turn it into source fields when cited."""

    key: str
    where: str
    line: int | None
    convert: Callable[[], dict[str, Any]]


# --- reading ---------------------------------------------------------------------------------


def read_references(
    path: str | os.PathLike[str],
    *,
    keys: Collection[str] | None = None,
    max_bytes: int = MAX_REFERENCE_BYTES,
) -> list[dict[str, Any]]:
    """The source fields of the entries of a CSL-JSON (``.json``) or BibTeX (``.bib``) library.

    ``keys`` are the keys cited: only their entries (in the file's order) are read
    and validated, and only they are returned; ``None`` reads every entry. Keys the
    library lacks are left to the citation check, which names them.
    """
    file = Path(path)
    kind = REFERENCE_SUFFIXES.get(file.suffix.lower())
    if kind is None:
        raise InputError(
            f"cannot read sources from a {file.suffix or 'suffix-less'} file",
            file=file,
            hint="give a CSL-JSON (.json) or BibTeX (.bib) file, as Zotero, Mendeley or Pandoc export them",
        )
    text = read_text(file, what="sources file", max_bytes=max_bytes)
    entries = _csl_entries(text, file) if kind == "CSL-JSON" else _bibtex_entries(text, file, keys)
    if not entries:
        raise InputError(f"the {kind} file holds no references", file=file)
    by_key: dict[str, _Entry] = {}
    for entry in entries:
        if entry.key in by_key and (keys is None or entry.key in keys):
            raise InputError(
                f"duplicate key {entry.key!r} (also {by_key[entry.key].where})", file=file, line=entry.line,
                field=entry.where, hint="give every reference its own key",
            )
        by_key.setdefault(entry.key, entry)
    sources: list[dict[str, Any]] = []
    for entry in entries:
        if (keys is None or entry.key in keys) and by_key[entry.key] is entry:
            sources.append(_usable(entry, file))
    return sources


def _usable(entry: _Entry, file: Path) -> dict[str, Any]:
    """The entry's fields, validated; an odd field is dropped with a warning, an unusable entry raises."""
    try:
        fields = entry.convert()
    except InputError as exc:
        if exc.line is None and exc.file == str(file):
            exc.line = entry.line  # the entry's line, for what its fields lack
        raise
    lines = {entry.where: entry.line} if entry.line else None
    for _ in range(len(_DROPPABLE) + 1):
        try:
            validate_part(Source, fields, field=entry.where, file=file, lines=lines)
            return fields
        except InputError as exc:
            name = re.split(r"[.\[]", (exc.field or "")[len(entry.where) :].lstrip("."), maxsplit=1)[0]
            if name not in _DROPPABLE or name not in fields:
                raise
            warnings.warn(
                f"{file}: {exc.field}: {exc.message}; the field is left out of the source",
                ReportkitWarning,
                stacklevel=4,
            )
            if name == "doi" and fields.get("url") in _doi_links(fields["doi"]):
                del fields["url"]  # the link was made from the DOI dropped: it leads nowhere either
            del fields[name]
    raise AssertionError("unreachable: every droppable field was dropped")  # pragma: no cover


def _warn(file: Path | None, where: str, message: str) -> None:
    warnings.warn(f"{file}: {where}: {message}" if file else f"{where}: {message}", ReportkitWarning, stacklevel=5)


def _doi_links(doi: str) -> set[str]:
    """The links reportkit makes from ``doi`` when an entry has no URL of its own (as written, and unprefixed)."""
    return {doi_url(doi), doi_url(re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.I))}


def doi_url(doi: str) -> str:
    """The https://doi.org/ link of a DOI, with the characters a URL cannot hold percent-encoded."""
    return "https://doi.org/" + quote(doi, safe="/:;()[]._-~!$'*+,=@")


# --- CSL-JSON --------------------------------------------------------------------------------


def _csl_entries(text: str, file: Path) -> list[_Entry]:
    data = parse_json(text, file)  # bounded: nesting, digits, no NaN or Infinity, no key twice
    if isinstance(data, Mapping) and isinstance(data.get("items"), list):
        data = data["items"]  # some tools wrap the list
    if not isinstance(data, list):
        raise InputError("a CSL-JSON file holds a list of references: [{\"id\": ..., \"title\": ...}, ...]", file=file)
    entries = []
    for index, item in enumerate(data):
        where = f"[{index}]"
        if not isinstance(item, Mapping):
            raise InputError("a reference must be an object with 'id' and 'title'", file=file, field=where)
        if item.get("id") in (None, ""):
            raise InputError("a CSL reference needs an 'id': reportkit cites it as [@id]", file=file,
                             field=f"{where}.id")
        where = f"[{index}] (id {str(item['id'])!r})"
        entries.append(_Entry(str(item["id"]).strip(), where, None, partial(from_csl, item, where=where, file=file)))
    return entries


#: CSL name variables reportkit shows, by source field.
_CSL_ROLES = {"authors": "author", "editors": "editor", "translators": "translator",
              "container_authors": "container-author"}
#: Creators who stand in for a missing author (a film's director, a song's composer...), in order.
_CSL_STAND_INS = ("director", "composer", "script-writer", "interviewer", "illustrator", "organizer",
                  "executive-producer", "producer", "host", "performer", "curator", "chair", "compiler")


def from_csl(item: Mapping[str, Any], *, where: str = "", file: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Source fields from one CSL-JSON item (``id`` becomes the key)."""
    path = Path(file) if file is not None else None

    def at(name: str) -> str:
        return f"{where}.{name}" if where else name

    if item.get("id") in (None, ""):
        raise InputError("a CSL reference needs an 'id': reportkit cites it as [@id]", file=file, field=at("id"))
    fields: dict[str, Any] = {"key": str(item["id"]).strip()}
    title = _csl_text(item.get("title"))
    if not title:
        raise InputError("the reference has no title", file=file, field=at("title"),
                         hint="give it a title in the reference manager, or cite another reference")
    fields["title"] = title
    for csl, ours in (("container-title", "container"), ("publisher", "publisher"), ("note", "note"),
                      ("DOI", "doi"), ("type", "type")):
        value = _csl_text(item.get(csl))
        if value:
            fields[ours] = value
    if fields.get("note", "").startswith("{:"):  # Better BibTeX's "{:field: value}" extra fields, not a note
        fields.pop("note")
    url = _csl_text(item.get("URL"))
    if url:
        fields["url"] = url
    elif "doi" in fields:
        fields["url"] = doi_url(re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", fields["doi"], flags=re.I))
    archived = _csl_text(item.get("archive_location"))
    if archived.lower().startswith(("http://", "https://")):
        fields["archived"] = archived
    for ours, csl in _CSL_ROLES.items():
        names = _csl_names(item.get(csl), at(csl), path)
        if names:
            fields[ours] = names
    if "authors" not in fields:
        for role in _CSL_STAND_INS:
            names = _csl_names(item.get(role), at(role), path)
            if names:
                fields["authors"] = names
                break
    for csl, ours in (("issued", "published"), ("accessed", "accessed")):
        if item.get(csl) not in (None, "", {}):
            edtf, words = _csl_date(item[csl], at(csl), path)
            if edtf:
                fields[ours] = edtf
            elif words and ours == "published":
                fields["published_text"] = words
            elif words:
                _warn(path, at(csl), f"{words!r} is not a date; the field is left out of the source")
    return fields


def _csl_text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _csl_names(value: Any, where: str, file: Path | None) -> list[Name]:
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        value = [value]
    names = []
    for name in value:
        parsed = _csl_name(name)
        if parsed is None:
            _warn(file, where, f"the name {name!r} has no family, given or literal name; it is left out")
        else:
            names.append(parsed)
    return names


def _csl_name(name: Any) -> Name | None:
    """A CSL name: literal, family and given, family only, given only; particles and suffix kept."""
    if isinstance(name, str):
        return Name(name.strip()) if name.strip() else None
    if not isinstance(name, Mapping):
        return None

    def part(key: str) -> str:
        return _csl_text(name.get(key))

    if part("literal"):
        return Name(part("literal"))
    family, given = part("family"), part("given")
    if not family:
        return Name(given) if given else None  # 'Banksy': a given name only is the name as shown
    given = " ".join(p for p in (given, part("dropping-particle")) if p)
    return Name(family=family, given=given or None, particle=part("non-dropping-particle") or None,
                suffix=part("suffix") or None)


_SEASON_WORDS = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}


def _csl_date(value: Any, where: str, file: Path | None) -> tuple[str | None, str | None]:
    """A CSL date as (EDTF text, None), or (None, the date as words) when it is no date, or (None, None)."""
    if not isinstance(value, Mapping):
        return _raw_date(str(value))
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and any(isinstance(p, list) and p and str(p[0]).strip() for p in parts):
        season = _season(value.get("season"))
        dates = []
        for number, part in enumerate(parts[:2]):
            if not isinstance(part, list):
                raise InputError(f"cannot read the date {value!r}: 'date-parts' should be like [[2024, 3, 7]]",
                                 file=file, field=where)
            dates.append(_csl_date_part(part, season if number == 0 else None, value, where, file))
        qualifier = "~" if value.get("circa") not in (None, False, "", 0, "0", "false") else ""
        start = dates[0] + qualifier if dates[0] else ""
        if len(dates) == 1 or dates[1] == dates[0]:
            return (start or None), None
        end = dates[1] + qualifier if dates[1] else ".."
        return f"{start}/{end}", None
    for key in ("raw", "literal"):
        text = _csl_text(value.get(key))
        if text:
            return _raw_date(text) if key == "raw" else (_edtf_or_none(text), None if _edtf_or_none(text) else text)
    return None, None


def _csl_date_part(part: list[Any], season: int | None, value: Any, where: str, file: Path | None) -> str:
    numbers: list[int] = []
    for item in part[:3]:
        text = str(item).strip()
        if not text:
            break
        try:
            numbers.append(int(text))
        except ValueError:
            raise InputError(f"cannot read the date {value!r}: {text!r} is not a number", file=file,
                             field=where, hint="'date-parts' should be like [[2024, 3, 7]]") from None
    if not numbers or numbers == [0]:
        return ""  # an empty or open end
    year = numbers[0] + 1 if numbers[0] < 0 else numbers[0]  # CSL's -44 is 44 BC, EDTF's -0043
    text = f"{year:04d}" if year >= 0 else f"-{-year:04d}"
    month = numbers[1] if len(numbers) > 1 else season
    if month:
        if 13 <= month <= 16:
            month += 8  # citeproc-js's seasons (13-16) as EDTF's (21-24)
        text += f"-{month:02d}"
        if len(numbers) > 2 and month <= 12:
            text += f"-{numbers[2]:02d}"
    return text


def _season(value: Any) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip().lower()
    if text.isdigit():
        number = int(text)
        return number + 20 if 1 <= number <= 4 else number if 21 <= number <= 24 else None
    return _SEASON_WORDS.get(text)


def _edtf_or_none(text: str) -> str | None:
    try:
        parse_edtf(text)
    except ValueError:
        return None
    return text.strip()


def _raw_date(text: str) -> tuple[str | None, str | None]:
    """A date as written (CSL ``raw``): EDTF where it is EDTF, a few common forms, else the words."""
    text = text.strip()
    edtf = _edtf_or_none(_normal_edtf(text))
    if edtf:
        return edtf, None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:T.*)?", text) or re.fullmatch(r"(\d{4})-(\d{1,2})()", text)
    if match:
        year, month, day = match.groups()
        edtf = _edtf_or_none("-".join([year, f"{int(month):02d}", *([f"{int(day):02d}"] if day else [])]))
        if edtf:
            return edtf, None
    return None, text or None


def _normal_edtf(text: str) -> str:
    """Older EDTF spellings in today's: ``u`` for an unspecified digit, ``unknown`` or ``open`` ends, times."""
    text = re.sub(r"(?<=\d)u|u(?=u*(?:[/~?%]|$))", "X", text.strip())
    text = re.sub(r"(?i)\bunknown\b", "", text)
    text = re.sub(r"(?i)\bopen\b", "..", text)
    return re.sub(r"T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?", "", text)


# --- back to CSL-JSON --------------------------------------------------------------------------


def to_csl(source: Source) -> dict[str, Any]:
    """One source as a CSL-JSON item, for Zotero, Mendeley, Pandoc or citeproc."""
    item: dict[str, Any] = {"id": source.key, "type": source.type or ("webpage" if source.url else "document")}
    item["title"] = source.title
    for ours, csl in _CSL_ROLES.items():
        names = getattr(source, ours)
        if names:
            item[csl] = [_name_to_csl(name) for name in names]
    for ours, csl in (("container", "container-title"), ("publisher", "publisher"), ("url", "URL"),
                      ("doi", "DOI"), ("archived", "archive_location"), ("note", "note")):
        value = getattr(source, ours)
        if value:
            item[csl] = value
    for ours, csl in (("published", "issued"), ("accessed", "accessed")):
        value = getattr(source, ours)
        if value:
            item[csl] = edtf_to_csl(value)
    if source.published_text and not source.published:
        item["issued"] = {"literal": source.published_text}
    return item


def edtf_to_csl(value: str) -> dict[str, Any]:
    """An EDTF date as a CSL date: ``date-parts`` (with ``season`` and ``circa``), or ``raw`` for what they cannot say."""
    interval = parse_edtf(value)
    ends = [interval.start, interval.end] if interval.is_range else [interval.start]
    if any(d is not None and (d.number is None or d.uncertain) for d in ends) or ends[0] is None:
        return {"raw": value}
    parts: list[list[int]] = []
    result: dict[str, Any] = {}
    for date in ends:
        if date is None:
            parts.append([0])
            continue
        number = date.number or 0
        csl_year = number - 1 if number <= 0 else number  # EDTF's -0043 is CSL's -44
        if date.season and len(ends) == 1:
            result["season"] = date.season - 20
            parts.append([csl_year])
        elif date.season:
            # CSL's one "season" cannot tell a range's ends apart: each end carries its own, as
            # citeproc-js's months 13-16 (read by Zotero, Pandoc and from_csl).
            parts.append([csl_year, date.season - 8])
        else:
            parts.append([csl_year, *(p for p in (date.month, date.day) if p)])
        if date.approximate:
            result["circa"] = True
    result["date-parts"] = parts
    return result


def _name_to_csl(name: str) -> dict[str, str]:
    if isinstance(name, Name) and name.structured:
        data = {"family": name.family or "", "given": name.given, "non-dropping-particle": name.particle,
                "suffix": name.suffix}
        return {k: v for k, v in data.items() if v}
    return {"literal": str(name)}


def sources_as_csl(sources: Iterable[Source]) -> list[dict[str, Any]]:
    """Every source as a CSL-JSON item, in order."""
    return [to_csl(source) for source in sources]


# --- BibLaTeX and BibTeX ---------------------------------------------------------------------

#: BibTeX and BibLaTeX entry types -> CSL item types.
BIBTEX_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "inbook": "chapter", "incollection": "chapter", "bookinbook": "chapter", "collection": "book",
    "mvcollection": "book", "inproceedings": "paper-conference", "conference": "paper-conference",
    "proceedings": "book", "mvproceedings": "book", "reference": "book", "mvreference": "book",
    "inreference": "entry-encyclopedia", "suppbook": "chapter", "suppcollection": "chapter",
    "suppperiodical": "article", "manual": "book", "mastersthesis": "thesis", "phdthesis": "thesis",
    "thesis": "thesis", "techreport": "report", "report": "report", "unpublished": "manuscript",
    "online": "webpage", "www": "webpage", "electronic": "webpage", "dataset": "dataset", "software": "software",
    "patent": "patent", "periodical": "periodical", "standard": "standard", "legislation": "legislation",
    "jurisdiction": "legal_case", "letter": "personal_communication", "movie": "motion_picture",
    "video": "motion_picture", "audio": "song", "music": "song", "artwork": "graphic", "image": "graphic",
    "interview": "interview", "review": "review", "misc": "document", "performance": "performance",
}
_ENTRY_SUBTYPES = {"newspaper": "article-newspaper", "magazine": "article-magazine"}
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
#: Fields an entry never inherits from its crossref parent.
_NO_INHERIT = {"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute", "label", "options",
               "presort", "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand",
               "shorthandintro", "sortkey", "sortname", "sorttitle", "sortyear", "keywords", "annotation"}
_BOOKS = {"book", "mvbook"}
_COLLECTIONS = {"collection", "mvcollection", "reference", "mvreference", "proceedings", "mvproceedings"}


def _bibtex_entries(text: str, file: Path, keys: Collection[str] | None) -> list[_Entry]:
    import bibtexparser

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    check_braces(text, file)
    library = bibtexparser.parse_string(text, parse_stack=[])  # values as written: reportkit resolves them
    for block in library.failed_blocks:
        key = getattr(block, "key", None) or _failed_key(getattr(block, "raw", ""))
        if key is not None and keys is not None and key not in keys:
            continue  # a broken entry nobody cites
        line = _line(block.start_line)
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            continue  # checked against the cited keys below, with both places named
        error = getattr(block, "error", None)
        reason = getattr(error, "abort_reason", None) or str(error or "")
        message = reason.strip().splitlines()[0] if reason.strip() else "the entry cannot be parsed"
        raise InputError(f"BibTeX syntax error: {message}", file=file, line=line,
                         hint="check the braces and commas of this entry")
    strings = {s.key.lower(): s.value for s in library.strings}
    resolved: dict[str, str] = {}

    def string(name: str) -> str:
        if name not in resolved:
            resolved[name] = ""  # a string defined by itself ends here
            resolved[name] = _bibtex_value(strings[name], string) if name in strings else ""
        return resolved[name]

    raw = {e.key: e for e in library.entries}
    entries = []
    for entry in library.entries:
        where = f"@{entry.entry_type}{{{entry.key}}}"
        kind = entry.entry_type.lower()
        if kind == "xdata":
            continue  # data for other entries, never a source itself
        convert = (
            (lambda entry=entry, where=where: _set_fields(entry, raw, string, where, file)) if kind == "set"
            else (lambda entry=entry, where=where: _bibtex_fields(entry, raw, string, where, file))
        )
        entries.append(_Entry(entry.key, where, _line(entry.start_line), convert))
    for block in library.failed_blocks:
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            entries.append(_Entry(getattr(block, "key", "?"), f"line {_line(block.start_line)}",
                                  _line(block.start_line), lambda: {}))
    return entries


def _failed_key(raw: str) -> str | None:
    """The key of an entry bibtexparser could not parse (it records one only for a duplicate key), or None."""
    match = re.match(r"\s*@\s*\w+\s*[{(]\s*([^\s,{}()]+)\s*,", raw)
    return match.group(1) if match else None


def _line(start_line: int | None) -> int | None:
    """The 1-based line of a parsed block (bibtexparser counts from 0; its parser always sets it)."""
    return None if start_line is None else start_line + 1


def _bibtex_value(raw: str, string: Callable[[str], str]) -> str:
    """A field's value as written (``{...}``, ``"..."``, a number, a ``@string`` name, joined by ``#``)."""
    out = []
    for piece in _split_concatenation(raw):
        piece = piece.strip()
        if piece.startswith("{") and piece.endswith("}") or piece.startswith('"') and piece.endswith('"'):
            out.append(piece[1:-1])
        elif piece.isdigit() or not piece:
            out.append(piece)
        else:  # a @string name (the months are predefined); an undefined name stays as written
            out.append(string(piece.lower()) or str(_MONTHS.get(piece.lower(), piece)))
    return "".join(out)


def _split_concatenation(raw: str) -> list[str]:
    """``a # {b} # "c"`` split at the ``#`` outside braces and quotes."""
    pieces, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            pieces.append(raw[start:index])
            start = index + 1
    pieces.append(raw[start:])
    return pieces


def _bibtex_fields(entry: Any, raw: Mapping[str, Any], string: Callable[[str], str], where: str,
                   file: Path) -> dict[str, Any]:
    """The entry's fields with ``xdata`` and ``crossref`` inheritance applied, as source fields."""
    values = _inherited(entry, raw, string, set())
    return from_bibtex_fields(entry.key, entry.entry_type.lower(), values, where=where, file=file)


def _set_fields(entry: Any, raw: Mapping[str, Any], string: Callable[[str], str], where: str,
                file: Path) -> dict[str, Any]:
    """An ``@set``: one source made of its members, as biblatex prints it (``Title one; Title two``)."""
    value = _own_values(entry, string).get("entryset", "")
    members = [raw[k.strip()] for k in value.split(",") if k.strip() in raw and k.strip() != entry.key]
    if not members:
        raise InputError("the set names no entry of the file in 'entryset'", file=file, field=f"{where}.entryset",
                         hint="list the keys of its members: entryset = {key1,key2}")
    parts = [_bibtex_fields(member, raw, string, f"{where} > @{member.entry_type}{{{member.key}}}", file)
             for member in members]
    fields: dict[str, Any] = {"key": entry.key, "title": "; ".join(p["title"] for p in parts)}
    authors = [name for p in parts for name in p.get("authors", [])[:1]]
    if authors:
        fields["authors"] = list(dict.fromkeys(authors))
    for name in ("container", "published", "publisher", "type"):
        if name in parts[0]:
            fields[name] = parts[0][name]
    return fields


def _own_values(entry: Any, string: Callable[[str], str]) -> dict[str, str]:
    return {f.key.lower(): _bibtex_value(f.value, string) for f in entry.fields}


def _inherited(entry: Any, raw: Mapping[str, Any], string: Callable[[str], str], seen: set[str]) -> dict[str, str]:
    """The entry's values, completed from its ``xdata`` entries and its ``crossref`` parent (biblatex's rules)."""
    seen = seen | {entry.key}
    values = _own_values(entry, string)
    for name in (k.strip() for k in values.get("xdata", "").split(",") if k.strip()):
        if name in raw and name not in seen:
            for key, value in _inherited(raw[name], raw, string, seen).items():
                values.setdefault(key, value)
    parent_key = values.get("crossref", "").strip()
    if parent_key and parent_key in raw and parent_key not in seen:
        parent = raw[parent_key]
        parent_type, child_type = parent.entry_type.lower(), entry.entry_type.lower()
        inherited = _inherited(parent, raw, string, seen)
        renames: dict[str, str] = {}
        if parent_type in _BOOKS | _COLLECTIONS or parent_type == "periodical":
            prefix = "journal" if parent_type == "periodical" else "main" if parent_type.startswith("mv") else "book"
            renames = {"title": f"{prefix}title", "subtitle": f"{prefix}subtitle",
                       "titleaddon": f"{prefix}titleaddon", "shorttitle": "", "sorttitle": "", "indextitle": "",
                       "indexsorttitle": ""}
            if parent_type in _BOOKS and child_type in ("inbook", "bookinbook", "suppbook"):
                renames["author"] = "bookauthor"
        for key, value in inherited.items():
            if key in _NO_INHERIT:
                continue
            target = renames.get(key, key)
            if target:
                values.setdefault(target, value)
    return values


def from_bibtex(entry: Any, *, file: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Source fields from one parsed bibtexparser (v2) entry whose values have no braces left."""
    values = {k.lower(): v.value if isinstance(v.value, str) else " and ".join(v.value)
              for k, v in entry.fields_dict.items()}
    return from_bibtex_fields(entry.key, entry.entry_type.lower(), values,
                              where=f"@{entry.entry_type}{{{entry.key}}}", file=file)


def from_bibtex_fields(key: str, kind: str, values: Mapping[str, str], *, where: str,
                       file: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Source fields from a BibLaTeX entry's type and resolved (but still LaTeX) field values."""
    path = Path(file) if file is not None else None

    for name, value in values.items():
        if isinstance(value, str) and _depth(value) > MAX_BRACE_DEPTH:
            raise InputError(f"the field nests braces more than {MAX_BRACE_DEPTH} deep", file=file,
                             field=f"{where}.{name}", hint="remove the extra braces")

    def text(*names: str, protect: bool = False) -> str | None:
        for name in names:
            value = values.get(name)
            if isinstance(value, str) and value.strip():
                return latex_to_text(value, protect_case=protect) or None
        return None

    def verbatim(*names: str) -> str | None:
        for name in names:
            value = values.get(name)
            if isinstance(value, str) and value.strip():
                return re.sub(r"\s+", "", value) if name in ("url", "doi") else value.strip()
        return None

    title = _joined(text("title", protect=True), text("subtitle", protect=True), text("titleaddon"))
    if not title:
        raise InputError("the entry has no title", file=file, field=f"{where}.title",
                         hint="give it a title, or cite another entry")
    fields: dict[str, Any] = {"key": key, "title": title}
    subtype = _ENTRY_SUBTYPES.get((text("entrysubtype") or "").lower())
    csl_type = subtype or BIBTEX_TYPES.get(kind)
    if csl_type:
        fields["type"] = csl_type
    container = (
        _joined(text("journaltitle", "journal", protect=True), text("journalsubtitle", protect=True))
        or _joined(text("booktitle", protect=True), text("booksubtitle", protect=True), text("booktitleaddon"))
        or _joined(text("maintitle", protect=True), text("mainsubtitle", protect=True), text("maintitleaddon"))
        or text("eventtitle", protect=True)
    )
    doi = verbatim("doi")
    if not doi and (text("eprinttype") or "").lower() == "doi":
        doi = verbatim("eprint")
    optional = {
        "container": container,
        "publisher": _list_text(text("publisher", "organization", "institution", "school")),
        "doi": doi,
        "url": verbatim("url"),
        "archived": verbatim("archiveurl", "archived"),
        "note": _joined(text("note"), None, text("addendum")) or text("addendum"),  # the addendum: a unit of its own
    }
    fields.update({k: v for k, v in optional.items() if v})
    if "url" not in fields and doi:
        fields["url"] = doi_url(doi)
    accessed = verbatim("urldate")
    if accessed:
        edtf, words = _raw_date(accessed)
        if edtf:
            fields["accessed"] = edtf
        else:
            _warn(path, f"{where}.urldate", f"{accessed!r} is not a date; the field is left out of the source")
    edtf, words = _bibtex_date(verbatim("date"), verbatim("year"), verbatim("month"), f"{where}.date", path)
    if edtf:
        fields["published"] = edtf
    elif words:
        fields["published_text"] = latex_to_text(words)
    for ours, names in (("authors", ("author",)), ("editors", ("editor",)), ("translators", ("translator",)),
                        ("container_authors", ("bookauthor",))):
        listed = next((values[n] for n in names if values.get(n, "").strip()), None)
        if listed:
            fields[ours] = [_bibtex_name(name) for name in _split_names(listed)]
    for letter in "abc":  # editora... with their roles
        role = (values.get(f"editor{letter}type") or "").strip().lower()
        value = values.get(f"editor{letter}", "").strip()
        if value and role in ("translator", "editor"):
            fields.setdefault(role + "s", [_bibtex_name(name) for name in _split_names(value)])
    return fields


def _joined(title: str | None, subtitle: str | None = None, *addons: str | None) -> str | None:
    """A title and its subtitle and addon: ``Title: Subtitle. Addon``, without doubling punctuation."""
    if not title:
        return None
    text = title
    if subtitle:
        text += ("" if text.rstrip()[-1:] in ":.?!" else ":") + " " + subtitle
    for addon in addons:
        if addon:
            text += ("" if text.rstrip()[-1:] in ".?!" else ".") + " " + addon
    return text


def _list_text(value: str | None) -> str | None:
    """A BibLaTeX list (``A and B``) as shown: ``A and B`` stays, with single spaces."""
    return re.sub(r"\s+", " ", value).strip() if value else None


def _split_names(value: str) -> list[str]:
    from bibtexparser.middlewares.names import split_multiple_persons_names

    return [n for n in split_multiple_persons_names(value) if n.strip()]


def _bibtex_date(date: str | None, year: str | None, month: str | None, where: str,
                 file: Path | None) -> tuple[str | None, str | None]:
    """A BibLaTeX date (EDTF ``date``, or ``year`` and ``month``) as (EDTF, None) or (None, words)."""
    if date:
        edtf = _edtf_or_none(_normal_edtf(date))
        if edtf:
            return edtf, None
        _warn(file, where, f"{date!r} is not a date reportkit can read (write it as YYYY-MM-DD or EDTF); "
              "it is shown as written")
        return None, date
    if not year:
        return None, None
    clean = year.strip()
    if not re.fullmatch(r"-?\d{1,4}", clean):
        edtf = _edtf_or_none(_normal_edtf(clean))
        return (edtf, None) if edtf else (None, clean)  # 'forthcoming', 'n.d.', '1999/2000'...
    number = int(clean)
    text = f"{number:04d}" if number >= 0 else f"-{-number:04d}"
    if not month:
        return text, None
    month_text = month.strip().lower()
    number = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text[:3], 0)
    if not 1 <= number <= 12:
        _warn(file, where.rsplit(".", 1)[0] + ".month", f"{month!r} is not a month; the year is shown alone")
        return text, None
    return f"{text}-{number:02d}", None


def _bibtex_name(raw: str) -> Name:
    """A BibTeX name (``Last, First``, ``First von Last``, ``{Organisation}``) as a :class:`Name`."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    stripped = raw.strip()
    if stripped.lower() == "others":
        return Name("et al.")
    if stripped.startswith("{") and stripped.endswith("}") and _balanced(stripped[1:-1]):
        return Name(latex_to_text(stripped[1:-1]))  # a name in braces is an organisation: keep it whole
    parts = parse_single_name_into_parts(stripped, strict=False)
    family = latex_to_text(" ".join(parts.last))
    if not family:
        return Name(latex_to_text(stripped))
    return Name(
        family=family,
        given=latex_to_text(" ".join(parts.first)) or None,
        particle=latex_to_text(" ".join(parts.von)) or None,
        suffix=latex_to_text(" ".join(parts.jr)) or None,
    )


#: The deepest nesting of braces read in a BibTeX field (real titles use two or three levels).
MAX_BRACE_DEPTH = 50


def _depth(text: str) -> int:
    """The deepest nesting of braces in ``text``."""
    depth = deepest = 0
    for char in text:
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth -= 1
    return deepest


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0
