"""Turn an article that already exists into a reportkit Markdown fact-check.

The article is plain text, Markdown or HTML shaped like most published fact-checks:
a title (the question), an "Executive summary", numbered section headings
("1. Early proposals") and numeric citations ``[1] [2]`` in the text. Number ``n``
becomes ``[@key]`` of the n-th reference of a CSL-JSON or BibTeX list. Whatever
cannot be mapped (a citation number with no reference, text before the title, a
line that looks like a heading but breaks the numbering) is kept as text and
reported as an :class:`ImportProblem`; nothing is guessed silently.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..input.loaders import read_text
from ..document.model import Source

__all__ = ["ARTICLE_SUFFIXES", "ImportProblem", "ImportResult", "import_article"]

#: Article files the importer reads, by suffix.
ARTICLE_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
                    ".html": "html", ".htm": "html"}
#: The largest article read.
MAX_ARTICLE_BYTES = 8 * 1024 * 1024

#: Summary headings, in the languages of the built-in locales; what follows them on the line is their own
#: wording ("Executive Summary — Quick Answer Up Front", "1. Summary of the results").
_SUMMARY = re.compile(
    r"^(?:\d{1,2}[.)]\s*)?(?:executive\s+summary|summary|in\s+brief|key\s+findings|quick\s+answer|short\s+answer"
    r"|the\s+short\s+answer|bottom\s+line|at\s+a\s+glance|tl;?\s*dr|the\s+verdict|verdict|our\s+verdict"
    r"|zusammenfassung|kurzfassung|das\s+wichtigste(?:\s+in\s+kürze)?|auf\s+einen\s+blick|fazit"
    r"|résumé|en\s+bref|synthèse|l['’]essentiel|en\s+résumé"
    r"|resumen|en\s+resumen|en\s+breve|lo\s+esencial|conclusión"
    r"|резюме|краткое\s+содержание|кратко|главное|вывод|выводы|коротко|головне|підсумок|висновок|висновки"
    r"|ملخص|الملخص|الخلاصة|باختصار)"
    r"(?:\s*(?:[:—–|-]|\bof\b).*)?\s*:?$",
    re.IGNORECASE,
)
_SOURCES = re.compile(
    r"^(?:sources?|references|bibliography|citations|notes|works\s+cited|sources?\s+(?:and|&)\s+references"
    r"|sources?\s+cited|references\s+and\s+sources|quellen|quellenangaben|literatur|références|fuentes"
    r"|referencias|источники|джерела|المصادر|المراجع)\s*:?$",
    re.IGNORECASE,
)
#: Lines around an article's title that are not its title: dates of checking, disclaimers, banners.
_BOILERPLATE = re.compile(
    r"^(?:(?:last\s+)?(?:checked|updated|reviewed|published|fact[- ]checked)(?:\s+(?:on|at)|\s*:)|disclaimer\b"
    r"|(?:please\s+)?(?:support|donate|subscribe|sign\s+up|become\s+a\s+(?:member|supporter))\b"
    r"|advertisement\b|share\s+(?:this|on)\b|skip\s+to\b|menu\b|this\s+(?:article|fact[- ]check|page)\s+"
    r"(?:was|is|has\s+been)\s+(?:generated|written|produced|updated)|(?:ai|automated)[- ]generated\b)",
    re.IGNORECASE,
)
#: Words that lead into a title without being part of it ("Fact check: ...").
_TITLE_PREFIX = re.compile(
    r"^(?:fact[- ]?check(?:ed)?|faktencheck|faktenfuchs|vérification|fact[- ]checking|verificación|verificado"
    r"|проверка\s+фактов|фактчек|перевірка\s+фактів|تدقيق|تحقق)\s*[:|–—-]\s*",
    re.IGNORECASE,
)
#: A bullet at the start of a line of plain text.
_BULLET = re.compile(r"^\s*[•·–*▪◦‣-]\s+(\S.*)$")
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
#: A run of numeric citations: ``[1]``, ``[1, 2]``, ``[3-5]``, ``[1] [2]``, ``[1][2]``.
_CITES = re.compile(r"\[\s*\d+(?:\s*[-\u2013,;]\s*\d+)*\s*\](?:\s*\[\s*\d+(?:\s*[-\u2013,;]\s*\d+)*\s*\])*")
_BRACKET = re.compile(r"\[([^\]]*)\]")
_MAX_HEADING = 160


@dataclass(frozen=True)
class ImportProblem:
    """Something in the article the importer could not map, with where it is."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ImportResult:
    """The Markdown fact-check made from an article, and what could not be mapped."""

    markdown: str
    title: str
    sections: list[str]
    problems: list[ImportProblem] = field(default_factory=list)
    #: Number of numeric citations turned into ``[@key]`` citations.
    citations: int = 0


