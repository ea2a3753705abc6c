"""Read fact-checks from files: Markdown with YAML front matter, YAML, or JSON.

Every mistake becomes an :class:`~reportkit.errors.InputError` naming the file and,
where it can be known, the line and column. The loader also records the line of
every front-matter field and Markdown section, so later errors (a bad date, an
unknown citation key) can point at a line too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, LimitError, UnsafeResourceError
from ..limits import DEFAULT_LIMITS
from .text import MAX_DEPTH, MAX_DIGITS, parse_json, read_document_text, read_text

__all__ = ["Loaded", "MAX_INPUT_BYTES", "SUFFIXES", "parse_markdown", "read", "read_text"]

#: The largest input file read by default; larger files fail at once instead of exhausting memory.
MAX_INPUT_BYTES = DEFAULT_LIMITS.max_input_bytes
#: Input suffixes and what they hold.
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}

_NUMBERED_HEADING = re.compile(r"^\d{1,3}[.)]\s+")


@dataclass
class Loaded:
    """The fields read from an input file, with where each one stands in it."""

    data: dict[str, Any]
    file: Path
    #: Field path (``sources[2].url``, ``sections[0].body``) -> 1-based line in the file.
    lines: dict[str, int] = field(default_factory=dict)
    #: Other files the fields were read from (a ``sources:`` file), for the build cache.
    files: list[Path] = field(default_factory=list)


def read(path: str | os.PathLike[str], *, max_bytes: int = MAX_INPUT_BYTES,
         max_text_chars: int = DEFAULT_LIMITS.max_text_chars) -> Loaded:
    """Read an input file into fields; raises :class:`InputError` for anything unreadable."""
    file = Path(path)
    kind = SUFFIXES.get(file.suffix.lower())
    if kind is None:
        raise InputError(
            f"cannot read {file.suffix or 'files without a suffix'}: reportkit reads .md, .yaml and .json",
            file=file,
            hint="rename the file, or convert it to one of those formats",
        )
    text = read_document_text(file, max_bytes)
    if len(text) > max_text_chars:  # before any parsing: Markdown's costs grow with the text
        raise LimitError(
            f"the file has {len(text):,} characters, more than the limit of {max_text_chars:,} characters of text",
            file=file,
            hint="split it, or raise the limit: Limits(max_text_chars=...)",
        )
    if kind == "markdown":
        return _sources_file(parse_markdown(text, file))
    if kind == "yaml":
        data, lines = _yaml(text, file, first_line=1)
    else:
        data, lines = _json(text, file), {}
    if not isinstance(data, Mapping):
        raise InputError(
            f"the file holds {_kind(data)}, not a mapping of fields",
            file=file,
            line=1,
            hint="a fact-check starts with 'title: ...'",
        )
    return _sources_file(Loaded(dict(data), file, lines))


def _wanted_keys(data: Mapping[str, Any]) -> set[str] | None:
    """The keys a fact-check takes from its sources file: the ones it cites and its ``nocite`` ones (None: all)."""
    from .markdown import cited_keys

    nocite = data.get("nocite")
    items = re.split(r"[,;\s]+", nocite) if isinstance(nocite, str) else nocite if isinstance(nocite, list) else []
    wanted = {str(item).strip().removeprefix("@") for item in items if str(item).strip()}
    if "*" in wanted:
        return None
    texts: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, Mapping):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect({k: v for k, v in data.items() if k != "sources"})
    for text in texts:
        if "[@" in text:
            wanted |= cited_keys(text)
    return wanted


def _sources_file(loaded: Loaded) -> Loaded:
    """Replace ``sources: refs.bib`` (a file next to the input) by the references the file holds."""
    name = loaded.data.get("sources")
    if not isinstance(name, str):
        return loaded
    from .references import read_references

    line = loaded.lines.get("sources")
    folder = loaded.file.resolve().parent
    path = (folder / name.strip()).resolve()
    if not name.strip() or Path(name.strip()).is_absolute() or not path.is_relative_to(folder):
        raise UnsafeResourceError(
            f"the sources file {name!r} lies outside the input's folder",
            file=loaded.file,
            line=line,
            field="sources",
            hint="put the .bib or .json file next to the fact-check (or in a folder below it)",
        )
    if not path.exists():
        raise InputError(
            f"the sources file {name!r} does not exist",
            file=loaded.file,
            line=line,
            field="sources",
            hint="check the file name: it is looked up next to the fact-check",
        )
    loaded.data["sources"] = read_references(path, keys=_wanted_keys(loaded.data))
    loaded.files.append(path)
    return loaded


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"a single {type(value).__name__} value"


# --- YAML, with the line of every field ---------------------------------------------------


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml when built in
    """YAML with the 1.2 core schema's booleans: only true/false, so `label: No` stays the text "No"."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A YAML date, or its text when it is no real date (2025-13-01), so validation names the field."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A YAML whole number, refused when it has more than :data:`MAX_DIGITS` digits."""
    digits = sum(ch.isdigit() for ch in str(node.value))
    if digits > MAX_DIGITS:
        raise _TooLong(node, digits)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


class _TooLong(Exception):
    """A number with too many digits, found while the YAML was constructed."""

    def __init__(self, node: yaml.Node, digits: int) -> None:
        super().__init__(digits)
        self.node = node
        self.digits = digits


_Loader.add_constructor("tag:yaml.org,2002:int", _int)


