"""The JSON Schema of the input format: generated from the model, accepting what load() accepts."""

from __future__ import annotations

import json
from pathlib import Path

import frontmatter
import pytest
import yaml

from reportkit.document.model import Document, Source
from reportkit.document.schema import input_schema

from conftest import ROOT, SAMPLES, run_cli

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def validator() -> "jsonschema.protocols.Validator":
    schema = input_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _front(path: Path) -> dict:
    # As the YAML language server sees the front matter: dates stay text.
    text = frontmatter.YAMLHandler().split(path.read_text(encoding="utf-8"))[0]
    return yaml.load(text, Loader=_NoDates)


class _NoDates(yaml.SafeLoader):
    pass


_NoDates.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_schema_command_prints_the_schema_generated_from_the_model() -> None:
    proc = run_cli("schema")
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)
    assert printed == json.loads(json.dumps(input_schema()))
    assert set(printed["properties"]) == set(Document.model_fields)
    assert set(printed["$defs"]["Source"]["properties"]) == set(Source.model_fields)
    assert printed["required"] == ["title"]


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.md") if p.name != "README.md"))
def test_every_sample_front_matter_is_valid(validator, sample: str) -> None:
    errors = [e.message for e in validator.iter_errors(_front(SAMPLES / sample))]
    assert errors == []


@pytest.mark.parametrize(
    ("front", "valid"),
    [
        ({"title": "Q?", "verdict": {"rating": False}}, True),  # YAML's unquoted false
        ({"title": "Q?", "sources": "refs.bib"}, True),
        ({"title": "Q?", "sources": [{"key": "a", "title": "T", "authors": [{"family": "R", "given": "G"}, "NATO"]}]}, True),
        ({"title": "Q?", "sources": [{"key": "a", "title": "T", "published": "1954-03"}]}, True),
        ({"title": "Q?", "verdit": {"rating": "false"}}, False),
        ({"subtitle": "no title"}, False),
        ({"title": "Q?", "published": "yesterday"}, False),
        ({"title": "Q?", "sources": [{"key": "a", "title": "T", "url": "ftp://x.org/"}]}, False),
        ({"title": "Q?", "sources": [{"key": "a", "title": "T", "type": "blog"}]}, False),
        ({"title": "Q?", "sources": [{"key": "a", "title": "T", "authors": [{"given": "G"}]}]}, False),
        ({"title": "Q?", "claim": {"text": "x", "claimant_type": "robot"}}, False),
    ],
)
def test_schema_accepts_and_rejects_like_the_model(validator, front: dict, valid: bool) -> None:
    assert validator.is_valid(front) is valid


def test_readme_shows_the_editor_hook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=" in readme and "reportkit schema" in readme
