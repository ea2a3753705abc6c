"""Validation messages: pydantic's errors said as a person would, naming the field, its line and what to do."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from ..errors import InputError

__all__ = [
    "FORBIDDEN_CHARACTERS",
    "FieldError",
    "check_characters",
    "describe",
    "find_field_error",
    "format_loc",
    "known_fields",
    "line_for",
    "message_for",
    "model_at",
]


class FieldError(ValueError):
    """Raised by cross-field checks to point at one field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def known_fields(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def format_loc(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def model_at(loc: tuple[Any, ...], root: type[BaseModel]) -> type[BaseModel] | None:
    """Find the model class whose field list applies at ``loc`` (for 'did you mean')."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        annotation = field.annotation
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            inner = getattr(candidate, "__args__", (candidate,))
            found = next((c for c in (candidate, *inner) if isinstance(c, type) and issubclass(c, BaseModel)), None)
            if found:
                model = found
                break
        else:
            return None
    return model


def message_for(error: Mapping[str, Any], root: type[BaseModel]) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        name = str(loc[-1])
        parent = model_at(loc[:-1], root)
        hint = ""
        if parent is not None:
            close = difflib.get_close_matches(name, known_fields(parent), n=1)
            if close:
                hint = f"; did you mean {close[0]!r}?"
        return f"unknown field {name!r}{hint}"
    if kind == "missing":
        return "is required but missing"
    if kind in ("string_type", "list_type", "dict_type", "model_type", "int_type", "model_attributes_type"):
        expected = {
            "string_type": "text",
            "list_type": "a list",
            "dict_type": "a mapping of fields",
            "model_type": "a mapping of fields",
            "model_attributes_type": "a mapping of fields",
            "int_type": "a whole number",
        }[kind]
        return f"should be {expected}, not {describe(error.get('input'))}"
    if kind == "value_error":
        return str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    if kind == "too_short":
        return error["msg"].replace("List", "the list")
    return error["msg"]


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return type(value).__name__


FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


#: How deep fields may nest (a fact-check needs four levels); deeper data is refused before validation.
MAX_DEPTH = 64


def check_characters(value: Any, path: str, file: str | os.PathLike[str] | None, lines: Mapping[str, int]) -> None:
    """Refuse control characters and non-characters anywhere in the input, naming the field.

    The walk is iterative and bounded: data nested deeper than :data:`MAX_DEPTH`, data that
    contains itself (a builder given a self-referencing dict) and bytes in place of text are
    refused with the field path.
    """
    stack: list[tuple[Any, str, int, tuple[int, ...]]] = [(value, path, 0, ())]
    while stack:
        item, where, depth, inside = stack.pop()
        if isinstance(item, str):
            match = FORBIDDEN_CHARACTERS.search(item)
            if match:
                raise InputError(
                    f"contains the control character U+{ord(match.group()):04X} at character {match.start() + 1}",
                    file=file,
                    field=where or None,
                    line=line_for(where, lines),
                    hint="remove it (it often comes from copying text out of a PDF or a word processor)",
                )
            continue
        if isinstance(item, (bytes, bytearray, memoryview)):
            raise InputError("should be text, not bytes", file=file, field=where or None,
                             line=line_for(where, lines), hint="decode it first, e.g. value.decode('utf-8')")
        if not isinstance(item, (Mapping, list, tuple)):
            continue
        if id(item) in inside:
            raise InputError("contains itself", file=file, field=where or None, line=line_for(where, lines),
                             hint="give plain data: mappings, lists, text and numbers")
        if depth >= MAX_DEPTH:
            raise InputError(f"is nested more than {MAX_DEPTH} levels deep", file=file, field=where or None,
                             line=line_for(where, lines), hint="a fact-check needs a few levels: flatten it")
        trail = (*inside, id(item))
        if isinstance(item, Mapping):
            for key, child in item.items():
                stack.append((child, f"{where}.{key}" if where else str(key), depth + 1, trail))
        else:
            stack.extend((child, f"{where}[{index}]", depth + 1, trail) for index, child in enumerate(item))


def find_field_error(error: Mapping[str, Any]) -> FieldError | None:
    cause = error.get("ctx", {}).get("error")
    return cause if isinstance(cause, FieldError) else None


def line_for(field: str, lines: Mapping[str, int]) -> int | None:
    """The line of ``field`` or of its nearest enclosing field."""
    while field:
        if field in lines:
            return lines[field]
        # Drop the last step (``.name``, ``[3]``, or a top-level name); stop when nothing can be dropped.
        shorter = re.sub(r"(?:^|\.)[^.\[]+$|\[\d+\]$", "", field)
        if shorter == field:
            return None
        field = shorter
    return None
