"""The importer's rules one by one: what is a title, a summary, a section, a list, a citation, and what each
problem it reports says and where.

Each test writes a short article whose expected title, sections, citations and problem lines are read off
the article in the test; the references are the four of tests/data/ecosystem/refs.json, in that file's order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import reportkit as rk
from reportkit.tools.importer import ImportProblem, import_article

from conftest import DATA

REFS = DATA / "ecosystem" / "refs.json"
KEYS = [item["id"] for item in json.loads(REFS.read_text(encoding="utf-8"))]


def imp(tmp_path: Path, text: str, suffix: str = ".txt", **options: str) -> "rk.tools.importer.ImportResult":
    path = tmp_path / f"article{suffix}"
    path.write_text(text, encoding="utf-8")
    return import_article(path, REFS, **options)


def problems(result) -> list[str]:
    return [str(p) for p in result.problems]


def body(result) -> str:
    """The Markdown after the front matter."""
    return result.markdown.split("\n---\n", 1)[1]


def front(result) -> dict:
    return yaml.safe_load(result.markdown.split("---\n", 2)[1])


ARTICLE = "Is it so?\nExecutive summary\nIt is not [1].\n1. First part\nText [2].\n2. Second part\nMore [3] [4].\n"


def test_the_keys_are_the_reference_files_in_order() -> None:
    assert KEYS == ["leaflet-2025", "counts-2024", "method-note", "regional-survey"]


# --- the file -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "shown"), [("a.pdf", "a .pdf file"), ("article", "a suffix-less file")])
def test_an_article_of_another_kind_is_refused_naming_its_suffix(tmp_path: Path, name: str, shown: str) -> None:
    path = tmp_path / name
    path.write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(rk.InputError) as caught:
        import_article(path, REFS)
    assert caught.value.message == f"cannot import {shown}" and caught.value.file == str(path)
    assert caught.value.hint == "give the article as .txt, .md or .html"


@pytest.mark.parametrize("suffix", [".TXT", ".text", ".Md", ".markdown", ".HTM"])
def test_every_article_suffix_is_read_in_any_case(tmp_path: Path, suffix: str) -> None:
    text = ARTICLE if "t" in suffix.lower()[1:2] else "# Is it so?\n\n## Executive summary\n\nIt is not [1].\n\n## First part\n\nText [2].\n"
    if suffix.lower().startswith(".ht"):
        text = "<h1>Is it so?</h1><h2>Executive summary</h2><p>It is not [1].</p><h2>First part</h2><p>Text [2].</p>"
    result = imp(tmp_path, text, suffix)
    assert result.title == "Is it so?" and result.sections[0] == "First part"


def test_an_import_problem_reads_with_its_line_when_it_has_one() -> None:
    assert str(ImportProblem(7, "odd")) == "line 7: odd"
    assert str(ImportProblem(None, "odd")) == "odd"
    assert str(ImportProblem(0, "odd")) == "odd"


# --- plain text ---------------------------------------------------------------------------------


def test_a_plain_article_finds_title_summary_sections_and_citations(tmp_path: Path) -> None:
    result = imp(tmp_path, ARTICLE)
    assert (result.title, result.sections, result.citations) == ("Is it so?", ["First part", "Second part"], 3)
    assert body(result) == (
        "It is not [@leaflet-2025].\n\n## First part\n\nText [@counts-2024].\n\n"
        "## Second part\n\nMore [@method-note; @regional-survey].\n"
    )
    assert problems(result) == []


def test_the_front_matter_holds_title_language_and_sources(tmp_path: Path) -> None:
    result = imp(tmp_path, ARTICLE, language="de")
    data = front(result)
    assert (data["title"], data["language"]) == ("Is it so?", "de")
    assert [s["key"] for s in data["sources"]] == KEYS
    assert front(imp(tmp_path, ARTICLE, sources_ref="refs.json"))["sources"] == "refs.json"
    for line in ("# verdict: {rating: false, label: ..., explanation: ...}", "# claim: {text: ..., claimant: ...}",
                 "# publisher: {name: ..., url: https://...}", "# authors: [...]", "# published: YYYY-MM-DD"):
        assert f"\n{line}\n" in result.markdown


def test_plain_text_that_markdown_would_read_as_markup_is_escaped(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nExecutive summary\nIt is *not* [1] or `code` <b> #tag {x} | a~b \\ _u_.\n"
                           "1. First part\n  12) twelve items\n- a list item\n+ nor this\n> nor a quote\nText [2].\n")
    text = body(result)
    assert "It is \\*not\\* [@leaflet-2025] or \\`code\\` \\<b\\> \\#tag \\{x\\} \\| a\\~b \\\\ \\_u\\_." in text
    assert "\n\n12\\) twelve items\n\n- a list item\n\n\\+ nor this\n\n\\> nor a quote\n\n" in text


def test_a_bracket_that_is_no_citation_is_escaped(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nExecutive summary\nSee [note] and [1].\n1. Part\nText [2].\n")
    assert "See \\[note\\] and [@leaflet-2025]." in body(result)


def test_hard_wrapped_paragraphs_join_and_their_problems_name_their_first_line(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\n\nExecutive summary\n\nIt is not,\nas the count [1]\nshows.\n\n"
                           "1. First part\n\nText [9]\nwrapped.\n")  # 'Text [9]' is line 11
    assert "It is not, as the count [@leaflet-2025] shows." in body(result)
    assert "Text \\[9\\] wrapped." in body(result)
    assert problems(result) == [
        "line 11: citation '[9]': no reference number 9 (the reference file has 4): kept as text",
        *[f"reference {n} ({KEYS[n - 1]!r}) is never cited in the article" for n in (2, 3, 4)],
    ]


def test_in_a_text_without_blank_lines_each_line_is_a_paragraph(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nExecutive summary\nOne line [1].\nAnother line.\n1. Part\nText [2].\n")
    assert "One line [@leaflet-2025].\n\nAnother line.\n\n## Part" in body(result)


def test_bullets_become_list_items_and_their_wrapped_lines_stay_with_them(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\n\nExecutive summary\n\nThree things [1]:\n\n• first\n  goes on [2]\n"
                           "· second\n▪ third\n\nAfter the list.\n\n1. Part\n\nText [3] [4].\n")
    text = body(result)
    assert "Three things [@leaflet-2025]:\n\n- first goes on [@counts-2024]\n\n- second\n\n- third\n\nAfter the list." in text


def test_a_marker_line_ends_a_wrapped_paragraph(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\n\nExecutive summary\nIt is not [1].\n1. Part one\nText [2].\n"
                           "2. Part two\nMore.\nSources\n[1] x\n")
    assert result.sections == ["Part one", "Part two"]
    assert problems(result)[0] == ("line 9: the article's own source list (1 lines) was left out: "
                                   "the sources come from the reference file")


def test_a_numbered_line_ending_in_a_period_is_text_not_a_heading(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nExecutive summary\nIt is not [1].\n1. Part\nText [2].\n"
                           "2. This is a numbered sentence.\n")
    assert result.sections == ["Part"] and "2\\. This is a numbered sentence." in body(result)
    assert not any("looks like a section heading" in p for p in problems(result))


def test_a_heading_numbered_out_of_turn_is_kept_as_text_and_reported(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nExecutive summary\nIt is not [1].\n1. Part one\nText [2].\n"
                           "3. Part three\nMore.\n")
    assert result.sections == ["Part one"]
    assert "line 6: '3. Part three' looks like a section heading but is numbered 3 where 2 was expected: " \
           "it was kept as text" in problems(result)


def test_a_long_numbered_line_is_no_heading_and_no_problem(tmp_path: Path) -> None:
    long = "2. " + "word " * 40
    result = imp(tmp_path, f"Is it so?\nExecutive summary\nIt is not [1].\n1. Part\nText [2].\n{long}\n")
    assert result.sections == ["Part"] and not any("looks like" in p for p in problems(result))


def test_a_numbered_summary_heading_starts_the_sections_at_the_next_number(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\n1. Summary of the results\nIt is not [1].\n2. The claim\nText [2].\n"
                           "3. The counts\nMore.\n")
    assert result.sections == ["The claim", "The counts"] and "Summary of the results" not in body(result)


# --- title, summary, boilerplate ------------------------------------------------------------------------


def test_text_before_the_title_is_left_out_and_reported_with_its_line(tmp_path: Path) -> None:
    result = imp(tmp_path, "Our desk\nA word from the editors about our long-running series of checks on figures\n"
                           + ARTICLE)
    assert result.title == "Is it so?"
    assert problems(result)[:2] == [
        "line 1: text before the title was left out: 'Our desk'",
        "line 2: text before the title was left out: 'A word from the editors about our long-running series of ch…'",
    ]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("Fact check: Is it so?", "Is it so?"),
        ("FACT-CHECK | Is it so?", "Is it so?"),
        ("Faktencheck – Ist es so?", "Ist es so?"),
        ("Vérification : Est-ce vrai ?", "Est-ce vrai ?"),
        ("Is it *really* so?", "Is it really so?"),
        ("Is [it](https://e.org) so?", "Is it so?"),
    ],
)
def test_the_title_loses_its_prefix_and_markup(tmp_path: Path, line: str, title: str) -> None:
    result = imp(tmp_path, ARTICLE.replace("Is it so?", line, 1))
    assert result.title == title


@pytest.mark.parametrize(
    "banner",
    ["Checked on 2 May 2025", "Last updated: today", "Disclaimer: we are careful", "Please support our work",
     "Donate now", "Subscribe to the newsletter", "Sign up today", "Become a member", "Advertisement",
     "Share this article", "Skip to content", "Menu", "This article was generated by a tool",
     "AI-generated summary", "Fact-checked on Monday"],
)
def test_banners_and_dates_of_checking_after_the_title_are_left_out_and_reported(tmp_path: Path, banner: str) -> None:
    result = imp(tmp_path, f"Is it so?\nExecutive summary\nIt is not [1].\n{banner}\n1. Part\nText [2].\n")
    assert banner not in result.markdown
    assert f"line 4: left out as not part of the article: {banner!r}" in problems(result)


def test_a_banner_before_the_title_is_not_the_title(tmp_path: Path) -> None:
    result = imp(tmp_path, "Donate today\nIs it so?\nExecutive summary\nIt is not [1].\n1. Part\nText [2].\n")
    assert result.title == "Is it so?"
    assert problems(result)[0] == "line 1: text before the title was left out: 'Donate today'"


@pytest.mark.parametrize(
    "heading",
    ["Executive Summary", "Summary:", "In brief", "Key findings", "Quick answer", "The short answer", "Bottom line",
     "At a glance", "TL;DR", "TLDR", "Our verdict", "Zusammenfassung", "Das Wichtigste in Kürze", "Auf einen Blick",
     "Fazit", "Résumé", "En bref", "L'essentiel", "Resumen", "Lo esencial", "Резюме", "Главное", "Висновки",
     "ملخص", "Executive Summary — Quick Answer Up Front", "Summary of the results", "Summary | two lines"],
)
def test_summary_headings_of_every_wording_are_found_and_dropped(tmp_path: Path, heading: str) -> None:
    result = imp(tmp_path, f"Is it so?\n{heading}\nIt is not [1].\n1. Part\nText [2].\n")
    assert heading not in body(result)
    assert body(result).startswith("It is not [@leaflet-2025].")
    assert not any("no 'Executive summary'" in p for p in problems(result))


def test_without_a_summary_heading_the_text_before_the_first_section_is_the_summary(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nIt is not [1].\n1. Part\nText [2].\n")
    assert body(result).startswith("It is not [@leaflet-2025].\n\n## Part")
    assert "no 'Executive summary' heading: the text before the first section became the summary" in problems(result)


def test_a_summary_word_in_a_long_sentence_is_no_summary_heading(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nSummary: " + "this sentence runs on and on " * 4 + "[1].\n1. Part\nText [2].\n")
    assert "no 'Executive summary' heading" in " ".join(problems(result))


@pytest.mark.parametrize("heading", ["Sources", "Sources:", "References", "Bibliography", "Works cited",
                                     "Sources and references", "Quellen", "Références", "Fuentes", "Источники",
                                     "Notes"])
def test_the_articles_own_source_list_is_left_out_and_counted(tmp_path: Path, heading: str) -> None:
    result = imp(tmp_path, f"{ARTICLE}{heading}\n[1] One\n[2] Two\n[3] Three\n")
    assert "One" not in body(result) and heading not in body(result)
    assert (f"line 8: the article's own source list (3 lines) was left out: the sources come from the reference file"
            in problems(result))


def test_a_question_before_a_heading_is_the_title_when_the_first_heading_is_no_question(tmp_path: Path) -> None:
    result = imp(tmp_path, "Did it happen?\n\n# The newsroom\n\n## Summary\n\nNo [1].\n\n## Part\n\nText [2].\n", ".md")
    assert result.title == "Did it happen?"
    result = imp(tmp_path, "# Did it happen?\n\nOr did it?\n\n## Summary\n\nNo [1].\n\n## Part\n\nText [2].\n", ".md")
    assert result.title == "Did it happen?"
    result = imp(tmp_path, "# Newsroom\n\nDid it happen?\n\n## Summary\n\nNo [1].\n\n## Part\n\nText [2].\n", ".md")
    assert result.title == "Newsroom"


def test_without_a_question_the_first_heading_or_line_is_the_title(tmp_path: Path) -> None:
    result = imp(tmp_path, "Some words\n\n## Cycling counts\n\n## Summary\n\nNo [1].\n\n## Part\n\nText [2].\n", ".md")
    assert result.title == "Cycling counts"
    result = imp(tmp_path, "Cycling counts rose\nSummary\nNo [1].\n1. Part\nText [2].\n")
    assert result.title == "Cycling counts rose"


# --- sections without numbers -------------------------------------------------------------------------


def test_short_capitalised_lines_become_headings_when_no_heading_is_numbered(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nSummary\nIt is not, as the counts show [1].\nWhat the counters show\n"
                           "The counters show a rise of sixty percent [2].\nthe small print\nA much longer paragraph "
                           "follows the small print line here.\nA method change\nTwo counters moved in 2023 [3] [4].\n")
    assert result.sections == ["What the counters show", "A method change"]
    assert "no numbered section headings: 2 short lines were taken as headings; check them" in problems(result)


@pytest.mark.parametrize(("language", "name"), [("en", "Analysis"), ("de", "Analyse"), ("fr-CA", "Analyse"),
                                                ("es", "Análisis"), ("ru", "Анализ"), ("uk", "Аналіз"),
                                                ("ar", "التحليل"), ("pt-BR", "Analysis"), ("DE", "Analyse")])
def test_an_article_without_headings_is_one_section_named_in_its_language(
    tmp_path: Path, language: str, name: str
) -> None:
    result = imp(tmp_path, "Is it so?\nSummary\nIt is not [1].\nthe rest follows, all in lower case [2].\n",
                 language=language)
    assert result.sections == [name]
    assert body(result) == f"It is not [@leaflet-2025].\n\n## {name}\n\nthe rest follows, all in lower case [@counts-2024].\n"
    assert (f"no section headings: the article's text became one section, {name!r}; split it with '## ' headings"
            in problems(result))


def test_an_article_of_one_paragraph_is_one_section_without_summary(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nSummary\nIt is not [1].\n")
    assert result.sections == ["Analysis"] and body(result) == "## Analysis\n\nIt is not [@leaflet-2025].\n"


def test_an_article_with_a_title_and_no_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Is it so?\nSummary\n", encoding="utf-8")
    with pytest.raises(rk.InputError) as caught:
        import_article(path, REFS)
    assert caught.value.message == "the article has a title but no text" and caught.value.file == str(path)
    assert caught.value.hint == "check that the file holds the whole article"


def test_an_empty_article_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(rk.InputError) as caught:
        import_article(path, REFS)
    assert caught.value.message == "the article is empty" and caught.value.file == str(path)


@pytest.mark.parametrize("text", ["   \n", "<!-- only a comment -->\n"])
def test_html_without_content_is_an_input_error_naming_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "article.html"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(rk.InputError) as caught:
        import_article(path, REFS)
    assert (caught.value.message, caught.value.file) == ("the HTML cannot be read: Document is empty", str(path))


def test_html_headings_and_list_items_keep_their_lines_in_problems(tmp_path: Path) -> None:
    html = ("<html><body>\n<ul><li>Donate today</li></ul>\n<p>\u2022 Share <br>\u2022 Follow us</p>\n<h1>Is it so?</h1>\n"
            "<p>It is not [1] [2] [3] [4].</p>\n<h2>Empty part</h2>\n<h2>Full part</h2>\n<p>Text.</p>\n</body></html>\n")
    result = imp(tmp_path, html, ".html")
    assert problems(result)[:4] == ["line 2: text before the title was left out: 'Donate today'",
                                    "line 3: text before the title was left out: 'Share'",
                                    "line 3: text before the title was left out: 'Follow us'",
                                    "line 6: section 'Empty part' has no text"]


def test_a_section_without_text_is_reported_with_its_line(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nSummary\nIt is not [1] [2] [3] [4].\n1. Empty part\n2. Full part\nText.\n")
    assert result.sections == ["Empty part", "Full part"]
    assert "## Empty part\n\n## Full part\n\nText." in body(result)
    assert problems(result) == ["line 4: section 'Empty part' has no text"]


# --- citations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "mapped"),
    [
        ("[1]", "[@leaflet-2025]"),
        ("[ 2 ]", "[@counts-2024]"),
        ("[1, 2]", "[@leaflet-2025; @counts-2024]"),
        ("[1; 3]", "[@leaflet-2025; @method-note]"),
        ("[2-4]", "[@counts-2024; @method-note; @regional-survey]"),
        ("[2 – 3]", "[@counts-2024; @method-note]"),
        ("[1][2]", "[@leaflet-2025; @counts-2024]"),
        ("[1] [1, 2]", "[@leaflet-2025; @counts-2024]"),
        ("[3, 3]", "[@method-note]"),
        ("[1-1]", "[@leaflet-2025]"),
    ],
)
def test_numeric_citations_map_to_the_nth_reference(tmp_path: Path, written: str, mapped: str) -> None:
    result = imp(tmp_path, f"Is it so?\nSummary\nIt is not {written}.\n1. Part\nText [1] [2] [3] [4].\n")
    assert body(result).startswith(f"It is not {mapped}.")
    assert result.citations == 2


@pytest.mark.parametrize("written", ["[3-2]", "[1-60]"])
def test_a_range_backwards_or_too_wide_is_kept_as_text_and_reported(tmp_path: Path, written: str) -> None:
    result = imp(tmp_path, f"Is it so?\nSummary\nIt is not {written}.\n1. Part\nText [1] [2] [3] [4].\n")
    escaped = written.replace("[", "\\[").replace("]", "\\]")
    assert body(result).startswith(f"It is not {escaped}.") and result.citations == 1
    assert f"line 3: cannot read the citation {written!r}: kept as text" in problems(result)


@pytest.mark.parametrize(("written", "missing"), [("[0]", "0"), ("[5]", "5"), ("[4, 5, 7]", "5, 7"), ("[1] [9]", "9")])
def test_a_citation_of_a_number_with_no_reference_is_kept_as_text_and_reported(
    tmp_path: Path, written: str, missing: str
) -> None:
    result = imp(tmp_path, f"Is it so?\nSummary\nIt is not {written}.\n1. Part\nText [1] [2] [3] [4].\n")
    assert (f"line 3: citation {written!r}: no reference number {missing} (the reference file has 4): kept as text"
            in problems(result))
    assert "[@" not in body(result).split("\n", 1)[0]


def test_a_range_of_fifty_one_is_read_and_its_unknown_numbers_named(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nSummary\nIt is not [1-51].\n1. Part\nText [1] [2] [3] [4].\n")
    assert any(p.startswith("line 3: citation '[1-51]': no reference number 5, 6, 7,") for p in problems(result))


def test_uncited_references_are_reported_by_number_and_key_after_the_located_problems(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nSummary\nIt is not [2].\n1. Part\nText [9].\n")
    assert problems(result) == [
        "line 5: citation '[9]': no reference number 9 (the reference file has 4): kept as text",
        "reference 1 ('leaflet-2025') is never cited in the article",
        "reference 3 ('method-note') is never cited in the article",
        "reference 4 ('regional-survey') is never cited in the article",
    ]


# --- Markdown ---------------------------------------------------------------------------------------


def test_markdown_headings_are_sections_whatever_their_numbers(tmp_path: Path) -> None:
    result = imp(tmp_path, "# Is it so? #\n\n## Summary\n\nIt is not [1].\n\n## 3. Part three ##\n\nText [2].\n\n"
                           "### Part four\n\n1. a numbered list item [3] [4]\n", ".md")
    assert result.title == "Is it so?" and result.sections == ["Part three", "Part four"]
    assert "1. a numbered list item [@method-note; @regional-survey]" in body(result)
    assert not any("looks like" in p for p in problems(result))


def test_markdown_keeps_its_markup_and_a_fenced_hash_is_no_heading(tmp_path: Path) -> None:
    result = imp(tmp_path, "# Is it so?\n\n## Summary\n\nIt is *not* [1].\n\n## Part\n\n```\n# not a heading\n\n"
                           "still code\n```\n\nText [2]\nand more.\n", ".md")
    assert result.sections == ["Part"]
    assert "It is *not* [@leaflet-2025]." in body(result)
    assert "```\n# not a heading\n\nstill code\n```" in body(result)
    assert "Text [@counts-2024]\nand more." in body(result)


def test_markdown_problems_name_the_paragraphs_first_line(tmp_path: Path) -> None:
    result = imp(tmp_path, "# Is it so?\n\n## Summary\n\nIt is not [1].\n\n## Part\n\nFirst line\nsecond [8].\n", ".md")
    assert problems(result)[0] == "line 9: citation '[8]': no reference number 8 (the reference file has 4): kept as text"


# --- HTML -----------------------------------------------------------------------------------------


def html_article(inner: str) -> str:
    return (f"<html><head><title>Site</title><script>var x</script></head><body><nav><p>Menu item</p></nav>{inner}"
            "<footer><p>Copyright</p></footer></body></html>")


def test_html_inline_markup_becomes_markdown_and_the_rest_its_text(tmp_path: Path) -> None:
    result = imp(tmp_path, html_article(
        "<h1>Is it so?</h1><h2>Summary</h2><p>It is <em>not</em>, <i>really</i> <cite>not</cite> [1].</p>"
        "<h2>Part</h2><p><strong>Strong</strong> and <b>bold</b><em> </em> [2]<br>next "
        "<a href='https://e.org/a'>a link</a>, <a href='javascript:x()'>no link</a>, "
        "<a href='https://e.org/a b'>spaced</a>, <a href='/local'>local</a>, <span>span <em>in</em></span>"
        "<script>alert(1)</script> tail.</p>"), ".html")
    text = body(result)
    assert "It is *not*, *really* *not* [@leaflet-2025]." in text
    assert ("**Strong** and **bold** [@counts-2024] next [a link](<https://e.org/a>), no link, spaced, local, "
            "span *in* tail.") in text
    assert "Menu item" not in text and "Copyright" not in text and "alert" not in text


def test_html_blocks_lists_and_headings_of_each_level(tmp_path: Path) -> None:
    result = imp(tmp_path, html_article(
        "<article><h1>Is it so?</h1><h2>Summary</h2><p>It is not [1].</p><h3>Part one</h3><ul><li>item [2]</li>"
        "<li>second</li></ul><blockquote>Quoted.</blockquote><h4>Part two</h4><p>• a<br>• b [3]</p><table><tr>"
        "<td>cell [4]</td></tr></table><h2></h2><pre>pre text</pre><dl><dt>term</dt><dd>def</dd></dl>"
        "<figure><figcaption>cap</figcaption></figure><aside><p>aside</p></aside><form><p>form</p></form>"
        "</article><p>outside the article</p>"), ".html")
    assert result.sections == ["Part one", "Part two"]
    assert body(result) == (
        "It is not [@leaflet-2025].\n\n## Part one\n\n- item [@counts-2024]\n\n- second\n\nQuoted.\n\n"
        "## Part two\n\n- a\n\n- b [@method-note]\n\ncell [@regional-survey]\n\npre text\n\nterm\n\ndef\n\ncap\n"
    )


def test_html_without_an_article_reads_main_then_body(tmp_path: Path) -> None:
    result = imp(tmp_path, html_article("<p>before main</p><main><h1>Is it so?</h1><p>Summary</p><p>No [1].</p>"
                                        "<h2>Part</h2><p>Text [2].</p></main>"), ".html")
    assert result.title == "Is it so?" and "before main" not in result.markdown
    result = imp(tmp_path, "<h1>Is it so?</h1><p>Summary</p><p>No [1].</p><h2>Part</h2><p>Text [2].</p>", ".html")
    assert result.sections == ["Part"]


def test_html_problems_name_the_source_line(tmp_path: Path) -> None:
    result = imp(tmp_path, "<html><body>\n<h1>Is it so?</h1>\n<h2>Summary</h2>\n<p>No [1].</p>\n<h2>Part</h2>\n"
                           "<p>Text [7].</p>\n</body></html>\n", ".html")
    assert problems(result)[0] == "line 6: citation '[7]': no reference number 7 (the reference file has 4): kept as text"


def test_html_that_holds_nothing_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    path.write_text("<!-- nothing -->", encoding="utf-8")
    with pytest.raises(rk.InputError) as caught:
        import_article(path, REFS)
    assert caught.value.file == str(path)


# --- edges the mutation run found -----------------------------------------------------------------


def test_html_comments_are_never_text_and_a_list_item_has_one_bullet(tmp_path: Path) -> None:
    result = imp(tmp_path, "<h1>Is it so?</h1><!-- a note before --><h2>Summary</h2><p>No <!-- secret --> [1].</p>"
                           "<h2>Part</h2><ul><li>• item [2]</li><li>• a • b</li></ul><p><b></b><b> </b>Text.</p>", ".html")
    text = body(result)
    assert "secret" not in text and "note before" not in text
    assert text == "No [@leaflet-2025].\n\n## Part\n\n- item [@counts-2024]\n\n- a • b\n\nText.\n"


def test_html_outside_the_main_element_is_left_out(tmp_path: Path) -> None:
    result = imp(tmp_path, html_article("<main><h1>Is it so?</h1><p>Summary</p><p>No [1].</p><h2>Part</h2>"
                                        "<p>Text [2].</p></main><p>after main</p>"), ".html")
    assert "after main" not in result.markdown


def test_an_html_h1_before_a_question_is_the_title(tmp_path: Path) -> None:
    result = imp(tmp_path, "<h1>Newsroom</h1><p>Did it happen?</p><h2>Summary</h2><p>No [1].</p><h2>Part</h2>"
                           "<p>Text [2].</p>", ".html")
    assert result.title == "Newsroom"


def test_html_list_items_are_never_headings_of_an_article_without_numbers(tmp_path: Path) -> None:
    result = imp(tmp_path, "<h1>Is it so?</h1><p>Summary</p><p>It is not, as the counts show [1].</p>"
                           "<ul><li>Short item</li><li>A much longer list item follows the short one [2].</li></ul>"
                           "<p>• Bullet line</p><p>A paragraph that is longer than the bullet line before it.</p>",
                 ".html")
    assert result.sections == ["Analysis"]
    assert "- Short item\n\n- A much longer list item" in body(result)


def _flat(lines: list[str]) -> str:
    """An article of a title, a summary heading and ``lines``, one per line."""
    return "Is it so?\nSummary\n" + "\n".join(lines) + "\n"


LONG = "A paragraph that is clearly longer than any heading above it, and it goes on [1]."


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("Background", True),
        (" ".join(["Word"] * 12), True),
        (" ".join(["Word"] * 13), False),
        ("A" * 90, True),
        ("A" * 91, False),
        ("Ends in a colon:", False),
        ("lower case start", False),
    ],
)
def test_a_short_capitalised_line_is_a_heading_within_its_limits(tmp_path: Path, line: str, heading: bool) -> None:
    result = imp(tmp_path, _flat(["It is not, as the counts show, at least not in the way the leaflet said [2].",
                                  line, LONG + " " + LONG]))
    assert (result.sections == [line]) is heading
    if heading:
        mapped = LONG.replace("[1]", "[@leaflet-2025]")
        assert f"\n## {line}\n\n{mapped} {mapped}\n" in body(result)


def test_a_heading_needs_a_longer_paragraph_after_it(tmp_path: Path) -> None:
    same = "Same length line"
    result = imp(tmp_path, _flat(["It is not, as the counts show, at least not in the way the leaflet said [2].",
                                  same, "Same length text", "Last Line"]))
    assert result.sections == ["Analysis"]  # neither an equal-length next line nor no next line makes a heading


def test_the_first_line_after_the_summary_heading_is_never_a_section(tmp_path: Path) -> None:
    result = imp(tmp_path, _flat(["Short first", LONG, "Next part", LONG + " More."]))
    assert result.sections == ["Next part"]
    assert body(result).startswith("Short first\n\n")


def test_an_unnumbered_heading_without_text_is_reported_with_its_line(tmp_path: Path) -> None:
    result = imp(tmp_path, _flat(["It is not, as the counts show, at least not in the way the leaflet said [2].",
                                  "Short", "A longer heading", LONG]))
    assert result.sections == ["Short", "A longer heading"]
    assert "line 4: section 'Short' has no text" in problems(result)


@pytest.mark.parametrize(("length", "marker"), [(160, True), (161, False)])
def test_a_numbered_line_up_to_the_heading_length_is_never_joined_to_a_paragraph(
    tmp_path: Path, length: int, marker: bool
) -> None:
    line = "2. " + "w" * (length - 3)
    result = imp(tmp_path, f"Is it so?\n\nSummary\n\nIt is not [1].\n\n1. Part\n\nText [2]\n{line}\n")
    assert ("Text [@counts-2024] " + line.replace(".", "\\.", 1) in body(result)) is not marker


@pytest.mark.parametrize(("banner", "marker"), [("Donate " + "x" * 153, True), ("Donate " + "x" * 154, False)])
def test_a_banner_up_to_the_heading_length_is_never_joined_to_a_paragraph(
    tmp_path: Path, banner: str, marker: bool
) -> None:
    result = imp(tmp_path, f"Is it so?\n\nSummary\n\nIt is not [1].\n\n1. Part\n\nText [2]\n{banner}\n")
    assert (banner in body(result)) is not marker


def test_bullets_are_never_summary_headings_and_their_wrapped_lines_stay_with_them(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\n• Key findings\nExecutive summary\nIt is not [1].\n1. Part\nText [2].\n")
    assert "- Key findings" in body(result) and body(result).index("- Key findings") < body(result).index("It is not")
    result = imp(tmp_path, "Is it so?\n\nExecutive summary\n\nIt is not [1].\n\n1. Part\n\n• Sources\n  of funding [2]\n\n"
                           "Text [3].\n")
    assert "- Sources of funding [@counts-2024]\n\nText [@method-note]." in body(result)


def test_a_bullet_that_is_a_banner_is_left_out_and_a_bullets_problem_has_its_line(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nExecutive summary\nIt is not [1].\n1. Part\n• Share this article\n• See [9]\n")
    assert "Share this article" not in body(result)
    assert "line 5: left out as not part of the article: 'Share this article'" in problems(result)
    assert "line 6: citation '[9]': no reference number 9 (the reference file has 4): kept as text" in problems(result)


@pytest.mark.parametrize("fence", ["```", "  ```", "~~~"])
def test_a_markdown_fence_of_any_kind_hides_headings(tmp_path: Path, fence: str) -> None:
    result = imp(tmp_path, f"# Is it so?\n\n## Summary\n\nNo [1].\n\n## Part\n\n{fence}\n# not a heading\n{fence}\n\n"
                           "Text [2].\n", ".md")
    assert result.sections == ["Part"]


def test_an_empty_markdown_section_is_reported_with_its_line(tmp_path: Path) -> None:
    result = imp(tmp_path, "# Is it so?\n\n## Summary\n\nNo [1] [2] [3] [4].\n\n## Empty\n\n## Full\n\nText.\n", ".md")
    assert problems(result) == ["line 7: section 'Empty' has no text"]


@pytest.mark.parametrize(("length", "shown"), [(60, None), (61, 59)])
def test_text_quoted_in_a_problem_is_cut_after_sixty_characters(tmp_path: Path, length: int, shown: int | None) -> None:
    before = "B" * length
    result = imp(tmp_path, f"{before}\n{ARTICLE}")
    quoted = before if shown is None else before[:shown] + "…"
    assert problems(result)[0] == f"line 1: text before the title was left out: {quoted!r}"


@pytest.mark.parametrize(("length", "summary"), [(79, True), (80, False)])
def test_a_summary_line_is_short_unless_it_is_a_heading(tmp_path: Path, length: int, summary: bool) -> None:
    line = ("Summary: " + "w" * length)[:length]
    result = imp(tmp_path, f"Is it so?\n{line}\nIt is not [1].\n1. Part\nText [2].\n")
    assert (line not in body(result)) is summary
    long_heading = "## Executive Summary — " + "w" * 80
    result = imp(tmp_path, f"# Is it so?\n\n{long_heading}\n\nNo [1].\n\n## Part\n\nText [2].\n", ".md")
    assert "Executive Summary" not in body(result)


def test_every_citation_of_a_paragraph_is_counted(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nSummary\nA [1] and B [2, 3-4].\n1. Part\nText.\n")
    assert result.citations == 2
    assert body(result).startswith("A [@leaflet-2025] and B [@counts-2024; @method-note; @regional-survey].")


def test_a_range_wider_than_fifty_is_not_read(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nSummary\nIt is not [1-52].\n1. Part\nText [1] [2] [3] [4].\n")
    assert "line 3: cannot read the citation '[1-52]': kept as text" in problems(result)


@pytest.mark.parametrize(("length", "reported"), [(160, True), (161, False)])
def test_a_numbered_heading_out_of_turn_is_reported_up_to_the_heading_length(
    tmp_path: Path, length: int, reported: bool
) -> None:
    line = "3. " + "w" * (length - 3)
    result = imp(tmp_path, f"Is it so?\nSummary\nIt is not [1].\n1. Part\nText [2].\n{line}\n")
    assert any("looks like a section heading" in p for p in problems(result)) is reported


def test_a_wrapped_title_and_a_wrapped_bullet_banner_are_read_whole(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it\nso?\n\nSummary\n\nIt is not [1].\n\n1. Part\n\n• Share\n  this article\n\nText [2].\n")
    assert result.title == "Is it so?"
    assert "Share" not in body(result)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Cycling counts rose\nDonate today\nSummary\nNo [1].\n1. Part\nText [2].\n", "Cycling counts rose"),
        ("Cycling counts rose\n• a bullet\nSummary\nNo [1].\n1. Part\nText [2].\n", "Cycling counts rose"),
        ("Did it?\n\n# Is it so?\n\n## Summary\n\nNo [1].\n\n## Part\n\nText [2].\n", "Is it so?"),
        ("## Newsroom\n\nDid it happen?\n\n## Summary\n\nNo [1].\n\n## Part\n\nText [2].\n", "Did it happen?"),
    ],
)
def test_the_title_is_no_banner_no_bullet_and_an_h1_question_wins(tmp_path: Path, text: str, title: str) -> None:
    suffix = ".md" if "#" in text else ".txt"
    assert imp(tmp_path, text, suffix).title == title


@pytest.mark.parametrize(("length", "title"), [(300, True), (301, False)])
def test_a_title_is_at_most_three_hundred_characters(tmp_path: Path, length: int, title: bool) -> None:
    question = "W" * (length - 1) + "?"
    result = imp(tmp_path, f"Plain first line\n{question}\nSummary\nNo [1].\n1. Part\nText [2].\n")
    assert (result.title == question) is title


def test_without_a_summary_the_title_is_looked_for_in_the_first_twelve_blocks(tmp_path: Path) -> None:
    lines = [f"Statement number {n}" for n in range(1, 13)]
    result = imp(tmp_path, "\n".join(lines) + "\nIs it so?\n1. Part\nText [1] [2] [3] [4].\n")
    assert result.title == "Statement number 1"


def test_the_front_matter_text_is_written_out_as_given(tmp_path: Path) -> None:
    title = "Haben die Radwege in Köln den Radverkehr verdoppelt, wie es die Stadt in ihrem Faltblatt behauptet?"
    result = imp(tmp_path, ARTICLE.replace("Is it so?", title), sources_ref="refs.json")
    assert result.markdown.startswith(
        f"---\ntitle: {title}\nlanguage: en\nsources: refs.json\n"
        "# What the article does not say; fill in, then build (fields: reportkit schema):\n")
    assert result.markdown.endswith("More [@method-note; @regional-survey].\n")


def test_listed_sources_hold_only_the_fields_the_reference_file_gives(tmp_path: Path) -> None:
    data = front(imp(tmp_path, ARTICLE))
    for source in data["sources"]:
        assert all(value not in (None, [], "") for value in source.values()), source


def test_problems_are_listed_by_line(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\nSummary\nIt is not [1] [2] [3] [4].\n1. Empty part\n2. Full part\nText [9].\n")
    assert problems(result) == [
        "line 4: section 'Empty part' has no text",
        "line 6: citation '[9]': no reference number 9 (the reference file has 4): kept as text",
    ]


def test_a_summary_line_before_the_title_is_text_before_the_title(tmp_path: Path) -> None:
    result = imp(tmp_path, "Summary\nIs it so?\nIt is not [1].\n1. Part\nText [2].\n")
    assert result.title == "Is it so?"
    result = imp(tmp_path, "Our newsroom\nCycling counts rose\nSummary\nNo [1].\n1. Part\nText [2].\n")
    assert result.title == "Cycling counts rose"  # the last line before the summary


def test_an_article_that_is_no_text_is_named_as_the_article(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"Is it so?\nCaf\xe9\n")
    with pytest.raises(rk.InputError) as caught:
        import_article(path, REFS)
    assert caught.value.message == "the article is not UTF-8 text (byte 0xe9)"
    assert (caught.value.file, caught.value.line) == (str(path), 2)


def test_a_numbered_sentence_is_joined_to_its_paragraph_and_a_long_summary_line_is_a_marker(tmp_path: Path) -> None:
    result = imp(tmp_path, "Is it so?\n\nSummary\n\nIt is not [1]\n2. a numbered sentence.\n\n1. Part\n\nText [2].\n")
    assert "It is not [@leaflet-2025] 2\\. a numbered sentence." in body(result)
    line = ("Summary — " + "w" * 160)[:160]
    result = imp(tmp_path, f"Is it so?\n\nSummary\n\nIt is not [1].\n\n1. Part\n\nText [2]\n{line}\n")
    assert "Text [@counts-2024]\n\n" in body(result)


def test_a_banner_list_item_drawn_with_a_bullet_is_left_out(tmp_path: Path) -> None:
    result = imp(tmp_path, "<h1>Is it so?</h1><h2>Summary</h2><p>No [1].</p><h2>Part</h2><p>Text [2].</p>"
                           "<ul><li>• Share this article</li></ul>", ".html")
    assert "Share" not in body(result) and any("'Share this article'" in p for p in problems(result))


@pytest.mark.parametrize(
    ("text", "suffix", "title"),
    [
        ("## Cycling counts\n\nSome words\n\n## Summary\n\nNo [1].\n\n## Part\n\nText [2].\n", ".md", "Cycling counts"),
        ("Donate today\nCycling counts rose\nIt rose [1].\n1. Part\nText [2].\n", ".txt", "Cycling counts rose"),
        ("• one\n• two\n• three [1]\n", ".txt", "one"),  # nothing but bullets: the first block
    ],
)
def test_the_first_heading_then_the_first_candidate_then_the_first_block_is_the_title(
    tmp_path: Path, text: str, suffix: str, title: str
) -> None:
    assert imp(tmp_path, text, suffix).title == title
