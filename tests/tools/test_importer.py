"""Importing an existing article (text, Markdown, HTML) with numeric citations into reportkit Markdown."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import reportkit as rk
from reportkit.tools.importer import import_article

from conftest import DATA, run_cli

DATA = DATA / "ecosystem"
KEYS = ["leaflet-2025", "counts-2024", "method-note", "regional-survey"]


@pytest.fixture(scope="module")
def text_import() -> "rk.importer.ImportResult":
    return import_article(DATA / "article.txt", DATA / "refs.json")


def test_title_summary_and_numbered_sections_are_found(text_import) -> None:
    assert text_import.title == "Did the city's bike lanes double cycling in two years?"
    assert text_import.sections == [
        "What the leaflet claimed", "What the counters show", "A change of method in 2023", "Bottom line"
    ]
    body = text_import.markdown.split("\n---\n", 1)[1]
    assert body.startswith("City counts show cycling")  # the summary, under no heading
    assert "## What the leaflet claimed" in body and "Executive summary" not in body


def test_numeric_citations_become_keys_of_the_nth_reference(text_import) -> None:
    md = text_import.markdown
    assert "said [@leaflet-2025; @counts-2024]." in md  # [1] [2]
    assert "corridors [@counts-2024; @method-note]." in md  # [2, 3]
    assert "short of double [@counts-2024; @method-note]." in md  # [2-3]
    assert "change [@leaflet-2025; @regional-survey]." in md  # [1] [4]
    assert text_import.citations == 7


def test_what_cannot_be_mapped_is_kept_and_reported(text_import) -> None:
    problems = [str(p) for p in text_import.problems]
    assert any(p.startswith("line 1: text before the title") for p in problems)
    assert any("line 11:" in p and "[4] [12]" in p and "no reference number 12" in p for p in problems)
    assert any("own source list" in p for p in problems)
    assert "35 percent \\[4\\] \\[12\\]." in text_import.markdown  # kept as visible text, not guessed
    assert "Support independent checking" not in text_import.markdown


def test_plain_text_stays_plain_in_markdown(text_import) -> None:
    # '2024.' at the start of a line would be a Markdown list; it is escaped.
    assert "\n2024\\. The year the network was completed." in text_import.markdown


def test_the_result_loads_and_builds(tmp_path: Path, text_import) -> None:
    shutil.copy(DATA / "refs.json", tmp_path / "refs.json")
    out = tmp_path / "check.md"
    result = import_article(DATA / "article.txt", tmp_path / "refs.json", sources_ref="refs.json")
    out.write_text(result.markdown.replace("# verdict: {rating: false", "verdict: {rating: mostly-false"), encoding="utf-8")
    check = rk.load(out)
    assert [s.key for s in check.resolve().citations.cited] == KEYS
    assert check.document.verdict.rating == "mostly-false"
    html = check.render("html").decode()
    assert "Counter relocation note" in html


@pytest.mark.parametrize("article", ["article.html", "article.md"])
def test_html_and_markdown_articles_import_too(article: str) -> None:
    result = import_article(DATA / article, DATA / "refs.bib")
    assert result.title == "Did the city's bike lanes double cycling in two years?"
    assert result.sections[:2] == ["What the leaflet claimed", "What the counters show"]
    md = result.markdown
    assert "[@leaflet-2025; @counts-2024]" in md and "[@counts-2024; @method-note]" in md
    assert "**60 percent**" in md and "*doubled*" in md
    if article == "article.html":
        assert "alert" not in md and "Donate" not in md and "javascript:" not in md
        assert "<img" not in md and "<script" not in md and "Copyright" not in md
        assert "[council leaflet](<https://council.example.org/leaflet.pdf>)" in md


def test_an_article_without_section_headings_becomes_one_section_with_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "flat.txt"
    path.write_text("Is it so?\nExecutive summary\nIt is not [1].\n", encoding="utf-8")
    result = import_article(path, DATA / "refs.json")
    assert result.title == "Is it so?" and result.sections == ["Analysis"]
    assert "It is not [@leaflet-2025]." in result.markdown
    assert any("no section headings" in str(p) for p in result.problems)


def test_an_empty_article_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(rk.InputError) as caught:
        import_article(path, DATA / "refs.json")
    assert caught.value.file == str(path)


def test_a_heading_out_of_sequence_is_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Is it so?\nExecutive summary\nNo [1].\n1. First\nText [2].\n3. Third\nMore [3] [4].\n", encoding="utf-8")
    result = import_article(path, DATA / "refs.json")
    assert result.sections == ["First"]
    assert any("line 6" in str(p) and "numbered 3 where 2 was expected" in str(p) for p in result.problems)


def test_cli_import_writes_markdown_and_reports(tmp_path: Path) -> None:
    shutil.copy(DATA / "refs.bib", tmp_path / "refs.bib")
    out = tmp_path / "check.md"
    proc = run_cli("import", str(DATA / "article.txt"), "--sources", str(tmp_path / "refs.bib"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "4 sections, 7 citations, sources from refs.bib" in proc.stdout
    assert "no reference number 12" in proc.stderr
    assert "\nsources: refs.bib\n" in out.read_text(encoding="utf-8")

    strict = tmp_path / "strict.md"
    proc = run_cli("import", str(DATA / "article.txt"), "--sources", str(DATA / "refs.json"), "-o", str(strict), "--strict")
    assert proc.returncode == 2 and not strict.exists()
    assert "nothing written" in proc.stderr and "Traceback" not in proc.stderr
