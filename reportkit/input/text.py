"""Reading input files safely: only regular files, at most a size limit, and binary files and bad UTF-8 become
errors naming the file.

Every input text reportkit reads (fact-checks, sources files, articles to import) goes through
:func:`read_text`, which reads through :func:`reportkit.files.read_regular`: a FIFO, a device or a
folder is refused before it is opened for reading, and never more than the limit plus one byte is read.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import read_regular

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "check_braces", "parse_json", "read_document_text", "read_text"]

#: How deep mappings and lists may nest in an input file (a fact-check needs four levels).
MAX_DEPTH = 64
#: Digits a whole number may have in an input file (a year has four).
MAX_DIGITS = 64




def read_document_text(file: Path, max_bytes: int) -> str:
    """The UTF-8 text of a fact-check file, or an :class:`InputError` naming the file (and the line of a bad byte)."""
    text = read_text(file, what="file", max_bytes=max_bytes)
    if not text.strip():
        raise InputError("the file is empty", file=file, hint="a fact-check starts with a front matter: ---, title: ...")
    return text


def read_text(file: Path, *, what: str, max_bytes: int, follow_symlinks: bool = True) -> str:
    """The UTF-8 text of an input file (``what``: "file", "article", "sources file"...), line ends made ``\\n``.

    Raises :class:`InputError` (or :class:`~reportkit.errors.LimitError`) naming the file, and the
    line of a byte that is not UTF-8, for a missing, special, oversized, binary or undecodable file.
    """
    raw = read_regular(file, max_bytes=max_bytes, what=what, follow_symlinks=follow_symlinks)
    if b"\x00" in raw[:8192]:
        raise InputError(f"this is a binary file, not a {what}" if what != "file" else "this is a binary file, not text",
                         file=file, hint="give a Markdown, YAML or JSON file" if what == "file" else None)
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"the {what} is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            file=file,
            line=line,
            column=column,
            hint="save it as UTF-8 in your editor",
        ) from None


def parse_json(text: str, file: Path) -> Any:
    """Parse JSON, refusing what a hostile file could make costly or unrepresentable.

    Numbers longer than :data:`MAX_DIGITS` digits, ``NaN`` and ``Infinity``, nesting deeper
    than :data:`MAX_DEPTH` and a key given twice in one object are :class:`InputError`\\ s
    naming the line.
    """

    def fail(message: str, token: str | None = None, hint: str | None = None) -> InputError:
        line = column = None
        if token is not None and (at := text.find(token)) >= 0:
            line = text.count("\n", 0, at) + 1
            column = at - (text.rfind("\n", 0, at) + 1) + 1
        return InputError(message, file=file, line=line, column=column, hint=hint)

    def number(kind: type) -> Any:
        def parse(token: str) -> Any:
            if sum(ch.isdigit() for ch in token) > MAX_DIGITS:
                raise fail(f"a number with {len(token):,} characters is more than a fact-check can hold "
                           f"(at most {MAX_DIGITS} digits)", token, "write it as a string if it is text")
            value = kind(token)
            if kind is float and not math.isfinite(value):
                raise fail(f"the number {token[:40]} is too large", token, "write a smaller number, or a string")
            return value
        return parse

    def constant(token: str) -> Any:
        raise fail(f"{token} is not a value a fact-check can hold", token, "write a number, or a string")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise fail(f"the key {key[:80]!r} is given twice in one object", json.dumps(key),
                           "keep one of them (otherwise the last one would silently win)")
            result[key] = value
        return result

    _check_json_depth(text, file)
    try:
        return json.loads(text, parse_int=number(int), parse_float=number(float), parse_constant=constant,
                          object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON syntax error: {exc.msg}", file=file, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise InputError(f"the JSON is nested more than {MAX_DEPTH} levels deep", file=file) from None


#: The tokens that open and close a level: BibTeX braces (escaped ones skipped); JSON brackets (strings skipped).
_BRACES = re.compile(r"\\[{}]|[{}]")
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def check_braces(text: str, file: Path) -> None:
    """Refuse BibTeX (or LaTeX) text whose braces nest deeper than :data:`MAX_DEPTH`, naming the line."""
    _check_nesting(text, file, _BRACES, "braces are", "check the braces of this entry: a field needs a few levels at most")


def _check_json_depth(text: str, file: Path) -> None:
    """Refuse JSON nested deeper than :data:`MAX_DEPTH` (counted outside strings, before parsing)."""
    _check_nesting(text, file, _BRACKETS, "the JSON is", "a fact-check needs a few levels: flatten the structure")


def _check_nesting(text: str, file: Path, tokens: re.Pattern[str], what: str, hint: str) -> None:
    """Count the levels ``tokens`` open (``{``, ``[``) and close; refuse the first beyond :data:`MAX_DEPTH`."""
    depth = 0
    for match in tokens.finditer(text):
        token = match.group()
        if token in ("{", "["):
            depth += 1
            if depth > MAX_DEPTH:
                at = match.start()
                raise InputError(
                    f"{what} nested more than {MAX_DEPTH} levels deep",
                    file=file,
                    line=text.count("\n", 0, at) + 1,
                    column=at - (text.rfind("\n", 0, at) + 1) + 1,
                    hint=hint,
                )
        elif token in ("}", "]"):
            depth = max(0, depth - 1)
