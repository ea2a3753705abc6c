"""Articles in the shapes published fact-checks take import with their question as the title and build.

The articles (tests/data/import-shapes, see its README) carry what a published page puts around its text:
banners, "Fact check:" prefixes, "Checked on ... Disclaimer" lines, summary headings of several wordings
and languages, "•" bullets, and no numbered headings at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import reportkit as rk
from reportkit.tools.importer import import_article

SHAPES = Path(__file__).parent.parent / "data" / "import-shapes"
REFS = Path(__file__).parent.parent / "data" / "ecosystem" / "refs.json"
QUESTION = "Did the city's bike lanes double cycling in two years?"

CASES = {
    "checked-on.txt": ("en", QUESTION, ["What the leaflet claimed", "What the counters show", "Bottom line"]),
    "summary-of-results.md": ("en", "Did the city's bike lanes double cycling?", ["The claim", "The counts"]),
    "zusammenfassung.html": ("de", "Haben die Radwege den Radverkehr verdoppelt?",
                             ["Was die Zählstellen zeigen", "Fazit der Regionalstudie"]),
    "no-headings.txt": ("en", QUESTION, ["Analysis"]),
}


@pytest.fixture(scope="module")
def imported() -> dict[str, "rk.tools.importer.ImportResult"]:
    return {name: import_article(SHAPES / name, REFS, language=language) for name, (language, _, _) in CASES.items()}


@pytest.mark.parametrize("name", CASES)
def test_the_title_is_the_question(imported, name: str) -> None:
    assert imported[name].title == CASES[name][1]


@pytest.mark.parametrize("name", CASES)
def test_the_sections_are_found(imported, name: str) -> None:
    assert imported[name].sections == CASES[name][2]


@pytest.mark.parametrize("name", CASES)
def test_banners_disclaimers_and_dates_of_checking_are_left_out_and_reported(imported, name: str) -> None:
    body = imported[name].markdown.split("\n---\n", 1)[1]
    for words in ("Donate", "Disclaimer", "Checked on", "Last updated", "Share this article", "Fact check:",
                  "Faktencheck:", "Executive Summary", "Summary of the results", "Zusammenfassung"):
        assert words not in body
    reported = " ".join(str(p) for p in imported[name].problems)
    if name == "checked-on.txt":
        assert "Donate today" in reported and "Checked on January 31, 2026" in reported


def test_bullets_become_a_list(imported) -> None:
    for name, first in (("checked-on.txt", "- 4,100 daily trips in 2022 [@counts-2024]"),
                        ("zusammenfassung.html", "- 4.100 Fahrten täglich im Jahr 2022 [@counts-2024]")):
        lines = imported[name].markdown.split("\n")
        start = lines.index(first)
        items = [line for line in lines[start:start + 6] if line.startswith("- ")]
        assert len(items) == 3 and "•" not in imported[name].markdown


def test_a_line_starting_with_a_bullet_character_mid_sentence_is_no_list(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"{QUESTION}\nExecutive summary\nPrices rose – as expected – by 3 percent [1].\n"
                    "1. One\nText [2].\n", encoding="utf-8")
    result = import_article(path, REFS)
    assert "- as expected" not in result.markdown and "Prices rose – as expected – by 3 percent" in result.markdown


def test_an_article_without_headings_imports_with_a_problem_not_an_error(imported) -> None:
    problems = [str(p) for p in imported["no-headings.txt"].problems]
    assert any("no section headings" in p for p in problems)
    assert any("own source list (4 lines)" in p for p in problems)


@pytest.mark.parametrize("name", CASES)
def test_each_import_builds(tmp_path: Path, name: str) -> None:
    shutil.copy(REFS, tmp_path / "refs.json")
    language = CASES[name][0]
    result = import_article(SHAPES / name, tmp_path / "refs.json", language=language, sources_ref="refs.json")
    path = tmp_path / "check.md"
    path.write_text(result.markdown, encoding="utf-8")
    check = rk.load(path)
    assert check.document.title == CASES[name][1]
    html = check.render("html").decode()
    assert CASES[name][1].replace("'", "&#39;") in html or CASES[name][1] in html


def test_the_cli_imports_an_article_without_headings_with_warnings_and_exit_0(tmp_path: Path) -> None:
    from conftest import run_cli

    shutil.copy(REFS, tmp_path / "refs.json")
    out = tmp_path / "check.md"
    result = run_cli("import", str(SHAPES / "no-headings.txt"), "--sources", str(tmp_path / "refs.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "no section headings" in result.stderr and out.read_text(encoding="utf-8").startswith("---\ntitle: Did")
    strict = run_cli("import", str(SHAPES / "no-headings.txt"), "--sources", str(tmp_path / "refs.json"),
                     "-o", str(tmp_path / "strict.md"), "--strict")
    assert strict.returncode != 0 and not (tmp_path / "strict.md").exists()
