"""Sources from reference managers and back: CSL-JSON (Zotero, Mendeley, Pandoc) and BibTeX.

``sources: refs.bib`` (or ``refs.json``) in a fact-check's front matter names a
file of references next to the input; :func:`read_references` turns it into
reportkit's source fields, so nobody retypes a source. Citation keys are the
CSL ``id`` or the BibTeX key. :func:`to_csl` turns sources back into CSL-JSON
items for a reference manager. Fields reportkit shows survive both ways: authors
(with family and given names), title, container title, publisher, dates (also
partial ones), URL, DOI, accessed date, archived copy and note.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from .text import check_braces, parse_json, read_text
from ..document.model import Name, Source, validate_part

__all__ = ["REFERENCE_SUFFIXES", "from_bibtex", "from_csl", "read_references", "to_csl"]

#: Reference files reportkit reads, by suffix.
REFERENCE_SUFFIXES = {".json": "CSL-JSON", ".bib": "BibTeX"}
#: The largest reference file read.
MAX_REFERENCE_BYTES = 16 * 1024 * 1024

_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")

# --- reading ---------------------------------------------------------------------------------


def read_references(path: str | os.PathLike[str], *, max_bytes: int = MAX_REFERENCE_BYTES) -> list[dict[str, Any]]:
    """Read a CSL-JSON (``.json``) or BibTeX (``.bib``) file into a list of source fields.

    Every entry is validated as a :class:`~reportkit.document.model.Source`; a problem raises
    :class:`~reportkit.errors.InputError` naming the file, the entry and its field.
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
    entries = _csl_entries(text, file) if kind == "CSL-JSON" else _bibtex_entries(text, file)
    sources: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for where, line, fields in entries:
        validate_part(Source, fields, field=where, file=file, lines={where: line} if line else None)
        key = fields["key"]
        if key in seen:
            raise InputError(
                f"duplicate key {key!r} (also {seen[key]})", file=file, line=line, field=where,
                hint="give every reference its own key",
            )
        seen[key] = where
        sources.append(fields)
    if not sources:
        raise InputError(f"the {kind} file holds no references", file=file)
    return sources


# --- CSL-JSON --------------------------------------------------------------------------------


def _csl_entries(text: str, file: Path) -> list[tuple[str, int | None, dict[str, Any]]]:
    data = parse_json(text, file)  # bounded: nesting, digits, no NaN or Infinity, no key twice
    if isinstance(data, Mapping) and isinstance(data.get("items"), list):
        data = data["items"]  # some tools wrap the list
    if not isinstance(data, list):
        raise InputError("a CSL-JSON file holds a list of references: [{\"id\": ..., \"title\": ...}, ...]", file=file)
    entries: list[tuple[str, int | None, dict[str, Any]]] = []
    for index, item in enumerate(data):
        where = f"[{index}]"
        if not isinstance(item, Mapping):
            raise InputError("a reference must be an object with 'id' and 'title'", file=file, field=where)
        if "id" in item:
            where = f"[{index}] (id {str(item['id'])!r})"
        entries.append((where, None, from_csl(item, where=where, file=file)))
    return entries