def _yaml(text: str, file: Path, first_line: int) -> tuple[Any, dict[str, int]]:
    """Parse YAML text whose first line is line ``first_line`` of ``file``; record each field's line.

    What a small hostile text could make huge is refused before anything is built: aliases
    (an alias bomb expands to billions of nodes), nesting deeper than :data:`MAX_DEPTH`, whole
    numbers longer than :data:`MAX_DIGITS` digits; a key given twice in one mapping is an error
    naming both lines.
    """
    loader = _Loader(text)
    try:
        _check_events(text, file, first_line)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"YAML syntax error: {exc.problem or exc.context}",
            file=file,
            line=mark.line + first_line if mark else None,
            column=mark.column + 1 if mark else None,
            hint="check indentation, and quote values that contain ': ' or start with a special character",
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (text is str: an int and an index into it)
        at = min(max(exc.position, 0), len(text))
        raise InputError(
            f"contains the control character U+{exc.character:04X}, which YAML does not allow",
            file=file,
            line=text.count("\n", 0, at) + first_line,
            column=at - (text.rfind("\n", 0, at) + 1) + 1,
            hint="remove it (it often comes from copying text out of a PDF or a word processor)",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", file=file) from None
    except _TooLong as exc:
        raise InputError(
            f"a number with {exc.digits:,} digits is more than a fact-check can hold (at most {MAX_DIGITS})",
            file=file,
            line=exc.node.start_mark.line + first_line,
            column=exc.node.start_mark.column + 1,
            hint="quote it if it is text",
        ) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _node_lines(node, file, first_line, lines)
    return data, lines


def _check_events(text: str, file: Path, first_line: int) -> None:
    """Refuse aliases and too-deep nesting by reading YAML's events: nothing is built or expanded yet."""

    def refuse(event: yaml.Event, message: str, hint: str) -> InputError:
        mark = event.start_mark
        line, column = (mark.line + first_line, mark.column + 1) if mark else (None, None)
        return InputError(message, file=file, line=line, column=column, hint=hint)

    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise refuse(event, f"YAML aliases (*{event.anchor}) are not read: write the value out where it is needed",
                         "anchors and aliases (&name, *name, <<: *name) let a small file expand without bound")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise refuse(event, f"the YAML is nested more than {MAX_DEPTH} levels deep",
                             "a fact-check needs a few levels: flatten the structure")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _node_lines(root: yaml.Node, file: Path, first_line: int, lines: dict[str, int]) -> None:
    """Record the line of every field path, and refuse a key given twice in one mapping (at any depth)."""
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:  # a tree without aliases (refused before): every node is visited once
        node, path = stack.pop()
        lines.setdefault(path, node.start_mark.line + first_line)
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                name = f"{path}.{key.value}" if path else str(key.value)
                line = key.start_mark.line + first_line
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise InputError(
                            f"the key {str(key.value)[:80]!r} is given twice, on lines {seen[key.value]} and {line}",
                            file=file,
                            line=line,
                            column=key.start_mark.column + 1,
                            field=name,
                            hint="keep one of them (otherwise the last one would silently win)",
                        )
                    seen[key.value] = line
                lines[name] = line
                stack.append((value, name))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, f"{path}[{index}]"))


def _json(text: str, file: Path) -> Any:
    """Parse JSON text (see :func:`parse_json`)."""
    return parse_json(text, file)


# --- Markdown with front matter -----------------------------------------------------------


def parse_markdown(text: str, file: Path) -> Loaded:
    import frontmatter

    text = text.replace("\r\n", "\n")
    if not frontmatter.YAMLHandler().detect(text):
        raise InputError(
            "no front matter: the file must start with a line '---', the fields, and another '---'",
            file=file,
            line=1,
            hint="see samples/russia-nato.md for the shape",
        )
    try:
        header, body = frontmatter.YAMLHandler().split(text)
    except ValueError:
        raise InputError("the front matter is not closed by a line '---'", file=file, line=1) from None
    data, lines = _yaml(header, file, first_line=1)  # the header text starts on the '---' line
    if not isinstance(data, Mapping):
        raise InputError(
            f"the front matter holds {_kind(data)}, not fields such as 'title: ...'",
            file=file,
            line=2,
        )
    data = dict(data)
    body_line = text[: len(text) - len(body)].count("\n") + 1
    summary, sections, body_lines = _split_body(body, body_line)
    if summary.strip() or sections:
        for name in ("summary", "sections"):
            if name in data and (summary.strip() if name == "summary" else sections):
                raise InputError(
                    f"'{name}' is given both in the front matter and in the text below it",
                    file=file,
                    line=lines.get(name),
                    hint="keep one of them",
                )
        if summary.strip():
            data["summary"] = summary.strip("\n")
        if sections:
            data["sections"] = sections
    lines.update(body_lines)
    return Loaded(data, file, lines)


def _split_body(body: str, first_line: int) -> tuple[str, list[dict[str, str]], dict[str, int]]:
    """Split the Markdown body at its ``## `` headings: the summary, then one section per heading."""
    from .markdown import parse_blocks

    source = body.split("\n")
    tokens = parse_blocks(body)
    headings = [
        (token.map[0], token.map[1], tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2" and token.map
    ]
    lines: dict[str, int] = {}
    end = headings[0][0] if headings else len(source)
    summary = "\n".join(source[:end])
    if summary.strip():
        lines["summary"] = first_line
    sections = []
    for index, (start, stop, heading) in enumerate(headings):
        until = headings[index + 1][0] if index + 1 < len(headings) else len(source)
        sections.append({"heading": _NUMBERED_HEADING.sub("", heading.strip()), "body": "\n".join(source[stop:until]).strip("\n")})
        lines[f"sections[{index}]"] = lines[f"sections[{index}].heading"] = first_line + start
        body_start = stop
        while body_start < until and not source[body_start].strip():
            body_start += 1
        lines[f"sections[{index}].body"] = first_line + body_start
    if summary.strip():
        lead = 0
        while not source[lead].strip():
            lead += 1
        lines["summary"] = first_line + lead
    return summary, sections, lines
