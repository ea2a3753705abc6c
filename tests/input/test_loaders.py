"""Reading input files: Markdown with front matter, YAML, JSON; errors with file, line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import reportkit as rk

FRONT = """---
title: Is the sky green?
verdict: {rating: false, label: No}
sources:
  - key: optics
    title: Why the sky is blue
    url: https://example.org/optics
---
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_markdown_body_splits_into_summary_and_sections(tmp_path):
    body = "The summary [@optics].\n\n## 1. Colour\nBlue.\n\n```\n## not a heading\n```\n\n## Light\nScattered.\n"
    check = rk.load(write(tmp_path, "c.md", FRONT + body))
    doc = check.document
    assert doc.summary == "The summary [@optics]."
    assert [s.heading for s in doc.sections] == ["Colour", "Light"]  # the layout numbers sections
    assert "## not a heading" in doc.sections[0].body
    assert doc.verdict.rating == "false"


def test_yaml_and_json_inputs_hold_the_same_fields(tmp_path, samples):
    check = rk.load(samples / "russia-nato.md")
    data = check.to_dict()
    as_json = write(tmp_path, "c.json", json.dumps(data))
    as_yaml = write(tmp_path, "c.yaml", yaml.safe_dump(data, allow_unicode=True))
    assert rk.load(as_json).to_dict() == data
    assert rk.load(as_yaml).to_dict() == data


def load_error(path: Path) -> rk.InputError:
    with pytest.raises(rk.InputError) as info:
        rk.load(path)
    return info.value


@pytest.mark.parametrize(
    ("name", "content", "words", "line", "column"),
    [
        ("empty.md", "", "empty", None, None),
        ("blank.md", "  \n\n", "empty", None, None),
        ("latin1.md", FRONT.encode() + "caf\xe9".encode("latin-1"), "not UTF-8", 9, 4),
        ("junk.md", bytes(range(256)) * 4, "binary", None, None),
        ("bad.md", "---\ntitle: [unclosed\nlanguage: en\n---\n", "YAML syntax error", 3, 9),
        ("list.md", "---\n- a\n- b\n---\nText\n", "not fields", 2, None),
        ("nofront.md", "# Title\n\nText\n", "no front matter", 1, None),
        ("bad.yaml", "title: x\n  bad: indent\n", "YAML syntax error", 2, 6),
        ("bad.json", '{"title": "x",}', "JSON syntax error", 1, 15),
        ("scalar.json", '"just text"', "not a mapping", 1, None),
        ("check.txt", "title: x", "reads .md, .yaml and .json", None, None),
    ],
)
def test_unreadable_files_name_the_file_line_and_column(tmp_path, name, content, words, line, column):
    path = write(tmp_path, name, content)
    error = load_error(path)
    assert words in str(error)
    assert error.file == str(path)
    assert error.line == line
    if column is not None:
        assert error.column == column


def test_a_missing_file_is_an_input_error(tmp_path):
    assert "no such file" in str(load_error(tmp_path / "nope.md"))


def test_validation_errors_point_at_the_line_of_the_field(tmp_path):
    text = FRONT.replace("url: https://example.org/optics", "url: ftp://example.org/optics") + "## A\nB [@optics]\n"
    error = load_error(write(tmp_path, "c.md", text))
    assert error.field == "sources[0].url"
    assert error.line == 7
    assert str(error).startswith(f"{tmp_path / 'c.md'}:7: sources[0].url:")


def test_sections_given_twice_are_refused(tmp_path):
    text = FRONT.replace("---\n", "---\nsummary: twice\n", 1) + "Summary here.\n\n## A\nB\n"
    assert "given both" in str(load_error(write(tmp_path, "c.md", text)))


def test_unknown_citation_errors_name_the_line_in_the_file(tmp_path):
    text = FRONT + "Summary.\n\n## Colour\n\nFirst paragraph.\n\nSee [@optix].\n"
    path = write(tmp_path, "c.md", text)
    check = rk.load(path)
    with pytest.raises(rk.CitationError) as info:
        check.resolve()
    error = info.value
    assert error.line == 15
    assert "'optix'" in str(error) and "did you mean 'optics'" in str(error)
    assert "section 1" in str(error)


def test_an_impossible_yaml_date_is_a_validation_error_with_its_line(tmp_path):
    text = FRONT.replace("title: Is the sky green?", "title: Is the sky green?\npublished: 2025-13-01") + "## A\nB [@optics]\n"
    error = load_error(write(tmp_path, "c.md", text))
    assert error.field == "published" and error.line == 3
    assert "not a real date" in str(error)