def from_csl(item: Mapping[str, Any], *, where: str = "", file: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Source fields from one CSL-JSON item (``id`` becomes the key)."""

    def fail(field: str, message: str, hint: str | None = None) -> InputError:
        return InputError(message, file=file, field=f"{where}.{field}" if where else field, hint=hint)

    if item.get("id") in (None, ""):
        raise fail("id", "a CSL reference needs an 'id': reportkit cites it as [@id]")
    fields: dict[str, Any] = {"key": str(item["id"]).strip()}
    for csl, ours in (("title", "title"), ("container-title", "container"), ("publisher", "publisher"),
                      ("note", "note"), ("DOI", "doi"), ("type", "type")):
        value = item.get(csl)
        if value not in (None, ""):
            fields[ours] = str(value).strip()
    url = str(item.get("URL") or "").strip()
    if url:
        fields["url"] = url
    elif "doi" in fields:
        fields["url"] = f"https://doi.org/{fields['doi']}"
    archived = str(item.get("archive_location") or "").strip()
    if archived.lower().startswith(("http://", "https://")):
        fields["archived"] = archived
    names = item.get("author") or []
    if not isinstance(names, list):
        raise fail("author", "'author' must be a list of names")
    authors = [_csl_name(name, lambda m: fail("author", m)) for name in names]
    if authors:
        fields["authors"] = authors
    for csl, ours in (("issued", "published"), ("accessed", "accessed")):
        if item.get(csl) not in (None, ""):
            fields[ours] = _csl_date(item[csl], lambda m, c=csl: fail(c, m))
    return fields


def _csl_name(name: Any, fail: Any) -> Name:
    if isinstance(name, str):
        return Name(name)
    if not isinstance(name, Mapping):
        raise fail(f"a name must be an object with 'family' and 'given', not {name!r}")
    literal = name.get("literal")
    if literal:
        return Name(str(literal).strip())
    family = str(name.get("family") or "").strip()
    if not family:
        raise fail(f"the name {dict(name)!r} has neither 'family' nor 'literal'")
    given = " ".join(p for p in (str(name.get("given") or "").strip(), str(name.get("dropping-particle") or "").strip()) if p)
    return Name(
        family=family,
        given=given or None,
        particle=str(name.get("non-dropping-particle") or "").strip() or None,
        suffix=str(name.get("suffix") or "").strip() or None,
    )


def _csl_date(value: Any, fail: Any) -> str:
    """An ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) from a CSL date of any shape."""
    if isinstance(value, Mapping):
        parts = value.get("date-parts")
        if parts:
            first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else None
            try:
                numbers = [int(p) for p in first or ()][:3]
            except (TypeError, ValueError, OverflowError):
                numbers = []
            if not numbers:
                raise fail(f"cannot read the date {value!r}: 'date-parts' should be like [[2024, 3, 7]]")
            return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])
        text = value.get("raw") or value.get("literal")
        if not text:
            raise fail(f"cannot read the date {value!r}: give 'date-parts' or 'raw'")
        value = text
    text = str(value)
    match = _ISO.match(text)
    if not match or text.strip()[match.end():].strip("/ ").strip():
        if match and re.fullmatch(r"\s*\d{4}(-\d{1,2}){0,2}/.*", text):  # an EDTF range: its start
            pass
        else:
            raise fail(f"{text!r} is not a date reportkit can show", "write it as YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = match.groups()
    return "-".join([year, *(f"{int(p):02d}" for p in (month, day) if p)])


def to_csl(source: Source) -> dict[str, Any]:
    """One source as a CSL-JSON item, for Zotero, Mendeley, Pandoc or citeproc."""
    item: dict[str, Any] = {"id": source.key, "type": source.type or ("webpage" if source.url else "document")}
    item["title"] = source.title
    if source.authors:
        item["author"] = [_name_to_csl(name) for name in source.authors]
    for ours, csl in (("container", "container-title"), ("publisher", "publisher"), ("url", "URL"),
                      ("doi", "DOI"), ("archived", "archive_location"), ("note", "note")):
        value = getattr(source, ours)
        if value:
            item[csl] = value
    for ours, csl in (("published", "issued"), ("accessed", "accessed")):
        value = getattr(source, ours)
        if value:
            item[csl] = {"date-parts": [[int(p) for p in str(value).split("-")]]}
    return item


def _name_to_csl(name: str) -> dict[str, str]:
    if isinstance(name, Name) and name.structured:
        data = {"family": name.family or "", "given": name.given, "non-dropping-particle": name.particle,
                "suffix": name.suffix}
        return {k: v for k, v in data.items() if v}
    return {"literal": str(name)}


def sources_as_csl(sources: Iterable[Source]) -> list[dict[str, Any]]:
    """Every source as a CSL-JSON item, in order."""
    return [to_csl(source) for source in sources]


# --- BibTeX ----------------------------------------------------------------------------------

#: BibTeX and BibLaTeX entry types -> CSL item types.
BIBTEX_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "inbook": "chapter", "incollection": "chapter", "bookinbook": "chapter", "collection": "book",
    "inproceedings": "paper-conference", "conference": "paper-conference", "proceedings": "book",
    "manual": "book", "mastersthesis": "thesis", "phdthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report", "unpublished": "manuscript", "online": "webpage",
    "www": "webpage", "electronic": "webpage", "dataset": "dataset", "software": "software",
    "patent": "patent", "periodical": "periodical", "standard": "standard", "legislation": "legislation",
    "jurisdiction": "legal_case", "letter": "personal_communication", "movie": "motion_picture",
    "video": "motion_picture", "audio": "song", "artwork": "graphic", "image": "graphic",
    "interview": "interview", "review": "review", "misc": "document",
}
_ENTRY_SUBTYPES = {"newspaper": "article-newspaper", "magazine": "article-magazine"}
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def _bibtex_entries(text: str, file: Path) -> list[tuple[str, int | None, dict[str, Any]]]:
    import bibtexparser
    from bibtexparser import middlewares

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    check_braces(text, file)
    # LaTeX is decoded here, field by field: a library-wide decoding would also strip the braces that
    # keep an organisation's name whole, and read '%' in URLs as a comment.
    library = bibtexparser.parse_string(text, append_middleware=[middlewares.SeparateCoAuthors()])
    for block in library.failed_blocks:
        line = _line(block.start_line)
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            raise InputError(f"duplicate key {getattr(block, 'key', '?')!r}", file=file, line=line,
                             hint="give every reference its own key")
        error = getattr(block, "error", None)
        reason = getattr(error, "abort_reason", None) or str(error or "")
        message = reason.strip().splitlines()[0] if reason.strip() else "the entry cannot be parsed"
        raise InputError(f"BibTeX syntax error: {message}", file=file, line=line,
                         hint="check the braces and commas of this entry")
    return [(f"@{e.entry_type}{{{e.key}}}", _line(e.start_line), from_bibtex(e, file=file)) for e in library.entries]


def _line(start_line: int | None) -> int | None:
    """The 1-based line of a parsed block (bibtexparser counts from 0; its parser always sets it)."""
    return None if start_line is None else start_line + 1


#: BibTeX fields taken as they are written (no LaTeX decoding).
_VERBATIM = {"url", "doi", "archiveurl", "archived", "urldate", "date", "year", "month"}


def _latex(value: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    return re.sub(r"\s+", " ", LatexNodes2Text(math_mode="verbatim").latex_to_text(value)).strip()


def from_bibtex(entry: Any, *, file: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Source fields from one parsed bibtexparser (v2) entry (authors split by ``SeparateCoAuthors``)."""
    where = f"@{entry.entry_type}{{{entry.key}}}"
    values = {k.lower(): v.value for k, v in entry.fields_dict.items()}

    def text(*names: str) -> str | None:
        for name in names:
            value = values.get(name)
            if isinstance(value, str) and value.strip():
                return re.sub(r"\s+", " ", value).strip() if name in _VERBATIM else _latex(value) or None
        return None

    fields: dict[str, Any] = {"key": entry.key, "title": text("title") or ""}
    kind = _ENTRY_SUBTYPES.get((text("entrysubtype") or "").lower()) or BIBTEX_TYPES.get(entry.entry_type.lower())
    if kind:
        fields["type"] = kind
    optional = {
        "container": text("journaltitle", "journal", "booktitle", "maintitle", "eventtitle"),
        "publisher": text("publisher", "organization", "institution", "school"),
        "doi": text("doi"),
        "url": text("url"),
        "archived": text("archiveurl", "archived"),
        "note": text("note", "addendum"),
        "accessed": _bibtex_date(text("urldate"), None, None, where, "urldate", file),
        "published": _bibtex_date(text("date"), text("year"), text("month"), where, "date", file),
    }
    fields.update({k: v for k, v in optional.items() if v})
    if "url" not in fields and "doi" in fields:
        fields["url"] = f"https://doi.org/{fields['doi']}"
    names = values.get("author")
    if isinstance(names, str):
        names = [names]
    if names:
        fields["authors"] = [_bibtex_name(name) for name in names]
    return fields