@dataclass
class _Block:
    kind: str  # "heading" or "para"
    text: str  # Markdown inline text
    line: int
    level: int = 0
    raw: str = ""  # the text as written (for recognising headings)


# --- reading the article into blocks --------------------------------------------------------


def _read(path: Path) -> tuple[str, str]:
    kind = ARTICLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"cannot import a {path.suffix or 'suffix-less'} file",
            file=path,
            hint="give the article as .txt, .md or .html",
        )
    return kind, read_text(path, what="article", max_bytes=MAX_ARTICLE_BYTES)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")
_MD_LINE_START = re.compile(r"^(\s*)(\d+)([.)])(\s)|^(\s*)([-+>])(\s)")


def _escape(text: str) -> str:
    """Plain text as Markdown that shows it as it is."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}{m.group(4)}" if m.group(2)
                              else f"{m.group(5)}\\{m.group(6)}{m.group(7)}", text)


def _text_blocks(text: str) -> list[_Block]:
    """One block per line; in a text whose paragraphs are separated by blank lines, one per paragraph."""
    blocks: list[_Block] = []
    wrapped = bool(re.search(r"\S\n[ \t]*\n[ \t]*\S", text.strip()))
    previous_blank = True
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = " ".join(line.split())
        if not stripped:
            previous_blank = True
            continue
        last = blocks[-1] if blocks else None
        bullet = _BULLET.match(stripped)
        if bullet:  # a list item: a block of its own, written as a Markdown list item
            blocks.append(_Block("para", "- " + _cite_safe_escape(bullet.group(1)), number, raw=bullet.group(1),
                                 level=-1))
            previous_blank = False
            continue
        if wrapped and last is not None and last.level == -1 and not previous_blank and not _marker(stripped):
            last.raw += " " + stripped  # the wrapped rest of a list item
            last.text += " " + _cite_safe_escape(stripped)
            continue
        if wrapped and last is not None and not previous_blank and not _marker(last.raw) and not _marker(stripped):
            last.raw += " " + stripped  # a hard-wrapped paragraph
            last.text += " " + _cite_safe_escape(stripped)
        else:
            blocks.append(_Block("para", _cite_safe_escape(stripped), number, raw=stripped))
        previous_blank = False
    return blocks


def _marker(line: str) -> bool:
    """Whether a line of plain text may be a heading of its own (never joined to a paragraph)."""
    return bool(_NUMBERED.match(line) and len(line) <= _MAX_HEADING and not line.endswith(".")) or bool(
        (_SUMMARY.match(line) or _SOURCES.match(line)) and len(line) <= _MAX_HEADING
    ) or bool(_BOILERPLATE.match(line) and len(line) <= _MAX_HEADING)


def _cite_safe_escape(text: str) -> str:
    """Escape plain text for Markdown, leaving numeric citations ``[1]`` to be mapped later."""
    out, pos = [], 0
    for match in _CITES.finditer(text):
        out.append(_escape(text[pos:match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _markdown_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    paragraph: list[str] = []
    start = 0

    def flush() -> None:
        if paragraph:
            joined = "\n".join(paragraph)
            blocks.append(_Block("para", joined, start, raw=" ".join(joined.split())))
            paragraph.clear()

    fence = False
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        heading = None if fence else re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if heading:
            flush()
            blocks.append(_Block("heading", heading.group(2), number, level=len(heading.group(1)), raw=heading.group(2)))
        elif not line.strip() and not fence:
            flush()
        else:
            if not paragraph:
                start = number
            paragraph.append(line)
    flush()
    return blocks


_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "button", "svg"}
_BLOCK_TAGS = {"p", "li", "blockquote", "dd", "dt", "figcaption", "pre", "td"}


def _html_blocks(text: str) -> list[_Block]:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises ParserError for documents with no content
        raise InputError(f"the HTML cannot be read: {exc}") from None
    body = root.find("body")
    scope = body if body is not None else root
    main = scope.find(".//article")
    if main is None:
        main = scope.find(".//main")
    if main is not None:
        scope = main
    blocks: list[_Block] = []

    def walk(element: Any) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _SKIP_TAGS:
                continue
            if re.fullmatch(r"h[1-6]", tag):
                raw = " ".join(child.text_content().split())
                if raw:
                    blocks.append(_Block("heading", _cite_safe_escape(raw), child.sourceline or 0, level=int(tag[1]), raw=raw))
            elif tag in _BLOCK_TAGS:
                inline = " ".join(_inline(child).split())
                raw = " ".join(child.text_content().split())
                if inline and tag != "li" and re.match(r"^[•·▪◦‣]\s", raw):  # "• a <br> • b": a list in a paragraph
                    for item, item_raw in zip(re.split(r"\s*[•·▪◦‣]\s+", inline)[1:], re.split(r"\s*[•·▪◦‣]\s+", raw)[1:]):
                        blocks.append(_Block("para", "- " + item, child.sourceline or 0, level=-1, raw=item_raw))
                elif inline:
                    if tag == "li":  # a list item drawn with a bullet character as well: one bullet
                        inline, raw = re.sub(r"^[•·▪◦‣]\s+", "", inline), re.sub(r"^[•·▪◦‣]\s+", "", raw)
                    prefix = "- " if tag == "li" else ""
                    blocks.append(_Block("para", prefix + inline, child.sourceline or 0, raw=raw,
                                         level=-1 if tag == "li" else 0))
            else:
                walk(child)

    walk(scope)
    return blocks


def _inline(element: Any) -> str:
    """The Markdown of an HTML element's inline content: text, emphasis, links; no markup kept."""
    parts = [_cite_safe_escape(element.text or "")]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _SKIP_TAGS or not tag:  # a comment or processing instruction: only the text after it counts
            pass
        elif tag in ("em", "i", "cite"):
            inner = _inline(child).strip()
            parts.append(f"*{inner}*" if inner else "")
        elif tag in ("strong", "b"):
            inner = _inline(child).strip()
            parts.append(f"**{inner}**" if inner else "")
        elif tag == "a":
            inner = _inline(child).strip()
            href = (child.get("href") or "").strip()
            parts.append(f"[{inner}](<{href}>)" if inner and re.match(r"https?://", href) and " " not in href else inner)
        elif tag == "br":
            parts.append(" ")
        else:
            parts.append(_inline(child))
        parts.append(_cite_safe_escape(child.tail or ""))
    return "".join(parts)


