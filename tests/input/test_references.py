"""Sources from CSL-JSON and BibTeX files, and back out as CSL-JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import reportkit as rk
from reportkit.document.model import Name, Source
from reportkit.input.references import read_references, to_csl
from conftest import DATA

DATA = DATA / "ecosystem"

FRONT = """---
title: Did the city's bike lanes double cycling in two years?
sources: {sources}
---
Counts rose [@counts-2024; @leaflet-2025] and the method changed [@method-note].

## The survey

A survey found less [@regional-survey].
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("refs.json", "refs.bib"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _write(folder: Path, sources: str, name: str = "check.md") -> Path:
    path = folder / name
    path.write_text(FRONT.format(sources=sources), encoding="utf-8")
    return path


def test_csl_json_fields_map_onto_sources() -> None:
    by_key = {s["key"]: Source(**s) for s in read_references(DATA / "refs.json")}
    assert list(by_key) == ["leaflet-2025", "counts-2024", "method-note", "regional-survey"]
    note = by_key["method-note"]
    assert note.authors == ["Lucía Ortega"] and note.authors[0].family == "Ortega" and note.authors[0].given == "Lucía"
    assert note.container == "Transport Bulletin" and note.published == "2023-07-14" and note.type == "report"
    leaflet = by_key["leaflet-2025"]
    assert (leaflet.published, leaflet.accessed, leaflet.publisher) == ("2025-03", "2025-04-02", "City Council")
    assert by_key["counts-2024"].authors == ["City Council Transport Team"]
    assert not by_key["counts-2024"].authors[0].structured
    survey = by_key["regional-survey"]
    assert survey.published == "2024" and survey.archived.startswith("https://web.archive.org/")


def test_bibtex_fields_map_onto_sources() -> None:
    by_key = {s["key"]: Source(**s) for s in read_references(DATA / "refs.bib")}
    assert list(by_key) == ["leaflet-2025", "counts-2024", "method-note", "regional-survey"]
    leaflet = by_key["leaflet-2025"]
    assert (leaflet.published, leaflet.accessed, leaflet.publisher) == ("2025-03", "2025-04-02", "City Council")
    counts = by_key["counts-2024"]
    assert counts.authors == ["City Council Transport Team"] and not counts.authors[0].structured
    assert counts.title == "Automatic cycle counter data 2022–2024" and counts.type == "webpage"
    note = by_key["method-note"]
    assert [n.to_data() for n in note.authors] == [
        {"family": "Ortega", "given": "Lucía"},
        {"family": "Berg", "given": "Jan", "particle": "van der"},
        {"family": "King", "given": "Martin", "suffix": "Jr."},
    ]
    assert note.authors == ["Lucía Ortega", "Jan van der Berg", "Martin King Jr."]
    assert note.url == "https://council.example.org/bulletin/2023-07?page=2&view=full"
    assert note.archived and note.note == "Explains why two counters moved." and note.container == "Transport Bulletin"
    survey = by_key["regional-survey"]
    assert survey.type == "article-newspaper" and survey.doi == "10.1234/rtr.2024.17"
    assert survey.url == "https://doi.org/10.1234/rtr.2024.17" and survey.container == "Regional Transport Review"


@pytest.mark.parametrize("sources", ["refs.json", "refs.bib"])
def test_front_matter_may_name_a_reference_file(folder: Path, sources: str) -> None:
    check = rk.load(_write(folder, sources))
    resolved = check.resolve()
    assert [s.key for s in resolved.citations.cited] == ["counts-2024", "leaflet-2025", "method-note", "regional-survey"]
    assert check.document.sources[2].authors[0].family == "Ortega"
    html = check.render("html").decode()
    assert "Transport Bulletin" in html and "Lucía Ortega" in html


def test_sources_as_csl_round_trips_a_csl_file(folder: Path) -> None:
    original = json.loads((DATA / "refs.json").read_text(encoding="utf-8"))
    exported = rk.load(_write(folder, "refs.json")).sources_as_csl()
    by_id = {item["id"]: item for item in exported}
    for item in original:
        again = by_id[item["id"]]
        for field in ("type", "title", "publisher", "URL", "container-title", "author", "archive_location"):
            assert again.get(field) == item.get(field), (item["id"], field)
        for field in ("issued", "accessed"):
            if field in item:
                assert again[field] == {"date-parts": [_parts(item[field])]}


def _parts(date: str | dict) -> list[int]:
    """The [year, month, day] of a CSL date written either way."""
    return [int(p) for p in date.split("-")] if isinstance(date, str) else date["date-parts"][0]


def test_structured_names_survive_to_dict_and_back(folder: Path) -> None:
    check = rk.load(_write(folder, "refs.bib"))
    data = json.loads(check.to_json())
    assert data["sources"][2]["authors"][1] == {"family": "Berg", "given": "Jan", "particle": "van der"}
    again = rk.FactCheck.from_dict(data)
    assert again == check
    assert again.document.sources[2].authors[1].particle == "van der"


def test_names_can_be_written_in_parts_in_the_front_matter() -> None:
    source = Source(key="a", title="T", authors=[{"family": "Roberts", "given": "Geoffrey"}, "NATO"])
    assert source.authors == ["Geoffrey Roberts", "NATO"]
    assert to_csl(source)["author"] == [{"family": "Roberts", "given": "Geoffrey"}, {"literal": "NATO"}]
    with pytest.raises(rk.InputError, match=r"sources\[0\].authors\[0\].*no field 'first'"):
        rk.FactCheck("Q?").section("S", "[@a]").source("a", title="T", authors=[{"first": "G", "family": "R"}])


def test_builder_reads_a_reference_file() -> None:
    check = rk.FactCheck("Q?").section("S", "[@method-note; @counts-2024; @leaflet-2025; @regional-survey]")
    check.sources_from(DATA / "refs.bib")
    assert [s.key for s in check.document.sources][:2] == ["leaflet-2025", "counts-2024"]
    assert isinstance(check.document.sources[2].authors[0], Name)


def test_a_sources_file_outside_the_input_folder_is_refused(folder: Path) -> None:
    inner = folder / "inner"
    inner.mkdir()
    with pytest.raises(rk.InputError, match="outside the input's folder") as caught:
        rk.load(_write(inner, "../refs.bib"))
    assert caught.value.field == "sources" and caught.value.line is not None
    with pytest.raises(rk.InputError, match="outside"):
        rk.load(_write(inner, "/etc/passwd.bib"))


def test_a_missing_sources_file_names_the_input_and_line(folder: Path) -> None:
    with pytest.raises(rk.InputError, match="'nope.bib' does not exist") as caught:
        rk.load(_write(folder, "nope.bib"))
    assert caught.value.file.endswith("check.md") and caught.value.line is not None


@pytest.mark.parametrize(
    ("name", "content", "message", "line"),
    [
        ("bad.bib", "@misc{a, title = {x}\n@misc{b, title={y}}\n", "BibTeX syntax error", 1),
        ("dup.bib", "@misc{a, title={x}}\n@misc{a, title={y}}\n", "duplicate key 'a'", 2),
        ("key.json", '[{"id": "has space", "title": "x", "type": "book"}]', "not a usable key", None),
        ("date.json", '[{"id": "a", "title": "x", "issued": {"date-parts": [["x"]]}}]', "'x' is not a number", None),
        ("notitle.json", '[{"id": "a", "type": "book"}]', "title", None),
        ("notitle.bib", "@misc{a, year={2020}}\n", "title", 1),
        ("shape.json", '{"id": "a"}', "holds a list of references", None),
        ("empty.json", "[]", "holds no references", None),
    ],
)
def test_bad_reference_files_name_file_entry_and_problem(
    tmp_path: Path, name: str, content: str, message: str, line: int | None
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(rk.InputError, match=message) as caught:
        read_references(path)
    assert caught.value.file == str(path)
    if line is not None:
        assert caught.value.line == line


def test_reference_files_of_other_kinds_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "refs.ris"
    path.write_text("TY  - JOUR\n", encoding="utf-8")
    with pytest.raises(rk.InputError, match="CSL-JSON.*BibTeX"):
        read_references(path)
