"""Write a fact-check's fields back out as the Markdown input format (YAML front matter + body).

:func:`to_markdown` is the inverse of :func:`reportkit.input.loaders.read` for ``.md`` files:
reading its output gives back exactly the fields it was given. The summary and the
sections go into the body (text before the first ``## ``, then one ``## `` heading per
section) when that reads back unchanged; otherwise (a section body holding its own
``## `` heading, a heading that starts with a number...) they stay in the front matter.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = ["to_markdown"]

#: Front-matter fields in the order people read them; unknown fields follow in their own order.
ORDER = (
    "title", "subtitle", "slug", "language", "authors", "editors", "publisher", "published", "updated", "tags",
    "claim", "verdict", "rating_scale", "sources", "corrections",
)


class _Dumper(yaml.SafeDumper):
    """A YAML dumper that writes multi-line text as literal blocks."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _yaml(fields: Mapping[str, Any]) -> str:
    ordered = {k: fields[k] for k in ORDER if k in fields}
    ordered.update({k: v for k, v in fields.items() if k not in ordered})
    return yaml.dump(ordered, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def _with_body(data: Mapping[str, Any]) -> str:
    front = {k: v for k, v in data.items() if k not in ("summary", "sections")}
    parts = [f"---\n{_yaml(front)}---\n"]
    if data.get("summary"):
        parts.append(str(data["summary"]).strip("\n") + "\n")
    for section in data.get("sections", []):
        body = str(section.get("body", "")).strip("\n")
        parts.append(f"## {section['heading']}\n" + (f"\n{body}\n" if body else ""))
    return "\n".join(parts)


def _reads_back(text: str, data: Mapping[str, Any]) -> bool:
    from .loaders import parse_markdown

    try:
        return parse_markdown(text, Path("extracted.md")).data == dict(data)
    except Exception:  # anything the loader rejects does not read back
        return False


def to_markdown(data: Mapping[str, Any]) -> str:
    """The Markdown input file (front matter + body) that reads back as exactly ``data``."""
    text = _with_body(data)
    if _reads_back(text, data):
        return text
    return f"---\n{_yaml(dict(data))}---\n"