# --- finding the structure ------------------------------------------------------------------


def _is_summary(block: _Block) -> bool:
    return bool(_SUMMARY.match(block.raw)) and (block.kind == "heading" or len(block.raw) < 80) and block.level >= 0


def _is_sources(block: _Block) -> bool:
    return bool(_SOURCES.match(block.raw)) and (block.kind == "heading" or len(block.raw) < 40)


def _clean_title(text: str) -> str:
    """A title without what leads into it: a "Fact check:" prefix, a date of checking, Markdown link markup."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [words](url) -> words
    text = re.sub(r"[*_`]+", "", text).strip()
    return _TITLE_PREFIX.sub("", text).strip()


def _title_index(blocks: list[_Block], summary_at: int | None) -> int:
    """Where the title is: the question before the summary, else the first heading, past any boilerplate."""
    limit = summary_at if summary_at is not None else min(len(blocks), 12)
    candidates = [i for i in range(limit) if not _BOILERPLATE.match(blocks[i].raw) and blocks[i].level >= 0
                  and len(blocks[i].raw) <= 300]
    h1 = [i for i in candidates if blocks[i].kind == "heading" and blocks[i].level == 1]
    questions = [i for i in candidates if _clean_title(blocks[i].raw).endswith("?")]
    if h1 and (not questions or _clean_title(blocks[h1[0]].raw).endswith("?") or questions[0] > h1[0]):
        return h1[0]
    if questions:
        return questions[0]
    if h1:
        return h1[0]
    headings = [i for i in candidates if blocks[i].kind == "heading"]
    if headings:
        return headings[0]
    return candidates[-1] if summary_at is not None and candidates else (candidates[0] if candidates else 0)


def _structure(blocks: list[_Block], kind: str, problems: list[ImportProblem],
               language: str = "en") -> tuple[str, list[_Block], list[tuple[_Block, list[_Block]]]]:
    """Split blocks into the title, the summary's blocks and the sections (heading, blocks)."""
    if not blocks:
        raise InputError("the article is empty")
    summary_at = next((i for i, b in enumerate(blocks) if _is_summary(b) and i > 0), None)
    title_at = _title_index(blocks, summary_at)
    title = _clean_title(blocks[title_at].raw)
    for block in blocks[:title_at]:
        problems.append(ImportProblem(block.line, f"text before the title was left out: {_quote(block.raw)}"))

    body = blocks[title_at + 1:]
    end = next((i for i, b in enumerate(body) if _is_sources(b)), None)
    if end is not None:
        dropped = body[end:]
        problems.append(ImportProblem(
            dropped[0].line,
            f"the article's own source list ({len(dropped) - 1} lines) was left out: "
            "the sources come from the reference file",
        ))
        body = body[:end]
    kept = []
    for block in body:
        if _BOILERPLATE.match(block.raw) and len(block.raw) <= _MAX_HEADING:
            problems.append(ImportProblem(block.line, f"left out as not part of the article: {_quote(block.raw)}"))
        else:
            kept.append(block)
    body = kept
    expected = 1
    if summary_at is not None and summary_at > title_at:
        numbered = _NUMBERED.match(blocks[summary_at].raw)
        if numbered:  # "1. Summary of the results": the sections go on from 2
            expected = int(numbered.group(1)) + 1
        body = [b for b in body if b is not blocks[summary_at]]
    else:
        problems.append(ImportProblem(
            None, "no 'Executive summary' heading: the text before the first section became the summary"
        ))

    sections: list[tuple[_Block, list[_Block]]] = []
    summary: list[_Block] = []
    for block in body:
        heading = _section_heading(block, kind, expected, problems)
        if heading is not None:
            expected += 1
            sections.append((heading, []))
        elif sections:
            sections[-1][1].append(block)
        else:
            summary.append(block)
    if not sections:
        sections, summary = _unnumbered_sections(summary, language, problems)
    return title, summary, sections


