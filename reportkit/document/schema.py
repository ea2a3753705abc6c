"""The JSON Schema of reportkit's input format, generated from the pydantic model.

Editors use it for completion and validation of a fact-check's YAML front matter
(or of a whole ``.yaml``/``.json`` fact-check), e.g. with the YAML language server::

    # yaml-language-server: $schema=factcheck.schema.json

It is derived from :class:`reportkit.document.model.Document` every time, so it cannot
drift from what :func:`reportkit.load` accepts.
"""

from __future__ import annotations

import json
from typing import Any

from .._version import __version__
from .model import Document

__all__ = ["SCHEMA_DIALECT", "input_schema", "input_schema_json"]

#: The JSON Schema dialect pydantic generates.
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def input_schema() -> dict[str, Any]:
    """The JSON Schema of a fact-check's fields (front matter, YAML or JSON file)."""
    schema = Document.model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "reportkit fact-check",
        "description": (
            f"A fact-check for reportkit {__version__}. In a Markdown file these fields form the YAML front "
            "matter; the text below it gives 'summary' (before the first '## ' heading) and 'sections' "
            "(one per '## ' heading)."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def input_schema_json(*, indent: int | None = 2) -> str:
    """:func:`input_schema` as JSON text."""
    return json.dumps(input_schema(), ensure_ascii=False, indent=indent) + "\n"