def _bibtex_date(date: str | None, year: str | None, month: str | None, where: str, field: str,
                 file: str | os.PathLike[str] | None) -> str | None:
    if date:
        match = _ISO.match(date)
        if not match:
            raise InputError(f"{date!r} is not a date reportkit can show", file=file, field=f"{where}.{field}",
                             hint="write it as YYYY-MM-DD, YYYY-MM or YYYY")
        y, m, d = match.groups()
        return "-".join([y, *(f"{int(p):02d}" for p in (m, d) if p)])
    if not year:
        return None
    if not re.fullmatch(r"\d{4}", year):
        raise InputError(f"year {year!r} is not a four-digit year", file=file, field=f"{where}.year")
    if not month:
        return year
    number = _MONTHS.get(month.strip().lower()[:3]) if not month.strip().isdigit() else int(month)
    if not number or not 1 <= number <= 12:
        raise InputError(f"month {month!r} is not a month", file=file, field=f"{where}.month",
                         hint="write it as a number (3) or an abbreviation (mar)")
    return f"{year}-{number:02d}"


def _bibtex_name(raw: str) -> Name:
    """A BibTeX name (``Last, First``, ``First von Last``, ``{Organisation}``) as a :class:`Name`."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    decode = _latex

    stripped = raw.strip()
    if stripped.startswith("{") and stripped.endswith("}") and _balanced(stripped[1:-1]):
        return Name(decode(stripped[1:-1]))  # a name in braces is an organisation: keep it whole
    parts = parse_single_name_into_parts(stripped, strict=False)
    family = decode(" ".join(parts.last))
    if not family:
        return Name(decode(stripped))
    return Name(
        family=family,
        given=decode(" ".join(parts.first)) or None,
        particle=decode(" ".join(parts.von)) or None,
        suffix=decode(" ".join(parts.jr)) or None,
    )


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0