#: The heading of the one section of an article that has none, by language.
_ONE_SECTION = {"en": "Analysis", "de": "Analyse", "fr": "Analyse", "es": "Análisis", "ru": "Анализ",
                "uk": "Аналіз", "ar": "التحليل"}


def _unnumbered_sections(blocks: list[_Block], language: str,
                         problems: list[ImportProblem]) -> tuple[list[tuple[_Block, list[_Block]]], list[_Block]]:
    """Sections of an article without numbered headings: its short heading-like lines, or one section."""
    def heading_like(index: int) -> bool:
        block = blocks[index]
        words = block.raw.split()
        return (block.level >= 0 and 0 < len(words) <= 12 and len(block.raw) <= 90
                and not re.search(r"[.,;:]$", block.raw) and block.raw[:1].isupper()
                and index + 1 < len(blocks) and len(blocks[index + 1].raw) > len(block.raw))

    sections: list[tuple[_Block, list[_Block]]] = []
    summary: list[_Block] = []
    for index, block in enumerate(blocks):
        if index > 0 and heading_like(index):
            sections.append((_Block("heading", _cite_safe_escape(block.raw), block.line, raw=block.raw), []))
        elif sections:
            sections[-1][1].append(block)
        else:
            summary.append(block)
    if sections:
        problems.append(ImportProblem(None, f"no numbered section headings: {len(sections)} short lines were "
                                      "taken as headings; check them"))
        return sections, summary
    name = _ONE_SECTION.get(language.split("-")[0].lower(), _ONE_SECTION["en"])
    problems.append(ImportProblem(None, f"no section headings: the article's text became one section, {name!r}; "
                                  "split it with '## ' headings"))
    if not blocks:
        raise InputError("the article has a title but no text", hint="check that the file holds the whole article")
    line = blocks[0].line
    return [(_Block("heading", name, line, raw=name), blocks[1:] if len(blocks) > 1 else blocks)], blocks[:1] if len(blocks) > 1 else []


def _section_heading(block: _Block, kind: str, expected: int, problems: list[ImportProblem]) -> _Block | None:
    """The block as a section heading (numbers dropped), or None if it is body text."""
    match = _NUMBERED.match(block.raw)
    if block.kind == "heading":
        text = match.group(2) if match else block.raw
        return _Block("heading", _cite_safe_escape(text), block.line, raw=text)
    if kind == "markdown" or not match:
        return None
    number, text = int(match.group(1)), match.group(2)
    looks_like = len(block.raw) <= _MAX_HEADING and not block.raw.endswith(".")
    if looks_like and number == expected:
        return _Block("heading", _cite_safe_escape(text), block.line, raw=text)
    if looks_like:
        problems.append(ImportProblem(
            block.line,
            f"{_quote(block.raw)} looks like a section heading but is numbered {number} where {expected} was "
            "expected: it was kept as text",
        ))
    return None


def _quote(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# --- citations ------------------------------------------------------------------------------


def _numbers(bracket: str) -> list[int] | None:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", bracket.strip()):
        span = re.fullmatch(r"(\d+)\s*[-\u2013]\s*(\d+)", part)
        if span:
            low, high = int(span.group(1)), int(span.group(2))
            if high < low or high - low > 50:
                return None
            numbers += range(low, high + 1)
        elif part.isdigit():
            numbers.append(int(part))
        else:
            return None
    return numbers


def _map_citations(text: str, line: int, keys: Sequence[str], problems: list[ImportProblem], used: set[str]) -> tuple[str, int]:
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        numbers: list[int] = []
        for bracket in _BRACKET.findall(match.group(0)):
            found = _numbers(bracket)
            if found is None:
                problems.append(ImportProblem(line, f"cannot read the citation {match.group(0)!r}: kept as text"))
                return _escape(match.group(0))
            numbers += found
        unknown = [n for n in numbers if not 1 <= n <= len(keys)]
        if unknown:
            problems.append(ImportProblem(
                line,
                f"citation {match.group(0)!r}: no reference number {', '.join(map(str, unknown))} "
                f"(the reference file has {len(keys)}): kept as text",
            ))
            return _escape(match.group(0))
        cited = list(dict.fromkeys(keys[n - 1] for n in numbers))
        used.update(cited)
        count += 1
        return "[" + "; ".join(f"@{key}" for key in cited) + "]"

    return _CITES.sub(replace, text), count


# --- the whole import -----------------------------------------------------------------------


def import_article(
    article: str | os.PathLike[str],
    sources: str | os.PathLike[str],
    *,
    language: str = "en",
    sources_ref: str | None = None,
) -> ImportResult:
    """Turn ``article`` into reportkit Markdown citing the references of ``sources`` (.json or .bib).

    With ``sources_ref`` the front matter names that file (``sources: refs.bib``);
    otherwise it lists the sources themselves. Raises :class:`InputError` when the
    article has no recognisable structure; everything else that cannot be mapped is
    in :attr:`ImportResult.problems`.
    """
    from ..input.references import read_references

    path = Path(article)
    kind, text = _read(path)
    references = [Source(**fields) for fields in read_references(sources)]
    keys = [source.key for source in references]
    problems: list[ImportProblem] = []
    try:
        blocks = {"text": _text_blocks, "markdown": _markdown_blocks, "html": _html_blocks}[kind](text)
        title, summary, sections = _structure(blocks, kind, problems, language)
    except InputError as exc:
        raise exc.located(path) from None

    used: set[str] = set()
    count = 0

    def body(blocks: list[_Block]) -> str:
        nonlocal count
        paragraphs = []
        for block in blocks:
            mapped, n = _map_citations(block.text, block.line, keys, problems, used)
            count += n
            paragraphs.append(mapped)
        return "\n\n".join(paragraphs)

    summary_text = body(summary)
    section_texts = [(heading, body(blocks)) for heading, blocks in sections]
    for heading, text_ in section_texts:
        if not text_.strip():
            problems.append(ImportProblem(heading.line, f"section {_quote(heading.raw)} has no text"))
    for number, key in enumerate(keys, start=1):
        if key not in used:
            problems.append(ImportProblem(None, f"reference {number} ({key!r}) is never cited in the article"))

    front: dict[str, Any] = {"title": title, "language": language}
    front["sources"] = sources_ref if sources_ref else [
        s.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for s in references
    ]
    lines = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=100).rstrip("\n")]
    lines += [
        "# What the article does not say; fill in, then build (fields: reportkit schema):",
        "# verdict: {rating: false, label: ..., explanation: ...}",
        "# claim: {text: ..., claimant: ...}",
        "# publisher: {name: ..., url: https://...}",
        "# authors: [...]",
        "# published: YYYY-MM-DD",
        "---",
    ]
    if summary_text:
        lines += [summary_text, ""]
    for heading, text_ in section_texts:
        lines += [f"## {heading.text}", "", text_, ""] if text_ else [f"## {heading.text}", ""]
    markdown = "\n".join(lines).rstrip("\n") + "\n"
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    result = ImportResult(markdown, title, [h.raw for h, _ in section_texts], problems, count)
    _check(result, references, path)
    return result


def _check(result: ImportResult, references: list[Source], path: Path) -> None:
    """Validate the Markdown made, as ``reportkit build`` will read it (a bug here is ours, not the user's)."""
    import warnings

    from ..input.loaders import parse_markdown
    from ..document.model import validate
    from ..resolve.resolver import resolve

    loaded = parse_markdown(result.markdown, path.with_suffix(".md"))
    loaded.data["sources"] = [s.model_dump(mode="json", exclude_none=True) for s in references]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # uncited references are already among the problems
        resolve(validate(loaded.data, file=str(path), lines=loaded.lines))
